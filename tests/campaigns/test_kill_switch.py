"""The kill switch: a campaign, or every campaign of an offer or a product, stops in every
channel on the very next request; waiting call-list leads are withdrawn; audited; resumable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from campaigns import catalogue
from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
from campaigns.decisioning import decide
from campaigns.governance import stop_signal
from campaigns.governance.kill_switch import resume, stop
from campaigns.models import Campaign, CampaignStop, StopScope
from channels.choices import LeadState
from channels.console.links import customer_url
from channels.models import Lead
from channels.outbound.claiming import next_lead
from channels.outbound.figures import list_figures
from channels.outbound.withdrawal import WITHDRAWN
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    ProductFactory,
    api_client,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
    user_with_role,
)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def world():
    """A store customer with two live campaigns of the same product (two offers: the better one
    is shown), and a third campaign of another product; all in stores and the USSD channel."""
    customer = CustomerFactory(external_id="C0042", consent_marketing=True, consent_sms=True)
    fibre = ProductFactory(code="FIBRE", family=ProductFamily.BROADBAND)
    kinds = [ChannelKind.STORE, ChannelKind.USSD]
    offers = [
        OfferFactory(code=f"FIBRE-{n}", title=f"Fibre {n}", product=fibre, channel_kinds=kinds)
        for n in (1, 2)
    ]
    tv = ProductFactory(code="TV", family=ProductFamily.TV)
    other = OfferFactory(code="TV-1", title="TV pack", product=tv, channel_kinds=kinds)
    for offer in [*offers, other]:
        OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE, agent_script="Say it.")
    campaigns = [
        CampaignFactory(
            code=f"C-{offer.code}", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=kinds
        )
        for offer in [*offers, other]
    ]
    for campaign in campaigns:
        target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    manager = user_with_role(Role.CVM_MANAGER)
    return customer, fibre, offers, campaigns, manager


def shown(customer, kind=ChannelKind.STORE) -> set[str]:
    return {c.campaign.code for c in decide(customer=customer, channel_kind=kind).offers}


def test_a_stopped_campaign_is_gone_from_the_very_next_decision(world):
    customer, _fibre, _offers, campaigns, manager = world
    assert shown(customer) == {"C-FIBRE-1", "C-TV-1"}  # the catalogue is warm
    stop(scope=StopScope.CAMPAIGN, target=campaigns[0], reason="Wrong price", by=manager)
    assert shown(customer) == {"C-FIBRE-2", "C-TV-1"}  # the other fibre offer takes its place
    assert Campaign.objects.get(pk=campaigns[0].pk).status == CampaignStatus.PAUSED


def test_stopping_an_offer_or_a_product_stops_every_campaign_that_carries_it(world):
    customer, fibre, offers, campaigns, manager = world
    shown(customer)
    record = stop(scope=StopScope.OFFER, target=offers[0], reason="Typo in SMS", by=manager)
    assert [c.code for c in record.campaigns.all()] == ["C-FIBRE-1"]
    assert shown(customer) == {"C-FIBRE-2", "C-TV-1"}
    stop(scope=StopScope.PRODUCT, target=fibre, reason="Fibre price error", by=manager)
    assert shown(customer, ChannelKind.USSD) == {"C-TV-1"}


def test_a_stop_needs_a_reason_and_something_live(world):
    _customer, fibre, _offers, campaigns, manager = world
    with pytest.raises(ValidationError, match="Say why"):
        stop(scope=StopScope.CAMPAIGN, target=campaigns[0], reason="  ", by=manager)
    stop(scope=StopScope.PRODUCT, target=fibre, reason="Wrong", by=manager)
    with pytest.raises(ValidationError, match="no live campaign"):
        stop(scope=StopScope.PRODUCT, target=fibre, reason="Again", by=manager)


def test_a_stop_and_its_resumption_are_audited_and_resuming_brings_it_back(world):
    customer, _fibre, _offers, campaigns, manager = world
    shown(customer)
    record = stop(scope=StopScope.CAMPAIGN, target=campaigns[2], reason="TV text", by=manager)
    event = AuditEvent.objects.get(action="kill_switch_stop")
    assert event.user == manager and "C-TV-1" in event.detail and "TV text" in event.detail
    assert resume(stop_record=record, by=manager) == [campaigns[2]]
    assert "C-TV-1" in shown(customer)
    assert AuditEvent.objects.filter(action="kill_switch_resume", user=manager).exists()
    with pytest.raises(ValidationError, match="already undone"):
        resume(stop_record=record, by=manager)


def test_the_api_stops_offering_the_campaign_on_its_next_request(world):
    customer, _fibre, _offers, campaigns, manager = world
    _client, key = api_client("ussd-gateway", kinds=[ChannelKind.USSD])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def codes():
        body = {"customer_id": customer.external_id, "channel_kind": "ussd"}
        answer = api.post("/api/v1/decisions/", body, format="json")
        return {o["campaign_code"] for o in answer.json()["offers"]}

    assert codes() == {"C-FIBRE-1"}  # USSD shows one offer
    stop(scope=StopScope.CAMPAIGN, target=campaigns[0], reason="Wrong USSD text", by=manager)
    assert "C-FIBRE-1" not in codes()


def test_the_console_drops_a_stopped_campaign_even_from_the_decision_it_shows_again(client, world):
    customer, _fibre, _offers, campaigns, manager = world
    agent = user_with_role(Role.AGENT)
    client.force_login(agent)
    url = customer_url(user=agent, customer_id=customer.pk)
    assert "Fibre 1" in client.get(url).content.decode()
    stop(scope=StopScope.CAMPAIGN, target=campaigns[0], reason="Wrong", by=manager)
    page = client.get(url).content.decode()  # the same contact: its decision is shown again
    assert "Fibre 1" not in page and "TV pack" in page


def _stopped_elsewhere(campaign: Campaign) -> None:
    """What another process's stop leaves behind here: the row changed (no signal in this
    process) and a new stop generation in the shared cache."""
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED)
    CampaignStop.objects.create(scope=StopScope.CAMPAIGN, campaign=campaign, reason="elsewhere")
    stop_signal._bump()


def test_a_stop_made_in_another_process_holds_on_this_process_s_next_request(client, world):
    customer, _fibre, _offers, campaigns, _manager = world
    agent = user_with_role(Role.AGENT)
    client.force_login(agent)
    client.get("/console/")  # this process has seen the current stop generation
    assert "C-FIBRE-1" in shown(customer)  # ...and holds a catalogue with the campaign
    _stopped_elsewhere(campaigns[0])
    assert "C-FIBRE-1" in shown(customer)  # without a request, the catalogue is as it was
    client.get("/console/")  # the next request reads the generation: one cache GET
    assert "C-FIBRE-1" not in shown(customer)


def test_with_the_cache_down_the_generation_is_read_from_the_database(client, world, settings):
    customer, _fibre, _offers, campaigns, _manager = world
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    agent = user_with_role(Role.AGENT)
    client.force_login(agent)
    client.get("/console/")
    assert "C-FIBRE-1" in shown(customer)
    Campaign.objects.filter(pk=campaigns[0].pk).update(status=CampaignStatus.PAUSED)
    CampaignStop.objects.create(scope=StopScope.CAMPAIGN, campaign=campaigns[0], reason="x")
    assert "C-FIBRE-1" in shown(customer)  # no stamp to compare: the catalogue is kept a while
    client.get("/console/")
    assert "C-FIBRE-1" not in shown(customer)


def test_the_per_request_check_is_one_cache_read_and_no_query(client, world, monkeypatch):
    agent = user_with_role(Role.AGENT)
    client.force_login(agent)
    client.get("/console/")
    reads = []
    real_get = stop_signal.cache.get
    monkeypatch.setattr(
        stop_signal.cache, "get", lambda *a, **k: reads.append(a) or real_get(*a, **k)
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        stop_signal.observe()
    assert reads == [(stop_signal.KEY,)] and len(queries) == 0


def test_a_listed_lead_is_not_handed_out_after_a_stop_and_counts_as_withdrawn():
    w = outbound_world(4)
    build_lists()
    first_agent, next_agent = outbound_agent(w.site), outbound_agent(w.site)
    held = next_lead(agent=first_agent).lead  # the lists are cached; one lead is with an agent
    manager = user_with_role(Role.CVM_MANAGER)
    record = stop(scope=StopScope.CAMPAIGN, target=w.campaign, reason="Script error", by=manager)
    result = next_lead(agent=next_agent)
    assert result.lead is None
    assert record.withdrawn_leads == 3
    withdrawn = Lead.objects.filter(state=LeadState.SKIPPED, skip_code=WITHDRAWN)
    assert withdrawn.count() == 3 and "Script error" in withdrawn.first().skip_reason
    assert Lead.objects.get(pk=held.pk).state == LeadState.ASSIGNED  # the agent is on that call
    figures = list_figures(w.campaign.call_lists.all())[0]
    assert (figures.withdrawn, figures.skipped) == (3, 0)
    # Resuming brings the campaign back, not the withdrawn leads
    resume(stop_record=record, by=manager)
    assert next_lead(agent=next_agent).lead is None
    assert Lead.objects.filter(skip_code=WITHDRAWN).count() == 3


def test_resuming_leaves_alone_a_campaign_that_ended_or_was_resumed_meanwhile(world):
    _customer, fibre, _offers, campaigns, manager = world
    record = stop(scope=StopScope.PRODUCT, target=fibre, reason="Price", by=manager)
    Campaign.objects.filter(pk=campaigns[0].pk).update(status=CampaignStatus.ENDED)
    assert resume(stop_record=record, by=manager) == [campaigns[1]]
    assert catalogue.current() is not None
