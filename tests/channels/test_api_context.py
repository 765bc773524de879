"""The decision API's context: it boosts, rules out and is kept; a bad context is refused with
messages per field, and the served schema says what is accepted (the intents of today)."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind, Objective, ProductFamily
from campaigns.models import ContactPolicy, Decision, Intent
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db

WEB = ChannelKind.WEB


@pytest.fixture
def customer():
    ContactPolicy.objects.create(pk=1, digital_offers=3)
    customer = CustomerFactory(external_id="C0077", consent_digital=True)
    for code, family, propensity, objective in (
        ("MOBILE", ProductFamily.MOBILE_PLAN, 0.5, Objective.UPSELL),
        ("FIBRE", ProductFamily.BROADBAND, 0.4, Objective.RETENTION),
    ):
        offer = OfferFactory(
            code=code,
            product=ProductFactory(code=f"P-{code}", family=family),
            value=Decimal("10"),
            channel_kinds=[WEB],
        )
        campaign = CampaignFactory(
            code=f"C-{code}",
            objective=objective,
            status=CampaignStatus.LIVE,
            offers=[offer],
            channel_kinds=[WEB],
            control_share=0,
        )
        target_group(campaign, [{"customer": customer, "propensity": propensity}])
    return customer


@pytest.fixture
def api(db):
    _client, key = api_client("web-shop", kinds=[WEB])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def ask(api, context=None, **extra):
    body = {"customer_id": "C0077", "channel_kind": "web", **extra}
    if context is not None:
        body["context"] = context
    return api.post("/api/v1/decisions/", body, format="json")


def test_the_family_browsed_comes_first_and_the_reason_says_so(api, customer):
    plain = ask(api)
    assert [o["offer_code"] for o in plain.json()["offers"]] == ["MOBILE", "FIBRE"]

    response = ask(api, {"page": "/internet/fibre", "product": "P-FIBRE", "device": "phone"})

    assert response.status_code == 201
    offers = response.json()["offers"]
    assert [o["offer_code"] for o in offers] == ["FIBRE", "MOBILE"]
    assert offers[0]["reason"].startswith("Browsing home broadband now · ")
    stored = Decision.objects.get(pk=response.json()["decision_id"])
    assert stored.context == {
        "page": "/internet/fibre",
        "product": "P-FIBRE",
        "family": "broadband",
        "device": "phone",
    }


def test_a_stated_intent_rules_an_offer_out_and_explain_says_why(api, customer):
    response = ask(api, {"intent": "complaint"}, explain=True)

    assert response.status_code == 201
    body = response.json()
    assert [o["offer_code"] for o in body["offers"]] == ["FIBRE"]
    assert body["not_offered"] == [
        {
            "offer_code": "MOBILE",
            "campaign_code": "C-MOBILE",
            "code": "intent",
            "text": "The customer said “Complaint”: no upsell offers now.",
            "available_from": None,
        }
    ]


def test_a_bad_context_is_refused_with_a_message_per_field(api, customer):
    response = ask(
        api,
        {
            "intent": "cancell",
            "device": "toaster",
            "family": "yachts",
            "page": "/" + "x" * 200,
            "product": "P" * 41,
        },
    )

    assert response.status_code == 400
    errors = response.json()["context"]
    assert errors["intent"] == [
        "Unknown intent “cancell”. Known intents: upgrade, cancel, complaint, roaming, moving."
    ]
    assert set(errors) == {"intent", "device", "family", "page", "product"}
    assert "Ensure this field has no more than 200 characters." in errors["page"]
    assert not Decision.objects.exists()


def test_a_context_that_is_not_an_object_is_refused(api, customer):
    response = ask(api, "cancel")

    assert response.status_code == 400
    assert "context" in response.json()


def test_unknown_keys_in_the_context_are_ignored(api, customer):
    response = ask(api, {"referrer": "newsletter", "intent": "roaming"})

    assert response.status_code == 201
    assert Decision.objects.get(pk=response.json()["decision_id"]).context == {"intent": "roaming"}


def test_an_intent_added_by_a_cvm_manager_is_accepted_at_once(api, customer):
    assert ask(api, {"intent": "porting"}).status_code == 400

    Intent.objects.create(code="porting", name="Porting out", excluded_objectives=["upsell"])

    response = ask(api, {"intent": "porting"})
    assert response.status_code == 201
    assert [o["offer_code"] for o in response.json()["offers"]] == ["FIBRE"]


def test_the_schema_lists_the_active_intents_and_the_context_is_optional(db):
    Intent.objects.filter(code="moving").update(is_active=False)
    Intent.objects.get(code="upgrade").save()  # the catalogue follows the list

    schema = SchemaGenerator().get_schema(request=None, public=True)

    def resolve(node):
        while "$ref" in node or "allOf" in node:
            node = node["allOf"][0] if "allOf" in node else node
            if "$ref" in node:
                node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
        return node

    body = schema["paths"]["/api/v1/decisions/"]["post"]["requestBody"]
    request = resolve(body["content"]["application/json"]["schema"])
    assert "context" not in request["required"]
    context = resolve(request["properties"]["context"])
    assert context.get("required", []) == []
    assert resolve(context["properties"]["intent"])["enum"] == [
        "upgrade",
        "cancel",
        "complaint",
        "roaming",
    ]  # not the inactive "moving"
    assert context["properties"]["page"]["maxLength"] == 200
    assert context["properties"]["product"]["maxLength"] == 40
