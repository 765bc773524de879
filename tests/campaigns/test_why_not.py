"""Why an offer is not offered now, in plain words with the day it changes; never a word that
tells of the control group."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone

from campaigns.choices import CampaignStatus, ChannelKind, Exclusion, Outcome, ProductFamily
from campaigns.decisioning import decide
from campaigns.models import ContactPolicy, DeclineReason, Response
from campaigns.responses import record_outcome
from campaigns.why_not import why_not
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE


def offer_in_campaign(
    customer, code, *, family=ProductFamily.MOBILE_PLAN, propensity=0.5, **member
):
    offer = OfferFactory(
        code=code,
        title=f"{code} offer",
        product=ProductFactory(family=family),
        value=Decimal("10"),
        channel_kinds=[STORE],
    )
    campaign = CampaignFactory(
        code=f"C-{code}",
        name=f"{code} campaign",
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[STORE],
    )
    target_group(campaign, [{"customer": customer, "propensity": propensity, **member}])
    return campaign


def respond(customer, code, outcome, **kwargs):
    result = decide(customer=customer, channel_kind=STORE)
    chosen = next(c for c in result.offers if c.offer.code == code)
    return record_outcome(presentation=chosen.presentation, outcome=outcome, **kwargs)[0]


def day(at) -> str:
    return formats.date_format(timezone.localtime(at).date(), "DATE_FORMAT")


def told(customer, now=None):
    return {
        w.offer.code: w
        for w in why_not(decide(customer=customer, channel_kind=STORE, now=now), now=now)
    }


def test_a_declined_offer_says_when_why_and_from_when_it_may_be_offered_again():
    # Given a customer who declined an offer as too expensive (30 days) 12 days ago
    customer = CustomerFactory(consent_marketing=True)
    offer_in_campaign(customer, "TV")
    declined = respond(
        customer, "TV", Outcome.DECLINED, decline_reason=DeclineReason.objects.get(code="price")
    )

    # When the offers are decided 12 days later
    [tv] = told(customer, now=declined.recorded_at + timedelta(days=12)).values()

    # Then the agent reads it in plain words, with the date
    again = declined.recorded_at + timedelta(days=30)
    assert tv.code == Exclusion.DECLINED_RECENTLY
    assert (
        tv.text == f"Declined 12 days ago — Too expensive — may be offered again from {day(again)}."
    )
    assert tv.available_from == timezone.localtime(again).date()


def test_an_offer_declined_for_good_says_it_is_not_offered_again():
    customer = CustomerFactory(consent_marketing=True)
    offer_in_campaign(customer, "TV")
    respond(
        customer,
        "TV",
        Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="already_has_it"),
    )
    [tv] = told(customer).values()
    assert tv.text == "Declined today — Already has it — not offered again."
    assert tv.available_from is None


def test_a_cooldown_names_the_campaign_the_contact_and_the_day_it_ends():
    customer = CustomerFactory(consent_marketing=True)
    campaign = offer_in_campaign(customer, "DATA")
    campaign.cooldown_days = 14
    campaign.save()
    later = respond(customer, "DATA", Outcome.LATER)
    [data] = told(customer).values()
    assert data.code == Exclusion.COOLDOWN
    assert data.text == (
        f"Contacted for DATA campaign on {day(later.recorded_at)}; may be contacted again "
        f"from {day(later.recorded_at + timedelta(days=14))}."
    )


def test_the_contact_cap_says_when_the_customer_may_be_contacted_again():
    # Given a cap of one contact in 30 days, reached 10 days ago through another campaign
    customer = CustomerFactory(consent_marketing=True)
    offer_in_campaign(customer, "PLAN")
    offer_in_campaign(customer, "TV", family=ProductFamily.TV)
    contact = respond(customer, "PLAN", Outcome.LATER)
    ten_days_ago = timezone.now() - timedelta(days=10)
    Response.objects.filter(pk=contact.pk).update(recorded_at=ten_days_ago)
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 1, "window_days": 30})

    # When the offers are decided now
    tv = told(customer)["TV"]

    # Then the TV offer waits for the contact to leave the 30 days
    assert tv.code == Exclusion.CONTACT_CAP
    assert tv.text == (
        "The customer's contact limit is reached (1 in 30 days); may be contacted again "
        f"from {day(ten_days_ago + timedelta(days=30))}."
    )


def test_the_soonest_available_come_first_and_for_good_last():
    customer = CustomerFactory(consent_marketing=True, holdings=["HELD"])
    held = offer_in_campaign(customer, "HOLDS")
    held.offers.update(product=ProductFactory(code="HELD", name="TV Plus"))
    soon = offer_in_campaign(customer, "SOON", family=ProductFamily.TV)
    soon.offers.update(valid_from=timezone.now() + timedelta(days=2))
    later = offer_in_campaign(customer, "LATER", family=ProductFamily.DEVICE)
    later.offers.update(valid_from=timezone.now() + timedelta(days=9))
    from campaigns import catalogue

    catalogue.invalidate()  # the updates went past the ORM's signals
    result = decide(customer=customer, channel_kind=STORE)
    assert [(w.offer.code, w.text) for w in why_not(result)] == [
        ("SOON", f"SOON offer is offered from {day(timezone.now() + timedelta(days=2))}."),
        ("LATER", f"LATER offer is offered from {day(timezone.now() + timedelta(days=9))}."),
        ("HOLDS", "Already has TV Plus."),
    ]


# --- the control group is never told ---------------------------------------------------------


def test_an_offer_that_lost_its_place_to_a_held_out_one_is_not_told():
    # Given four offers of four families; the best one is held out for its control group
    customer = CustomerFactory(consent_marketing=True)
    offer_in_campaign(customer, "BEST", family=ProductFamily.TV, propensity=0.99, is_control=True)
    for code, family, p in (
        ("A", ProductFamily.MOBILE_PLAN, 0.8),
        ("B", ProductFamily.DATA_ADDON, 0.7),
        ("LAST", ProductFamily.DEVICE, 0.1),
    ):
        offer_in_campaign(customer, code, family=family, propensity=p)

    # When the offers are decided (three places: one held out, two shown)
    result = decide(customer=customer, channel_kind=STORE)

    # Then the fourth is excluded as below the top three, but nobody is told: "not among the top
    # 3" beside two offers would tell that one is held out
    assert [c.offer.code for c in result.offers] == ["A", "B"]
    assert {c.offer.code: c.excluded for c in result.excluded} == {"LAST": Exclusion.OVER_LIMIT}
    assert why_not(result) == []


def test_below_the_top_offers_is_told_when_no_offer_is_held_out():
    customer = CustomerFactory(consent_marketing=True)
    for code, family, p in (
        ("A", ProductFamily.MOBILE_PLAN, 0.9),
        ("B", ProductFamily.DATA_ADDON, 0.8),
        ("C", ProductFamily.TV, 0.7),
        ("LAST", ProductFamily.DEVICE, 0.1),
    ):
        offer_in_campaign(customer, code, family=family, propensity=p)
    [last] = why_not(decide(customer=customer, channel_kind=STORE))
    assert (last.offer.code, last.code, last.text) == (
        "LAST",
        Exclusion.OVER_LIMIT,
        "Not among the top 3.",
    )


def test_an_offer_beaten_by_a_held_out_offer_of_its_family_is_not_told():
    customer = CustomerFactory(consent_marketing=True)
    offer_in_campaign(customer, "HELD", propensity=0.9, is_control=True)
    offer_in_campaign(customer, "WORSE", propensity=0.1)  # the same family: mobile plans
    result = decide(customer=customer, channel_kind=STORE)
    assert [c.excluded for c in result.excluded] == [Exclusion.SAME_FAMILY]
    assert why_not(result) == []


def test_a_control_group_offer_is_not_told_whatever_excluded_it():
    # Given a customer held out of a campaign whose offer they already hold
    customer = CustomerFactory(consent_marketing=True, holdings=["HELD"])
    campaign = offer_in_campaign(customer, "HELD", is_control=True)
    campaign.offers.update(product=ProductFactory(code="HELD"))
    from campaigns import catalogue

    catalogue.invalidate()
    result = decide(customer=customer, channel_kind=STORE)
    assert [c.excluded for c in result.excluded] == [Exclusion.ALREADY_HOLDS]
    assert why_not(result) == []


def test_telling_why_asks_the_database_only_for_decline_reasons(django_assert_num_queries):
    customer = CustomerFactory(consent_marketing=True)
    offer_in_campaign(customer, "TV")
    respond(customer, "TV", Outcome.LATER)
    result = decide(customer=customer, channel_kind=STORE)
    with django_assert_num_queries(0):
        assert [w.code for w in why_not(result)] == [Exclusion.COOLDOWN]
