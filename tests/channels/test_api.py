"""The REST API for digital channels: decisions, outcomes with Idempotency-Key, who may call it."""

import pytest
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Response
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    customer = CustomerFactory(external_id="C0042", consent_sms=True, consent_marketing=True)
    offer = OfferFactory(code="DATA-20", channel_kinds=[ChannelKind.USSD, ChannelKind.STORE])
    OfferContentFactory(
        offer=offer, channel_kind=ChannelKind.USSD, agent_script="", short_text="20 GB for 15 PLN"
    )
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[ChannelKind.USSD, ChannelKind.STORE],
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.3}])
    return customer


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def api(db):
    gateway, key = api_client("ussd-gateway", kinds=[ChannelKind.USSD])
    client = keyed(key)
    client.user = gateway.user
    return client


def decision(api, customer_id="C0042", kind="ussd"):
    return api.post(
        "/api/v1/decisions/", {"customer_id": customer_id, "channel_kind": kind}, format="json"
    )


def test_a_channel_gets_the_offers_with_its_own_text(api, customer):
    response = decision(api)
    assert response.status_code == 201
    offer = response.json()["offers"][0]
    assert (offer["offer_code"], offer["short_text"], offer["rank"]) == (
        "DATA-20",
        "20 GB for 15 PLN",
        1,
    )
    assert "likely to accept: 30%" in offer["reason"]
    assert AuditEvent.objects.filter(user=api.user, action="decide", detail="api").exists()


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"customer_id": "C9999", "channel_kind": "ussd"}, 404, "No customer has this customer id"),
        ({"customer_id": "C0042", "channel_kind": "fax"}, 400, "is not a valid choice"),
        ({"channel_kind": "ussd"}, 400, "This field is required"),
    ],
)
def test_bad_decision_requests_say_what_is_wrong(api, customer, body, status, text):
    response = api.post("/api/v1/decisions/", body, format="json")
    assert response.status_code == status
    assert text in response.content.decode()


def test_an_outcome_with_an_idempotency_key_is_answered_the_same_twice(api, customer):
    presentation_id = decision(api).json()["offers"][0]["presentation_id"]
    body = {"presentation_id": presentation_id, "outcome": "accepted"}
    first = api.post("/api/v1/outcomes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/outcomes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    other = api.post(
        "/api/v1/outcomes/", {**body, "outcome": "later"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert Response.objects.count() == 1


def test_without_a_key_a_retry_still_records_once(api, customer):
    presentation_id = decision(api).json()["offers"][0]["presentation_id"]
    body = {"presentation_id": presentation_id, "outcome": "declined", "decline_reason": "price"}
    assert api.post("/api/v1/outcomes/", body, format="json").status_code == 201
    retry = api.post("/api/v1/outcomes/", body, format="json")
    assert retry.status_code == 200 and retry.json()["created"] is False
    assert Response.objects.get().decline_reason.code == "price"


def test_outcome_errors_are_clear(api, customer):
    presentation_id = decision(api).json()["offers"][0]["presentation_id"]
    missing = api.post(
        "/api/v1/outcomes/",
        {"presentation_id": presentation_id, "outcome": "declined"},
        format="json",
    )
    assert (
        missing.status_code == 400
        and "Choose why the customer declined" in missing.json()["decline_reason"][0]
    )
    unknown = api.post(
        "/api/v1/outcomes/",
        {"presentation_id": presentation_id, "outcome": "declined", "decline_reason": "nope"},
        format="json",
    )
    assert unknown.status_code == 400 and "Unknown decline reason" in unknown.content.decode()


def test_a_client_cannot_record_on_another_client_s_presentation(api, customer):
    presentation_id = decision(api).json()["offers"][0]["presentation_id"]
    other = keyed(api_client("other-gateway", kinds=[ChannelKind.USSD])[1])
    assert (
        other.post(
            "/api/v1/outcomes/",
            {"presentation_id": presentation_id, "outcome": "accepted"},
            format="json",
        ).status_code
        == 404
    )


def test_who_may_call_the_api(customer, make_user):
    anonymous = APIClient()
    refused = anonymous.post("/api/v1/decisions/", {}, format="json")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Api-Key"
    # People signed in to the portal (agents, managers) get no decisions here: 403, not 401.
    for role in (Role.AGENT, Role.CVM_MANAGER):
        person = APIClient()
        person.force_login(make_user(role))
        answer = person.post(
            "/api/v1/decisions/", {"customer_id": "C0042", "channel_kind": "store"}, format="json"
        )
        assert answer.status_code == 403 and "Agents use the console" in answer.json()["detail"]


def test_the_openapi_schema_and_its_docs_are_served_without_a_cdn(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/outcomes/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
