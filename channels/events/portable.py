"""Any database but PostgreSQL (SQLite, the embedded default): one plain event table, written
with the ORM in the caller's transaction, with the same once-only rule and the same effects."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from campaigns.models import Presentation
from channels.models.events import DailyInterest, DigitalEvent, SeenPresentation

CHUNK = 400  # SQLite's limit on variables in one statement


def prepare(events: list[tuple]) -> None:  # noqa: ARG001 - one table: nothing to prepare
    """Nothing to make before a batch: one plain table."""


def forget() -> None:
    """Nothing is remembered here."""


def write(*, client_id: int, received_at: datetime, events: list[tuple]) -> int:
    """Store ``events`` (validated, unique in the batch); how many were new. SQLite's write
    lock is taken at BEGIN, so the events found missing here are still missing when written."""
    stored = set()
    for start in range(0, len(events), CHUNK):
        ids = [e[0] for e in events[start : start + CHUNK]]
        stored.update(
            DigitalEvent.objects.filter(client_id=client_id, event_id__in=ids).values_list(
                "event_id", "occurred_at"
            )
        )
    new = [e for e in events if (e[0], e[1]) not in stored]
    DigitalEvent.objects.bulk_create(
        [
            DigitalEvent(
                client_id=client_id,
                event_id=e[0],
                occurred_at=e[1],
                received_at=received_at,
                kind=e[2],
                customer_id=e[3],
                channel_kind=e[4],
                offer_code=e[5],
                presentation_id=e[6],
                context=_context(e[7]),
            )
            for e in new
        ],
        batch_size=CHUNK // 10,
    )
    _mark_presentations(new)
    return len(new)


def _context(text: str) -> dict:
    import orjson

    return orjson.loads(text)


def _mark_presentations(new: list[tuple]) -> None:
    """Presentations seen or clicked for the first time, and the day's interest."""
    seen: dict[int, datetime] = {}
    clicked: dict[int, datetime] = {}
    for e in new:
        if e[6] is None or e[2] not in ("impression", "click"):
            continue
        seen[e[6]] = min(seen.get(e[6], e[1]), e[1])
        if e[2] == "click":
            clicked[e[6]] = min(clicked.get(e[6], e[1]), e[1])
    if not seen:
        return
    had = {s.presentation_id: s for s in SeenPresentation.objects.filter(pk__in=seen)}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    where = {
        p.pk: (p.campaign_id, p.offer_id, p.decision.channel_kind)
        for p in Presentation.objects.filter(pk__in=seen).select_related("decision")
    }
    for pk, at in sorted(seen.items()):
        campaign_id, offer_id, kind = where[pk]
        first = had.get(pk)
        if first is None:
            SeenPresentation.objects.create(
                presentation_id=pk, seen_at=at, clicked_at=clicked.get(pk)
            )
            counts[(timezone.localdate(at), campaign_id, offer_id, kind)][0] += 1
        elif pk in clicked and first.clicked_at is None:
            SeenPresentation.objects.filter(pk=pk).update(clicked_at=clicked[pk])
        else:
            continue
        if pk in clicked:
            counts[(timezone.localdate(clicked[pk]), campaign_id, offer_id, kind)][1] += 1
    for (day, campaign_id, offer_id, kind), (n_seen, n_clicked) in counts.items():
        row, _created = DailyInterest.objects.get_or_create(
            day=day, campaign_id=campaign_id, offer_id=offer_id, channel_kind=kind
        )
        DailyInterest.objects.filter(pk=row.pk).update(
            seen=F("seen") + n_seen, clicked=F("clicked") + n_clicked
        )


def maintain(*, now: datetime, ahead: int, retention_months: int) -> tuple[list[str], list[str]]:  # noqa: ARG001 - one table: nothing to make ahead
    """Delete the events of the months older than the retention (one table: no partitions)."""
    from .postgres import month_start

    oldest_kept = month_start(now, -retention_months)
    deleted, _ = DigitalEvent.objects.filter(occurred_at__lt=oldest_kept).delete()
    return [], [f"{deleted} events"] if deleted else []
