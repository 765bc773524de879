"""The tables and charts of the model report, built once from ``queries``: the page renders
them, the CSV export writes the same cells, the charts draw the same figures (the tables are
the charts' accessible fallback). Rates are in per cent to one decimal, like the results pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campaigns import channel_registry
from campaigns.choices import PropensitySource, Segment, ValueTier
from campaigns.models import Offer
from campaigns.results.tables import Column, Link, Table
from cvm_portal import formatting as fmt

from . import queries
from .intervals import credible_interval
from .queries import Calibration, Evidence, Learned

CHART_ROWS = 15  # offers in the learned-vs-prior chart: the most evidence first


def per_cent(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 1)


def verdict_text(verdict: str) -> str:
    return {
        queries.BETTER: _("Better than the prior"),
        queries.NO_BETTER: _("No better than the prior"),
        queries.TOO_LITTLE: _("Too little evidence"),
    }[verdict]


def channel_name(kind: str) -> str:
    return channel_registry.label(kind)


def skill(learned: Learned | None) -> float | None:
    """How much lower the learned estimate's (left-one-out) Brier score is than the prior's,
    in per cent of the prior's: above 0 it predicts better."""
    if learned is None or not learned.brier_prior or learned.brier_learned is None:
        return None
    return round(100 * (learned.brier_prior - learned.brier_learned) / learned.brier_prior, 1)


def offers_table(
    filters: queries.Filters,
    evidence: dict[tuple[int, str], Evidence],
    learned: dict[tuple[int, str], Learned],
    drill: Callable[[int, str], str],
) -> Table:
    """Per offer and channel kind: the period's evidence, and learned against prior."""
    table = Table(
        key="offers",
        title=_("Offers by channel"),
        columns=[
            Column(_("Offer"), "label"),
            Column(_("Channel"), "label"),
            Column(_("Likelihood used by the campaigns"), "label"),
            Column(_("Outcomes")),
            Column(pgettext("count column", "Accepted")),
            Column(_("Observed rate"), "pct"),
            Column(_("Mean likelihood used"), "pct"),
            Column(_("Prior"), "pct"),
            Column(_("Learned"), "pct"),
            Column(_("Outcomes learned from")),
            Column(_("Brier skill over the prior"), "pct"),
            Column(_("Model check"), "label"),
        ],
    )
    keys = set(evidence) | set(learned)
    offers = {o.pk: str(o) for o in Offer.objects.filter(pk__in={k[0] for k in keys})}
    campaign_ids = {c for e in evidence.values() for c in e.campaign_ids}
    if filters.campaign_id is not None:
        campaign_ids.add(filters.campaign_id)
    source_of = queries.sources(campaign_ids)
    source_names = dict(PropensitySource.choices)
    empty = Evidence()

    def order(key):
        e, lp = evidence.get(key, empty), learned.get(key)
        return (-e.outcomes, -(lp.presented if lp else 0), offers.get(key[0], ""), key[1])

    for key in sorted(keys, key=order):
        offer_id, kind = key
        e, lp = evidence.get(key, empty), learned.get(key)
        used = {filters.campaign_id} if filters.campaign_id is not None else e.campaign_ids
        names = sorted({str(source_names.get(source_of.get(c), "")) for c in used} - {""})
        table.rows.append(
            [
                Link(offers.get(offer_id, str(offer_id)), drill(offer_id, kind)),
                Link(channel_name(kind)),
                Link(", ".join(names) or "—"),
                e.outcomes,
                e.accepted,
                per_cent(e.observed),
                per_cent(e.predicted),
                per_cent(lp.prior) if lp else None,
                per_cent(lp.learned) if lp else None,
                lp.presented if lp else None,
                skill(lp),
                Link(verdict_text(lp.verdict) if lp else _("Not learned yet")),
            ]
        )
    return table


def calibration_table(found: Calibration) -> Table:
    """Predicted against observed by decile of the likelihood used, lowest first."""
    table = Table(
        key="calibration",
        title=_("Calibration by decile of the likelihood used"),
        caption=_(
            "Each decile is a tenth of the period's outcomes, ranked by the likelihood the score "
            "used (1: the lowest). Lift: the decile's observed rate ÷ the overall rate."
        ),
        columns=[
            Column(_("Decile"), "label"),
            Column(_("Likelihood from–to"), "label"),
            Column(_("Outcomes")),
            Column(pgettext("count column", "Accepted")),
            Column(_("Predicted"), "pct"),
            Column(_("Observed"), "pct"),
            Column(_("Lift"), "number"),
        ],
    )
    for d in found.deciles:
        lift = d.observed / found.overall if found.overall and d.observed is not None else None
        table.rows.append(
            [
                Link(str(d.number)),
                Link(f"{fmt.number(per_cent(d.low), 1)}–{fmt.percent_points(per_cent(d.high), 1)}"),
                round(d.outcomes),
                round(d.accepted),
                per_cent(d.predicted),
                per_cent(d.observed),
                None if lift is None else round(lift, 2),
            ]
        )
    return table


def groups_table(groups) -> Table:
    """One offer's learned groups: prior, evidence, learned mean and its 90 % interval."""
    table = Table(
        key="groups",
        title=_("Learned groups"),
        caption=_(
            "90 % credible interval: the 5th and 95th percentiles of the group's beta "
            "distribution (prior plus evidence), computed exactly."
        ),
        columns=[
            Column(_("Channel"), "label"),
            Column(_("Segment"), "label"),
            Column(_("Value tier"), "label"),
            Column(_("Prior"), "pct"),
            Column(_("Prior weight"), "number"),
            Column(_("Outcomes")),
            Column(pgettext("count column", "Accepted")),
            Column(_("Observed rate"), "pct"),
            Column(_("Learned"), "pct"),
            Column(_("90 % interval from"), "pct"),
            Column(_("90 % interval to"), "pct"),
            Column(_("Model check"), "label"),
        ],
    )
    segments, tiers = dict(Segment.choices), dict(ValueTier.choices)
    for g in groups:
        low, high = (None, None)
        if g.alpha > 0 and g.beta > 0:
            low, high = credible_interval(g.alpha, g.beta, 0.9)
        table.rows.append(
            [
                Link(channel_name(g.channel_kind)),
                Link(str(segments.get(g.segment, g.segment))),
                Link(str(tiers.get(g.value_tier, g.value_tier))),
                per_cent(g.prior),
                g.prior_weight,
                g.presented,
                g.accepted,
                per_cent(g.accepted / g.presented) if g.presented else None,
                per_cent(g.mean),
                per_cent(low),
                per_cent(high),
                Link(verdict_text(queries.group_learned(g).verdict)),
            ]
        )
    return table


def charts(calibration: Table, offers: Table) -> dict:
    """Data for static/js/results.js, passed through ``json_script``."""
    ranked = sorted((row for row in offers.rows if row[9]), key=lambda row: -row[9])[:CHART_ROWS]
    return {
        "calibration": {
            "type": "line",
            "labels": [str(row[0]) for row in calibration.rows],
            "series": [
                {
                    "label": str(calibration.columns[i].header),
                    "data": [r[i] for r in calibration.rows],
                }
                for i in (4, 5)
            ],
            "percent": True,
        },
        "learned": {
            "type": "bar",
            "horizontal": True,
            "labels": [f"{row[0]} · {row[1]}" for row in ranked],
            "series": [
                {"label": str(offers.columns[i].header), "data": [r[i] for r in ranked]}
                for i in (7, 8)
            ],
            "percent": True,
        },
    }
