"""The customer's digital interest on the console: clicks, intents and dismissals sent by API
clients, loaded after the page shows (htmx), for the agent whose link it is, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.choices import ChannelKind
from channels.console.links import customer_url
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, OfferFactory, api_client

from .test_events import event, keyed, send

pytestmark = pytest.mark.django_db


def interest_url(user, customer) -> str:
    return customer_url(user=user, customer_id=customer.pk).rstrip("/") + "/interest/"


@pytest.fixture
def shop():
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB, ChannelKind.APP])
    return keyed(key)


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT)
    client.force_login(user)
    return user


@pytest.fixture
def customer():
    return CustomerFactory(external_id="C0042", phone="+48501234567")


def ago(minutes: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def test_the_console_lists_the_customers_clicks_intents_and_dismissals_newest_first(
    client, agent, customer, shop
):
    # Given a click and a dismissal of two offers, an intent, and a view and an impression
    OfferFactory(code="FIBRE-1G", title="Fibre 1 Gb/s")
    OfferFactory(code="TV-PLUS", title="TV Plus")
    events = [
        event(kind="click", offer_code="FIBRE-1G", occurred_at=ago(30)),
        event(kind="dismissal", offer_code="TV-PLUS", channel_kind="app", occurred_at=ago(20)),
        event(kind="intent", context={"intent": "cancel", "product": "tv"}, occurred_at=ago(10)),
        event(kind="view", occurred_at=ago(5)),
        event(kind="impression", offer_code="FIBRE-1G", occurred_at=ago(4)),
    ]
    assert send(shop, events).status_code == 202

    # When the agent's console loads the customer's digital interest
    response = client.get(interest_url(agent, customer), HTTP_HX_REQUEST="true")

    # Then the click, dismissal and intent are listed, newest first, with offer and channel
    assert response.status_code == 200
    html = response.content.decode()
    rows = html.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 3
    assert "Intent" in rows[0] and "cancel · tv" in rows[0] and "Web" in rows[0]
    assert "Dismissal" in rows[1] and "TV Plus" in rows[1] and "App" in rows[1]
    assert "Click" in rows[2] and "Fibre 1 Gb/s" in rows[2]


def test_a_customer_without_digital_interest_shows_the_empty_state(client, agent, customer):
    response = client.get(interest_url(agent, customer))
    assert response.status_code == 200
    assert "No clicks, intents or dismissals" in response.content.decode()


def test_other_customers_events_are_not_listed(client, agent, customer, shop):
    # Given a click by another customer only
    OfferFactory(code="FIBRE-1G")
    send(shop, [event(kind="click", offer_code="FIBRE-1G", customer_id="C0043")])

    # Then this customer's interest is empty
    assert "No clicks" in client.get(interest_url(agent, customer)).content.decode()


def test_looking_at_the_interest_is_audited(client, agent, customer):
    client.get(interest_url(agent, customer))
    assert AuditEvent.objects.filter(
        user=agent, action="view", object_id=str(customer.pk), detail="console: interest"
    ).exists()


def test_another_agents_link_is_a_404_and_audits_nothing(client, make_user, customer):
    # Given an agent of another site, with a link made for someone else
    owner = make_user(Role.AGENT)
    other = make_user(Role.AGENT)
    client.force_login(other)

    # When they open the owner's link to the customer's interest
    response = client.get(interest_url(owner, customer))

    # Then they get a 404, and nothing was seen
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(detail="console: interest").exists()


def test_anonymous_is_sent_to_sign_in(client, make_user, customer):
    owner = make_user(Role.AGENT)
    response = client.get(interest_url(owner, customer))
    assert response.status_code == 302
    assert "login" in response.url


def test_it_rejects_post(client, agent, customer):
    assert client.post(interest_url(agent, customer)).status_code == 405


def test_the_customer_page_loads_the_interest_after_it_shows(client, agent, customer):
    # The page itself holds only the slot that asks for it (no query of its own), with the
    # page's own link: a link made again here could carry the next second's signature
    url = customer_url(user=agent, customer_id=customer.pk)
    page = client.get(url).content.decode()
    assert 'id="digital-interest"' in page
    assert f'hx-get="{url.rstrip("/")}/interest/"' in page


def test_the_interest_reads_a_fixed_number_of_queries(
    client, agent, customer, shop, django_assert_num_queries
):
    # Given several clicks of several offers
    codes = [f"OFFER-{i}" for i in range(5)]
    for code in codes:
        OfferFactory(code=code)
    send(shop, [event(kind="click", offer_code=code) for code in codes * 2])
    url = interest_url(agent, customer)
    client.get(url)  # the session and the user are loaded once, as on any page

    # Then listing them costs the same few queries: session, user, roles, customer, events,
    # offers, the agent's profile (the page's context), the audit event
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_a_store_agent_sees_interest_from_any_digital_channel(client, agent, customer, shop):
    OfferFactory(code="FIBRE-1G", title="Fibre 1 Gb/s")
    send(shop, [event(kind="click", offer_code="FIBRE-1G", channel_kind=ChannelKind.APP)])
    assert "Fibre 1 Gb/s" in client.get(interest_url(agent, customer)).content.decode()
