"""The console's customer page: one contact, one decision; "Refresh offers" decides anew."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from campaigns.choices import CampaignStatus, ChannelKind, Outcome, ProductFamily
from campaigns.models import Decision, Presentation, Response
from campaigns.responses import record_outcome
from channels.console.links import customer_url
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    ProductFactory,
    SiteFactory,
    target_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    """A store customer in three live campaigns, one offer each."""
    customer = CustomerFactory(consent_marketing=True, external_id="C0042")
    for title, family in (
        ("Fibre 1 Gb/s", ProductFamily.MOBILE_PLAN),
        ("TV Plus", ProductFamily.TV),
        ("Roaming pack", ProductFamily.ROAMING),
    ):
        offer = OfferFactory(
            title=title,
            product=ProductFactory(family=family),
            value=Decimal("9"),
            channel_kinds=[ChannelKind.STORE],
        )
        OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE)
        campaign = CampaignFactory(
            status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
        )
        target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    return customer


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT)
    client.force_login(user)
    return user


def page_url(agent, customer):
    return customer_url(user=agent, customer_id=customer.pk)


def refresh_url(agent, customer):
    return page_url(agent, customer) + "refresh/"


def offer_ids(response) -> list[int]:
    return [c.presentation.pk for c, _content, _earn in response.context["offers"]]


def test_reloading_the_page_shows_the_same_offers_without_a_new_contact(client, agent, customer):
    # Given the agent opened the customer's page
    first = client.get(page_url(agent, customer))

    # When they reload it, and find the customer again (a new link)
    reloaded = client.get(page_url(agent, customer))
    found_again = client.get(client.post("/console/find/", {"q": "C0042"}).url)

    # Then they see the same three presentations; no decision or presentation was added
    assert len(offer_ids(first)) == 3
    assert offer_ids(reloaded) == offer_ids(found_again) == offer_ids(first)
    assert Decision.objects.count() == 1 and Presentation.objects.count() == 3


def test_switching_the_language_keeps_the_same_offers(client, agent, customer):
    first = client.get(page_url(agent, customer))
    client.post("/i18n/setlang/", {"language": "pl"})
    again = client.get(page_url(agent, customer), HTTP_ACCEPT_LANGUAGE="pl")
    assert offer_ids(again) == offer_ids(first) and Decision.objects.count() == 1


def test_the_page_after_the_contact_window_has_new_offers(client, agent, customer, settings):
    first = client.get(page_url(agent, customer))
    Decision.objects.update(
        created_at=first.context["result"].decision.created_at - timedelta(minutes=31)
    )
    later = client.get(page_url(agent, customer))
    assert not set(offer_ids(later)) & set(offer_ids(first))
    assert Decision.objects.count() == 2
    settings.CVM_CONTACT_WINDOW_MINUTES = 45  # a longer window reaches the older decision
    Decision.objects.exclude(pk=first.context["result"].decision.pk).delete()
    assert offer_ids(client.get(page_url(agent, customer))) == offer_ids(first)


def test_an_outcome_recorded_in_the_contact_is_given_to_the_page(client, agent, customer):
    # Given the agent recorded "later" for the first offer
    client.get(page_url(agent, customer))
    presentation = Presentation.objects.order_by("rank").first()
    record_outcome(presentation=presentation, outcome=Outcome.LATER, agent=agent)

    # When the page is opened again
    again = client.get(page_url(agent, customer))

    # Then the outcome comes with the page for its card, and it was counted once
    assert again.context["recorded"] == {presentation.pk: Response.objects.get()}
    assert Response.objects.count() == 1 and Presentation.objects.count() == 3


def test_refresh_offers_decides_anew_and_shows_the_new_decision(client, agent, customer):
    # Given the agent's page
    first = client.get(page_url(agent, customer))
    button = first.context["refresh_url"]
    assert f'action="{button}"' in first.content.decode()
    assert "Refresh offers" in first.content.decode()

    # When they press "Refresh offers"
    pressed = client.post(button)

    # Then a new decision is made and the page they land on shows it
    assert pressed.status_code == 302
    landed = client.get(pressed.url)
    assert Decision.objects.count() == 2
    assert not set(offer_ids(landed)) & set(offer_ids(first))
    assert "New offers decided." in landed.content.decode()


def test_refresh_with_htmx_sends_the_browser_to_the_page(client, agent, customer):
    pressed = client.post(refresh_url(agent, customer), HTTP_HX_REQUEST="true")
    assert pressed.status_code == 200 and pressed["HX-Redirect"].startswith("/console/customers/")
    assert Decision.objects.count() == 1


def test_refresh_is_a_post(client, agent, customer):
    assert client.get(refresh_url(agent, customer)).status_code == 405
    assert not Decision.objects.exists()


def test_refresh_needs_a_signed_in_agent(client, agent, customer, make_user):
    url = refresh_url(agent, customer)
    anonymous = Client()
    assert anonymous.post(url).url.startswith("/accounts/login/")
    client.force_login(make_user(Role.CVM_MANAGER))
    assert client.post(url).status_code == 403
    assert not Decision.objects.exists()


def test_refresh_by_another_agent_even_of_my_site_is_a_404(client, agent, customer, make_user):
    url = refresh_url(agent, customer)
    for other in (make_user(Role.AGENT), make_user(Role.AGENT, site=SiteFactory())):
        client.force_login(other)
        assert client.post(url).status_code == 404
    assert not Decision.objects.exists()


def test_refresh_with_an_expired_link_goes_back_to_the_search(client, agent, customer, settings):
    url = refresh_url(agent, customer)
    settings.CVM_CUSTOMER_LINK_MINUTES = -1
    pressed = client.post(url)
    assert pressed.status_code == 302 and pressed.url == "/console/"
    assert not Decision.objects.exists()


def test_the_reused_page_takes_fewer_queries_than_a_new_decision(
    client, agent, customer, django_assert_num_queries
):
    url = page_url(agent, customer)
    client.get(url)  # warm the catalogue; the decision is made
    # session, user, roles, profile, customer, the agent's decision in the contact window, its
    # presentations with their outcomes, the dry run of the rules for "not offered now"
    # (history and members: one query on PostgreSQL, two on SQLite), guides to complete,
    # the needs to tick, history list, need notes, audit: 13 (14 on SQLite)
    with django_assert_num_queries(13 if connection.vendor == "postgresql" else 14):
        response = client.get(url)
    assert len(offer_ids(response)) == 3
