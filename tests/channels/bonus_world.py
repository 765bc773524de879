"""A small bonus world: a store, agents, a campaign with two offers, a plan for one month."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, NotPresentedReason, Outcome
from campaigns.models import Decision, DeclineReason, Presentation, Response
from channels.models import BonusPlan, BonusRule, BonusTier
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    SiteFactory,
    user_with_role,
)

# A month in the past, so every test can close it; "now" is in the next month.
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))
ZONE = timezone.get_default_timezone()


def at(day: date | tuple, hour: int = 12) -> datetime:
    if isinstance(day, tuple):
        day = date(*day)
    return datetime.combine(day, time(hour), tzinfo=ZONE)


NOW = at((2026, 4, 10))


def world():
    site = SiteFactory(name="Warsaw Centre")
    agent = user_with_role(Role.AGENT, site=site, username="anna", first_name="Anna")
    colleague = user_with_role(Role.AGENT, site=site, username="bartek", first_name="Bartek")
    lead = user_with_role(Role.TEAM_LEAD, site=site, username="lena", first_name="Lena")
    cheap = OfferFactory(title="Data pack", value=Decimal("20.00"))
    dear = OfferFactory(title="Fibre 1 Gb/s", value=Decimal("100.00"))
    campaign = CampaignFactory(code="XS-FIBRE", status=CampaignStatus.LIVE, offers=[cheap, dear])
    return SimpleNamespace(
        site=site,
        agent=agent,
        colleague=colleague,
        lead=lead,
        cheap=cheap,
        dear=dear,
        campaign=campaign,
    )


def plan(period=MARCH, *, rules=(("10", "0"),), tiers=(), sites=(), **fields) -> BonusPlan:
    """A plan with catch-all rules (amount, value share %) unless rules are given as dicts."""
    created = BonusPlan.objects.create(
        name=fields.pop("name", f"Plan {period[0]:%Y-%m}"),
        starts_on=period[0],
        ends_on=period[1],
        **fields,
    )
    created.sites.set(sites)
    for rule in rules:
        if isinstance(rule, dict):
            BonusRule.objects.create(plan=created, **rule)
        else:
            BonusRule.objects.create(
                plan=created, amount=Decimal(rule[0]), value_share=Decimal(rule[1])
            )
    for threshold, multiplier in tiers:
        BonusTier.objects.create(
            plan=created, threshold=Decimal(threshold), multiplier=Decimal(multiplier)
        )
    return created


def contact(agent, offers, campaign, *, when: datetime, site=None) -> list[Presentation]:
    """A decision shown to ``agent`` at ``when``: one presentation per offer."""
    profile = agent.agent_profile
    decision = Decision.objects.create(
        customer=CustomerFactory(),
        channel_kind=ChannelKind.STORE,
        agent=agent,
        site_id=(site or profile.site).pk,
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=when)
    return [
        Presentation.objects.create(
            decision=decision, offer=offer, campaign=campaign, rank=i + 1, score=1, reason="test"
        )
        for i, offer in enumerate(offers)
    ]


def record(agent, offer, campaign, *, when: datetime, outcome=Outcome.ACCEPTED, site=None):
    """A contact with one offer and its recorded outcome, as the console would write it."""
    presentation = contact(agent, [offer], campaign, when=when, site=site)[0]
    extra = {}
    if outcome == Outcome.DECLINED:
        extra["decline_reason"] = DeclineReason.objects.get_or_create(
            code="too_dear", defaults={"label": "Too expensive"}
        )[0]
    if outcome == Outcome.NOT_PRESENTED:
        extra["not_presented_reason"] = NotPresentedReason.values[0]
    response = Response.objects.create(
        presentation=presentation,
        customer=presentation.decision.customer,
        offer=offer,
        campaign=campaign,
        channel_kind=ChannelKind.STORE,
        outcome=outcome,
        agent=agent,
        site_id=presentation.decision.site_id,
        **extra,
    )
    Response.objects.filter(pk=response.pk).update(recorded_at=when)
    response.refresh_from_db()
    return response
