"""Celery tasks of the CVM side: thin wrappers that take plain values and call services."""

from contextlib import suppress

import psycopg
from celery import shared_task
from django.db import DatabaseError

from .choices import LoadStatus
from .lifecycle import end_expired_campaigns
from .loads import runs as loading
from .loads.messages import Problem
from .results import programme as results_programme
from .results import rollups as results_rollups


@shared_task(name="campaigns.end_expired_campaigns")
def end_expired_campaigns_task() -> list[str]:
    """Nightly: end campaigns whose period is over, so agents stop seeing their offers."""
    return end_expired_campaigns()


BUSY_RETRY_SECONDS = 60
BUSY_RETRIES = 6 * 60  # six hours of waiting for another load of the same target
TRANSIENT_RETRIES = 5  # a lost connection, a deadlock, a database restart


@shared_task(
    bind=True,
    name="campaigns.load_file",
    # A load whose pool process died is delivered again at once, and run_load cleans up the
    # killed attempt first. When the whole worker dies its message comes back only after the
    # visibility timeout: retake_stranded_loads queues the run again long before that.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded below, separately for "busy" and for transient errors
)
def load_file_task(self, run_id: int, busy: int = 0, transient: int = 0) -> str:
    """Load one registered warehouse file; safe to deliver twice.

    ``busy`` and ``transient`` count this run's earlier waits and failures (Celery's own
    retry count would lump them together).
    """
    try:
        run = loading.run_load(run_id=run_id)
    except loading.LoadBusy as exc:
        # Run in-process (no broker), nothing else can finish meanwhile: waiting is pointless.
        limit = 0 if self.request.is_eager else BUSY_RETRIES
        _retry_or_fail(self, run_id, exc, limit=limit, count=busy, countdown=BUSY_RETRY_SECONDS,
                       kwargs={"busy": busy + 1, "transient": transient})  # fmt: skip
    except (DatabaseError, psycopg.OperationalError) as exc:
        _retry_or_fail(self, run_id, exc, limit=TRANSIENT_RETRIES, count=transient,
                       countdown=min(30 * 2**transient, 600), kwargs={"busy": busy, "transient": transient + 1})  # fmt: skip
    else:
        return run.status
    return LoadStatus.FAILED.value


def _retry_or_fail(
    task, run_id: int, exc: Exception, *, limit: int, count: int, countdown: int, kwargs: dict
) -> None:
    if count < limit:
        # Waiting is not being stranded. If the database is what failed, this cannot be
        # written either: the retake finds the run later.
        with suppress(DatabaseError):
            loading.expect_again(run_id=run_id, seconds=countdown)
        raise task.retry(exc=exc, countdown=countdown, kwargs={"run_id": run_id, **kwargs}, args=())
    # The run is marked failed with the reason; the task itself ends normally.
    loading.give_up(
        run_id=run_id,
        reason=Problem(
            "gave_up",
            n=count + 1,
            error=exc.as_param() if isinstance(exc, Problem) else str(exc),
        ),
    )


@shared_task(name="campaigns.load_inbox")
def load_inbox_task() -> int:
    """Nightly (schedule in the admin): retake stranded runs, then queue every new ready file
    of the inbox."""
    loading.retake_stranded()
    return len(loading.queue_inbox(started_by="schedule"))


@shared_task(name="campaigns.retake_stranded_loads")
def retake_stranded_loads_task() -> list[int]:
    """Every minute (schedule in the admin): queue again the load runs whose worker died or
    whose task never reached the queue; safe to run twice."""
    return [run.pk for run in loading.retake_stranded()]


@shared_task(name="campaigns.prune_target_group_versions")
def prune_versions_task() -> int:
    return loading.prune_versions()


@shared_task(name="campaigns.refresh_results")
def refresh_results_task() -> int:
    """Every 15 minutes (schedule in the admin): rewrite the results rollups of yesterday and
    today (and of the days conversions loaded since can confirm), then cache every campaign's
    uplift for its page; safe to run twice. Returns the rollup rows written."""
    refreshed = results_rollups.refresh_recent()
    results_programme.refresh_uplift()
    return refreshed.rows


@shared_task(name="campaigns.check_floods")
def check_floods_task() -> int:
    """Every five minutes (schedule in the admin): raise a flood alert for each campaign whose
    tagged contacts of the last hour exceed what was expected; safe to run twice (one alert per
    campaign per hour). Returns the alerts raised."""
    from .governance.floods import check_floods

    return len(check_floods())


@shared_task(name="campaigns.refresh_propensities")
def refresh_propensities_task(full: bool = False) -> int:
    """Every ten minutes incremental, nightly full (schedules in the admin): relearn the
    propensities from the outcomes recorded since the last run (``full``: from all of them);
    safe to run twice — a run that finds another running does nothing. Returns the outcomes
    read."""
    from .learning.refresh import RefreshBusy, refresh

    try:
        return refresh(full=full).responses
    except RefreshBusy:
        return 0
