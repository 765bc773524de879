"""The "why" of an offer: a sentence about this customer first, never against their facts.

A member's own reason from the target-group file wins; without one the sentence is built from
the customer snapshot (tenure, products held, segment, value tier). The file's reason is
cleaned and limited as it is loaded (``campaigns.loads.rules.clean_reason``).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, RejectReason, Segment, ValueTier
from campaigns.decisioning import decide
from campaigns.loads.rules import REASON_MAX_LENGTH, Reject, clean_reason
from campaigns.models import Product
from campaigns.reasons import customer_facts
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

STORE = ChannelKind.STORE


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def products(db):
    return {
        "FIBRE-1G": ProductFactory(code="FIBRE-1G", name="Fibre 1 Gb/s"),
        "TV-PLUS": ProductFactory(code="TV-PLUS", name="TV Plus"),
        "DATA-20GB": ProductFactory(code="DATA-20GB", name="20 GB data pack"),
    }


def why(customer, *, propensity=0.34, reason=None, campaign_name="Data for heavy users"):
    """The "why" the store console shows ``customer`` for the one offer of a campaign whose
    target group holds them (with the file's ``reason`` when given)."""
    offer = OfferFactory(
        product=Product.objects.get(code="DATA-20GB"), value=Decimal("15"), channel_kinds=[STORE]
    )
    campaign = CampaignFactory(
        name=campaign_name, status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE]
    )
    member = {"customer": customer, "propensity": propensity}
    if reason is not None:
        member["reason"] = reason
    target_group(campaign, [member])
    [shown] = decide(customer=customer, channel_kind=STORE).offers
    return shown.reason


# --- without a reason in the file: the customer's facts ------------------------------------


def test_a_prepaid_customer_without_products_is_told_nothing_about_a_plan(products):
    # Given a prepaid customer who holds nothing, with us for 8 months
    customer = CustomerFactory(segment=Segment.PREPAID, holdings=[], customer_since=days_ago(250))
    # When the console shows them an offer
    reason = why(customer)
    # Then the sentence about them says what is true, and names no plan or product
    about, *rest = reason.split(" · ")
    assert about == "Customer for 8 months, consumer prepaid, Silver tier"
    assert "plan" not in about and "has" not in about
    assert rest[0] == "likely to accept: 34%"


def test_a_postpaid_customer_with_products_hears_what_they_have(products):
    # Given a postpaid gold customer of six years with fibre and TV
    customer = CustomerFactory(
        segment=Segment.POSTPAID,
        value_tier=ValueTier.GOLD,
        holdings=["FIBRE-1G", "TV-PLUS"],
        customer_since=days_ago(6 * 365 + 30),
    )
    # When the console shows them an offer
    reason = why(customer)
    # Then the sentence comes first and names their products by name; the figures follow
    assert reason.startswith(
        "Customer for 6 years, has Fibre 1 Gb/s and TV Plus, consumer postpaid, Gold tier · "
        "likely to accept: 34% · worth about "
    )
    assert reason.endswith("Data for heavy users (upsell)")


@pytest.mark.parametrize(
    ("since", "tenure"),
    [
        (10, "Customer for less than a month"),
        (45, "Customer for 1 month"),
        (400, "Customer for 13 months"),
        (800, "Customer for 2 years"),
        (15 * 365 + 10, "Customer for 15 years"),
    ],
)
def test_tenure_is_told_in_months_while_short_and_in_years_once_long(products, since, tenure):
    customer = CustomerFactory(customer_since=days_ago(since), holdings=[])
    assert customer_facts(customer).split(", ")[0] == tenure


def test_a_product_the_catalogue_does_not_know_is_named_by_its_code(products):
    customer = CustomerFactory(holdings=["FIBRE-1G", "SIM-ONLY-9"])
    assert "has Fibre 1 Gb/s and SIM-ONLY-9" in customer_facts(customer)


def test_a_renamed_product_is_named_anew_in_the_next_reason(products):
    # Given a customer with fibre, whose facts were told once
    customer = CustomerFactory(holdings=["FIBRE-1G"])
    assert "has Fibre 1 Gb/s," in customer_facts(customer)
    # When the product is renamed
    products["FIBRE-1G"].name = "Fibre 2 Gb/s"
    products["FIBRE-1G"].save()
    # Then the next sentence uses the new name
    assert "has Fibre 2 Gb/s," in customer_facts(customer)


# --- with a reason in the file --------------------------------------------------------------


def test_the_files_reason_is_the_sentence_about_the_customer(products):
    # Given a member whose file line says why
    customer = CustomerFactory(segment=Segment.PREPAID, holdings=[])
    # When the console shows them the offer
    reason = why(customer, reason="Used all data in 2 of the last 3 months")
    # Then the file's sentence comes first, instead of the facts, and the figures follow
    assert reason.startswith("Used all data in 2 of the last 3 months · likely to accept: 34%")
    assert "Customer for" not in reason


def test_a_digital_channel_receives_the_files_reason_through_the_api(products):
    from rest_framework.test import APIClient

    from tests.factories import api_client

    # Given a USSD gateway, and a member whose file line says why
    customer = CustomerFactory(external_id="C0042", consent_sms=True)
    offer = OfferFactory(product=products["DATA-20GB"], channel_kinds=[ChannelKind.USSD])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.USSD]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.3, "reason": "Roams monthly"}])
    _gateway, key = api_client("ussd-gateway", kinds=[ChannelKind.USSD])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    # When it asks for a decision
    response = client.post(
        "/api/v1/decisions/", {"customer_id": "C0042", "channel_kind": "ussd"}, format="json"
    )
    # Then the offer's reason starts with the file's sentence
    assert response.status_code == 201
    assert response.json()["offers"][0]["reason"].startswith(
        "Roams monthly · likely to accept: 30%"
    )


def test_an_always_on_offer_says_what_of_its_rule_the_customer_matches(products):
    # (tests/campaigns/test_always_on.py holds the rule's own sentence)
    from campaigns.models import EligibilityRule

    customer = CustomerFactory(holdings=["FIBRE-1G"], customer_since=days_ago(800))
    offer = OfferFactory(product=products["TV-PLUS"], channel_kinds=[STORE])
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE])
    EligibilityRule.objects.create(campaign=campaign, requires_product=products["FIBRE-1G"])
    [shown] = decide(customer=customer, channel_kind=STORE).offers
    assert shown.reason.startswith("always on: has Fibre 1 Gb/s · worth about ")


def test_the_whole_reason_never_exceeds_what_a_presentation_holds(products):
    customer = CustomerFactory()
    reason = why(customer, reason="x" * REASON_MAX_LENGTH, campaign_name="C" * 200)
    assert len(reason) == 300 and reason.startswith("x" * REASON_MAX_LENGTH + " · ")


# --- cleaning the file's reason (both load paths store what this returns) ---------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (
            "  Used all data\tin 2 of\r\nthe last 3 months  ",
            "Used all data in 2 of the last 3 months",
        ),
        ("Bell\x07 and escape\x1b[31m red", "Bell and escape [31m red"),
        ("no\u00a0break\u2003em space", "no break em space"),
        ("zero\u200bwidth and \u202eright-to-left\u202c", "zerowidth and right-to-left"),
        ("spent > 100 PLN and < 3 calls", "spent > 100 PLN and < 3 calls"),
        ("   ", ""),
        ("", ""),
    ],
)
def test_a_files_reason_is_cleaned_of_control_characters_and_extra_whitespace(raw, stored):
    assert clean_reason(raw) == stored


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("<b>Heavy user</b>", "reason contains markup (“<b”)"),
        ("Churn risk<script>alert(1)</script>", "reason contains markup (“<s”)"),
        ("see </p>", "reason contains markup (“</”)"),
        ("<!-- note -->", "reason contains markup (“<!”)"),
        ("y" * 201, "reason is 201 characters long (at most 200)"),
        ("z " * 150, "reason is 299 characters long (at most 200)"),
    ],
)
def test_a_files_reason_with_markup_or_too_long_is_refused_with_a_reason(raw, detail):
    with pytest.raises(Reject) as refused:
        clean_reason(raw)
    assert refused.value.reason == RejectReason.BAD_TEXT
    assert refused.value.detail == detail


def test_a_reason_of_exactly_the_limit_is_kept_whole():
    text = "w" * REASON_MAX_LENGTH
    assert clean_reason(f"  {text}\n") == text
