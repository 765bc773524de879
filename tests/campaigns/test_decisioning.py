"""The next-best-offer decision: candidates, each named filter, arbitration, recording."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Exclusion, Outcome, ProductFamily
from campaigns.decisioning import decide
from campaigns.models import ContactPolicy, DeclineReason, Presentation
from campaigns.responses import record_outcome
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE


def live_campaign(code, offers, **kwargs):
    return CampaignFactory(
        code=code,
        status=CampaignStatus.LIVE,
        offers=offers,
        channel_kinds=[STORE, ChannelKind.OUTBOUND_CALL],
        **kwargs,
    )


@pytest.fixture
def setup():
    customer = CustomerFactory(consent_marketing=True, consent_calls=True)
    plan, data, tv = (
        ProductFactory(family=f)
        for f in (ProductFamily.MOBILE_PLAN, ProductFamily.DATA_ADDON, ProductFamily.TV)
    )
    offers = {
        "plan": OfferFactory(code="PLAN", product=plan, value=Decimal("20"), channel_kinds=[STORE]),
        "data": OfferFactory(code="DATA", product=data, value=Decimal("10"), channel_kinds=[STORE]),
        "tv": OfferFactory(code="TV", product=tv, value=Decimal("30"), channel_kinds=[STORE]),
    }
    campaigns = {
        "ret": live_campaign("RET", [offers["plan"]]),
        "up": live_campaign("UP", [offers["data"]]),
        "xs": live_campaign("XS", [offers["tv"]]),
    }
    for key, campaign in campaigns.items():
        target_group(
            campaign,
            [{"customer": customer, "propensity": {"ret": 0.5, "up": 0.9, "xs": 0.2}[key]}],
        )
    return {"customer": customer, "offers": offers, "campaigns": campaigns}


def codes(candidates):
    return [c.offer.code for c in candidates]


def excluded(result):
    return {c.offer.code: c.excluded for c in result.excluded}


def test_offers_are_ranked_by_propensity_value_and_priority_with_a_reason(setup):
    result = decide(customer=setup["customer"], channel_kind=STORE)
    # scores: PLAN 0.5 × 240 = 120, DATA 0.9 × 120 = 108, TV 0.2 × 360 = 72
    assert codes(result.offers) == ["PLAN", "DATA", "TV"]
    assert [c.presentation.rank for c in result.offers] == [1, 2, 3]
    assert "likely to accept: 50%" in result.offers[0].reason
    assert Presentation.objects.filter(decision=result.decision).count() == 3


def test_weights_and_priority_change_the_order(setup):
    setup["campaigns"]["xs"].priority_weight = Decimal("3")
    setup["campaigns"]["xs"].save()
    assert codes(decide(customer=setup["customer"], channel_kind=STORE).offers)[0] == "TV"
    ContactPolicy.objects.update_or_create(pk=1, defaults={"value_weight": 0, "priority_weight": 0})
    assert codes(decide(customer=setup["customer"], channel_kind=STORE).offers) == [
        "DATA",
        "PLAN",
        "TV",
    ]


def test_only_live_campaigns_in_the_channel_and_customers_in_their_target_group(setup):
    setup["campaigns"]["xs"].status = CampaignStatus.PAUSED
    setup["campaigns"]["xs"].save()
    other = CustomerFactory(consent_marketing=True)
    assert codes(decide(customer=setup["customer"], channel_kind=STORE).offers) == ["PLAN", "DATA"]
    assert decide(customer=other, channel_kind=STORE).offers == []
    assert decide(customer=setup["customer"], channel_kind=ChannelKind.USSD).offers == []


def test_the_member_s_suggested_offer_is_the_one_considered():
    customer = CustomerFactory(consent_marketing=True)
    a, b = (
        OfferFactory(code="A", channel_kinds=[STORE]),
        OfferFactory(
            code="B", channel_kinds=[STORE], product=ProductFactory(family=ProductFamily.TV)
        ),
    )
    campaign = live_campaign("C", [a, b])
    target_group(campaign, [{"customer": customer, "offer": b, "propensity": 0.5}])
    assert codes(decide(customer=customer, channel_kind=STORE).offers) == ["B"]


def test_an_offer_outside_its_validity_is_excluded(setup):
    offer = setup["offers"]["tv"]
    offer.valid_until = timezone.now() - timedelta(minutes=1)
    offer.valid_from = timezone.now() - timedelta(days=5)
    offer.save()
    assert (
        excluded(decide(customer=setup["customer"], channel_kind=STORE))["TV"]
        == Exclusion.NOT_VALID
    )


def test_no_consent_or_do_not_contact_excludes_everything(setup):
    customer = setup["customer"]
    customer.consent_marketing = False
    customer.save()
    result = decide(customer=customer, channel_kind=STORE)
    assert result.offers == [] and set(excluded(result).values()) == {Exclusion.NO_CONSENT}
    customer.consent_marketing, customer.do_not_contact = True, True
    customer.save()
    assert set(excluded(decide(customer=customer, channel_kind=STORE)).values()) == {
        Exclusion.DO_NOT_CONTACT
    }


def _respond(customer, code, outcome, **kwargs):
    result = decide(customer=customer, channel_kind=STORE)
    chosen = next(c for c in result.offers if c.offer.code == code)
    return record_outcome(presentation=chosen.presentation, outcome=outcome, **kwargs)[0]


def test_a_decline_suppresses_the_offer_for_its_reasons_period(setup):
    customer = setup["customer"]
    price = DeclineReason.objects.get(code="price")  # 30 days
    response = _respond(customer, "TV", Outcome.DECLINED, decline_reason=price)
    later = response.recorded_at + timedelta(days=29)
    assert (
        excluded(decide(customer=customer, channel_kind=STORE, now=later))["TV"]
        == Exclusion.DECLINED_RECENTLY
    )
    # (the campaign's own 30-day cooldown also ends; with it at 0 only the decline rule speaks)
    setup["campaigns"]["xs"].cooldown_days = 0
    setup["campaigns"]["xs"].save()
    assert "TV" in codes(
        decide(
            customer=customer, channel_kind=STORE, now=response.recorded_at + timedelta(days=31)
        ).offers
    )


def test_already_has_it_suppresses_for_good(setup):
    customer = setup["customer"]
    setup["campaigns"]["xs"].cooldown_days = 0
    setup["campaigns"]["xs"].save()
    response = _respond(
        customer,
        "TV",
        Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="already_has_it"),
    )
    far = response.recorded_at + timedelta(days=40)  # the 30 days of "too expensive" would be over
    assert (
        excluded(decide(customer=customer, channel_kind=STORE, now=far))["TV"]
        == Exclusion.DECLINED_RECENTLY
    )


def test_an_accepted_offer_is_not_offered_again(setup):
    customer = setup["customer"]
    setup["campaigns"]["ret"].cooldown_days = 0
    setup["campaigns"]["ret"].save()
    _respond(customer, "PLAN", Outcome.ACCEPTED)
    assert (
        excluded(decide(customer=customer, channel_kind=STORE))["PLAN"]
        == Exclusion.ALREADY_ACCEPTED
    )


def test_a_campaign_s_cooldown_counts_contacts_not_unpresented_offers(setup):
    customer = setup["customer"]
    _respond(customer, "DATA", Outcome.NOT_PRESENTED, not_presented_reason="no_time")
    assert "DATA" in codes(decide(customer=customer, channel_kind=STORE).offers)
    _respond(customer, "DATA", Outcome.LATER)
    assert excluded(decide(customer=customer, channel_kind=STORE))["DATA"] == Exclusion.COOLDOWN


def test_the_global_contact_cap_stops_further_offers(setup):
    customer = setup["customer"]
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 2, "window_days": 30})
    _respond(customer, "PLAN", Outcome.LATER)
    _respond(customer, "DATA", Outcome.LATER)
    result = decide(customer=customer, channel_kind=STORE)
    assert result.offers == []
    assert excluded(result)["TV"] == Exclusion.CONTACT_CAP


def test_contacts_older_than_the_window_do_not_count_towards_the_cap(setup):
    # Given a cap of 2 contacts in 7 days, no cooldowns, and two contacts 8 days ago
    customer = setup["customer"]
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 2, "window_days": 7})
    for campaign in setup["campaigns"].values():
        campaign.cooldown_days = 0
        campaign.save()
    now = timezone.now()
    for code in ("PLAN", "DATA"):
        response = _respond(customer, code, Outcome.LATER)
        type(response).objects.filter(pk=response.pk).update(recorded_at=now - timedelta(days=8))

    # When the customer comes back now, and again after one more contact inside the window
    before = decide(customer=customer, channel_kind=STORE, now=now)
    _respond(customer, "TV", Outcome.LATER)
    after_one = decide(customer=customer, channel_kind=STORE, now=now + timedelta(minutes=1))
    _respond(customer, "PLAN", Outcome.LATER)
    after_two = decide(customer=customer, channel_kind=STORE, now=now + timedelta(minutes=2))

    # Then the old contacts count for nothing; the cap stops offers at two inside the window
    assert codes(before.offers) == ["PLAN", "DATA", "TV"]
    assert codes(after_one.offers) == ["PLAN", "DATA", "TV"]
    assert after_two.offers == []
    assert set(excluded(after_two).values()) == {Exclusion.CONTACT_CAP}


def test_of_two_offers_of_one_family_only_the_better_is_shown():
    # Given a customer in two campaigns whose offers are both mobile plans, and room for three
    customer = CustomerFactory(consent_marketing=True)
    family = ProductFactory(family=ProductFamily.MOBILE_PLAN)
    better = OfferFactory(code="BIG", product=family, value=Decimal("50"), channel_kinds=[STORE])
    worse = OfferFactory(
        code="SMALL", product=ProductFactory(family=ProductFamily.MOBILE_PLAN),
        value=Decimal("5"), channel_kinds=[STORE],
    )  # fmt: skip
    other = OfferFactory(
        code="TV", product=ProductFactory(family=ProductFamily.TV), channel_kinds=[STORE]
    )
    for code, offer in (("A", better), ("B", worse), ("C", other)):
        target_group(live_campaign(code, [offer]), [{"customer": customer, "propensity": 0.5}])

    # When the customer is decided for
    result = decide(customer=customer, channel_kind=STORE)

    # Then one mobile plan is shown, the better one, beside the offer of another family
    assert codes(result.offers) == ["BIG", "TV"]
    assert excluded(result) == {"SMALL": Exclusion.SAME_FAMILY}


def test_one_offer_per_product_family(setup):
    customer = setup["customer"]
    second_plan = OfferFactory(
        code="PLAN2",
        product=setup["offers"]["plan"].product,
        value=Decimal("5"),
        channel_kinds=[STORE],
    )
    campaign = live_campaign("RET2", [second_plan])
    target_group(campaign, [{"customer": customer, "propensity": 0.9}])
    result = decide(customer=customer, channel_kind=STORE)
    assert "PLAN2" not in codes(result.offers)
    assert excluded(result)["PLAN2"] == Exclusion.SAME_FAMILY


def test_assisted_channels_get_three_offers_digital_ones_one(setup):
    customer = setup["customer"]
    extra = OfferFactory(
        code="ROAM",
        product=ProductFactory(family=ProductFamily.ROAMING),
        channel_kinds=[STORE, ChannelKind.APP],
    )
    target_group(live_campaign("ROAM", [extra]), [{"customer": customer, "propensity": 0.01}])
    result = decide(customer=customer, channel_kind=STORE)
    assert len(result.offers) == 3 and excluded(result)["ROAM"] == Exclusion.OVER_LIMIT
    customer.consent_app_push = True
    customer.save()
    app_campaign = CampaignFactory(
        code="APP", status=CampaignStatus.LIVE, offers=[extra], channel_kinds=[ChannelKind.APP]
    )
    target_group(app_campaign, [{"customer": customer, "propensity": 0.5}])
    assert len(decide(customer=customer, channel_kind=ChannelKind.APP).offers) == 1


def test_control_group_members_are_held_out_and_recorded(setup):
    customer = CustomerFactory(consent_marketing=True)
    target_group(
        setup["campaigns"]["up"], [{"customer": customer, "propensity": 0.9, "is_control": True}]
    )
    result = decide(customer=customer, channel_kind=STORE)
    assert result.offers == []
    assert [c.excluded for c in result.held_out] == [Exclusion.CONTROL_GROUP]
    assert Presentation.objects.get(decision=result.decision).held_out


def _allowed_by_an_independent_reading_of_the_rules(customer, offer, campaign, at) -> bool:
    """The contact policy restated from the responses table, without the decisioning code."""
    from campaigns.models import Response

    policy = ContactPolicy.objects.get(pk=1)
    mine = Response.objects.filter(customer=customer, recorded_at__lte=at)
    contacts = mine.exclude(outcome=Outcome.NOT_PRESENTED)
    if not (offer.valid_from <= at and (offer.valid_until is None or at < offer.valid_until)):
        return False
    if customer.do_not_contact or not customer.consent_marketing:
        return False
    if offer.product.code in customer.holdings:
        return False
    if mine.filter(offer=offer, outcome=Outcome.ACCEPTED).exists():
        return False
    for declined in mine.filter(offer=offer, outcome=Outcome.DECLINED).select_related(
        "decline_reason"
    ):
        days = declined.decline_reason.suppression_days
        if days is None or declined.recorded_at + timedelta(days=days) > at:
            return False
    if contacts.filter(
        campaign=campaign, recorded_at__gt=at - timedelta(days=campaign.cooldown_days)
    ).exists():
        return False
    return (
        contacts.filter(recorded_at__gte=at - timedelta(days=policy.window_days)).count()
        < policy.max_contacts
    )


ARBITRATION = {Exclusion.SAME_FAMILY, Exclusion.OVER_LIMIT}  # passed the policy, lost the ranking


def test_policy_shows_exactly_the_offers_the_rules_allow(setup):
    """Random histories of outcomes over weeks, read both ways: every offer shown passes the
    rules read independently, and every offer the policy excluded fails them."""
    import random

    rng = random.Random(7)
    customer = setup["customer"]
    campaigns = list(setup["campaigns"].values())
    for family in (
        ProductFamily.BROADBAND,
        ProductFamily.INSURANCE,
        ProductFamily.ROAMING,
        ProductFamily.CONTENT,
        ProductFamily.DEVICE,
    ):
        offer = OfferFactory(
            code=family.upper(), product=ProductFactory(family=family), channel_kinds=[STORE]
        )
        campaigns.append(
            live_campaign(
                f"C-{family.upper()}", [offer], ends_at=timezone.now() + timedelta(days=90)
            )
        )
        target_group(campaigns[-1], [{"customer": customer, "propensity": rng.random()}])
    for campaign in campaigns:
        campaign.cooldown_days = rng.choice([0, 2, 7])
        campaign.ends_at = timezone.now() + timedelta(days=90)
        campaign.save()
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 5, "window_days": 7})
    reasons = list(DeclineReason.objects.exclude(code="already_has_it")) * 5 + [
        DeclineReason.objects.get(code="already_has_it")
    ]
    at = timezone.now()
    shown_total = refused_total = 0
    for _step in range(45):
        at += timedelta(hours=rng.choice([1, 12, 24, 48]))  # stays within the campaigns' period
        if rng.random() < 0.05:  # the warehouse reports a product the customer has taken elsewhere
            customer.holdings = [
                *customer.holdings,
                rng.choice(campaigns).offers.get().product.code,
            ]
            customer.save()
        result = decide(customer=customer, channel_kind=STORE, now=at)
        assert len(result.offers) <= 3
        for c in result.offers:
            assert _allowed_by_an_independent_reading_of_the_rules(
                customer, c.offer, c.campaign, at
            ), (c.offer.code, at)
        shown_families = {c.offer.product.family for c in result.offers}
        for c in result.excluded:
            allowed = _allowed_by_an_independent_reading_of_the_rules(
                customer, c.offer, c.campaign, at
            )
            assert allowed == (c.excluded in ARBITRATION), (c.offer.code, c.excluded, at)
            if c.excluded == Exclusion.SAME_FAMILY:
                assert c.offer.product.family in shown_families
            if c.excluded == Exclusion.OVER_LIMIT:
                assert len(result.offers) == 3
        refused_total += sum(c.excluded not in ARBITRATION for c in result.excluded)
        shown_total += len(result.offers)
        if result.offers:
            chosen = rng.choice(result.offers)
            outcome = rng.choices(list(Outcome), weights=[1, 3, 10, 6])[
                0
            ]  # accepted, declined, later, not presented
            response, _created = record_outcome(
                presentation=chosen.presentation, outcome=outcome,
                decline_reason=rng.choice(reasons) if outcome == Outcome.DECLINED else None,
                not_presented_reason="no_time" if outcome == Outcome.NOT_PRESENTED else "",
            )  # fmt: skip
            type(response).objects.filter(pk=response.pk).update(
                recorded_at=at
            )  # it happened "then"
    assert shown_total > 40 and refused_total > 40  # the walk did exercise the policy, both ways


def test_the_decision_log_s_parents_are_still_protected_without_database_constraints():
    # Given a decision an agent made, with its audit row (the decision log's hot parents have
    # no foreign-key constraint in the database: the ORM's on_delete must still hold)
    from django.db.models import ProtectedError

    from campaigns.models import Decision
    from cvm_portal.audit import access
    from cvm_portal.models import AuditEvent
    from cvm_portal.roles import Role
    from tests.factories import user_with_role

    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    customer = CustomerFactory(external_id="FK-0000001")
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    agent = user_with_role(Role.AGENT)
    result = decide(
        customer=customer,
        channel_kind=ChannelKind.STORE,
        agent=agent,
        audit=access(user=agent, action="decide", obj=customer, detail="test"),
    )
    assert [c.offer for c in [*result.offers, *result.held_out]] == [offer]
    # Then the offer and the campaign that were presented cannot be deleted
    with pytest.raises(ProtectedError):
        offer.delete()
    with pytest.raises(ProtectedError):
        campaign.delete()
    # ...nor the agent who has audit events; without them, the decision keeps without its agent
    with pytest.raises(ProtectedError):
        agent.delete()
    AuditEvent.objects.filter(user=agent).delete()
    agent.delete()
    assert Decision.objects.get(pk=result.decision.pk).agent_id is None
    # ...nor the customer who was decided for; deleting the decision takes its presentations
    with pytest.raises(ProtectedError):
        customer.delete()
    Decision.objects.filter(pk=result.decision.pk).delete()
    assert not Presentation.objects.filter(decision_id=result.decision.pk).exists()
    customer.delete()
