"""The before/after history of campaigns, offers, texts and rules, and who edited what since
when (the four-eyes rule asks it)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.governance import revisions
from campaigns.governance.history import changes_of, editors_since
from campaigns.models import Campaign, EligibilityRule, Offer
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, OfferContentFactory, OfferFactory

pytestmark = pytest.mark.django_db


def _as(user, obj):
    obj._history_user = user
    return obj


@pytest.fixture
def campaign():
    offer = OfferFactory(code="DATA-20", title="20 GB")
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE, agent_script="Old script")
    return CampaignFactory(code="UP-1", offers=[offer], status=CampaignStatus.IN_REVIEW)


def test_the_admin_history_page_shows_an_offer_s_change_before_and_after(client, make_user):
    offer = OfferFactory(code="DATA-20", title="20 GB")
    client.force_login(make_user(Role.CVM_MANAGER))
    _as(make_user(Role.CVM_MANAGER, username="ewa"), offer)
    offer.title = "25 GB"
    offer.save()

    page = client.get(reverse("admin:campaigns_offer_history", args=[offer.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "20 GB" in text and "25 GB" in text
    assert "ewa" in text
    [change] = [c for c in changes_of(offer.history.first()) if c.field == "title"]
    assert (change.before, change.after) == ("20 GB", "25 GB")


def test_editors_since_names_who_changed_texts_offers_or_rules_after_a_time(campaign, make_user):
    early, texts, rules, offers = (make_user(Role.CVM_MANAGER) for _ in range(4))
    offer = campaign.offers.get()
    _as(early, campaign)
    campaign.name = "Before submission"
    campaign.save()
    since = timezone.now()

    content = _as(texts, offer.contents.get())
    content.agent_script = "New script"
    content.save()
    _as(rules, EligibilityRule(campaign=campaign, min_tenure_months=3)).save()
    _as(offers, campaign).offers.add(OfferFactory())

    assert editors_since(campaign, since) == {texts.pk, rules.pk, offers.pk}
    assert early.pk in editors_since(campaign, since - timedelta(hours=1))


def test_a_status_change_alone_does_not_make_an_editor(campaign, make_user):
    manager = make_user(Role.CVM_MANAGER)
    since = timezone.now()

    _as(manager, campaign)
    campaign.status = CampaignStatus.APPROVED
    campaign.save()

    assert editors_since(campaign, since) == set()


def test_an_applied_revision_is_history_with_its_approver_but_not_an_edit(campaign, make_user):
    author, approver = make_user(Role.CVM_MANAGER), make_user(Role.CVM_MANAGER)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.LIVE)
    campaign.refresh_from_db()
    since = timezone.now()
    revision = revisions.propose(
        campaign=campaign, by=author, changes={"campaign": {"name": "Summer"}}
    )

    revisions.approve(revision=revision, by=approver)

    record = campaign.history.first()
    assert (record.name, record.history_user, record.history_change_reason) == (
        "Summer",
        approver,
        "revision #1",
    )
    assert editors_since(campaign, since) == set()


def test_bulk_writes_keep_working_without_history(campaign):
    Offer.objects.bulk_create([OfferFactory.build(code="BULK-1", product=OfferFactory().product)])

    assert Offer.objects.filter(code="BULK-1").exists()
    assert not Offer.history.filter(code="BULK-1").exists()
