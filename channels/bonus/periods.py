"""Bonus periods, and which plan covers which agent when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from channels.models.bonus import BonusPlan
from channels.models.sites import AgentProfile

CENT = Decimal("0.01")


# --- Periods and coverage --------------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month: a plan's default period."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period_bounds(plan: BonusPlan) -> tuple[datetime, datetime]:
    """The plan's period as [start, end) moments in the portal's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(plan.starts_on, time.min, tzinfo=zone)
    end = datetime.combine(plan.ends_on + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def overlapping_plans(
    *,
    channel_kind: str,
    site_ids: Iterable[int],
    starts_on: date,
    ends_on: date,
    exclude_pk: int | None = None,
):
    """Plans whose period and people overlap these: one agent must never be paid twice."""
    site_ids = list(site_ids)
    found = BonusPlan.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    if channel_kind:
        found = found.filter(Q(channel_kind="") | Q(channel_kind=channel_kind))
    if site_ids:
        found = found.filter(Q(sites__isnull=True) | Q(sites__in=site_ids))
    return found.distinct().order_by("starts_on")


def covered_agents(plan: BonusPlan):
    """The agent profiles a plan pays."""
    profiles = AgentProfile.objects.select_related("user", "site")
    if plan.channel_kind:
        profiles = profiles.filter(channel_kind=plan.channel_kind)
    site_ids = [s.pk for s in plan.sites.all()]
    if site_ids:
        profiles = profiles.filter(site_id__in=site_ids)
    return profiles


def plan_for(profile: AgentProfile, day: date) -> BonusPlan | None:
    """The plan paying this agent on ``day`` (plans never overlap for the same people)."""
    return (
        BonusPlan.objects.covering(site_id=profile.site_id, channel_kind=profile.channel_kind)
        .current(day)
        .distinct()
        .first()
    )


def today() -> date:
    return timezone.localdate()
