"""The report's tables and charts, built once: the page shows them, the CSV writes the same cells
(``campaigns.results.tables.Table``) and the charts draw the same figures (static/js/results.js)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from campaigns.choices import Segment, ValueTier
from campaigns.results.tables import Column, Link, Table

from .channels import channel_label
from .report import Group, Report


def group_name(group: Group) -> str:
    if not group.segment:
        return _("All segments")
    return f"{Segment(group.segment).label} · {ValueTier(group.tier).label}"


def _money(value) -> float | None:
    return None if value is None else float(value)


def segments_table(report: Report) -> Table:
    table = Table(
        key="segments",
        title=_("Cost-to-serve and preference by segment and value tier"),
        columns=[
            Column(_("Segment · tier"), "label"),
            Column(_("Customers")),
            Column(_("Contacts")),
            Column(_("Cost-to-serve"), "number"),
            Column(_("Cost per contact"), "number"),
            Column(_("In preferred channel"), "pct"),
            Column(_("First-contact resolution"), "pct"),
            Column(_("Self-service"), "pct"),
            Column(_("Activation value"), "number"),
        ],
        caption=_(
            "Cost-to-serve: each contact at its channel's cost per contact in effect on its day. "
            "In preferred channel: of the contacts of customers who have a preferred channel. "
            "Activation value: the value of the products the customers activated in the period "
            "(the conversions file)."
        ),
    )
    for g in [*report.groups, report.total]:
        if not (g.contacts or g.customers):
            continue
        table.rows.append(
            [
                Link(group_name(g)),
                g.customers,
                g.contacts,
                _money(g.cost),
                _money(g.cost_per_contact),
                g.preferred_pct,
                g.fcr_pct,
                g.self_service_pct,
                _money(g.value),
            ]
        )
    return table


def channels_table(report: Report) -> Table:
    table = Table(
        key="channels",
        title=_("Contacts by channel"),
        columns=[
            Column(_("Segment · tier"), "label"),
            *(Column(channel_label(c)) for c in report.channels),
        ],
    )
    for g in [*report.groups, report.total]:
        if g.contacts:
            table.rows.append(
                [Link(group_name(g)), *(g.by_channel.get(c, 0) for c in report.channels)]
            )
    return table


def tables(report: Report) -> dict[str, Table]:
    return {"segments": segments_table(report), "channels": channels_table(report)}


def charts(segments: Table) -> dict:
    """Data for static/js/results.js: cost-to-serve, and the three shares, by segment and tier."""
    rows = [r for r in segments.rows if r[2]][:-1]  # the groups with contacts, not the total
    labels = [str(r[0]) for r in rows]
    return {
        "cost": {
            "type": "bar",
            "horizontal": True,
            "labels": labels,
            "series": [{"label": str(segments.columns[3].header), "data": [r[3] for r in rows]}],
        },
        "shares": {
            "type": "bar",
            "labels": labels,
            "percent": True,
            "series": [
                {"label": str(segments.columns[i].header), "data": [r[i] for r in rows]}
                for i in (5, 6, 7)
            ],
        },
    }
