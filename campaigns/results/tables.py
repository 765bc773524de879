"""The tables and charts of a results page, built once from ``queries``: the page renders them,
the CSV export writes the same cells, and the charts draw the same figures.

A table is a list of columns (header, kind) and rows of cells: the first cell names the row
(a ``Link`` when the row drills down), the others are counts, percentages (to one decimal) or
None (no figure: nothing to divide by).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campaigns import channel_registry
from campaigns.choices import NotPresentedReason
from campaigns.models import Campaign, DeclineReason
from cvm_portal import formatting as fmt

from . import queries
from .queries import Figures, Filters
from .sources import delivery

RANKING_SIZE = 15
RANKING_MIN_PRESENTED = 10  # fewer offers presented than this: a rate too noisy to rank


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "count"  # label, count, pct, number


@dataclass
class Table:
    """One table of the page, and its CSV."""

    key: str  # its name in the CSV address (?table=…)
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    caption: str = ""

    @property
    def body(self) -> list[list[Cell]]:
        """The rows as the page shows them: numbers formatted in the active language here,
        once, rather than cell by cell in the template (a page holds a thousand cells)."""
        kinds = [c.kind for c in self.columns]
        return [[shown(v, kind) for v, kind in zip(row, kinds, strict=True)] for row in self.rows]

    @property
    def body_html(self) -> str:
        """The table's rows as HTML, escaped: a page holds a thousand cells, and the template
        language would spend most of the page's time on them."""
        return format_html_join("\n", "<tr>{}</tr>", ((_row_html(row),) for row in self.body))


def _row_html(row: list[Cell]) -> str:
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<th scope="row"><a href="{}">{}</a></th>', c.url, c.text)
                if c.label and c.url
                else format_html('<th scope="row">{}</th>', c.text)
                if c.label
                else format_html('<td class="num">{}</td>', c.text),
            )
            for c in row
        ),
    )


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None = None
    label: bool = False


def shown(value, kind: str) -> Cell:
    """One cell as text: "—" for a figure that does not exist, grouped counts, a per cent."""
    if kind == "label":
        return Cell(value.text, value.url, label=True)
    if value is None:
        return Cell("—")
    if kind == "pct":
        return Cell(fmt.percent_points(value, 1))
    if kind == "number" and value != int(value):
        return Cell(fmt.number(value, 2))
    return Cell(fmt.number(int(value)))


# --- names of the rows -----------------------------------------------------------------------


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def labels(level: str, values) -> dict:
    """{value: name} for the values of a drill-down level; None is "no site" / "no agent"."""
    values = [v for v in values if v is not None]
    if level == "campaign":
        found = {
            pk: f"{name} ({code})"
            for pk, code, name in Campaign.objects.filter(pk__in=values).values_list(
                "pk", "code", "name"
            )
        }
    elif level == "channel":
        found = {v: channel_registry.label(v) for v in values}
    elif level == "site":
        found = delivery().site_names()
    else:
        found = {
            pk: _person(first, last, username)
            for pk, first, last, username in get_user_model()
            .objects.filter(pk__in=values)
            .values_list("pk", "first_name", "last_name", "username")
        }
    none = {"site": _("No site (digital channels)"), "agent": _("No agent (digital, lists)")}
    found[None] = none.get(level, "—")
    return found


# --- the tables ------------------------------------------------------------------------------


def _share(reached: int, size: int | None) -> float | None:
    return queries.pct(reached, size) if size else None


def execution_table(
    filters: Filters, level: str, drill: Callable[[str, object], str | None]
) -> tuple[Table, Table, list[tuple[Link, Figures]]]:
    """The breakdown by ``level``: presentations and outcomes, and the outbound work."""
    figures = queries.breakdown(filters, level)
    names = labels(level, figures)
    reached = queries.reached_to_date(filters, level)
    campaign_ids = list(figures) if level == "campaign" else [filters.campaign_id]
    sizes = queries.group_sizes([c for c in campaign_ids if c is not None])
    ordered = sorted(figures.items(), key=lambda kv: (-kv[1].shown, str(names.get(kv[0], ""))))
    named = [
        (Link(names.get(value, str(value)), drill(level, value) if value is not None else None), f)
        for value, f in ordered
    ]
    execution = Table(
        key="execution",
        title=_("Execution by %(level)s") % {"level": level_name(level)},
        columns=[
            Column(level_name(level).capitalize(), "label"),
            Column(_("Contacts")),
            Column(_("Offers shown")),
            Column(_("Held out (control)")),
            Column(_("Presented")),
            Column(pgettext("count column", "Not presented")),
            Column(_("Presentation rate"), "pct"),
            Column(pgettext("count column", "Accepted")),
            Column(pgettext("count column", "Declined")),
            Column(pgettext("count column", "Later")),
            Column(_("Acceptance rate"), "pct"),
            Column(_("Confirmed conversions")),
            Column(_("Confirmed conversion rate"), "pct"),
            Column(_("Reached in the period")),
            Column(_("Reached to date")),
            Column(_("Share of the target group reached"), "pct"),
        ],
    )
    column = queries.reach_column(filters, level)
    for (link, f), (value, _f) in zip(named, ordered, strict=True):
        size = sizes.get(value if level == "campaign" else filters.campaign_id)
        execution.rows.append(
            [
                link, f.contacts, f.shown, f.held_out, f.presented, f.not_presented,
                f.presentation_rate, f.accepted, f.declined, f.later, f.acceptance_rate,
                f.confirmed, f.confirmed_rate, getattr(f, column), reached.get(value, 0),
                _share(reached.get(value, 0), size),
            ]
        )  # fmt: skip
    outbound = Table(
        key="outbound",
        title=_("Outbound calls by %(level)s") % {"level": level_name(level)},
        columns=[
            Column(level_name(level).capitalize(), "label"),
            Column(_("Call attempts")),
            Column(_("Answered")),
            Column(_("Answered rate"), "pct"),
            Column(_("Callbacks set")),
            Column(_("Callbacks due")),
            Column(_("Callbacks kept")),
            Column(_("Callbacks kept rate"), "pct"),
            Column(_("Leads expired")),
            Column(_("Agent hours (estimated)"), "number"),
            Column(_("Conversions per agent-hour"), "number"),
        ],
    )
    for link, f in named:
        if f.attempts or f.leads_expired or f.callbacks_due:
            outbound.rows.append(
                [
                    link, f.attempts, f.attempts_reached, f.answered_rate, f.callbacks_set,
                    f.callbacks_due, f.callbacks_kept, f.callbacks_kept_rate, f.leads_expired,
                    f.agent_hours, f.conversions_per_agent_hour,
                ]
            )  # fmt: skip
    return execution, outbound, named


def interest_table(filters: Filters) -> Table:
    """Digital interest per campaign and channel kind: presentations seen (their first
    impression: presented), clicked, and the click rate; most seen first."""
    found = queries.interest(filters)
    names = labels("campaign", {campaign_id for campaign_id, _kind in found})
    table = Table(
        key="interest",
        title=_("Digital interest by campaign and channel"),
        columns=[
            Column(_("Campaign"), "label"),
            Column(_("Channel"), "label"),
            Column(_("Impressions (presented)")),
            Column(_("Clicks")),
            Column(_("Click rate"), "pct"),
        ],
        caption=_(
            "A presentation counts once: on the day of its first impression, and as clicked on "
            "the day of its first click."
        ),
    )
    ordered = sorted(
        found.items(), key=lambda kv: (-kv[1][0], str(names.get(kv[0][0], "")), kv[0][1])
    )
    for (campaign_id, kind), (seen, clicked) in ordered:
        table.rows.append(
            [
                Link(names.get(campaign_id, str(campaign_id))),
                Link(channel_registry.label(kind)),
                seen,
                clicked,
                queries.pct(clicked, seen),
            ]
        )
    return table


def ranking_table(level: str, named: list[tuple[Link, Figures]]) -> Table:
    """The rows with enough offers presented, best acceptance rate first."""
    table = Table(
        key="ranking",
        title=_("Ranking by acceptance rate"),
        caption=_("Only rows with at least %(n)d offers presented, so that chance does not win.")
        % {"n": RANKING_MIN_PRESENTED},
        columns=[
            Column(level_name(level).capitalize(), "label"),
            Column(_("Presented")),
            Column(pgettext("count column", "Accepted")),
            Column(_("Acceptance rate"), "pct"),
        ],
    )
    ranked = sorted(
        ((link, f) for link, f in named if f.presented >= RANKING_MIN_PRESENTED),
        key=lambda lf: (-lf[1].acceptance_rate, -lf[1].presented, lf[0].text),
    )
    for link, f in ranked[:RANKING_SIZE]:
        table.rows.append([link, f.presented, f.accepted, f.acceptance_rate])
    return table


def trend_table(days: list[tuple]) -> Table:
    table = Table(
        key="trend",
        title=_("Trend per day"),
        columns=[
            Column(_("Day"), "label"),
            Column(_("Offers shown")),
            Column(_("Presented")),
            Column(pgettext("count column", "Accepted")),
            Column(_("Confirmed conversions")),
            Column(_("Acceptance rate"), "pct"),
        ],
    )
    for day, f in days:
        table.rows.append(
            [Link(fmt.day_month(day)), f.shown, f.presented, f.accepted,
             f.confirmed, f.acceptance_rate]
        )  # fmt: skip
    return table


def funnel_table(total: Figures) -> Table:
    table = Table(
        key="funnel",
        title=_("Funnel"),
        columns=[
            Column(_("Stage"), "label"),
            Column(_("Offers")),
            Column(_("Share of shown"), "pct"),
        ],
    )
    for label, n in (
        (_("Shown"), total.shown),
        (_("Presented to the customer"), total.presented),
        (pgettext("count column", "Accepted"), total.accepted),
        (_("Confirmed by the warehouse"), total.confirmed),
    ):
        table.rows.append([Link(label), n, queries.pct(n, total.shown)])
    return table


def reason_tables(filters: Filters) -> list[Table]:
    found = queries.reasons(filters)
    decline_labels = dict(DeclineReason.objects.values_list("code", "label"))
    named = {
        "declined": (_("Declined, by reason"), decline_labels),
        "not_presented": (_("Not presented, by reason"), dict(NotPresentedReason.choices)),
    }
    tables = []
    for outcome, (title, names) in named.items():
        counted = found.get(outcome, [])
        total = sum(n for _code, n in counted)
        table = Table(
            key=outcome,
            title=title,
            columns=[Column(_("Reason"), "label"), Column(_("Offers")), Column(_("Share"), "pct")],
        )
        for code, n in counted:
            table.rows.append([Link(str(names.get(code, code or "—"))), n, queries.pct(n, total)])
        tables.append(table)
    return tables


def level_name(level: str | None) -> str:
    return {
        "campaign": _("campaign"),
        "channel": _("channel"),
        "site": _("site"),
        "agent": _("agent"),
    }.get(level or "", _("day"))


# --- what the charts draw (the same figures as their tables) ---------------------------------


def charts(trend: Table, funnel: Table, ranking: Table) -> dict:
    """Data for static/js/results.js, one entry per chart, passed through ``json_script``."""

    def column(table: Table, i: int) -> list:
        return [row[i] for row in table.rows]

    return {
        "trend": {
            "type": "line",
            "labels": [str(row[0]) for row in trend.rows],
            "series": [
                {"label": str(trend.columns[i].header), "data": column(trend, i)} for i in (2, 3, 4)
            ],
        },
        "funnel": {
            "type": "bar",
            "labels": [str(row[0]) for row in funnel.rows],
            "series": [{"label": str(funnel.columns[1].header), "data": column(funnel, 1)}],
        },
        "ranking": {
            "type": "bar",
            "horizontal": True,
            "labels": [str(row[0]) for row in ranking.rows],
            "series": [{"label": str(ranking.columns[3].header), "data": column(ranking, 3)}],
            "percent": ranking.columns[3].kind == "pct",  # the axis and tooltips add a "%"
        },
    }
