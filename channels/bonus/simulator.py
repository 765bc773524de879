"""The what-if simulator: what a plan would cost for expected conversions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from channels.bonus.arithmetic import best_rule, tiered
from channels.bonus.periods import CENT
from channels.bonus.statements import _rules
from channels.choices import PlanUnit
from channels.models.bonus import ZERO, BonusPlan, BonusRule


@dataclass
class Simulation:
    rows: list[dict]
    conversions: int
    agents: int
    cost: Decimal
    cost_per_conversion: Decimal | None
    previous: dict | None


def campaign_award(campaign: Campaign, rules: list[BonusRule]) -> Decimal:
    """What one conversion of a campaign earns on average over its offers."""
    offers = list(campaign.offers.select_related("product"))
    awards = []
    for offer in offers:
        rule = best_rule(
            rules, campaign_id=campaign.pk, offer_id=offer.pk, family=offer.product.family
        )
        if rule is not None:
            awards.append(rule.award(offer.value))
    if not awards:
        return ZERO
    return (sum(awards, ZERO) / len(offers)).quantize(CENT)


def previous_plan(plan: BonusPlan) -> BonusPlan | None:
    """The latest earlier plan for the same people (same channel kind), for comparison."""
    return (
        BonusPlan.objects.filter(ends_on__lt=plan.starts_on, channel_kind=plan.channel_kind)
        .order_by("-ends_on")
        .first()
    )


def simulate(*, plan: BonusPlan, expected: dict[int, int], agents: int) -> Simulation:
    """The plan's cost if these conversions (per campaign id, for the whole team) happen, spread
    evenly over ``agents``: tiers and the cap are applied per agent."""
    if agents < 1:
        raise ValidationError(_("At least one agent is needed to spread the conversions over."))
    rules = _rules(plan)
    tiers = [(t.threshold, t.multiplier) for t in plan.tiers.all()]
    rows, earned_total, conversions = [], ZERO, 0
    for campaign in Campaign.objects.filter(pk__in=list(expected)).order_by("code"):
        count = expected[campaign.pk]
        award = campaign_award(campaign, rules)
        rows.append(
            {"campaign": campaign, "conversions": count, "award": award, "earned": award * count}
        )
        earned_total += award * count
        conversions += count
    per_agent = (earned_total / agents).quantize(CENT)
    after_tiers, _multiplier = tiered(per_agent, plan.target, tiers)
    if plan.cap is not None:
        after_tiers = min(after_tiers, plan.cap)
    cost = after_tiers * agents
    if plan.unit == PlanUnit.POINTS:
        cost = cost * plan.point_value
    cost = cost.quantize(CENT)
    previous = None
    before = previous_plan(plan)
    if before is not None:
        figures = before.statements.aggregate(total=Sum("total"), conversions=Sum("conversions"))
        prev_cost = figures["total"] or ZERO
        if before.unit == PlanUnit.POINTS:
            prev_cost = (prev_cost * before.point_value).quantize(CENT)
        prev_conversions = figures["conversions"] or 0
        previous = {
            "plan": before,
            "cost": prev_cost,
            "conversions": prev_conversions,
            "cost_per_conversion": (prev_cost / prev_conversions).quantize(CENT)
            if prev_conversions
            else None,
        }
    return Simulation(
        rows=rows,
        conversions=conversions,
        agents=agents,
        cost=cost,
        cost_per_conversion=(cost / conversions).quantize(CENT) if conversions else None,
        previous=previous,
    )
