"""Recording an outcome from an agent's screen: the console and the outbound screen share one
view body (channels.outcomes), so each case runs on both."""

import pytest

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.decisioning import decide
from campaigns.models import Presentation, Response
from channels.choices import LeadState
from channels.models import Lead
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    build_lists,
    console_customer_of,
    outbound_agent,
    outbound_world,
    target_group,
)

pytestmark = pytest.mark.django_db


def _console(client, make_user):
    """An offer shown to a store agent in the console: (its outcome URL, whether an address is
    where a plain POST goes)."""
    agent = make_user(Role.AGENT)
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    client.force_login(agent)
    [shown] = decide(customer=customer, channel_kind=ChannelKind.STORE, agent=agent).offers

    def back(location: str) -> bool:  # the agent's link to the customer
        return console_customer_of(location, agent) == customer.pk

    return f"/console/offers/{shown.presentation.pk}/outcome/", back


def _outbound(client, make_user):  # the same signature as _console
    """An offer shown to an outbound agent on a reached call: (its outcome URL, whether an
    address is where back is)."""
    world = outbound_world(1)
    build_lists()
    agent = outbound_agent(world.site)
    client.force_login(agent)
    client.post("/outbound/next/")
    lead = Lead.objects.get(state=LeadState.ASSIGNED)
    client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "reached"})
    lead.refresh_from_db()
    shown = Presentation.objects.get(decision_id=lead.decision_id, held_out=False)
    return f"/outbound/offers/{shown.pk}/outcome/", lambda location: location == "/outbound/"


SCREENS = pytest.mark.parametrize("screen", [_console, _outbound], ids=["console", "outbound"])


@SCREENS
def test_htmx_gets_the_card_with_the_outcome_recorded_once(client, make_user, screen):
    # Given an offer shown to the agent
    url, _back = screen(client, make_user)

    # When they click "accepted" twice
    answers = [client.post(url, {"outcome": "accepted"}, HTTP_HX_REQUEST="true") for _ in "12"]

    # Then both answers confirm it and one outcome is on record
    assert [a.status_code for a in answers] == [200, 200]
    assert all("Recorded: Accepted" in a.content.decode() for a in answers)
    assert Response.objects.count() == 1


@SCREENS
def test_an_outcome_missing_is_a_422_card_saying_so_and_records_nothing(client, make_user, screen):
    url, _back = screen(client, make_user)

    answer = client.post(url, {}, HTTP_HX_REQUEST="true")

    assert answer.status_code == 422
    assert "Choose an outcome." in answer.content.decode()
    assert not Response.objects.exists()


@SCREENS
def test_a_plain_post_goes_back_to_the_agents_screen(client, make_user, screen):
    url, back = screen(client, make_user)

    answer = client.post(url, {"outcome": "later"})

    assert answer.status_code == 302 and back(answer["Location"])
    assert Response.objects.get().outcome == "later"


@SCREENS
def test_another_agents_offer_is_a_404(client, make_user, screen):
    # Given an offer shown to one agent
    url, _back = screen(client, make_user)

    # When another agent of the same kind posts an outcome for it
    client.force_login(make_user(Role.AGENT, channel_kind=ChannelKind.OUTBOUND_CALL))
    answer = client.post(url, {"outcome": "accepted"}, HTTP_HX_REQUEST="true")

    # Then it is not found, and nothing is recorded
    assert answer.status_code == 404
    assert not Response.objects.exists()


@SCREENS
def test_only_post_is_allowed(client, make_user, screen):
    url, _back = screen(client, make_user)

    assert client.get(url).status_code == 405
