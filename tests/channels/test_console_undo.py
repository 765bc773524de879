"""Undoing an outcome at the console: its agent, for CVM_UNDO_SECONDS, with one click; the
History follows in place (htmx out of band), and an undone outcome counts nowhere."""

from datetime import timedelta

import pytest
from django.test import Client

from campaigns.choices import CampaignStatus, ChannelKind, Exclusion, Outcome
from campaigns.decisioning import decide
from campaigns.models import Presentation, Response, UndoneOutcome
from channels.choices import LeadState
from channels.console.links import customer_url
from channels.models import Lead
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customer():
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(title="Fibre 1 Gb/s", channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    return customer


@pytest.fixture
def agent(client, make_user):
    user = make_user(Role.AGENT)
    client.force_login(user)
    return user


def accepted(client, agent, customer) -> Response:
    """The agent opens the customer and records "accepted" on the offer, as the console does."""
    client.get(customer_url(user=agent, customer_id=customer.pk))
    presentation = Presentation.objects.get(decision__customer=customer, held_out=False)
    client.post(f"/console/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}, **HTMX)
    return Response.objects.get(presentation=presentation)


def test_an_outcome_comes_back_with_undo_and_the_history_showing_it(client, agent, customer):
    client.get(customer_url(user=agent, customer_id=customer.pk))
    presentation = Presentation.objects.get()

    answer = client.post(
        f"/console/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}, **HTMX
    )

    content = answer.content.decode()
    response = Response.objects.get()
    assert "Recorded: Accepted" in content
    assert f'hx-post="/console/outcomes/{response.pk}/undo/"' in content
    assert 'data-undo-seconds="10"' in content or 'data-undo-seconds="9"' in content
    # The History table comes along, out of band, with the outcome in it.
    assert '<section id="history" aria-labelledby="history-h" hx-swap-oob="true">' in content
    assert f'<tr id="history-{response.pk}">' in content


def test_the_agent_undoes_within_the_period_and_may_record_again(client, agent, customer):
    response = accepted(client, agent, customer)

    answer = client.post(f"/console/outcomes/{response.pk}/undo/", **HTMX)

    content = answer.content.decode()
    assert answer.status_code == 200
    assert "Undone: Accepted. Record what happened again." in content
    assert 'value="accepted"' in content  # the outcome buttons are back
    assert f'<tr id="history-{response.pk}">' not in content  # and the History lost the row
    assert "No offer has been presented to this customer yet." in content
    assert not Response.objects.exists()
    undone = UndoneOutcome.objects.get()
    assert (undone.outcome, undone.agent, undone.presentation_id) == (
        Outcome.ACCEPTED,
        agent,
        response.presentation_id,
    )
    assert AuditEvent.objects.filter(
        user=agent, action="undo_outcome", object_id=str(customer.pk)
    ).exists()
    again = client.post(
        f"/console/offers/{response.presentation_id}/outcome/", {"outcome": "later"}, **HTMX
    )
    assert "Recorded: Later" in again.content.decode()
    assert Response.objects.get().outcome == Outcome.LATER


def test_without_htmx_the_undo_goes_back_to_the_customer_page_saying_so(client, agent, customer):
    response = accepted(client, agent, customer)

    answer = client.post(f"/console/outcomes/{response.pk}/undo/", follow=True)

    assert answer.redirect_chain[0][0].startswith("/console/customers/")
    content = answer.content.decode()
    assert "Undone: Accepted. Record what happened again." in content
    assert not Response.objects.exists()


def test_too_late_the_outcome_stays_and_the_agent_is_told(client, agent, customer, settings):
    response = accepted(client, agent, customer)
    Response.objects.filter(pk=response.pk).update(
        recorded_at=response.recorded_at - timedelta(seconds=settings.CVM_UNDO_SECONDS + 1)
    )

    answer = client.post(f"/console/outcomes/{response.pk}/undo/", **HTMX)

    content = answer.content.decode()
    assert answer.status_code == 422
    assert "Too late to undo" in content and "Recorded: Accepted" in content
    assert "/undo/" not in content  # no Undo button any more
    assert Response.objects.filter(pk=response.pk).exists()
    assert not UndoneOutcome.objects.exists()
    assert not AuditEvent.objects.filter(action="undo_outcome").exists()


def test_the_page_opened_again_shows_the_outcome_with_undo_only_while_it_may_be_undone(
    client, agent, customer, settings
):
    response = accepted(client, agent, customer)
    page = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    assert "Recorded: Accepted" in page and f"/console/outcomes/{response.pk}/undo/" in page

    Response.objects.filter(pk=response.pk).update(
        recorded_at=response.recorded_at - timedelta(seconds=settings.CVM_UNDO_SECONDS + 1)
    )
    page = client.get(customer_url(user=agent, customer_id=customer.pk)).content.decode()
    assert "Recorded: Accepted" in page and "/undo/" not in page


def test_another_agents_outcome_cannot_be_undone(client, agent, customer, make_user):
    response = accepted(client, agent, customer)
    client.force_login(make_user(Role.AGENT, site=agent.agent_profile.site))

    answer = client.post(f"/console/outcomes/{response.pk}/undo/", **HTMX)

    assert answer.status_code == 404
    assert Response.objects.filter(pk=response.pk).exists()


def test_an_outcome_recorded_on_an_outbound_call_is_undone_on_the_outbound_screen_only(client):
    world = outbound_world(1)
    build_lists()
    agent = outbound_agent(world.site)
    client.force_login(agent)
    client.post("/outbound/next/")
    lead = Lead.objects.get(state=LeadState.ASSIGNED)
    client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "reached"})
    lead.refresh_from_db()
    shown = Presentation.objects.get(decision_id=lead.decision_id, held_out=False)
    client.post(f"/outbound/offers/{shown.pk}/outcome/", {"outcome": "accepted"})
    response = Response.objects.get(presentation=shown)

    answer = client.post(f"/console/outcomes/{response.pk}/undo/", **HTMX)

    assert answer.status_code == 404
    assert Response.objects.filter(pk=response.pk).exists()


def test_an_undone_acceptance_counts_nowhere_so_the_offer_may_be_made_again(
    client, agent, customer
):
    response = accepted(client, agent, customer)
    before = decide(customer=customer, channel_kind=ChannelKind.STORE)
    assert [c.excluded for c in before.excluded] == [Exclusion.ALREADY_ACCEPTED]

    client.post(f"/console/outcomes/{response.pk}/undo/", **HTMX)

    after = decide(customer=customer, channel_kind=ChannelKind.STORE)
    assert Exclusion.ALREADY_ACCEPTED not in [c.excluded for c in after.excluded]
    assert [c.offer.title for c in after.offers] == ["Fibre 1 Gb/s"]
    assert not Response.objects.filter(customer=customer).exists()


def test_undo_is_a_post(client, agent, customer):
    response = accepted(client, agent, customer)
    assert client.get(f"/console/outcomes/{response.pk}/undo/").status_code == 405
    assert Response.objects.exists()


def test_undo_is_for_signed_in_agents(client, agent, customer, make_user):
    response = accepted(client, agent, customer)
    client.force_login(make_user(Role.CVM_MANAGER))
    assert client.post(f"/console/outcomes/{response.pk}/undo/").status_code == 403
    answer = Client().post(f"/console/outcomes/{response.pk}/undo/")  # signed out
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert Response.objects.exists()


def test_an_undo_takes_a_fixed_number_of_queries(
    client, agent, customer, django_assert_num_queries
):
    response = accepted(client, agent, customer)
    # Session, user, roles; the outcome; is it a call's; the undo service (savepoint, lock,
    # its agent, keep, the cascade of bonus lines and cancellations, delete, release); the
    # audit event; the agent's profile; the History and its need notes. None of them grows with
    # the History.
    with django_assert_num_queries(17):
        client.post(f"/console/outcomes/{response.pk}/undo/", **HTMX)


def test_an_outcome_takes_a_fixed_number_of_queries(
    client, agent, customer, django_assert_num_queries
):
    client.get(customer_url(user=agent, customer_id=customer.pk))
    presentation = Presentation.objects.get()
    # Session, user, roles; the offer as shown; the agent's profile; the recording service
    # (savepoint, lock, is there one, savepoint, insert, release, release); the History and its
    # need notes.
    with django_assert_num_queries(14):
        client.post(f"/console/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}, **HTMX)
