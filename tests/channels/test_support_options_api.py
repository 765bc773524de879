"""``GET /api/v1/support-options/``: the active support-routing policy's options for a
customer (an exception by their preferred channel first), audited; and the same options on the
console header."""

import pytest
from rest_framework.test import APIClient

from campaigns.choices import ChannelKind, Segment, ValueTier
from campaigns.optimisation.policy import RuleChange, save_policy
from channels.console.links import customer_url
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, api_client

URL = "/api/v1/support-options/"


@pytest.fixture
def world(db):
    save_policy(
        user=None,
        name="Postpaid",
        changes=[
            RuleChange(Segment.POSTPAID, "", "", ["call_back", "chat"]),
            RuleChange(Segment.POSTPAID, "", ChannelKind.APP, ["self_service"]),
        ],
        scenario={},
    )
    _client, key = api_client("ivr", kinds=[ChannelKind.IVR])
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return {
        "caller": caller,
        "caller_user": _client.user,
        "calls": CustomerFactory(
            external_id="C1", segment=Segment.POSTPAID, preferred_channel=ChannelKind.STORE
        ),
        "app": CustomerFactory(
            external_id="C2", segment=Segment.POSTPAID, preferred_channel=ChannelKind.APP
        ),
        "prepaid": CustomerFactory(
            external_id="C3", segment=Segment.PREPAID, value_tier=ValueTier.GOLD
        ),
    }


def test_it_answers_the_segment_options_with_their_labels(world):
    response = world["caller"].get(URL, {"customer_id": "C1"})
    assert response.status_code == 200
    assert response.json() == {
        "customer_id": "C1",
        "policy_version": 1,
        "options": [
            {"code": "call_back", "label": "Call-back"},
            {"code": "chat", "label": "Chat"},
        ],
    }


def test_the_exception_for_the_preferred_channel_comes_first(world):
    body = world["caller"].get(URL, {"customer_id": "C2"}).json()
    assert body["options"] == [{"code": "self_service", "label": "Self-service only"}]


def test_a_segment_without_a_rule_gets_no_options(world):
    assert world["caller"].get(URL, {"customer_id": "C3"}).json()["options"] == []


def test_a_new_policy_version_is_answered_at_once(world):
    save_policy(
        user=None,
        name="Agents",
        changes=[RuleChange(Segment.POSTPAID, "", "", ["agent"])],
        scenario={},
    )
    body = world["caller"].get(URL, {"customer_id": "C1"}).json()
    assert (body["policy_version"], body["options"][0]["code"]) == (2, "agent")


def test_the_look_up_is_audited(world):
    world["caller"].get(URL, {"customer_id": "C1"})
    world["caller"].get(URL, {"customer_id": "NOPE"})
    events = list(AuditEvent.objects.values_list("action", "object_id", "detail"))
    assert ("find", str(world["calls"].pk), "support-options") in events
    assert ("find_failed", "", "support-options") in events


def test_unknown_customer_is_404_and_a_missing_id_400(world):
    assert world["caller"].get(URL, {"customer_id": "NOPE"}).status_code == 404
    missing = world["caller"].get(URL)
    assert missing.status_code == 400 and "customer_id" in missing.json()
    assert world["caller"].get(URL, {"customer_id": "X" * 65}).status_code == 400


def test_without_a_key_401_and_a_signed_in_agent_403(world, client, make_user):
    assert APIClient().get(URL, {"customer_id": "C1"}).status_code == 401
    client.force_login(make_user(Role.AGENT))
    assert client.get(URL, {"customer_id": "C1"}).status_code == 403


def test_the_console_header_shows_the_customer_support_options(world, client, make_user):
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    page = client.get(customer_url(user=agent, customer_id=world["calls"].pk))
    assert page.status_code == 200
    assert '<dd id="support-options">Call-back, Chat</dd>' in page.content.decode()
