"""Figures of call lists for team leads and CVM managers, and what an agency has earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from channels.bonus.agencies import agency_statement
from channels.choices import Disposition, LeadState
from channels.models.outbound import CallAttempt, CallList, Lead
from channels.models.sites import Site
from channels.outbound.hours import calling_window, local_day
from channels.outbound.withdrawal import WITHDRAWN


@dataclass
class ListFigures:
    call_list: CallList
    size: int
    remaining: int
    attempted: int
    calls: int
    reached: int
    converted: int
    skipped: int
    expired: int  # left waiting on their day, closed when the next day's list was built
    withdrawn: int  # still waiting when the kill switch stopped the campaign
    at_risk: bool
    agents: list[dict]

    @property
    def contact_rate(self) -> float | None:
        return self.reached / self.attempted if self.attempted else None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.reached if self.reached else None


def list_figures(lists, *, now: datetime | None = None) -> list[ListFigures]:
    """Per list: size, remaining, attempted, reached, converted, per agent; and whether it will finish."""
    now = now or timezone.now()
    lists = list(lists.select_related("campaign", "site"))
    ids = [c.pk for c in lists]
    leads = {
        row["call_list_id"]: row
        for row in Lead.objects.filter(call_list_id__in=ids)
        .values("call_list_id")
        .annotate(
            total=Count("id"),
            remaining=Count("id", filter=Q(state__in=[LeadState.WAITING, LeadState.ASSIGNED])),
            skipped=Count("id", filter=Q(state=LeadState.SKIPPED) & ~Q(skip_code=WITHDRAWN)),
            withdrawn=Count("id", filter=Q(state=LeadState.SKIPPED, skip_code=WITHDRAWN)),
            expired=Count("id", filter=Q(state=LeadState.EXPIRED)),
            converted=Count("id", filter=Q(converted_at__isnull=False)),
        )
    }
    per_list = {
        row["lead__call_list_id"]: row
        for row in CallAttempt.objects.filter(lead__call_list_id__in=ids)
        .values("lead__call_list_id")
        .annotate(
            calls=Count("id"),
            attempted=Count("lead", distinct=True),
            reached=Count("lead", distinct=True, filter=Q(disposition=Disposition.REACHED)),
            first=Min("at"),
        )
    }
    agents: dict[int, list[dict]] = {}
    for row in (
        CallAttempt.objects.filter(lead__call_list_id__in=ids)
        .values(
            "lead__call_list_id",
            "agent_id",
            "agent__username",
            "agent__first_name",
            "agent__last_name",
        )
        .annotate(
            calls=Count("id"),
            reached=Count("lead", distinct=True, filter=Q(disposition=Disposition.REACHED)),
        )
        .order_by("lead__call_list_id", "agent__username")
    ):
        agents.setdefault(row["lead__call_list_id"], []).append(row)
    conversions = {
        (row["call_list_id"], row["assigned_to_id"]): row["n"]
        for row in Lead.objects.filter(call_list_id__in=ids, converted_at__isnull=False)
        .values("call_list_id", "assigned_to_id")
        .annotate(n=Count("id"))
    }
    figures = []
    for call_list in lists:
        lead_row = leads.get(call_list.pk, {})
        attempt_row = per_list.get(call_list.pk, {})
        rows = agents.get(call_list.pk, [])
        for row in rows:
            row["converted"] = conversions.get((call_list.pk, row["agent_id"]), 0)
            name = f"{row['agent__first_name']} {row['agent__last_name']}".strip()
            row["name"] = name or row["agent__username"] or "—"
        remaining = lead_row.get("remaining", 0)
        figures.append(
            ListFigures(
                call_list=call_list,
                size=call_list.size,
                remaining=remaining,
                attempted=attempt_row.get("attempted", 0),
                calls=attempt_row.get("calls", 0),
                reached=attempt_row.get("reached", 0),
                converted=lead_row.get("converted", 0),
                skipped=lead_row.get("skipped", 0),
                expired=lead_row.get("expired", 0),
                withdrawn=lead_row.get("withdrawn", 0),
                at_risk=_at_risk(
                    call_list, remaining, lead_row.get("total", 0), attempt_row.get("first"), now
                ),
                agents=rows,
            )
        )
    return figures


def _at_risk(call_list: CallList, remaining: int, total: int, first, now: datetime) -> bool:
    """True when, at the pace since the first call today, the list will not be done by closing."""
    if remaining == 0 or call_list.day != local_day(call_list.site, now):
        return False
    start, end = calling_window(call_list.site, call_list.day)
    if now >= end:
        return True
    if first is None or now <= first:
        return False  # no pace yet
    done = total - remaining
    hours_so_far = (now - max(first, start)).total_seconds() / 3600
    if hours_so_far <= 0:
        return False
    pace = done / hours_so_far
    hours_left = (end - now).total_seconds() / 3600
    return pace * hours_left < remaining


# --- What an agency has earned ------------------------------------------------------------


def agency_earnings(*, site: Site, now: datetime | None = None) -> list[dict]:
    """Per campaign this (site-local) month: what the agency's statement says it has earned.

    One source of truth for what an agency is paid: ``bonus.agency_statement`` — accepted
    outcomes recorded at the site, less those cancelled, and reached contacts, × the rates of
    the campaign's share. The call-list page and the monthly statement show the same figures."""
    return agency_statement(site=site, month=local_day(site, now).replace(day=1))
