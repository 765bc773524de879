"""Chatbot hand-overs through the API: a bot hands a conversation over and polls its outcome."""

import uuid

import pytest
from rest_framework.test import APIClient

from campaigns.choices import ChannelKind
from channels.handover import desk
from channels.models import Handover, HandoverOutcome, HandoverStatus
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, api_client, user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/handovers/"


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def bot():
    client, key = api_client("chatbot", kinds=[ChannelKind.CHATBOT])
    api = keyed(key)
    api.user = client.user
    return api


@pytest.fixture
def customer():
    return CustomerFactory(external_id="C0042", phone="+48501234567")


def body(**changes):
    return {
        "customer_id": "C0042",
        "intent": "roaming_question",
        "summary": "Going to Spain next week; asks how much data costs there.",
        "transcript_url": "https://bot.example.com/t/abc",
        "conversation_id": "conv-1",
        **changes,
    }


def test_a_chatbot_hands_a_customer_over_and_gets_an_id(bot, customer):
    response = bot.post(URL, body(), format="json")
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "waiting"
    assert answer["customer_id"] == "C0042"
    assert answer["outcome"] is None
    assert Handover.objects.get(pk=answer["handover_id"]).customer == customer
    assert AuditEvent.objects.filter(user=bot.user, action="find", detail="handover").exists()


def test_the_same_conversation_again_gives_the_same_hand_over(bot, customer):
    first = bot.post(URL, body(), format="json")
    again = bot.post(URL, body(summary="A second try"), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["handover_id"] == first.json()["handover_id"]
    assert Handover.objects.get().summary.startswith("Going to Spain")


def test_a_phone_number_in_any_format_finds_the_customer(bot, customer):
    response = bot.post(URL, body(customer_id=None, phone="0048 501-234-567"), format="json")
    assert response.status_code == 400  # null is not a customer id
    data = body(phone="0048 501-234-567")
    del data["customer_id"]
    response = bot.post(URL, data, format="json")
    assert response.status_code == 201
    assert response.json()["customer_id"] == "C0042"


def test_an_unknown_caller_is_handed_over_without_a_customer(bot, customer):
    data = body(phone="+48 600 100 200")
    del data["customer_id"]
    response = bot.post(URL, data, format="json")
    assert response.status_code == 201
    assert response.json()["customer_id"] is None
    assert Handover.objects.get().phone == "+48600100200"


def test_a_number_that_is_not_a_number_is_an_unknown_caller_kept_as_given(bot):
    data = body(phone="12")
    del data["customer_id"]
    response = bot.post(URL, data, format="json")
    assert response.status_code == 201
    assert response.json()["customer_id"] is None
    assert Handover.objects.get().phone == "12"


def test_an_unknown_customer_id_is_a_404(bot, customer):
    response = bot.post(URL, body(customer_id="C9999"), format="json")
    assert response.status_code == 404
    assert not Handover.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_id": ""}, "customer_id"),
        ({"intent": "x" * 101}, "intent"),
        ({"summary": "x" * 1001}, "summary"),
        ({"transcript_url": "http://bot.example.com/t/abc"}, "transcript_url"),
        ({"conversation_id": "c" * 101}, "conversation_id"),
        ({"transcript_url": "javascript:alert(1)"}, "transcript_url"),
        ({"transcript_url": "https://bot.example.com/t\n"}, "transcript_url"),
    ],
)
def test_bad_hand_overs_say_what_is_wrong(bot, customer, changes, field):
    response = bot.post(URL, body(**changes), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_neither_customer_id_nor_phone_is_refused(bot, customer):
    data = body()
    del data["customer_id"]
    response = bot.post(URL, data, format="json")
    assert response.status_code == 400
    assert "customer's id or their phone" in response.json()["non_field_errors"][0]


def test_only_chatbot_clients_hand_over(customer):
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    assert keyed(key).post(URL, body(), format="json").status_code == 403
    assert APIClient().post(URL, body(), format="json").status_code == 401


def test_the_bot_reads_the_agents_outcome_once_closed(bot, customer):
    handover_id = bot.post(URL, body(), format="json").json()["handover_id"]
    agent = user_with_role(Role.AGENT, channel_kind=ChannelKind.INBOUND_CALL)
    agent.agent_profile.site.kind = "inbound_centre"
    assert bot.get(f"{URL}{handover_id}/").json()["status"] == "waiting"
    assert desk.take(handover_id=handover_id, agent=agent)
    assert bot.get(f"{URL}{handover_id}/").json()["status"] == "taken"
    desk.close(
        handover=Handover.objects.get(pk=handover_id),
        agent=agent,
        outcome=HandoverOutcome.CALLBACK_ARRANGED,
    )
    answer = bot.get(f"{URL}{handover_id}/").json()
    assert (answer["status"], answer["outcome"]) == ("closed", "callback_arranged")
    assert answer["closed_at"] is not None
    assert answer["offers"] == []


def test_another_client_cannot_read_the_hand_over(bot, customer):
    handover_id = bot.post(URL, body(), format="json").json()["handover_id"]
    _other, key = api_client("other-bot", kinds=[ChannelKind.CHATBOT])
    assert keyed(key).get(f"{URL}{handover_id}/").status_code == 404
    assert bot.get(f"{URL}{uuid.uuid4()}/").status_code == 404


def test_a_second_close_keeps_the_first_outcome(bot, customer):
    handover_id = bot.post(URL, body(), format="json").json()["handover_id"]
    agent = user_with_role(Role.AGENT, channel_kind=ChannelKind.INBOUND_CALL)
    desk.take(handover_id=handover_id, agent=agent)
    handover = Handover.objects.get(pk=handover_id)
    assert desk.close(handover=handover, agent=agent, outcome=HandoverOutcome.RESOLVED)
    assert not desk.close(handover=handover, agent=agent, outcome=HandoverOutcome.NOT_RESOLVED)
    assert (handover.status, handover.outcome) == (HandoverStatus.CLOSED, "resolved")
