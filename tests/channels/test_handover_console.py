"""Chatbot hand-overs in the console: the inbound queue, taking one, the customer's page with
the bot's words at the top, closing it, the customer's history and the results."""

from __future__ import annotations

import threading

import pytest
import requests
from django.conf import settings
from django.db import connections
from django.test import Client

from campaigns.choices import ChannelKind
from channels.choices import SiteKind
from channels.console.links import customer_url
from channels.handover import desk
from channels.models import HandoverStatus
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, SiteFactory, api_client, user_with_role

pytestmark = pytest.mark.django_db


def inbound_agent(site=None, role=Role.AGENT, **kwargs):
    site = site or SiteFactory(kind=SiteKind.INBOUND_CENTRE)
    return user_with_role(role, site=site, channel_kind=ChannelKind.INBOUND_CALL, **kwargs)


def handed_over(customer=None, *, conversation="conv-1", intent="roaming_question", bot=None):
    bot = bot or api_client("chatbot", kinds=[ChannelKind.CHATBOT])[0]
    return desk.receive(
        client=bot,
        conversation_id=conversation,
        customer=customer,
        phone="" if customer else "+48600100200",
        intent=intent,
        summary="Going to Spain next week; asks how much data costs there.",
        transcript_url="https://bot.example.com/t/abc",
    ).handover


@pytest.fixture
def agent(client):
    user = inbound_agent()
    client.force_login(user)
    return user


@pytest.fixture
def customer():
    return CustomerFactory(name="Ola Nowak")


def test_an_inbound_agent_sees_waiting_hand_overs_oldest_first(client, agent, customer):
    first = handed_over(customer, conversation="a", intent="first_intent")
    handed_over(None, conversation="b", intent="second_intent", bot=first.client)
    page = client.get("/console/handovers/").content.decode()
    assert page.index("first_intent") < page.index("second_intent")
    assert "Ola Nowak" in page and "unknown caller" in page
    partial = client.get("/console/handovers/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith("<section") or "<html" not in partial
    assert 'hx-trigger="every 15s"' in partial


def test_the_empty_queue_says_what_to_do(client, agent):
    page = client.get("/console/handovers/").content.decode()
    assert "No chatbot conversation is waiting" in page


def test_the_console_of_an_inbound_agent_has_the_queue_slot_and_a_store_agents_not(client, agent):
    assert 'id="handover-queue"' in client.get("/console/").content.decode()
    store_agent = user_with_role(Role.AGENT)
    client.force_login(store_agent)
    assert 'id="handover-queue"' not in client.get("/console/").content.decode()
    assert client.get("/console/handovers/").status_code == 403


def test_taking_opens_the_customer_with_the_bots_words_at_the_top(client, agent, customer):
    handover = handed_over(customer)
    answer = client.post(f"/console/handovers/{handover.pk}/take/", follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Ola Nowak" in page
    top = page.index("From the chatbot")
    assert top < page.index('id="customer-h"')  # above the customer's facts and offers
    assert "Going to Spain next week" in page
    assert 'href="https://bot.example.com/t/abc" target="_blank"' in page
    assert AuditEvent.objects.filter(user=agent, action="find", detail="handover").exists()
    assert AuditEvent.objects.filter(user=agent, action="view", detail="console").exists()
    handover.refresh_from_db()
    assert (handover.status, handover.taken_by, handover.site_id) == (
        HandoverStatus.TAKEN,
        agent,
        agent.agent_profile.site_id,
    )


def test_refreshing_the_offers_keeps_the_bots_words_at_the_top(client, agent, customer):
    handover = handed_over(customer)
    page = client.post(f"/console/handovers/{handover.pk}/take/", follow=True)
    refresh_url = page.context["refresh_url"]
    assert f"?handover={handover.pk}" in refresh_url
    again = client.post(refresh_url, follow=True).content.decode()
    assert "New offers decided." in again and "From the chatbot" in again
    assert "Going to Spain next week" in again


def test_the_screen_pop_with_a_hand_over_id_opens_it(client, agent, customer):
    handover = handed_over(customer)
    desk.take(handover_id=handover.pk, agent=agent)
    answer = client.get(f"/console/pop/?handover={handover.pk}", follow=True)
    assert "From the chatbot" in answer.content.decode()
    assert client.get("/console/pop/?handover=nonsense").status_code == 404
    assert client.get("/console/pop/?phone=48501").status_code == 400  # still refused


def test_a_second_agent_pressing_take_is_told_someone_else_has_it(client, agent, customer):
    handover = handed_over(customer)
    other = inbound_agent()
    assert desk.take(handover_id=handover.pk, agent=other)
    answer = client.post(f"/console/handovers/{handover.pk}/take/")
    assert answer.status_code == 409
    assert "Another agent took this hand-over first" in answer.content.decode()
    assert client.get(f"/console/handovers/{handover.pk}/").status_code == 404  # not theirs


def test_closing_goes_back_to_the_bot(client, agent, customer):
    handover = handed_over(customer)
    desk.take(handover_id=handover.pk, agent=agent)
    answer = client.post(
        f"/console/handovers/{handover.pk}/close/", {"outcome": "offer_accepted"}, follow=True
    )
    assert "Hand-over closed: Offer accepted" in answer.content.decode()
    handover.refresh_from_db()
    assert (handover.status, handover.outcome) == (HandoverStatus.CLOSED, "offer_accepted")
    again = client.post(f"/console/handovers/{handover.pk}/close/", {"outcome": "resolved"})
    assert again.status_code == 302
    handover.refresh_from_db()
    assert handover.outcome == "offer_accepted"


def test_only_the_taker_closes_and_only_with_an_outcome(client, agent, customer):
    handover = handed_over(customer)
    desk.take(handover_id=handover.pk, agent=agent)
    assert (
        client.post(f"/console/handovers/{handover.pk}/close/", {"outcome": "x"}).status_code == 400
    )
    assert client.get(f"/console/handovers/{handover.pk}/close/").status_code == 405
    client.force_login(inbound_agent())
    assert (
        client.post(f"/console/handovers/{handover.pk}/close/", {"outcome": "resolved"}).status_code
        == 404
    )


def test_an_unknown_caller_is_shown_on_the_hand_over_page_with_the_close_buttons(client, agent):
    handover = handed_over(None)
    answer = client.post(f"/console/handovers/{handover.pk}/take/", follow=True)
    page = answer.content.decode()
    assert "unknown caller" in page and "+48600100200" in page
    assert 'value="resolved"' in page


def test_team_leads_of_the_takers_site_see_it_other_agents_do_not(client, agent, customer):
    handover = handed_over(customer)
    desk.take(handover_id=handover.pk, agent=agent)
    lead = inbound_agent(site=agent.agent_profile.site, role=Role.TEAM_LEAD)
    client.force_login(lead)
    assert client.get(f"/console/handovers/{handover.pk}/").status_code == 200
    client.force_login(inbound_agent(role=Role.TEAM_LEAD))  # another site's lead
    assert client.get(f"/console/handovers/{handover.pk}/").status_code == 404
    client.force_login(user_with_role(Role.CVM_MANAGER))
    assert client.get(f"/console/handovers/{handover.pk}/").status_code == 200


def test_hand_overs_appear_in_the_customers_history(client, agent, customer):
    handover = handed_over(customer)
    desk.take(handover_id=handover.pk, agent=agent)
    desk.close(handover=handover, agent=agent, outcome="resolved")
    url = customer_url(user=agent, customer_id=customer.pk)
    assert 'id="handover-history"' in client.get(url).content.decode()
    token = url.rstrip("/").rsplit("/", 1)[1]
    history = client.get(f"/console/customers/{token}/handovers/").content.decode()
    assert "roaming_question" in history and "Resolved" in history and "you" in history
    client.force_login(inbound_agent())  # someone else's link
    assert client.get(f"/console/customers/{token}/handovers/").status_code == 404


def test_the_customer_page_costs_no_query_more_without_a_hand_over(
    client, agent, customer, django_assert_max_num_queries
):
    url = customer_url(user=agent, customer_id=customer.pk)
    client.get(url)
    with django_assert_max_num_queries(15):
        client.get(url)


def test_results_count_hand_overs_by_outcome_per_site_and_agent(client, agent, customer):
    bot = api_client("chatbot", kinds=[ChannelKind.CHATBOT])[0]
    for n, outcome in enumerate(["resolved", "resolved", "callback_arranged"]):
        h = handed_over(customer, conversation=f"c{n}", bot=bot)
        desk.take(handover_id=h.pk, agent=agent)
        desk.close(handover=h, agent=agent, outcome=outcome)
    h = handed_over(customer, conversation="open", bot=bot)
    desk.take(handover_id=h.pk, agent=agent)
    handed_over(customer, conversation="waiting", bot=bot)
    far = inbound_agent()
    h = handed_over(customer, conversation="far", bot=bot)
    desk.take(handover_id=h.pk, agent=far)
    lead = inbound_agent(site=agent.agent_profile.site, role=Role.TEAM_LEAD)
    client.force_login(lead)
    page = client.get("/handovers/results/").content.decode()
    assert agent.get_full_name() in page and far.get_full_name() not in page
    row = page[page.index(agent.get_full_name()) :].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == [
        "2",
        "0",
        "0",
        "1",
        "0",
        "1",
        "4",
    ]  # resolved… callback, not resolved, open, total
    assert "1 hand-over waiting" in page
    client.force_login(user_with_role(Role.CVM_MANAGER))
    assert far.get_full_name() in client.get("/handovers/results/").content.decode()
    client.force_login(agent)
    assert client.get("/handovers/results/").status_code == 403


# --- Two agents press "Take" at the same moment: real HTTP, PostgreSQL -------------------------

CSRF = "c" * 32


def _session_of(user) -> str:
    browser = Client()
    browser.force_login(user)
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def _press(url: str, session: str) -> requests.Response:
    with requests.Session() as browser:
        browser.cookies.set(settings.SESSION_COOKIE_NAME, session)
        browser.cookies.set(settings.CSRF_COOKIE_NAME, CSRF)
        return browser.post(url, headers={"X-CSRFToken": CSRF}, allow_redirects=False, timeout=60)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_agents_taking_at_once_one_gets_it_the_other_a_clear_message(request):
    from cvm_portal.roles import sync_role_groups

    live_server = request.getfixturevalue("live_server")
    sync_role_groups()
    # Given ten waiting hand-overs and two inbound agents, signed in
    bot = api_client("chatbot", kinds=[ChannelKind.CHATBOT])[0]
    customer = CustomerFactory()
    handovers = [handed_over(customer, conversation=f"c{n}", bot=bot) for n in range(10)]
    agents = [inbound_agent(), inbound_agent()]
    sessions = [_session_of(a) for a in agents]
    # When both press "Take" on each, released together
    for handover in handovers:
        url = f"{live_server.url}/console/handovers/{handover.pk}/take/"
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        def press(i: int, url=url, barrier=barrier, answers=answers) -> None:
            barrier.wait(timeout=30)
            answers[i] = _press(url, sessions[i])

        threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        # Then exactly one was sent to the hand-over, the other got 409 and the message
        assert sorted(a.status_code for a in answers) == [302, 409]
        loser = next(a for a in answers if a.status_code == 409)
        assert "Another agent took this hand-over first" in loser.text
        winner = answers.index(next(a for a in answers if a.status_code == 302))
        handover.refresh_from_db()
        assert handover.taken_by == agents[winner]
    connections.close_all()
