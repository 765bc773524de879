"""Refreshing the learned propensities from recorded outcomes: full (a command, nightly) or
incremental (Celery, every ten minutes).

Evidence is every Response whose outcome is not "not presented" (a not-presented offer is no
decline); an acceptance is the outcome "accepted". Rows are grouped by offer, channel kind and
the customer's segment and value tier (``campaigns.models.LearnedPropensity``).

Prior: the mean file propensity of the group's members (segment × value tier) in the active
target-group versions of the campaigns holding the offer, members whose file named another
offer left out; where no member has one (always-on campaigns, files without the column) the
contact policy's ``default_propensity``. It is worth ``CVM_LEARNING_PRIOR_WEIGHT``
pseudo-presentations (default 20). A full refresh recomputes every prior; an incremental one
keeps the priors and computes one only for a new group.

Watermark: each run records the highest Response id it read (``LearningRun.up_to_response_id``);
an incremental run reads the responses above the last run's and adds them. Two things only a
full refresh puts right, which is why it runs nightly: an outcome undone after an incremental
run counted it (``campaigns.models.UndoneOutcome``: the response row is gone, so the full
refresh no longer finds it), and a response whose id was handed out before the watermark but
committed after the run read. On the same data an incremental and a full refresh agree
(tests/campaigns/test_learning_refresh.py).

One run at a time: on PostgreSQL a transaction advisory lock (a second run skips with a
message); elsewhere the run row is written first, so SQLite's single writer lets a second run
in only after the first. The computing is in ``campaigns.learning.postgres`` (one set-based
statement) or ``campaigns.learning.portable`` (the ORM), picked by ``campaigns.store``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from campaigns import catalogue, store
from campaigns.learning import portable, postgres, serving
from campaigns.models import LearningRun, Response


class RefreshBusy(Exception):
    """Another refresh is running; this one did nothing."""


def refresh(*, full: bool) -> LearningRun:
    """Bring the learned propensities up to the latest outcome, fully or from the last run's
    watermark (a first run is always full); returns the run recorded. Raises RefreshBusy when
    another refresh holds the lock; any other error is recorded on a run of its own and raised."""
    path = store.pick(postgresql=postgres, portable=portable)
    started = timezone.now()
    kind = LearningRun.Kind.FULL if full else LearningRun.Kind.INCREMENTAL
    try:
        with transaction.atomic():
            if not path.try_lock():
                raise RefreshBusy
            run = LearningRun.objects.create(kind=kind, started_at=started)
            previous = (
                LearningRun.objects.filter(finished_at__isnull=False, error="")
                .exclude(pk=run.pk)
                .order_by("-pk")
                .first()
            )
            if previous is None and not full:
                run.kind = LearningRun.Kind.FULL
            since = 0 if run.kind == LearningRun.Kind.FULL else previous.up_to_response_id
            up_to = max(Response.objects.aggregate(top=Max("pk"))["top"] or 0, since)
            run.responses = path.refresh(
                full=run.kind == LearningRun.Kind.FULL,
                since=since,
                up_to=up_to,
                default=catalogue.current().policy.default_propensity,
                weight=float(settings.CVM_LEARNING_PRIOR_WEIGHT),
                at=started,
            )
            run.up_to_response_id = up_to
            run.finished_at = timezone.now()
            run.save()
            serving.invalidate()
    except RefreshBusy:
        raise
    except Exception as exc:
        LearningRun.objects.create(
            kind=kind, started_at=started, finished_at=timezone.now(), error=repr(exc)[:2000]
        )
        raise
    return run
