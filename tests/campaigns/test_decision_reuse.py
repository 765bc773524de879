"""One contact, one decision: an agent re-opening a customer within the contact window gets the
same decision again, and nothing new is recorded; and each exclusion knows when it ends."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Exclusion, Outcome, ProductFamily
from campaigns.decisioning import decide
from campaigns.models import ContactPolicy, Decision, DeclineReason, Presentation, Response
from campaigns.responses import record_outcome
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    UserFactory,
    target_group,
)

pytestmark = pytest.mark.django_db

STORE = ChannelKind.STORE
WINDOW = timedelta(minutes=30)


@pytest.fixture
def world():
    """A customer in three live store campaigns, one offer each, of three product families."""
    customer = CustomerFactory(consent_marketing=True, consent_calls=True)
    campaigns = {}
    for code, family, propensity in (
        ("PLAN", ProductFamily.MOBILE_PLAN, 0.5),
        ("DATA", ProductFamily.DATA_ADDON, 0.9),
        ("TV", ProductFamily.TV, 0.2),
    ):
        offer = OfferFactory(
            code=code,
            title=f"{code} offer",
            product=ProductFactory(family=family),
            value=Decimal("10"),
            channel_kinds=[STORE, ChannelKind.INBOUND_CALL],
        )
        campaigns[code] = CampaignFactory(
            code=f"C-{code}",
            name=f"{code} campaign",
            status=CampaignStatus.LIVE,
            offers=[offer],
            channel_kinds=[STORE, ChannelKind.INBOUND_CALL],
        )
        target_group(campaigns[code], [{"customer": customer, "propensity": propensity}])
    return {"customer": customer, "campaigns": campaigns, "agent": UserFactory()}


def open_page(world, agent=None, kind=STORE, **kwargs):
    """What the console does when the agent opens the customer's page."""
    return decide(
        customer=world["customer"],
        channel_kind=kind,
        agent=agent or world["agent"],
        reuse_within=WINDOW,
        **kwargs,
    )


def shown(result):
    return [c.offer.code for c in result.offers]


def test_reopening_within_the_window_shows_the_same_decision_and_records_nothing(world):
    # Given the agent opened the customer's page once
    first = open_page(world)

    # When they open it again (a reload, a second search, a language switch)
    again = open_page(world)

    # Then it is the same decision with the same presentations, and no row was added
    assert again.reused and not first.reused
    assert again.decision.pk == first.decision.pk
    assert [c.presentation.pk for c in again.offers] == [c.presentation.pk for c in first.offers]
    assert [c.reason for c in again.offers] == [c.reason for c in first.offers]
    assert shown(again) == ["DATA", "PLAN", "TV"]
    assert Decision.objects.count() == 1 and Presentation.objects.count() == 3


def test_after_the_window_a_new_decision_is_made(world):
    first = open_page(world)
    later = open_page(world, now=timezone.now() + WINDOW + timedelta(minutes=1))
    assert not later.reused and later.decision.pk != first.decision.pk
    assert Decision.objects.count() == 2


def test_another_agent_or_another_channel_kind_is_another_contact(world):
    first = open_page(world)
    colleague = open_page(world, agent=UserFactory())
    on_the_phone = open_page(world, kind=ChannelKind.INBOUND_CALL)
    assert len({first.decision.pk, colleague.decision.pk, on_the_phone.decision.pk}) == 3
    assert not colleague.reused and not on_the_phone.reused


def test_callers_without_a_window_decide_anew_every_time(world):
    # The API and the outbound lists ask without reuse_within: each call is a decision.
    decide(customer=world["customer"], channel_kind=STORE, agent=world["agent"])
    decide(customer=world["customer"], channel_kind=STORE, agent=world["agent"])
    assert Decision.objects.count() == 2


def test_outcomes_recorded_in_the_contact_come_back_with_the_reused_decision(world):
    # Given the agent recorded "later" for one offer of the page
    first = open_page(world)
    data = next(c for c in first.offers if c.offer.code == "DATA")
    response, _ = record_outcome(presentation=data.presentation, outcome=Outcome.LATER)

    # When they open the customer again
    again = open_page(world)

    # Then the offer is still on the page with its outcome, counted once, and not listed as
    # "not offered" (the cooldown it started is about this very contact)
    assert shown(again) == ["DATA", "PLAN", "TV"]
    assert again.recorded == {data.presentation.pk: response}
    assert Response.objects.count() == 1 and Presentation.objects.count() == 3
    assert "DATA" not in [c.offer.code for c in again.excluded]


def test_a_campaign_stopped_since_leaves_the_reused_decision(world):
    first = open_page(world)
    tv = world["campaigns"]["TV"]
    tv.status = CampaignStatus.PAUSED  # the kill switch: every channel, on the next request
    tv.save()
    again = open_page(world)
    assert again.decision.pk == first.decision.pk and shown(again) == ["DATA", "PLAN"]


def test_held_out_presentations_stay_held_out_when_reused():
    # Given a customer in a campaign's control group
    customer = CustomerFactory(consent_marketing=True)
    offer = OfferFactory(channel_kinds=[STORE])
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE])
    target_group(campaign, [{"customer": customer, "propensity": 0.9, "is_control": True}])
    agent = UserFactory()
    first = decide(customer=customer, channel_kind=STORE, agent=agent, reuse_within=WINDOW)

    # When the page is opened again
    again = decide(customer=customer, channel_kind=STORE, agent=agent, reuse_within=WINDOW)

    # Then nothing is shown, the held-out presentation is the same one, and nothing is excluded
    assert again.reused and again.offers == [] and again.excluded == []
    assert [c.presentation.pk for c in again.held_out] == [first.held_out[0].presentation.pk]
    assert [c.excluded for c in again.held_out] == [Exclusion.CONTROL_GROUP]


def test_the_reused_decision_excludes_what_the_rules_exclude_now(world):
    # Given the customer had declined the TV offer for good before this contact
    customer = world["customer"]
    earlier = decide(customer=customer, channel_kind=STORE)
    tv = next(c for c in earlier.offers if c.offer.code == "TV")
    record_outcome(
        presentation=tv.presentation,
        outcome=Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="already_has_it"),
    )
    page = open_page(world)
    assert "TV" not in shown(page)

    # When the page is opened again
    again = open_page(world)

    # Then the exclusion is still given, with its reason
    assert again.reused
    assert {c.offer.code: c.excluded for c in again.excluded} == {"TV": Exclusion.DECLINED_RECENTLY}


# --- when an exclusion ends ----------------------------------------------------------------


def _respond(customer, code, outcome, **kwargs):
    result = decide(customer=customer, channel_kind=STORE)
    chosen = next(c for c in result.offers if c.offer.code == code)
    return record_outcome(presentation=chosen.presentation, outcome=outcome, **kwargs)[0]


def _excluded(customer, now=None):
    return {
        c.offer.code: c for c in decide(customer=customer, channel_kind=STORE, now=now).excluded
    }


def test_a_decline_ends_after_its_reason_s_days_or_never(world):
    customer = world["customer"]
    price = _respond(
        customer, "TV", Outcome.DECLINED, decline_reason=DeclineReason.objects.get(code="price")
    )
    for_good = _respond(
        customer,
        "PLAN",
        Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="already_has_it"),
    )
    excluded = _excluded(customer)
    assert excluded["TV"].excluded == Exclusion.DECLINED_RECENTLY
    assert excluded["TV"].available_from == price.recorded_at + timedelta(days=30)
    assert excluded["TV"].since == price.recorded_at
    assert excluded["PLAN"].available_from is None
    assert excluded["PLAN"].since == for_good.recorded_at


def test_a_cooldown_ends_its_days_after_the_campaign_s_last_contact(world):
    customer = world["customer"]
    world["campaigns"]["DATA"].cooldown_days = 14
    world["campaigns"]["DATA"].save()
    later = _respond(customer, "DATA", Outcome.LATER)
    data = _excluded(customer)["DATA"]
    assert data.excluded == Exclusion.COOLDOWN
    assert (data.since, data.available_from) == (
        later.recorded_at,
        later.recorded_at + timedelta(days=14),
    )


def test_the_contact_cap_ends_when_enough_contacts_have_left_the_window(world):
    # Given a cap of 2 contacts in 30 days, no cooldowns, and three contacts 10, 5 and 1 days ago
    customer = world["customer"]
    for campaign in world["campaigns"].values():
        campaign.cooldown_days = 0
        campaign.save()
    now = timezone.now()
    for code, days in (("PLAN", 10), ("DATA", 5), ("TV", 1)):
        response = _respond(customer, code, Outcome.LATER)
        Response.objects.filter(pk=response.pk).update(recorded_at=now - timedelta(days=days))
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 2, "window_days": 30})

    # When the customer is decided for now
    excluded = _excluded(customer, now=now)

    # Then every offer is capped until two contacts have left the window: the one of 5 days ago
    # leaves it in 25 days
    assert {c.excluded for c in excluded.values()} == {Exclusion.CONTACT_CAP}
    assert {c.available_from for c in excluded.values()} == {now + timedelta(days=25)}


def test_an_offer_not_yet_valid_says_from_when():
    customer = CustomerFactory(consent_marketing=True)
    starts = timezone.now() + timedelta(days=3)
    offer = OfferFactory(code="SOON", valid_from=starts, channel_kinds=[STORE])
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[STORE])
    target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    [soon] = decide(customer=customer, channel_kind=STORE).excluded
    assert (soon.excluded, soon.available_from) == (Exclusion.NOT_VALID, starts)
