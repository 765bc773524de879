"""The weekly research queue: last week's call recordings sampled per campaign, stratified by
outcome, for CVM managers to listen to, tag with customer needs, rate and note.

A stratum is "accepted", "declined:<decline reason code>" or "other" (later, not presented,
nothing recorded). Up to CVM_RESEARCH_PER_STRATUM recordings are drawn from each, at random but
the same for the same week, campaign and stratum; drawing a week again adds nothing, and a
recording that arrived late only tops a stratum up to its share.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from campaigns.choices import Outcome
from campaigns.models import NeedTag
from channels.models import Recording, ResearchItem
from cvm_portal.masking import mask

from .attach import refresh_outcomes

ACCEPTED = "accepted"
DECLINED = "declined:"
OTHER = "other"


def stratum_of(outcome: str, decline_reason_code: str | None) -> str:
    """The stratum a recording with this outcome is sampled from."""
    if outcome == Outcome.ACCEPTED:
        return ACCEPTED
    if outcome == Outcome.DECLINED and decline_reason_code:
        return DECLINED + decline_reason_code
    return OTHER


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_week(now: datetime | None = None) -> date:
    """The Monday of the week before the current one (the portal's time zone)."""
    return monday_of(timezone.localdate(now)) - timedelta(days=7)


def week_bounds(week: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, in the portal's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(week, time.min, tzinfo=zone)
    return start, datetime.combine(week + timedelta(days=7), time.min, tzinfo=zone)


def _sample(pks: list[int], *, week: date, campaign_id: int, stratum: str, k: int) -> list[int]:
    """``k`` of ``pks`` (at most all), the same ones for the same week, campaign and stratum."""
    rng = random.Random(f"{week.isoformat()}:{campaign_id}:{stratum}")  # noqa: S311 - not secret
    return rng.sample(sorted(pks), min(k, len(pks)))


@transaction.atomic
def draw_queue(*, week: date, per_stratum: int | None = None) -> int:
    """Sample the recordings of ``week`` (a Monday) into its research queue, per campaign and
    stratum; returns how many items were added (0 when the week was drawn already)."""
    per_stratum = settings.CVM_RESEARCH_PER_STRATUM if per_stratum is None else per_stratum
    start, end = week_bounds(monday_of(week))
    week = monday_of(week)
    in_week = Recording.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    refresh_outcomes(in_week)
    strata: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, campaign_id, outcome, code in in_week.filter(campaign__isnull=False).values_list(
        "pk", "campaign_id", "outcome", "decline_reason__code"
    ):
        strata[(campaign_id, stratum_of(outcome, code))].append(pk)
    drawn: dict[tuple[int, str], int] = defaultdict(int)
    taken: set[int] = set()
    for campaign_id, stratum, recording_id in ResearchItem.objects.filter(week=week).values_list(
        "campaign_id", "stratum", "recording_id"
    ):
        drawn[(campaign_id, stratum)] += 1
        taken.add(recording_id)
    new = []
    for (campaign_id, stratum), pks in sorted(strata.items()):
        room = per_stratum - drawn[(campaign_id, stratum)]
        if room <= 0:
            continue
        sample = _sample(pks, week=week, campaign_id=campaign_id, stratum=stratum, k=per_stratum)
        new += [
            ResearchItem(recording_id=pk, week=week, campaign_id=campaign_id, stratum=stratum)
            for pk in [pk for pk in sample if pk not in taken][:room]
        ]
    ResearchItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def draw_last_week(now: datetime | None = None) -> int:
    """The Monday schedule's job: draw last week's queue (safe to run twice)."""
    return draw_queue(week=last_week(now))


# --- Reading and reviewing the queue -----------------------------------------------------------


def weeks() -> list[date]:
    """The weeks that have a queue, newest first."""
    return list(
        ResearchItem.objects.order_by("-week").values_list("week", flat=True).distinct()[:52]
    )


def queue(*, week: date, campaign_id: int | None = None) -> QuerySet[ResearchItem]:
    """A week's items (of one campaign), with what the queue page shows, in a fixed order."""
    items = ResearchItem.objects.filter(week=week)
    if campaign_id is not None:
        items = items.filter(campaign_id=campaign_id)
    return (
        items.select_related(
            "campaign",
            "reviewed_by",
            "recording__customer",
            "recording__site",
            "recording__decline_reason",
            "recording__call_attempt__agent",
            "recording__decision__agent",
        )
        .prefetch_related("tags")
        .order_by("campaign__code", "stratum", "recording__recorded_at", "pk")
    )


def progress(items: QuerySet[ResearchItem]) -> dict[str, int]:
    """How many of ``items`` there are and how many were reviewed."""
    return items.aggregate(
        total=Count("pk"), reviewed=Count("pk", filter=Q(reviewed_at__isnull=False))
    )


@transaction.atomic
def review(
    *,
    item: ResearchItem,
    tags: list[NeedTag],
    rating: int,
    note: str,
    by,
    now: datetime | None = None,
) -> ResearchItem:
    """Record what a CVM manager made of a sampled call: needs heard, a 1–5 rating and a
    finding, masked (phone, PESEL and card numbers) before it is stored. Saving again replaces
    the earlier review."""
    item.rating = rating
    item.note = mask(note.strip())[: ResearchItem._meta.get_field("note").max_length]
    item.reviewed_by = by
    item.reviewed_at = now or timezone.now()
    item.save(update_fields=["rating", "note", "reviewed_by", "reviewed_at"])
    item.tags.set(tags)
    return item
