"""Forecast load against capacity per day, hour band and site × channel kind, and the
overloads it shows, naming the campaigns that add to each.

Agents needed in an hour band:

- stores and inbound calls (customers arrive and wait): Erlang C — the fewest agents that
  answer the plan's service level within its seconds at no more than its maximum occupancy,
  for the band's contacts at their weighted handle time;
- outbound calls and field (agents set the pace, nobody queues): the band's work (contacts ×
  handle time, plus unanswered attempts × their time) over the hours an agent works at the
  plan's occupancy target.

Digital channel kinds: the busiest second of a day is its busiest band's mean rate times
``PEAK_FACTOR``, plus the usual peak, against the configured requests per second.
Campaigns counted: those in review, approved, live or paused over the window, and the one
being checked (``extra``), whatever its status.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from campaigns import channel_registry
from campaigns.choices import OUTBOUND_CHANNEL_KINDS, CampaignStatus, ChannelKind
from campaigns.models import Campaign
from channels.models import (
    BAND_HOURS,
    CapacityPlan,
    ContactType,
    DigitalCapacity,
    HourBand,
)
from cvm_portal import formatting as fmt

from .erlang import agents_needed
from .forecast import BAND_PROFILE, band_shares, daily_contacts, period_days
from .overload import Overload

PLANNED_STATUSES = (
    CampaignStatus.IN_REVIEW,
    CampaignStatus.APPROVED,
    CampaignStatus.LIVE,
    CampaignStatus.PAUSED,
)
# A campaign is named behind an overload when it brings at least this share of the hour band's
# contacts: one that adds a contact or two to a site already busy is not what overloads it.
NAMED_SHARE = 0.02
# The busiest second of a digital channel against the mean second of its busiest band.
PEAK_FACTOR = 3.0
BAND_SECONDS = BAND_HOURS * 3600
# Handle times (seconds) when a plan has neither a measured nor a configured one.
DEFAULT_AHT: dict[str, dict[str, int]] = {
    ChannelKind.STORE: {ContactType.SERVICE: 600, ContactType.CONVERSATION: 420},
    ChannelKind.INBOUND_CALL: {ContactType.SERVICE: 300, ContactType.CONVERSATION: 180},
    ChannelKind.OUTBOUND_CALL: {
        ContactType.SERVICE: 240,
        ContactType.CONVERSATION: 240,
        ContactType.UNANSWERED: 40,
    },
    ChannelKind.FIELD: {
        ContactType.SERVICE: 1800,
        ContactType.CONVERSATION: 1800,
        ContactType.UNANSWERED: 600,
    },
}


@dataclass
class Cell:
    """One hour band of one day at one site in one channel kind (site None: digital)."""

    day: date
    band: int
    site_id: int | None
    site_name: str
    channel_kind: str
    needed: float = 0.0
    available: float = 0.0
    contacts: float = 0.0
    campaigns: dict[str, float] = field(default_factory=dict)  # code → contacts in the cell

    @property
    def overloaded(self) -> bool:
        return self.needed > self.available + 1e-9

    @property
    def band_label(self) -> str:
        return HourBand(self.band).label

    @property
    def kind_label(self) -> str:
        return channel_registry.label(self.channel_kind)

    @property
    def codes(self) -> list[str]:
        """The campaigns that add a noticeable share (``NAMED_SHARE``) of the cell's load,
        largest first."""
        floor = NAMED_SHARE * self.contacts if self.site_id is not None else 0.0
        named = [c for c, n in self.campaigns.items() if n > 0 and n >= floor]
        return sorted(named, key=lambda c: (-self.campaigns[c], c))

    def as_overload(self) -> Overload:
        codes = self.codes
        return Overload(
            self.day,
            self.band_label,
            self.site_name,
            self.channel_kind,
            round(self.needed, 1),
            round(self.available, 1),
            codes,
        )


def _handle_times(plan: CapacityPlan) -> dict[str, int]:
    times = dict(DEFAULT_AHT[plan.channel_kind])
    times.setdefault(ContactType.UNANSWERED, 0)
    times.update({h.contact_type: h.seconds for h in plan.handle_times.all()})
    return times


def _rostered(plan: CapacityPlan) -> tuple[dict, dict]:
    weekly, dated = {}, {}
    for entry in plan.roster.all():
        if entry.day is None:
            weekly[(entry.weekday, entry.hour_band)] = entry.agents
        else:
            dated[(entry.day, entry.hour_band)] = entry.agents
    return weekly, dated


def planned_campaigns(first: date, last: date, extra: Campaign | None = None) -> list[Campaign]:
    """Campaigns in review, approved, live or paused on any day of the window, and ``extra``."""
    found = [
        c
        for c in Campaign.objects.filter(status__in=PLANNED_STATUSES)
        .filter(starts_at__date__lte=last + timedelta(days=1))
        .filter(ends_at__date__gte=first - timedelta(days=1))
        .order_by("code")
        if _runs_between(c, first, last)
    ]
    if extra is not None and extra.pk not in {c.pk for c in found}:
        found.append(extra)
    return found


def _runs_between(campaign: Campaign, first: date, last: date) -> bool:
    days = period_days(campaign)
    return days[0] <= last and days[-1] >= first


def compute(
    first: date,
    last: date,
    *,
    extra: Campaign | None = None,
    site_ids: list[int] | None = None,
    digital: bool = True,
) -> list[Cell]:
    """Every cell of the window ``first``–``last`` (both included) with its load and capacity."""
    plans = CapacityPlan.objects.filter(site__is_active=True).select_related("site")
    if site_ids is not None:
        plans = plans.filter(site_id__in=site_ids)
    plans = list(plans.prefetch_related("handle_times", "roster"))
    capacities = list(DigitalCapacity.objects.all()) if digital else []
    if not plans and not capacities:
        return []  # nothing to compare with: no need to forecast anything
    kinds = {p.channel_kind for p in plans} | {c.channel_kind for c in capacities}
    campaigns = planned_campaigns(first, last, extra)
    contacts = daily_contacts(campaigns, kinds)
    days_of = {c.pk: set(period_days(c)) for c in campaigns}
    window = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    cells: list[Cell] = []
    for plan in plans:
        load = [
            (fc, per_site[plan.site_id])
            for (_cid, kind), (fc, per_site) in contacts.items()
            if kind == plan.channel_kind and per_site.get(plan.site_id)
        ]
        cells.extend(_plan_cells(plan, window, load, days_of))
    cells.extend(_digital_cells(capacities, window, contacts, days_of))
    return cells


def _plan_cells(plan: CapacityPlan, window, load, days_of) -> list[Cell]:
    times = _handle_times(plan)
    weekly, dated = _rostered(plan)
    paced = plan.channel_kind in OUTBOUND_CHANNEL_KINDS
    per_conversation = times[ContactType.CONVERSATION] + float(
        plan.unanswered_per_conversation
    ) * times.get(ContactType.UNANSWERED, 0)
    cells = []
    for day in window:
        agents = {
            b: dated.get((day, b), weekly.get((day.weekday(), b), 0)) for b in HourBand.values
        }
        shares = band_shares([b for b, n in agents.items() if n > 0])
        for band in HourBand.values:
            cell = Cell(day, band, plan.site_id, plan.site.name, plan.channel_kind)
            cell.available = agents[band]
            share = shares.get(band, 0.0)
            base = plan.baseline_contacts_per_day * share
            work = base * times[ContactType.SERVICE]
            for fc, per_day in load:
                if day in days_of[fc.campaign_id] and share:
                    n = per_day * share
                    cell.campaigns[fc.campaign_code] = n
                    work += n * (per_conversation if paced else times[ContactType.CONVERSATION])
            cell.contacts = base + sum(cell.campaigns.values())
            if paced:
                cell.needed = work / (BAND_SECONDS * plan.occupancy_target_pct / 100)
            elif cell.contacts > 0:
                cell.needed = agents_needed(
                    arrivals_per_hour=cell.contacts / BAND_HOURS,
                    aht_seconds=work / cell.contacts,
                    sl_target=plan.service_level_pct / 100,
                    sl_seconds=plan.service_level_seconds,
                    max_occupancy=plan.max_occupancy_pct / 100,
                ).agents
            cells.append(cell)
    return cells


def _digital_cells(capacities, window, contacts, days_of) -> list[Cell]:
    """One cell per day and digital kind, in the busiest band: the peak second against the
    configured capacity."""
    peak_band = max(BAND_PROFILE, key=BAND_PROFILE.get)
    by_kind = defaultdict(list)
    for (_cid, kind), (fc, per_site) in contacts.items():
        by_kind[kind].append((fc, per_site.get(None, 0.0)))
    cells = []
    for capacity in capacities:
        for day in window:
            cell = Cell(day, peak_band, None, "", capacity.channel_kind)
            cell.available = capacity.requests_per_second
            peak = float(capacity.baseline_peak_rps)
            for fc, per_day in by_kind.get(capacity.channel_kind, []):
                if day in days_of[fc.campaign_id]:
                    rps = per_day * BAND_PROFILE[peak_band] / BAND_SECONDS * PEAK_FACTOR
                    cell.campaigns[fc.campaign_code] = rps
                    peak += rps
            cell.needed = round(peak, 2)
            cells.append(cell)
    return cells


def overloads(cells: list[Cell]) -> list[Overload]:
    """The overloaded cells as overloads, soonest first."""
    found = [c for c in cells if c.overloaded]
    found.sort(key=lambda c: (c.day, c.band, c.site_name, c.channel_kind))
    return [c.as_overload() for c in found]


def needed_display(value: float, channel_kind: str) -> str:
    """Agents are whole people (rounded up); requests per second keep one decimal."""
    if channel_registry.is_assisted(channel_kind):
        return fmt.number(math.ceil(value - 1e-9))
    return fmt.number(value, 1)
