"""Average handle times measured from outbound call attempts.

No call length is recorded, so an attempt lasts until the same agent's next attempt that day,
at most ``GAP_CAP`` (a longer gap is a break), and ``LAST_CALL`` for the day's last attempt:
the same estimate the programme results use for handling time (``channels.results``).
Answered attempts (reached, callback requested, do not call) are offer conversations; the
rest are unanswered attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels.choices import CONTACT_DISPOSITIONS
from channels.models import CallAttempt, CapacityPlan, ContactType, HandleTime, HandleTimeSource
from channels.results import GAP_CAP, LAST_CALL, worked_kind

# Fewer attempts than this say too little: the configured (or default) time stays.
MIN_SAMPLE = 30
MEASURE_DAYS = 28


@dataclass(frozen=True)
class Measurement:
    contact_type: str
    seconds: int
    sample_size: int


def measure(plan: CapacityPlan, *, days: int = MEASURE_DAYS) -> dict[str, Measurement]:
    """Mean estimated length of the plan's site's call attempts in its channel kind over the
    last ``days``, per contact type (conversation, unanswered)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        CallAttempt.objects.filter(site_id=plan.site_id, at__gte=since)
        .values_list("agent_id", "at", "disposition", "lead__call_list__campaign__channel_kinds")
        .order_by("agent_id", "at", "pk")
    )
    totals: dict[str, list[float]] = {
        ContactType.CONVERSATION: [0.0, 0],
        ContactType.UNANSWERED: [0.0, 0],
    }
    previous = None  # (agent, at, local day, contact type or None)
    for agent_id, at, disposition, kinds in rows.iterator(chunk_size=5000):
        day = timezone.localdate(at)
        if previous is not None:
            _close(
                totals, previous, at if previous[:1] == (agent_id,) and previous[2] == day else None
            )
        kind_matches = worked_kind(kinds) == plan.channel_kind
        ctype = (
            (
                ContactType.CONVERSATION
                if disposition in CONTACT_DISPOSITIONS
                else ContactType.UNANSWERED
            )
            if kind_matches
            else None
        )
        previous = (agent_id, at, day, ctype)
    if previous is not None:
        _close(totals, previous, None)
    return {
        ctype: Measurement(ctype, round(total / n), n) for ctype, (total, n) in totals.items() if n
    }


def _close(totals, previous, next_at) -> None:
    _agent, at, _day, ctype = previous
    if ctype is None:
        return
    length = min(next_at - at, GAP_CAP) if next_at is not None else LAST_CALL
    totals[ctype][0] += length.total_seconds()
    totals[ctype][1] += 1


@transaction.atomic
def refresh_measured_handle_times(*, plan: CapacityPlan) -> list[HandleTime]:
    """Replace the plan's measured handle times (and its unanswered attempts per conversation)
    with a new measurement where there are at least ``MIN_SAMPLE`` attempts; configured times
    are a manager's word and stay. Safe to call twice."""
    measured = measure(plan)
    configured = set(
        plan.handle_times.filter(source=HandleTimeSource.CONFIGURED).values_list(
            "contact_type", flat=True
        )
    )
    written = []
    now = timezone.now()
    for m in measured.values():
        if m.sample_size < MIN_SAMPLE or m.contact_type in configured:
            continue
        row, _created = HandleTime.objects.update_or_create(
            plan=plan,
            contact_type=m.contact_type,
            defaults={
                "seconds": max(1, m.seconds),
                "source": HandleTimeSource.MEASURED,
                "sample_size": m.sample_size,
                "measured_at": now,
            },
        )
        written.append(row)
    talks = measured.get(ContactType.CONVERSATION)
    misses = measured.get(ContactType.UNANSWERED)
    if talks and talks.sample_size >= MIN_SAMPLE:
        ratio = (misses.sample_size if misses else 0) / talks.sample_size
        plan.unanswered_per_conversation = round(min(ratio, 50), 2)
        plan.save(update_fields=["unanswered_per_conversation"])
    return written
