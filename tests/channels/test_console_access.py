"""Reaching a customer in the console: only through the agent's own look-up, which is counted
(a rate per agent, a burst flagged to CVM managers) and audited whether it finds someone or not."""

import pytest
from django.core import signing

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Decision, Presentation
from channels.console.links import customer_url
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    target_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    customer = CustomerFactory(
        name="Ada Nowak", phone="+48501234567", consent_marketing=True, external_id="C0042"
    )
    offer = OfferFactory(title="Fibre 1 Gb/s", channel_kinds=[ChannelKind.STORE])
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return customer


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT, username="store-agent")
    client.force_login(user)
    return user


def nothing_was_shown(customer) -> bool:
    return (
        not Decision.objects.filter(customer=customer).exists()
        and not AuditEvent.objects.filter(action="view").exists()
    )


def test_counting_through_database_ids_shows_nobody(client, agent, customer):
    # Given a customer this agent never looked up, and a genuine link to someone else
    other = CustomerFactory()
    genuine = customer_url(user=agent, customer_id=other.pk).split("/")[3]
    # When the agent walks the ids, or sends something shaped like a link
    for path in (
        f"/console/customers/{customer.pk}/",
        "/console/customers/5001/",
        f"/console/customers/{signing.dumps(customer.pk)}/",  # signed, but not for this page
        f"/console/customers/{genuine[:-1]}{'A' if genuine[-1] != 'A' else 'B'}/",  # altered
    ):
        # Then every one is 404 and nothing was decided or shown
        assert client.get(path).status_code == 404, path
    assert nothing_was_shown(customer) and not Decision.objects.exists()


def test_after_a_look_up_the_agent_reaches_the_customer(client, agent, customer):
    # When the agent looks the customer up by phone
    found = client.post("/console/find/", {"q": "501 234 567"})
    # Then they land on the page by a link that does not carry the database id
    assert found.status_code == 302 and f"/{customer.pk}/" not in found.url
    page = client.get(found.url)
    assert page.status_code == 200 and "Ada Nowak" in page.content.decode()
    assert list(AuditEvent.objects.values_list("action", "object_id").order_by("pk")) == [
        ("find", str(customer.pk)),
        ("view", str(customer.pk)),
    ]


def test_a_link_made_for_one_agent_shows_nothing_to_another(client, agent, customer, make_user):
    # Given agent A's link to the customer
    url = client.post("/console/find/", {"q": "C0042"}).url
    # When agent B (same site or not) opens it
    client.force_login(make_user(Role.AGENT, username="colleague"))
    # Then B gets 404 and nothing is decided or audited as viewed
    assert client.get(url).status_code == 404
    assert nothing_was_shown(customer)


def test_an_expired_link_sends_the_agent_back_to_find_the_customer(
    client, agent, customer, settings, monkeypatch
):
    # Given a link made 31 minutes ago, with links good for 30
    settings.CVM_CUSTOMER_LINK_MINUTES = 30
    real_timestamp = signing.TimestampSigner.timestamp
    monkeypatch.setattr(
        signing.TimestampSigner,
        "timestamp",
        lambda self: signing.b62_encode(signing.b62_decode(real_timestamp(self)) - 31 * 60),
    )
    url = customer_url(user=agent, customer_id=customer.pk)
    monkeypatch.undo()
    # When the agent opens it
    response = client.get(url, follow=True)
    # Then they are back at the look-up, told why, and nothing was shown
    assert response.redirect_chain == [("/console/", 302)]
    assert "The link to this customer has expired" in response.content.decode()
    assert nothing_was_shown(customer)


def test_a_failed_look_up_is_audited_with_what_was_typed(client, agent, customer):
    # When the agent tries numbers and ids that are not customers
    for typed in ("+48 600 000 000", "C9999"):
        assert client.post("/console/find/", {"q": typed}).status_code == 200
    # Then each try is in the audit trail under their name
    assert list(
        AuditEvent.objects.filter(user=agent).values_list("action", "detail").order_by("pk")
    ) == [("find_failed", "console: +48 600 000 000"), ("find_failed", "console: C9999")]


def test_an_empty_search_is_no_look_up(client, agent):
    assert client.post("/console/find/", {"q": ""}).status_code == 200
    assert not AuditEvent.objects.exists()


def test_look_ups_past_the_rate_are_refused_and_flagged_once(
    client, agent, customer, settings, make_user
):
    # Given a rate of 3 look-ups per 10 minutes
    settings.CVM_LOOKUP_LIMIT = 3
    settings.CVM_LOOKUP_PERIOD_MINUTES = 10
    for typed in ("C0042", "C1", "C2"):
        assert client.post("/console/find/", {"q": typed}).status_code in (200, 302)
    # When the agent goes on looking customers up
    refused = client.post("/console/find/", {"q": "C0042"})
    again = client.post("/console/find/", {"q": "501 234 567"})
    # Then they are told to wait, the look-ups did not run, and one burst is flagged
    assert refused.status_code == again.status_code == 429
    assert "You have looked up more than 3 customers in the last 10 minutes" in (
        refused.content.decode()
    )
    assert AuditEvent.objects.filter(user=agent, action="find").count() == 1
    assert AuditEvent.objects.filter(user=agent, action="lookup_burst").count() == 1
    # And another agent is not held back by it
    client.force_login(make_user(Role.AGENT))
    assert client.post("/console/find/", {"q": "C0042"}).status_code == 302


def test_a_burst_is_shown_to_cvm_managers(client, agent, customer, settings, make_user):
    # Given an agent who ran past the rate
    settings.CVM_LOOKUP_LIMIT = 1
    for _ in range(3):
        client.post("/console/find/", {"q": "C0042"})
    # When a CVM manager opens the workspace and the audit trail
    client.force_login(make_user(Role.CVM_MANAGER))
    home = client.get("/cvm/").content.decode()
    trail = client.get("/cvm/audit/", {"action": "lookup_burst"}).content.decode()
    # Then both name the agent
    assert "Look-up bursts in the last 7 days" in home and "store-agent" in home
    assert "Look-up burst (rate limit reached)" in trail and "store-agent" in trail


def test_look_ups_go_on_when_the_cache_is_down(client, agent, customer, monkeypatch):
    # Given a cache that fails on every call
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("add", "incr", "get", "set"):
        monkeypatch.setattr(cache, name, broken)
    # When the agent looks a customer up
    found = client.post("/console/find/", {"q": "C0042"})
    # Then the look-up works (uncounted) and is audited
    assert found.status_code == 302
    assert AuditEvent.objects.filter(user=agent, action="find").exists()


def test_a_page_that_fails_is_not_audited_as_seen(client, agent, customer, monkeypatch):
    # Given a decision that fails
    def failing_decide(**kwargs):
        raise RuntimeError("decisioning is down")

    monkeypatch.setattr("channels.console.views.decide", failing_decide)
    client.raise_request_exception = False
    # When the agent opens the customer's page
    response = client.get(customer_url(user=agent, customer_id=customer.pk))
    # Then the agent got an error page and the trail does not say they saw the customer
    assert response.status_code == 500
    assert not AuditEvent.objects.filter(action="view").exists()


def test_recording_an_outcome_without_htmx_returns_to_the_customer_by_a_fresh_link(
    client, agent, customer
):
    client.get(customer_url(user=agent, customer_id=customer.pk))
    presentation = Presentation.objects.get()
    back = client.post(f"/console/offers/{presentation.pk}/outcome/", {"outcome": "later"})
    assert back.status_code == 302
    assert client.get(back.url).status_code == 200


def test_the_look_up_takes_a_fixed_number_of_queries(
    client, agent, customer, django_assert_num_queries
):
    client.post("/console/find/", {"q": "C0042"})  # the session and caches are warm
    # session, user, roles, customer by id, audit event
    with django_assert_num_queries(5):
        assert client.post("/console/find/", {"q": "C0042"}).status_code == 302
