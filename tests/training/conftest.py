"""Training fixtures: sites, a trainer, an agent, a live campaign whose target group holds a
customer (guides and quiz answers come from tests.factories)."""

import pytest

from campaigns.choices import CampaignStatus, ChannelKind
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    SiteFactory,
    target_group,
)

STORE = ChannelKind.STORE


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def other_site():
    return SiteFactory()


@pytest.fixture
def trainer(make_user):
    return make_user(Role.TRAINER)


@pytest.fixture
def agent(make_user, site):
    return make_user(Role.AGENT, site=site)


@pytest.fixture
def campaign_world():
    """A live store campaign with one offer, and a customer in its target group."""
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(code="FIBRE", title="Fibre switch", channel_kinds=[STORE])
    campaign = CampaignFactory(
        code="XS-FIBRE", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return {"customer": customer, "offer": offer, "campaign": campaign}
