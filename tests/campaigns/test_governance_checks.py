"""Pre-live checks: what blocks submission and approval, and what the approver must acknowledge."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
from campaigns.governance.checks import BLOCKING, WARNING, run_checks
from campaigns.lifecycle import approve, submit
from campaigns.models import (
    ApprovalRecord,
    ApprovalStep,
    Campaign,
    EligibilityRule,
    OfferContent,
    Product,
)
from channels.capacity import Overload
from cvm_portal.roles import Role
from tests.factories import (
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    ProductFactory,
    make_guide,
    ready_campaign,
    target_group,
)

pytestmark = pytest.mark.django_db

LONG_SCRIPT = " ".join(["word"] * 120)  # about 48 s to read: over the 20 s of an inbound call


@pytest.fixture
def author(make_user):
    return make_user(Role.CVM_MANAGER)


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.CVM_MANAGER)


def _codes(campaign, severity):
    return [r.code for r in run_checks(campaign) if r.severity == severity]


def _no_audience(c):
    EligibilityRule.objects.filter(campaign=c).delete()


def _no_offers(c):
    c.offers.clear()


def _ussd_text_too_long(c):
    # "ż" makes the text UCS-2, whose limit is 80 (the field's own validator is bypassed, as a
    # text changed by a later rule or an import would be).
    OfferContent.objects.filter(offer__campaigns=c, channel_kind=ChannelKind.USSD).update(
        short_text="ż" * 81
    )


def _training_without_guide(c):
    Campaign.objects.filter(pk=c.pk).update(training_required=True)


def _period_over(c):
    now = timezone.now()
    Campaign.objects.filter(pk=c.pk).update(
        starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=1)
    )


BLOCKERS = {
    "no_audience": _no_audience,
    "no_offers": _no_offers,
    "text_too_long": _ussd_text_too_long,
    "no_published_guide": _training_without_guide,
    "already_over": _period_over,
}


def test_a_ready_campaign_passes_every_check(author):
    assert run_checks(ready_campaign(author=author)) == []


@pytest.mark.parametrize("code", sorted(BLOCKERS))
def test_each_blocking_check_blocks_submission(author, code):
    campaign = ready_campaign(author=author, kinds=(ChannelKind.STORE, ChannelKind.USSD))
    BLOCKERS[code](campaign)
    campaign.refresh_from_db()
    assert [c.split(":")[0] for c in _codes(campaign, BLOCKING)] == [code]
    with pytest.raises(ValidationError) as exc:
        submit(campaign=campaign, by=author)
    assert "cannot move on until this is fixed" in exc.value.messages[0]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


@pytest.mark.parametrize("code", sorted(BLOCKERS))
def test_each_blocking_check_blocks_approval(author, reviewer, code):
    campaign = ready_campaign(author=author, kinds=(ChannelKind.STORE, ChannelKind.USSD))
    submit(campaign=campaign, by=author)
    BLOCKERS[code](campaign)
    with pytest.raises(ValidationError):
        approve(campaign=campaign, by=reviewer)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.IN_REVIEW


def test_a_text_over_its_limit_says_by_how_much_and_where_to_fix_it(author):
    campaign = ready_campaign(author=author, kinds=(ChannelKind.STORE, ChannelKind.USSD))
    _ussd_text_too_long(campaign)
    (result,) = run_checks(campaign)
    assert "81 characters (UCS-2); the limit is 80. Shorten it by 1." in result.message
    assert result.fix_url == f"/admin/campaigns/offer/{campaign.offers.get().pk}/change/"


def test_a_published_guide_lifts_the_training_block(author):
    campaign = ready_campaign(author=author, training_required=True)
    assert _codes(campaign, BLOCKING) == ["no_published_guide"]
    make_guide(campaigns=[campaign])
    assert _codes(campaign, BLOCKING) == []


def test_a_loaded_target_group_is_an_audience(author):
    campaign = ready_campaign(author=author)
    _no_audience(campaign)
    target_group(campaign, [{"customer": CustomerFactory()}])
    assert _codes(campaign, BLOCKING) == []


def test_a_long_script_is_a_warning_the_approver_must_acknowledge(author, reviewer):
    campaign = ready_campaign(author=author, kinds=(ChannelKind.INBOUND_CALL,))
    campaign.offers.get().contents.update(agent_script=LONG_SCRIPT)
    offer_code = campaign.offers.get().code
    assert _codes(campaign, WARNING) == [f"long_script:{offer_code}:inbound_call"]
    submit(campaign=campaign, by=author)  # warnings do not block a submission
    with pytest.raises(ValidationError) as exc:
        approve(campaign=campaign, by=reviewer)
    assert "Tick each warning" in exc.value.messages[0]
    assert "talk-time budget there is 20 s" in exc.value.messages[1]
    approve(campaign=campaign, by=reviewer, acknowledged=[f"long_script:{offer_code}:inbound_call"])
    record = ApprovalRecord.objects.get(campaign=campaign, step=ApprovalStep.APPROVED)
    assert [a["code"] for a in record.acknowledged] == [f"long_script:{offer_code}:inbound_call"]
    assert "talk-time budget" in record.acknowledged_messages[0]


def _live_rival(family=ProductFamily.MOBILE_PLAN, kinds=(ChannelKind.STORE,), **fields):
    rival = ready_campaign(kinds=kinds, **fields)
    Product.objects.filter(offers__campaigns=rival).update(family=family)
    Campaign.objects.filter(pk=rival.pk).update(status=CampaignStatus.LIVE)
    return rival


def test_a_live_campaign_on_the_same_family_and_audience_is_an_overlap_warning(author):
    rival = _live_rival()
    campaign = ready_campaign(author=author)
    assert _codes(campaign, WARNING) == [f"overlap:{rival.code}"]


def test_no_overlap_in_another_family_another_channel_or_another_period(author):
    _live_rival(family=ProductFamily.TV)
    _live_rival(kinds=(ChannelKind.USSD,))
    later = timezone.now() + timedelta(days=400)
    _live_rival(starts_at=later, ends_at=later + timedelta(days=10))
    draft_rival = ready_campaign()  # a draft does not compete
    assert draft_rival.status == CampaignStatus.DRAFT
    assert _codes(ready_campaign(author=author), WARNING) == []


def test_rules_that_cannot_match_the_same_customer_do_not_overlap(author):
    rival = _live_rival()
    EligibilityRule.objects.filter(campaign=rival).update(segments=["prepaid"])
    campaign = ready_campaign(author=author)
    EligibilityRule.objects.filter(campaign=campaign).update(segments=["postpaid"])
    assert _codes(campaign, WARNING) == []


def test_target_groups_overlap_only_when_they_share_members(author):
    shared, only_rival, only_mine = CustomerFactory(), CustomerFactory(), CustomerFactory()
    rival = _live_rival()
    EligibilityRule.objects.filter(campaign=rival).delete()
    target_group(rival, [{"customer": shared}, {"customer": only_rival}])
    campaign = ready_campaign(author=author)
    EligibilityRule.objects.filter(campaign=campaign).delete()
    target_group(campaign, [{"customer": only_mine}])
    assert _codes(campaign, WARNING) == []
    target_group(campaign, [{"customer": only_mine}, {"customer": shared}])
    assert _codes(campaign, WARNING) == [f"overlap:{rival.code}"]


def test_a_rule_overlaps_a_target_group_when_it_matches_one_of_its_members(author):
    rival = _live_rival()
    EligibilityRule.objects.filter(campaign=rival).delete()
    target_group(rival, [{"customer": CustomerFactory(segment="corporate")}])
    campaign = ready_campaign(author=author)
    EligibilityRule.objects.filter(campaign=campaign).update(segments=["prepaid"])
    assert _codes(campaign, WARNING) == []
    EligibilityRule.objects.filter(campaign=campaign).update(segments=["corporate"])
    assert _codes(campaign, WARNING) == [f"overlap:{rival.code}"]


def test_a_capacity_overload_is_one_warning_per_place_and_channel(author, reviewer, monkeypatch):
    # The capacity module's own tests build rosters and forecasts; here its answer is given.
    campaign = ready_campaign(author=author, kinds=(ChannelKind.INBOUND_CALL,))

    def overloads(c):
        return [
            Overload(date(2027, 3, d), "09–12", "Call centre Łódź", "inbound_call", 14.0, 9.0,
                     [c.code, "OTHER-1"])
            for d in (2, 3)
        ]  # fmt: skip

    monkeypatch.setattr("campaigns.governance.capacity_source._overloads", overloads)
    (warning,) = [r for r in run_checks(campaign) if r.severity == WARNING]
    assert warning.code == "capacity:Call centre Łódź:inbound_call"
    assert "in 2 hour bands (from 2 March 2027): up to 14 needed against 9" in warning.message
    assert "Also loading it: OTHER-1." in warning.message
    submit(campaign=campaign, by=author)
    with pytest.raises(ValidationError):
        approve(campaign=campaign, by=reviewer)
    approve(campaign=campaign, by=reviewer, acknowledged=[warning.code])
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED


def test_checks_take_as_many_queries_for_six_offers_as_for_one(
    author, django_assert_num_queries, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(
        "campaigns.governance.capacity_source._overloads", lambda _c: []
    )  # own tests
    campaign = ready_campaign(author=author, kinds=(ChannelKind.STORE, ChannelKind.USSD))
    with django_assert_max_num_queries(12) as counted:
        run_checks(campaign)
    for _n in range(5):
        offer = OfferFactory(product=ProductFactory())
        OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE)
        campaign.offers.add(offer)
    with django_assert_num_queries(len(counted.captured_queries)):
        run_checks(campaign)
