from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Campaign, Customer, Offer, OfferContent
from tests.factories import CampaignFactory, CustomerFactory, OfferContentFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    ["+48 501 234 567", "0048501234567", "501-234-567", "(+48) 501 23 45 67", "+48501234567"],
)
def test_phone_in_any_common_format_is_stored_as_e164(typed):
    customer = CustomerFactory(phone=typed)
    customer.refresh_from_db()
    assert customer.phone == "+48501234567"
    assert customer.phone_display == "+48 501 234 567"


def test_invalid_phone_is_rejected_with_a_message_saying_what_to_fix():
    customer = CustomerFactory.build(phone="12345")
    with pytest.raises(ValidationError) as exc:
        customer.full_clean()
    assert "not a valid number" in " ".join(exc.value.message_dict["phone"])


def test_same_number_typed_differently_cannot_belong_to_two_customers():
    CustomerFactory(phone="+48 501 234 567")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(phone="501234567")


def test_customer_is_found_by_phone_in_any_format():
    customer = CustomerFactory(phone="+48501234567")
    assert list(Customer.objects.by_phone("0048 501 234 567")) == [customer]


def test_unnormalised_phone_cannot_reach_the_database_by_bulk_insert():
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.bulk_create([CustomerFactory.build(phone="501234567")])


def test_customer_external_id_is_unique():
    CustomerFactory(external_id="C1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(external_id="C1")


def test_tenure_counts_whole_months():
    customer = CustomerFactory.build(customer_since=date(2024, 1, 31))
    assert customer.tenure_months(today=date(2024, 3, 30)) == 1
    assert customer.tenure_months(today=date(2025, 1, 31)) == 12


def test_do_not_contact_overrides_consent_and_is_dated():
    customer = CustomerFactory(consent_calls=True, do_not_contact=True)
    assert customer.do_not_contact_since is not None
    assert not customer.may_be_contacted_in(ChannelKind.OUTBOUND_CALL)
    customer.do_not_contact = False
    customer.save()
    assert customer.do_not_contact_since is None
    assert customer.may_be_contacted_in(ChannelKind.OUTBOUND_CALL)


def test_each_channel_kind_needs_its_own_consent():
    customer = CustomerFactory(consent_marketing=True, consent_calls=False)
    assert customer.may_be_contacted_in(ChannelKind.STORE)
    assert not customer.may_be_contacted_in(ChannelKind.OUTBOUND_CALL)


def test_the_query_and_the_customer_agree_on_who_may_be_contacted_in_each_kind():
    """contactable_in (the call lists' filter, and Customer.objects.contactable) and
    Customer.may_be_contacted_in (decisions) are one rule: checked on every consent and
    do-not-contact combination that matters, in every channel kind."""
    # Given a customer for each single consent given, all of them, none, and all but opted out
    from campaigns.choices import CONSENT_FOR_CHANNEL, Consent
    from campaigns.models import Customer, TargetGroupMember, contactable_in

    flags = [{c.value: True} for c in Consent] + [
        {c.value: True for c in Consent},
        {},
        {**{c.value: True for c in Consent}, "do_not_contact": True},
    ]
    customers = [CustomerFactory(**{"consent_marketing": False, **f}) for f in flags]
    assert set(CONSENT_FOR_CHANNEL) == set(ChannelKind.values)  # every kind names its consent

    for kind in ChannelKind.values:
        # When each reading is asked
        in_memory = {c.pk for c in customers if c.may_be_contacted_in(kind)}
        in_sql = set(Customer.objects.contactable(kind).values_list("pk", flat=True))
        through_members = str(
            TargetGroupMember.objects.filter(contactable_in(kind, prefix="customer__")).query
        )

        # Then they agree, and the members' filter reads the same two columns of the customer
        assert in_memory == in_sql, kind
        assert in_memory  # somebody may be reached in every kind
        assert '"do_not_contact"' in through_members
        assert f'"{CONSENT_FOR_CHANNEL[kind].value}"' in through_members


def test_an_offers_annual_value_is_twelve_months_of_its_value():
    assert OfferFactory.build(value=Decimal("19.99")).annual_value == Decimal("239.88")


def test_campaign_status_outside_the_lifecycle_is_refused_by_the_database():
    campaign = CampaignFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status="running")


@pytest.mark.parametrize("share", [-1, 100.01, 150])
def test_control_share_outside_0_to_100_is_refused_by_the_database(share):
    campaign = CampaignFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(control_share=share)


def test_campaign_that_ends_before_it_starts_is_refused_with_a_clear_message():
    now = timezone.now()
    campaign = CampaignFactory.build(starts_at=now, ends_at=now - timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        campaign.full_clean()
    assert "must end after it starts" in exc.value.message_dict["ends_at"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        campaign.save()


def test_campaign_codes_are_unique():
    CampaignFactory(code="RET-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(code="RET-1")


def test_unknown_channel_kind_is_rejected():
    campaign = CampaignFactory.build(channel_kinds=["store", "telepathy"])
    with pytest.raises(ValidationError) as exc:
        campaign.full_clean()
    assert "telepathy" in exc.value.message_dict["channel_kinds"][0]


def test_channel_kinds_are_stored_once_each_in_a_fixed_order():
    campaign = CampaignFactory(channel_kinds=["ussd", "store", "store"])
    campaign.refresh_from_db()
    assert campaign.channel_kinds == ["store", "ussd"]


def test_campaigns_and_offers_are_found_by_channel_kind():
    in_store = CampaignFactory(channel_kinds=[ChannelKind.STORE])
    by_phone = CampaignFactory(channel_kinds=[ChannelKind.INBOUND_CALL, ChannelKind.OUTBOUND_CALL])
    assert list(Campaign.objects.for_channel_kind(ChannelKind.STORE)) == [in_store]
    assert set(Campaign.objects.for_channel_kind(ChannelKind.OUTBOUND_CALL)) == {by_phone}
    assert not Campaign.objects.for_channel_kind(ChannelKind.IVR).exists()
    offer = OfferFactory(channel_kinds=[ChannelKind.USSD])
    assert list(Offer.objects.for_channel_kind(ChannelKind.USSD)) == [offer]


def test_live_campaigns_are_live_status_within_their_period():
    now = timezone.now()
    live = CampaignFactory(status=CampaignStatus.LIVE)
    CampaignFactory(status=CampaignStatus.APPROVED)
    CampaignFactory(
        status=CampaignStatus.LIVE,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=9),
    )
    assert list(Campaign.objects.live(now)) == [live]
    assert live.is_live(now)


def test_offer_validity_window():
    now = timezone.now()
    offer = OfferFactory(valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1))
    assert offer.is_valid_at(now)
    assert not offer.is_valid_at(now + timedelta(days=2))
    assert list(Offer.objects.valid_at(now)) == [offer]
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(valid_until=now - timedelta(days=5))


def test_offer_content_for_a_channel_the_offer_is_not_allowed_in_is_refused():
    content = OfferContentFactory.build(
        offer=OfferFactory(channel_kinds=[ChannelKind.STORE]), channel_kind=ChannelKind.APP
    )
    with pytest.raises(ValidationError) as exc:
        content.full_clean()
    assert "not allowed in App" in exc.value.message_dict["channel_kind"][0]


def test_one_content_per_offer_and_channel_kind():
    content = OfferContentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferContent.objects.create(
            offer=content.offer, channel_kind=content.channel_kind, agent_script="x"
        )


def test_assisted_channel_content_needs_a_script_and_ussd_a_short_text():
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE, ChannelKind.USSD])
    with pytest.raises(ValidationError) as exc:
        OfferContent(offer=offer, channel_kind=ChannelKind.STORE, agent_script=" ").full_clean()
    assert "need a script" in exc.value.message_dict["agent_script"][0]
    with pytest.raises(ValidationError) as exc:
        OfferContent(offer=offer, channel_kind=ChannelKind.USSD).full_clean()
    assert "USSD needs a short text" in exc.value.message_dict["short_text"][0]


def test_script_reading_time_is_estimated():
    content = OfferContentFactory.build(agent_script=" ".join(["word"] * 75))
    assert content.script_reading_seconds == 30


@pytest.mark.django_db
def test_the_quick_decision_and_presentation_are_the_keyword_forms_with_their_parents_at_hand(
    django_assert_num_queries,
):
    # Decision.new and Presentation.new give values by position (a decision's hot path): a
    # field added or moved must not shift them silently.
    from campaigns.models import Decision, Presentation
    from cvm_portal.roles import Role
    from tests.factories import user_with_role

    customer, agent = CustomerFactory(), user_with_role(Role.AGENT)
    offer = OfferFactory()
    campaign = CampaignFactory(offers=[offer])

    def values(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    quick = Decision.new(customer=customer, channel_kind=ChannelKind.WEB, agent=agent)
    keyword = Decision(customer=customer, channel_kind=ChannelKind.WEB, agent=agent)
    assert {**values(quick), "id": None} == {**values(keyword), "id": None}
    assert quick.id.version == 7 and quick.id != keyword.id
    shown = dict(rank=1, score=0.5, reason="r", held_out=True, propensity=0.25)
    quick_p = Presentation.new(decision=quick, offer=offer, campaign=campaign, **shown)
    keyword_p = Presentation(decision=quick, offer=offer, campaign=campaign, **shown)
    assert values(quick_p) == values(keyword_p)
    with django_assert_num_queries(0):  # the parents are at hand, as the keyword form has them
        assert (quick.customer, quick.agent) == (customer, agent)
        assert (quick_p.decision, quick_p.offer, quick_p.campaign) == (quick, offer, campaign)
    assert Decision.new(customer=customer, channel_kind=ChannelKind.WEB).agent_id is None
