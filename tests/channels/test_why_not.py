"""The console's "Not offered now" panel: which offers the customer is not offered, why, and from
when they may be; never a trace of the control group."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone

from campaigns.choices import CampaignStatus, ChannelKind, Outcome, ProductFamily
from campaigns.decisioning import decide
from campaigns.models import DeclineReason
from campaigns.responses import record_outcome
from channels.console.links import customer_url
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE


def campaign_with(customer, title, *, family, propensity=0.5, **member):
    offer = OfferFactory(
        title=title,
        product=ProductFactory(family=family),
        value=Decimal("9"),
        channel_kinds=[STORE],
    )
    campaign = CampaignFactory(
        name=f"{title} campaign", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": propensity, **member}])
    return offer


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT)
    client.force_login(user)
    return user


def panel(content: str) -> str:
    """The "Not offered now" panel of a page ("" when there is none)."""
    start = content.find('<details class="card why-not">')
    return "" if start < 0 else content[start : content.index("</details>", start)]


def test_a_declined_offer_is_listed_with_its_reason_and_the_day_it_may_return(client, agent):
    # Given a customer who declined TV Plus as too expensive (30 days) in an earlier contact
    customer = CustomerFactory(consent_marketing=True)
    tv = campaign_with(customer, "TV Plus", family=ProductFamily.TV)
    campaign_with(customer, "Fibre 1 Gb/s", family=ProductFamily.MOBILE_PLAN)
    [shown] = [c for c in decide(customer=customer, channel_kind=STORE).offers if c.offer == tv]
    declined, _ = record_outcome(
        presentation=shown.presentation,
        outcome=Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="price"),
    )

    # When the agent opens the customer
    content = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()

    # Then the collapsed panel lists TV Plus, why, and the day it may be offered again
    again = formats.date_format(
        timezone.localtime(declined.recorded_at + timedelta(days=30)).date(), "DATE_FORMAT"
    )
    listed = panel(content)
    assert "Not offered now: 1 offer" in listed and " open" not in listed.split(">")[0]
    assert "TV Plus" in listed
    assert f"Declined today — Too expensive — may be offered again from {again}." in listed
    assert "Fibre 1 Gb/s" not in listed  # it is offered


def test_a_control_group_offer_leaves_no_trace_on_the_page(client, agent):
    # Given a customer held out of one campaign, whose better offer would have taken a place,
    # beside three offers of their own families
    customer = CustomerFactory(consent_marketing=True)
    campaign_with(
        customer, "Secret bundle", family=ProductFamily.DEVICE, propensity=0.99, is_control=True
    )
    for title, family, p in (
        ("Fibre 1 Gb/s", ProductFamily.MOBILE_PLAN, 0.9),
        ("TV Plus", ProductFamily.TV, 0.8),
        ("Roaming pack", ProductFamily.ROAMING, 0.1),
    ):
        campaign_with(customer, title, family=family, propensity=p)

    # When the agent opens the customer
    content = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    # (the "calling about a campaign?" box lists every campaign live in the channel, the same
    # for every customer: it says nothing about this one)
    content = re.sub(
        r'<section class="card campaign-inquiry".*?</section>', "", content, flags=re.S
    )

    # Then two offers are shown; neither the held-out offer nor the one it pushed out is named
    assert "Fibre 1 Gb/s" in content and "TV Plus" in content
    assert "Secret bundle" not in content
    assert "Roaming pack" not in content and panel(content) == ""


def test_no_panel_when_every_candidate_is_offered(client, agent):
    customer = CustomerFactory(consent_marketing=True)
    campaign_with(customer, "Fibre 1 Gb/s", family=ProductFamily.MOBILE_PLAN)
    content = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    assert "Fibre 1 Gb/s" in content and panel(content) == ""


def test_training_gated_offers_keep_their_own_notice_out_of_the_panel(client, agent):
    customer = CustomerFactory(consent_marketing=True)
    offer = campaign_with(customer, "Fibre 1 Gb/s", family=ProductFamily.MOBILE_PLAN)
    offer.campaigns.update(training_required=True)
    from campaigns import catalogue

    catalogue.invalidate()  # an update() goes past the catalogue's signals
    content = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    assert "its offers are shown once you complete its training" in content
    assert panel(content) == ""
