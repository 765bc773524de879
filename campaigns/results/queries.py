"""Reading the daily rollups for the results pages: totals, a trend per day, a breakdown by
one level of the drill-down, reasons, reach. Never a raw presentation: every figure is a sum
over ``DailyExecution`` / ``DailyReason`` rows of the coarsest grain that answers the filters.

The drill-down goes programme → channel → site → agent: the breakdown is by the first level
the filters leave open (a campaign chosen: by channel kind; then by site; then by agent).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db.models import F, Q, Sum

from campaigns import channel_registry
from campaigns.choices import OUTBOUND_CHANNEL_KINDS
from campaigns.models import COUNTERS, DailyExecution, DailyReason, Grain, TargetGroup

from .sources import delivery

LEVELS = ("campaign", "channel", "site", "agent")
COLUMN = {
    "campaign": "campaign_id",
    "channel": "channel_kind",
    "site": "site_id",
    "agent": "agent_id",
}


@dataclass(frozen=True)
class Filters:
    """What a results page shows: a period (both days included) and the drill-down so far."""

    start: date
    end: date
    campaign_id: int | None = None
    channel_kind: str | None = None
    site_id: int | None = None
    agent_id: int | None = None

    def value(self, level: str):
        return getattr(self, COLUMN[level])

    def narrowed(self, level: str, value) -> Filters:
        return replace(self, **{COLUMN[level]: value})

    def level(self, levels: tuple[str, ...] = LEVELS) -> str | None:
        """The first level of ``levels`` these filters leave open: what rows break down by."""
        return next((lv for lv in levels if self.value(lv) is None), None)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def pct(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, to one decimal; None when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """Sums of the rollup counters over some rows, and the rates the pages show."""

    counts: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name in COUNTERS or name in EXTRA_COUNTS:
            return self.counts.get(name) or 0
        raise AttributeError(name)

    @property
    def presented(self) -> int:
        """Offers the customer heard about: accepted, declined or later; and in digital channel
        kinds, offers seen (a presentation's first impression), counted once: the impressions
        beyond the outcomes recorded in those kinds (a client that sends no impressions: its
        outcomes, as before)."""
        answered = self.accepted + self.declined + self.later
        return answered + max(0, self.seen - self.answered_digital)

    @property
    def click_rate(self) -> float | None:
        """Digital presentations clicked, of those seen."""
        return pct(self.clicked, self.seen)

    @property
    def presentation_rate(self) -> float | None:
        return pct(self.presented, self.presented + self.not_presented)

    @property
    def acceptance_rate(self) -> float | None:
        return pct(self.accepted, self.presented)

    @property
    def confirmed_rate(self) -> float | None:
        return pct(self.confirmed, self.presented)

    @property
    def answered_rate(self) -> float | None:
        return pct(self.attempts_reached, self.attempts)

    @property
    def callbacks_kept_rate(self) -> float | None:
        return pct(self.callbacks_kept, self.callbacks_due)

    @property
    def agent_hours(self) -> float | None:
        return round(self.handling_seconds / 3600, 1) if self.handling_seconds else None

    @property
    def conversions_per_agent_hour(self) -> float | None:
        """Accepted offers in outbound channel kinds per hour of estimated handling time."""
        if not self.handling_seconds:
            return None
        return round(self.accepted_outbound / (self.handling_seconds / 3600), 2)


# Besides the rollup's counters: accepted in outbound kinds, answered (accepted, declined,
# later) in digital kinds, and digital presentations seen and clicked (the delivery side's).
EXTRA_COUNTS = ("accepted_outbound", "answered_digital", "seen", "clicked")


# Aliased: an aggregate may not take a field's own name when another aggregate reads the field.
def sums() -> dict:
    """The aggregates of a results query; digital kinds are the registry's unassisted channels."""
    return {
        **{f"sum_{name}": Sum(name) for name in COUNTERS},
        "sum_accepted_outbound": Sum("accepted", filter=Q(channel_kind__in=OUTBOUND_CHANNEL_KINDS)),
        "sum_answered_digital": Sum(
            F("accepted") + F("declined") + F("later"),
            filter=Q(channel_kind__in=channel_registry.digital_codes()),
        ),
    }


def _figures(row: dict) -> Figures:
    return Figures({key.removeprefix("sum_"): value for key, value in row.items()})


def grain(filters: Filters, level: str | None) -> Grain:
    """The coarsest grain whose rows answer ``filters`` broken down by ``level``."""
    if filters.agent_id is not None or level == "agent":
        return Grain.AGENT
    if filters.site_id is not None or level == "site":
        return Grain.SITE
    return Grain.CHANNEL


def rows(model, filters: Filters, level: str | None, *, since_start: bool = True):
    """The ``model`` rows (DailyExecution or DailyReason) under ``filters``."""
    qs = model.objects.filter(grain=grain(filters, level), day__lte=filters.end)
    if since_start:
        qs = qs.filter(day__gte=filters.start)
    for lv in LEVELS:
        if filters.value(lv) is not None:
            qs = qs.filter(**{COLUMN[lv]: filters.value(lv)})
    return qs


def summed(figures) -> Figures:
    """The figures of several rows (days, say) added up: the totals without another query."""
    total: dict[str, int] = {}
    for f in figures:
        for key, value in f.counts.items():
            total[key] = total.get(key, 0) + (value or 0)
    return Figures(total)


def trend(filters: Filters) -> list[tuple[date, Figures]]:
    """Every day of the period with its figures (days without rows: zeros)."""
    found = {
        row.pop("day"): _figures(row)
        for row in rows(DailyExecution, filters, None).values("day").annotate(**sums()).order_by()
    }
    _add_interest(found, filters, "day")
    return [(day, found.get(day, Figures())) for day in filters.days]


def breakdown(filters: Filters, level: str) -> dict:
    """{value of ``level``: Figures} over the period (None: no site or no agent, e.g. digital)."""
    column = COLUMN[level]
    found = {
        row.pop(column): _figures(row)
        for row in rows(DailyExecution, filters, level).values(column).annotate(**sums()).order_by()
    }
    _add_interest(found, filters, level)
    return found


def interest(filters: Filters) -> dict[tuple[int, str], tuple[int, int]]:
    """{(campaign id, channel kind): (digital presentations seen, clicked)} over the period;
    none under a site or an agent (digital channels have neither)."""
    if filters.site_id is not None or filters.agent_id is not None:
        return {}
    return delivery().interest(
        filters.start,
        filters.end,
        by=("campaign", "channel"),
        campaign_id=filters.campaign_id,
        channel_kind=filters.channel_kind,
    )


def _add_interest(found: dict, filters: Filters, level: str) -> None:
    """Digital presentations seen and clicked, added to ``found`` ({value of ``level``:
    Figures}): by day, campaign or channel kind; under "no site" when rows are sites; nowhere
    under an agent or a site (digital channels have neither)."""
    if filters.site_id is not None or filters.agent_id is not None or level == "agent":
        return
    by = () if level == "site" else (level,)
    seen = delivery().interest(
        filters.start,
        filters.end,
        by=by,
        campaign_id=filters.campaign_id,
        channel_kind=filters.channel_kind,
    )
    for key, (n_seen, n_clicked) in seen.items():
        figures = found.setdefault(key[0] if key else None, Figures())
        figures.counts["seen"] = n_seen
        figures.counts["clicked"] = n_clicked


def reach_column(filters: Filters, level: str | None) -> str:
    """First contacts per channel kind when one is chosen (or rows are channel kinds); else
    first contacts for the campaign in any channel kind."""
    return "reached_new" if filters.channel_kind or level == "channel" else "reached_new_any"


def reached_to_date(filters: Filters, level: str | None) -> dict:
    """Members reached from the first day with rows to the end of the period: {value of
    ``level`` (or None for all): count}."""
    column = reach_column(filters, level)
    qs = rows(DailyExecution, filters, level, since_start=False)
    if level is None:
        return {None: qs.aggregate(n=Sum(column))["n"] or 0}
    group = COLUMN[level]
    return {
        row[group]: row["n"] or 0 for row in qs.values(group).annotate(n=Sum(column)).order_by()
    }


def group_sizes(campaign_ids=None) -> dict[int, int]:
    """{campaign id: members of its live target group outside the control group}: who may be
    reached (campaigns without a target group, the always-on ones, have none)."""
    groups = TargetGroup.objects.filter(active_version__isnull=False)
    if campaign_ids is not None:
        groups = groups.filter(campaign_id__in=list(campaign_ids))
    return {
        campaign_id: max(0, size)
        for campaign_id, size in groups.values_list(
            "campaign_id", F("active_version__member_count") - F("active_version__control_count")
        )
    }


def reasons(filters: Filters) -> dict[str, list[tuple[str, int]]]:
    """{"declined": [(reason code, count)], "not_presented": [...]}, most frequent first."""
    found: dict[str, list[tuple[str, int]]] = {"declined": [], "not_presented": []}
    counted = (
        rows(DailyReason, filters, None)
        .values("outcome", "reason")
        .annotate(n=Sum("count"))
        .order_by("-n", "reason")
    )
    for row in counted:
        found.setdefault(row["outcome"], []).append((row["reason"], row["n"]))
    return found
