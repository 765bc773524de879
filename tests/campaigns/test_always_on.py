"""Always-on offers (an eligibility rule instead of a target group), products already held, and
the in-memory catalogue of live campaigns following every change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import catalogue
from campaigns.choices import (
    CampaignStatus,
    ChannelKind,
    Exclusion,
    ProductFamily,
    Segment,
    ValueTier,
)
from campaigns.decisioning import decide
from campaigns.models import EligibilityRule, Presentation
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE


@pytest.fixture
def always_on():
    """An always-on TV add-on for gold/platinum postpaid customers of 12+ months who have fibre."""
    fibre = ProductFactory(code="FIBRE-1G", name="Fibre 1 Gb/s", family=ProductFamily.BROADBAND)
    tv = ProductFactory(code="TV-PLUS", name="TV Plus", family=ProductFamily.TV)
    offer = OfferFactory(code="TV-ADDON", product=tv, value=Decimal("25"), channel_kinds=[STORE])
    campaign = CampaignFactory(
        code="TV-ALWAYS",
        name="TV for fibre homes",
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[STORE],
        control_share=0,
    )
    rule = EligibilityRule.objects.create(
        campaign=campaign,
        segments=[Segment.POSTPAID],
        value_tiers=[ValueTier.GOLD, ValueTier.PLATINUM],
        min_tenure_months=12,
        requires_product=fibre,
    )
    return {"campaign": campaign, "offer": offer, "rule": rule, "fibre": fibre}


def matching_customer(**kwargs):
    defaults = {
        "segment": Segment.POSTPAID,
        "value_tier": ValueTier.GOLD,
        "customer_since": timezone.localdate() - timedelta(days=400),
        "holdings": ["FIBRE-1G"],
        "consent_marketing": True,
    }
    return CustomerFactory(**{**defaults, **kwargs})


def shown(customer):
    return [c.offer.code for c in decide(customer=customer, channel_kind=STORE).offers]


def test_a_customer_who_matches_the_rule_gets_the_offer_without_a_target_group(always_on):
    customer = matching_customer()
    result = decide(customer=customer, channel_kind=STORE)
    assert [c.offer.code for c in result.offers] == ["TV-ADDON"]
    reason = result.offers[0].reason
    months = customer.tenure_months()  # 13, or 12 around some month ends
    assert (
        f"always on: consumer postpaid, Gold tier, with us {months} months, has Fibre 1 Gb/s"
        in reason
    )
    assert "likely to accept" not in reason  # no propensity without a model score
    assert Presentation.objects.get(decision=result.decision).campaign == always_on["campaign"]


@pytest.mark.parametrize(
    "change",
    [
        {"segment": Segment.PREPAID},
        {"value_tier": ValueTier.SILVER},
        {"customer_since": timezone.localdate() - timedelta(days=200)},  # 6 months
        {"holdings": []},  # no fibre
    ],
    ids=["segment", "value tier", "tenure", "required product"],
)
def test_each_condition_of_the_rule_keeps_other_customers_out(always_on, change):
    assert shown(matching_customer(**change)) == []


def test_an_empty_rule_matches_everyone_and_an_upper_tenure_bound_holds(always_on):
    rule = always_on["rule"]
    rule.segments, rule.value_tiers, rule.requires_product = [], [], None
    rule.min_tenure_months, rule.max_tenure_months = None, 6
    rule.save()
    newcomer = CustomerFactory(customer_since=timezone.localdate() - timedelta(days=60))
    veteran = CustomerFactory(customer_since=timezone.localdate() - timedelta(days=3000))
    assert shown(newcomer) == ["TV-ADDON"]
    assert shown(veteran) == []


def test_a_customer_who_already_has_the_product_is_not_offered_it(always_on):
    customer = matching_customer(holdings=["FIBRE-1G", "TV-PLUS"])
    result = decide(customer=customer, channel_kind=STORE)
    assert result.offers == []
    [c] = result.excluded
    assert c.excluded == Exclusion.ALREADY_HOLDS and c.explanation == "Already has TV Plus."


def test_holding_the_product_also_excludes_target_group_offers():
    product = ProductFactory(code="ROAM-EU")
    offer = OfferFactory(code="ROAM", product=product, channel_kinds=[STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE], control_share=0
    )
    customer = CustomerFactory(holdings=["ROAM-EU"])
    target_group(campaign, [{"customer": customer, "propensity": 0.9}])
    result = decide(customer=customer, channel_kind=STORE)
    assert result.offers == [] and result.excluded[0].excluded == Exclusion.ALREADY_HOLDS


def test_the_control_group_of_an_always_on_campaign_is_held_out(always_on):
    campaign = always_on["campaign"]
    campaign.control_share = 100
    campaign.save()
    result = decide(customer=matching_customer(), channel_kind=STORE)
    assert result.offers == []
    assert [c.excluded for c in result.held_out] == [Exclusion.CONTROL_GROUP]


def test_a_target_group_membership_wins_over_the_rule_for_the_same_campaign(always_on):
    customer = matching_customer()
    target_group(always_on["campaign"], [{"customer": customer, "propensity": 0.4}])
    [offer] = decide(customer=customer, channel_kind=STORE).offers
    assert "likely to accept: 40%" in offer.reason and "always on" not in offer.reason


def test_the_rule_refuses_an_upside_down_tenure_range(always_on):
    rule = always_on["rule"]
    rule.min_tenure_months, rule.max_tenure_months = 24, 12
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert "must not be below the minimum" in str(err.value)


def test_unknown_segments_in_a_rule_are_refused_with_the_allowed_values(always_on):
    rule = always_on["rule"]
    rule.segments = ["students"]
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert "students" in str(err.value) and "postpaid" in str(err.value)


# --- the catalogue follows every change ------------------------------------------------------


def test_pausing_a_campaign_removes_its_offers_from_the_next_decision(always_on):
    customer = matching_customer()
    assert shown(customer) == ["TV-ADDON"]
    campaign = always_on["campaign"]
    campaign.status = CampaignStatus.PAUSED
    campaign.save()
    assert shown(customer) == []


def test_removing_an_offer_from_a_campaign_and_ending_the_rule_take_effect_at_once(always_on):
    customer = matching_customer()
    always_on["campaign"].offers.remove(always_on["offer"])
    assert shown(customer) == []
    always_on["campaign"].offers.add(always_on["offer"])
    assert shown(customer) == ["TV-ADDON"]
    always_on["rule"].delete()
    assert shown(customer) == []


def test_a_campaign_starts_and_ends_by_the_clock_without_a_rebuild(always_on):
    customer = matching_customer()
    campaign = always_on["campaign"]
    after_end = campaign.ends_at + timedelta(minutes=1)
    before_start = campaign.starts_at - timedelta(minutes=1)
    assert decide(customer=customer, channel_kind=STORE, now=after_end).offers == []
    assert decide(customer=customer, channel_kind=STORE, now=before_start).offers == []


def test_changes_written_past_the_orm_show_after_the_maximum_age(always_on, monkeypatch):
    from campaigns.models import Campaign

    customer = matching_customer()
    assert shown(customer) == ["TV-ADDON"]
    Campaign.objects.filter(pk=always_on["campaign"].pk).update(status=CampaignStatus.PAUSED)
    assert shown(customer) == ["TV-ADDON"]  # no signal: the catalogue held in memory is used
    monkeypatch.setattr(catalogue, "MAX_AGE", 0.0)
    assert shown(customer) == []


def test_a_change_saved_by_another_process_is_seen_at_the_next_stamp_check(always_on, monkeypatch):
    from django.core.cache import cache

    from campaigns.models import Campaign

    customer = matching_customer()
    assert shown(customer) == ["TV-ADDON"]
    # Another process saves the campaign: the row changes and the shared stamp is renewed,
    # but nothing in this process is told.
    Campaign.objects.filter(pk=always_on["campaign"].pk).update(status=CampaignStatus.PAUSED)
    cache.set(catalogue.STAMP_KEY, "renewed-by-another-process", None)
    assert shown(customer) == ["TV-ADDON"]  # the shared cache is asked at most once a second
    monkeypatch.setattr(catalogue, "STAMP_CHECK_EVERY", 0.0)
    assert shown(customer) == []
