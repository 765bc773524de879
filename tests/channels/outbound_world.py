"""A small outbound world for the call-list tests: an agency, a live campaign, its members."""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace

from campaigns.choices import CampaignStatus, ChannelKind
from channels.choices import SiteKind
from channels.models import OutboundShare
from channels.outbound.lists import build_call_lists
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    SiteFactory,
    target_group,
    user_with_role,
)

OUT = ChannelKind.OUTBOUND_CALL
ALL_DAY = {"calls_from": time(0), "calls_until": time(23, 59, 59)}


def outbound_world(members: int = 3, *, site=None, propensities=None, **campaign):
    """A live outbound campaign (also in stores) with ``members`` callable customers, best first,
    shared 100 % to an agency that calls around the clock (so tests do not depend on the hour)."""
    site = site or SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY)
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE, OUT], title="Fibre 1 Gb/s")
    OfferContentFactory(offer=offer, channel_kind=OUT, agent_script="Fibre reached your street.")
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[ChannelKind.STORE, OUT],
        **campaign,
    )
    customers = [
        CustomerFactory(consent_calls=True, consent_marketing=True) for _ in range(members)
    ]
    propensities = propensities or [round(0.9 - i * 0.01, 4) for i in range(members)]
    target_group(
        campaign,
        [{"customer": c, "propensity": p} for c, p in zip(customers, propensities, strict=True)],
    )
    OutboundShare.objects.create(campaign=campaign, site=site, share=100)
    return SimpleNamespace(site=site, offer=offer, campaign=campaign, customers=customers)


def outbound_agent(site, **kwargs):
    return user_with_role(Role.AGENT, site=site, channel_kind=OUT, **kwargs)


def build(now=None):
    return build_call_lists(started_by="test", now=now)
