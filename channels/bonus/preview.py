"""The bonus line of the campaign preview (campaigns.governance.preview): what accepting an
offer would earn an agent of a channel kind, under the plans current today at any site.

The console shows each agent the rule of their own plan (``arithmetic.would_earn``); a
preview has no agent, so it takes the most specific rule of every open plan covering the
channel kind, which is what most agents of that kind see.
"""

from __future__ import annotations

from django.db.models import Q

from channels.bonus.arithmetic import best_rule
from channels.bonus.periods import today
from channels.models.bonus import BonusPlan, BonusRule


def preview_earnings(*, candidates, channel_kind: str) -> dict:
    """{offer id: (amount, amount as written)} for the offers of ``candidates`` a rule pays for."""
    plans = (
        BonusPlan.objects.filter(Q(channel_kind="") | Q(channel_kind=channel_kind))
        .current(today())
        .filter(closed_at__isnull=True)
        .values("pk")
    )
    rules = list(BonusRule.objects.filter(plan__in=plans).select_related("plan"))
    earned = {}
    for c in candidates:
        rule = best_rule(
            rules, campaign_id=c.campaign.pk, offer_id=c.offer.pk, family=c.offer.product.family
        )
        if rule is not None:
            award = rule.award(c.offer.value)
            earned[c.offer.pk] = (award, rule.plan.show_amount(award))
    return earned
