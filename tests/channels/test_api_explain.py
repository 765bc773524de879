"""The decisions API with explain=true: the offers not offered now, why, and from when."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind, Outcome, ProductFamily
from campaigns.models import DeclineReason, Presentation
from campaigns.responses import record_outcome
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


def campaign_with(customer, code, *, family, propensity=0.5, **member):
    offer = OfferFactory(code=code, product=ProductFactory(family=family), channel_kinds=[WEB])
    campaign = CampaignFactory(
        code=f"C-{code}", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[WEB]
    )
    target_group(campaign, [{"customer": customer, "propensity": propensity, **member}])
    return campaign


@pytest.fixture
def api(db):
    _client, key = api_client("web-shop", kinds=[WEB])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def customer():
    """A web customer with two offers of different families (a web decision shows one)."""
    customer = CustomerFactory(external_id="C0042", consent_marketing=True, consent_digital=True)
    campaign_with(customer, "FIBRE", family=ProductFamily.MOBILE_PLAN, propensity=0.9)
    campaign_with(customer, "TV", family=ProductFamily.TV, propensity=0.2)
    return customer


def ask(api, path="/api/v1/decisions/", **body):
    return api.post(path, {"customer_id": "C0042", "channel_kind": "web", **body}, format="json")


def test_without_explain_the_answer_has_no_exclusions(api, customer):
    answer = ask(api)
    assert answer.status_code == 201 and "not_offered" not in answer.json()


@pytest.mark.parametrize("how", ["body", "query"])
def test_explain_lists_each_offer_not_offered_with_its_code_and_sentence(api, customer, how):
    answer = (
        ask(api, explain=True) if how == "body" else ask(api, "/api/v1/decisions/?explain=true")
    )
    assert answer.status_code == 201
    assert [o["offer_code"] for o in answer.json()["offers"]] == ["FIBRE"]
    assert answer.json()["not_offered"] == [
        {
            "offer_code": "TV",
            "campaign_code": "C-TV",
            "code": "over_limit",
            "text": "Not among the top 1.",
            "available_from": None,
        }
    ]


def test_a_declined_offer_comes_with_the_day_it_may_be_offered_again(api, customer):
    # Given the customer declined the fibre offer as too expensive (30 days)
    first = ask(api).json()
    declined, _ = record_outcome(
        presentation=Presentation.objects.get(pk=first["offers"][0]["presentation_id"]),
        outcome=Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="price"),
    )

    # When the channel asks again with explain
    answer = ask(api, explain=True).json()

    # Then the TV offer is shown and fibre is explained, with its date as YYYY-MM-DD
    from django.utils import timezone

    again = timezone.localtime(declined.recorded_at + timedelta(days=30)).date()
    assert [o["offer_code"] for o in answer["offers"]] == ["TV"]
    [fibre] = answer["not_offered"]
    assert (fibre["offer_code"], fibre["code"]) == ("FIBRE", "declined_recently")
    assert fibre["available_from"] == again.isoformat()
    assert fibre["text"].startswith("Declined today — Too expensive — may be offered again from")


def test_the_control_group_is_never_explained(api):
    # Given a customer held out of the best campaign, whose place pushed another offer out
    customer = CustomerFactory(external_id="C0042", consent_marketing=True, consent_digital=True)
    campaign_with(customer, "HELD", family=ProductFamily.TV, propensity=0.9, is_control=True)
    campaign_with(customer, "OTHER", family=ProductFamily.MOBILE_PLAN, propensity=0.1)

    # When the channel asks with explain
    answer = ask(api, explain=True).json()

    # Then nothing is offered and nothing is explained: neither offer is named
    assert answer["offers"] == [] and answer["not_offered"] == []
    assert "HELD" not in str(answer) and "OTHER" not in str(answer)


def test_an_explain_that_is_not_a_yes_or_no_is_refused(api, customer):
    answer = ask(api, "/api/v1/decisions/?explain=maybe")
    assert answer.status_code == 400 and "explain" in answer.json()


def test_the_schema_documents_explain(client, make_user):
    from cvm_portal.roles import Role

    client.force_login(make_user(Role.CVM_MANAGER, is_staff=True))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "explain" in schema and "not_offered" in schema and "available_from" in schema
