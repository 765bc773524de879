"""The arithmetic of a statement: rules, tiers, gates and caps on gathered facts (pure), and what an offer would earn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from campaigns import catalogue
from channels.bonus import messages
from channels.bonus.periods import CENT, today
from channels.choices import LineKind
from channels.models.bonus import ZERO, BonusPlan, BonusRule
from channels.models.sites import AgentProfile


def best_rule(rules: list[BonusRule], *, campaign_id: int, offer_id: int, family: str):
    """The most specific matching rule (offer > campaign > product category > any), or None."""
    matching = [
        r for r in rules if r.matches(campaign_id=campaign_id, offer_id=offer_id, family=family)
    ]
    if not matching:
        return None
    return max(matching, key=lambda r: (r.specificity, -r.pk if r.pk else 0))


def tiered(earned: Decimal, target: Decimal, tiers: list[tuple[Decimal, Decimal]]):
    """Earnings after tiers, and the multiplier of the tier reached.

    ``tiers`` are (threshold % of target, multiplier); each multiplier applies to the part of
    the earnings above its threshold only (a marginal accelerator), so more conversions never
    earn less.
    """
    if earned <= 0 or not target or not tiers:
        return earned, Decimal("1")
    bands = [(ZERO, Decimal("1"))] + sorted(
        (Decimal(threshold) * target / 100, Decimal(multiplier)) for threshold, multiplier in tiers
    )
    total, current = ZERO, Decimal("1")
    for i, (low, multiplier) in enumerate(bands):
        high = bands[i + 1][0] if i + 1 < len(bands) else None
        if earned <= low:
            break
        top = earned if high is None else min(earned, high)
        total += (top - low) * multiplier
        current = multiplier
    return total.quantize(CENT), current


@dataclass
class Line:
    """A statement line before it is stored."""

    kind: str
    amount: Decimal
    code: str  # channels/bonus/messages.py: worded when read, never stored as a sentence
    params: dict = field(default_factory=dict)
    response_id: int | None = None
    rule_id: int | None = None
    at: datetime | None = None
    pending: bool = False

    @property
    def description(self) -> str:
        """The line's text in the active language (a simulation shows it at once)."""
        return messages.render(self.code, self.params)


@dataclass
class Facts:
    """What a statement is computed from."""

    conversions: list[Line] = field(default_factory=list)
    clawbacks: list[Line] = field(default_factory=list)
    adjustments: list[Line] = field(default_factory=list)
    target: Decimal = ZERO
    tiers: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    cap: Decimal | None = None
    contacts: int = 0
    contacts_with_outcome: int = 0
    min_share: Decimal | None = None


@dataclass
class Settlement:
    lines: list[Line]
    earned: Decimal
    attainment: Decimal | None
    multiplier: Decimal
    gate_met: bool
    pending: Decimal
    total: Decimal


def gate_met(facts: Facts) -> bool:
    if facts.min_share is None or not facts.contacts:
        return True
    return Decimal(facts.contacts_with_outcome) * 100 >= facts.min_share * facts.contacts


def settle(facts: Facts) -> Settlement:
    """Pure arithmetic: the lines of a statement from its facts; the total is their sum."""
    lines = [*facts.conversions, *facts.clawbacks]
    # Each clawback takes back exactly its own conversion, so this is never below zero.
    earned = sum((line.amount for line in lines), ZERO)
    after_tiers, multiplier = tiered(earned, facts.target, facts.tiers)
    if after_tiers > earned:
        lines.append(
            Line(
                LineKind.ACCELERATOR,
                after_tiers - earned,
                "accelerator",
            )
        )
    met = gate_met(facts)
    if not met and after_tiers:
        lines.append(
            Line(
                LineKind.GATE,
                -after_tiers,
                "gate_not_met",
                {
                    "share_pct": float(Decimal(facts.contacts_with_outcome) * 100 / facts.contacts),
                    "needed_pct": float(facts.min_share),
                },
            )
        )
    lines.extend(facts.adjustments)
    subtotal = sum((line.amount for line in lines), ZERO)
    if facts.cap is not None and subtotal > facts.cap:
        lines.append(
            Line(
                LineKind.CAP,
                facts.cap - subtotal,
                "cap",
                {"cap_money": str(facts.cap)},
            )
        )
    total = sum((line.amount for line in lines), ZERO)
    pending = sum((line.amount for line in facts.conversions if line.pending), ZERO)
    attainment = (earned * 100 / facts.target).quantize(CENT) if facts.target else None
    return Settlement(lines, earned, attainment, multiplier, met, pending, total)


def would_earn(*, profile: AgentProfile | None, candidates, day: date | None = None) -> dict:
    """Per offer id on the page: (amount, the amount as the reader writes it in the plan's unit)
    that accepting it would earn under the agent's current plan.

    The plan's rules come from memory once one page has asked for them (one query before).
    """
    if profile is None or not candidates:
        return {}
    day = day or today()

    def current_rules() -> list[BonusRule]:
        plans = (
            BonusPlan.objects.covering(site_id=profile.site_id, channel_kind=profile.channel_kind)
            .current(day)
            .filter(closed_at__isnull=True)
            .values("pk")
        )
        return list(BonusRule.objects.filter(plan__in=plans).select_related("plan"))

    # Plans change rarely and every change renews the catalogue (channels.apps): held in memory.
    rules = catalogue.current().memo(
        ("bonus-rules", profile.site_id, profile.channel_kind, day), current_rules
    )
    if not rules:
        return {}
    earned = {}
    for c in candidates:
        rule = best_rule(
            rules, campaign_id=c.campaign.pk, offer_id=c.offer.pk, family=c.offer.product.family
        )
        if rule is not None:
            award = rule.award(c.offer.value)
            earned[c.offer.pk] = (award, rule.plan.show_amount(award))
    return earned
