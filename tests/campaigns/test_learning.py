"""Learned propensities in decisions: the campaign's source, the reason, exploration."""

from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import (
    CampaignStatus,
    ChannelKind,
    ProductFamily,
    PropensitySource,
    Segment,
    ValueTier,
)
from campaigns.decisioning import decide
from campaigns.learning import serving
from campaigns.models import ContactPolicy, LearnedPropensity, Presentation
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE


def learned(offer, *, presented, accepted, prior=0.1, kind=STORE, tier=ValueTier.SILVER):
    LearnedPropensity.objects.create(
        offer=offer, channel_kind=kind, segment=Segment.POSTPAID, value_tier=tier,
        prior=prior, prior_weight=20, presented=presented, accepted=accepted,
        refreshed_at=timezone.now(),
    )  # fmt: skip
    serving.invalidate()


@pytest.fixture
def world():
    """One silver postpaid customer in two campaigns' files: A (file 50 %), B (file 40 %); the
    same value, so the likelihood alone ranks them."""
    ContactPolicy.objects.update_or_create(pk=1, defaults={"default_propensity": 0.1})
    customer = CustomerFactory(segment=Segment.POSTPAID, value_tier=ValueTier.SILVER)
    offers, campaigns = {}, {}
    families = {"A": ProductFamily.MOBILE_PLAN, "B": ProductFamily.TV}
    for code, propensity in (("A", 0.5), ("B", 0.4)):
        offers[code] = OfferFactory(
            code=code,
            product=ProductFactory(family=families[code]),
            value=Decimal(10),
            channel_kinds=[STORE],
        )
        campaigns[code] = CampaignFactory(
            code=f"C-{code}", status=CampaignStatus.LIVE, offers=[offers[code]],
            channel_kinds=[STORE], control_share=0,
        )  # fmt: skip
        target_group(campaigns[code], [{"customer": customer, "propensity": propensity}])
    # A's customers like this one accept it 10 % of the time, over 1,000 presentations
    learned(offers["A"], presented=1000, accepted=100)
    return {"customer": customer, "offers": offers, "campaigns": campaigns}


def use(campaign, source, **fields):
    campaign.propensity_source = source
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save()


def shown(world):
    result = decide(customer=world["customer"], channel_kind=STORE)
    return [c.offer.code for c in result.offers], {c.offer.code: c for c in result.offers}


def test_file_source_scores_and_records_the_files_propensity(world):
    order, by_code = shown(world)
    assert order == ["A", "B"]
    a = Presentation.objects.get(offer=world["offers"]["A"])
    assert a.propensity == pytest.approx(0.5)
    assert "likely to accept: 50%" in a.reason


def test_learned_source_uses_the_customers_file_propensity_as_prior_and_the_groups_evidence(world):
    use(world["campaigns"]["A"], PropensitySource.LEARNED)
    order, by_code = shown(world)
    expected = (0.5 * 20 + 100) / (20 + 1000)
    # The evidence overrides the file: B now ranks first
    assert order == ["B", "A"]
    a = Presentation.objects.get(offer=world["offers"]["A"])
    assert a.propensity == pytest.approx(expected)
    b = Presentation.objects.get(offer=world["offers"]["B"])
    assert a.score / b.score == pytest.approx(expected / 0.4)  # same value and priority
    assert "customers like this accept this offer about 11% of the time" in a.reason
    assert "likely to accept" not in a.reason


def test_blended_source_averages_file_and_learned(world):
    use(world["campaigns"]["A"], PropensitySource.BLENDED)
    shown(world)
    a = Presentation.objects.get(offer=world["offers"]["A"])
    assert a.propensity == pytest.approx((0.5 + (0.5 * 20 + 100) / 1020) / 2)


def test_learned_source_without_evidence_for_the_group_keeps_the_files_figure(world):
    use(world["campaigns"]["B"], PropensitySource.LEARNED)
    order, by_code = shown(world)
    b = Presentation.objects.get(offer=world["offers"]["B"])
    assert b.propensity == pytest.approx(0.4)
    assert "likely to accept: 40%" in b.reason


def test_little_evidence_keeps_the_models_wording(world):
    learned(world["offers"]["B"], presented=5, accepted=5)
    use(world["campaigns"]["B"], PropensitySource.LEARNED)
    shown(world)
    b = Presentation.objects.get(offer=world["offers"]["B"])
    assert b.propensity == pytest.approx((0.4 * 20 + 5) / 25)
    assert "likely to accept: 52%" in b.reason


def test_a_refresh_reaches_decisions_without_a_restart(world):
    use(world["campaigns"]["B"], PropensitySource.LEARNED)
    shown(world)
    learned(world["offers"]["B"], presented=2000, accepted=1800)  # stamps: reloaded
    decide(customer=world["customer"], channel_kind=STORE)
    latest = Presentation.objects.filter(offer=world["offers"]["B"]).order_by("-pk")[0]
    assert latest.propensity == pytest.approx((0.4 * 20 + 1800) / 2020)


def test_decisions_read_no_learned_rows_from_the_database(world, django_assert_num_queries):
    use(world["campaigns"]["A"], PropensitySource.LEARNED)
    shown(world)  # the table is loaded once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        shown(world)
    assert not [q for q in queries if "learnedpropensity" in q["sql"]]


def test_exploration_never_touches_a_control_group_member_but_does_others():
    # Given a campaign exploring 20 % of decisions, a customer in its control group and one not
    offer = OfferFactory(code="X", channel_kinds=[STORE])
    campaign = CampaignFactory(
        code="EXP", status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE],
        propensity_source=PropensitySource.LEARNED, exploration_share=Decimal(20),
    )  # fmt: skip
    held, treated = CustomerFactory(), CustomerFactory()
    target_group(
        campaign,
        [
            {"customer": held, "propensity": 0.3, "is_control": True},
            {"customer": treated, "propensity": 0.3},
        ],
    )
    serving.seed(2026)
    # When each is decided for 250 times
    explored_held = explored_treated = 0
    for _ in range(250):
        control = decide(customer=held, channel_kind=STORE)
        assert [c.offer.code for c in control.held_out] == ["X"]
        explored_held += control.held_out[0].sampled is not None
        result = decide(customer=treated, channel_kind=STORE)
        explored_treated += result.offers[0].sampled is not None
    # Then the control-group member was never explored; the other about 20 % of the time
    assert explored_held == 0
    assert 25 <= explored_treated <= 80


def test_exploration_scores_with_a_sample_but_records_the_estimate(world):
    use(world["campaigns"]["A"], PropensitySource.LEARNED, exploration_share=Decimal(20))
    serving.seed(1)
    estimate = (0.5 * 20 + 100) / 1020
    samples = []
    for _ in range(60):
        result = decide(customer=world["customer"], channel_kind=STORE)
        a = next(c for c in result.offers + result.excluded if c.offer.code == "A")
        if a.sampled is not None:
            samples.append(a.sampled)
            assert a.presentation is None or a.presentation.propensity == pytest.approx(estimate)
    assert samples and len(set(samples)) == len(samples)
    assert all(0 <= s <= 1 for s in samples)


def test_exploration_is_off_by_default(world):
    use(world["campaigns"]["A"], PropensitySource.LEARNED)
    for _ in range(30):
        result = decide(customer=world["customer"], channel_kind=STORE)
        assert all(c.sampled is None for c in result.offers)
