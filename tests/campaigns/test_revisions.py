"""Revisions of approved campaigns: an edit waits for a second CVM manager while every channel
serves the approved version."""

import pytest
from django.db.models.fields.files import FieldFile
from django.forms import MultiWidget
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind, Segment
from campaigns.governance import revisions
from campaigns.models import (
    Campaign,
    CampaignRevision,
    EligibilityRule,
    OfferContent,
    RevisionStatus,
)
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
)

pytestmark = pytest.mark.django_db

OLD = "20 GB for 15 PLN"
NEW = "25 GB for 15 PLN"


@pytest.fixture
def world(make_user):
    customer = CustomerFactory(external_id="C0042", consent_sms=True, consent_marketing=True)
    offer = OfferFactory(code="DATA-20", channel_kinds=[ChannelKind.USSD, ChannelKind.STORE])
    content = OfferContentFactory(
        offer=offer, channel_kind=ChannelKind.USSD, agent_script="", short_text=OLD
    )
    campaign = CampaignFactory(
        code="UP-1",
        name="Upsell",
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[ChannelKind.USSD, ChannelKind.STORE],
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.3}])
    _gateway, key = api_client("ussd-gateway", kinds=[ChannelKind.USSD])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return {
        "campaign": campaign,
        "offer": offer,
        "content": content,
        "api": api,
        "author": make_user(Role.CVM_MANAGER, username="anna"),
        "approver": make_user(Role.CVM_MANAGER, username="bartek"),
    }


def served_text(api) -> str:
    response = api.post(
        "/api/v1/decisions/", {"customer_id": "C0042", "channel_kind": "ussd"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["offers"][0]["short_text"]


def form_data(response) -> dict:
    """The POST data of an admin change page as it stands (the main form and its inlines)."""
    forms = [response.context["adminform"].form]
    data = {}
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        forms += list(formset.formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, MultiWidget):
                context = widget.get_context(bound.html_name, value, {})["widget"]
                for sub in context["subwidgets"]:
                    data[sub["name"]] = sub["value"] or ""
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is None:
                data[bound.html_name] = ""
            elif isinstance(value, FieldFile):
                continue  # a file: left as it is
            else:
                data[bound.html_name] = value
    return data


def edit_in_admin(client, url: str, **changes):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**form_data(page), **changes}, follow=True)


def propose_new_text(client, world):
    client.force_login(world["author"])
    url = reverse("admin:campaigns_offercontent_change", args=[world["content"].pk])
    return edit_in_admin(client, url, short_text_en=NEW)  # the English column (modeltranslation)


def test_editing_a_live_offer_s_text_makes_a_revision_and_channels_keep_the_old_text(client, world):
    response = propose_new_text(client, world)

    assert "Saved as" in response.content.decode()
    assert "revision #1" in response.content.decode()
    assert "waiting for another CVM manager" in response.content.decode()
    revision = CampaignRevision.objects.get()
    assert (revision.campaign, revision.status) == (world["campaign"], RevisionStatus.PENDING)
    assert OfferContent.objects.get(pk=world["content"].pk).short_text == OLD
    assert served_text(world["api"]) == OLD


def test_after_a_second_manager_approves_the_new_text_is_served(client, world):
    propose_new_text(client, world)
    revision = CampaignRevision.objects.get()
    client.force_login(world["approver"])

    response = client.post(
        reverse("campaigns:revision_approve", args=[revision.pk]), {"comment": "Checked"}
    )

    assert response.status_code == 302
    revision.refresh_from_db()
    assert (revision.status, revision.decided_by) == (RevisionStatus.APPROVED, world["approver"])
    assert served_text(world["api"]) == NEW
    assert AuditEvent.objects.filter(user=world["approver"], action="revision_approve").exists()
    assert AuditEvent.objects.filter(user=world["author"], action="revision_propose").exists()


def test_the_proposer_cannot_approve_their_own_revision(client, world):
    propose_new_text(client, world)
    revision = CampaignRevision.objects.get()

    response = client.post(reverse("campaigns:revision_approve", args=[revision.pk]), follow=True)

    assert "another CVM manager must approve it" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING
    assert served_text(world["api"]) == OLD


def test_someone_who_added_to_a_revision_cannot_approve_it(client, world):
    propose_new_text(client, world)
    client.force_login(world["approver"])
    edit_in_admin(
        client,
        reverse("admin:campaigns_offer_change", args=[world["offer"].pk]),
        title_en="Bigger data",
    )
    revision = CampaignRevision.objects.get()
    assert revision.editor_ids == [world["approver"].pk]

    with pytest.raises(Exception, match="changed its texts"):
        revisions.approve(revision=revision, by=world["approver"])


def test_a_rejected_revision_keeps_the_old_text_and_needs_a_reason(client, world):
    propose_new_text(client, world)
    revision = CampaignRevision.objects.get()
    client.force_login(world["approver"])
    url = reverse("campaigns:revision_reject", args=[revision.pk])

    without_reason = client.post(url, {"comment": ""}, follow=True)
    assert "Say why you reject it" in without_reason.content.decode()
    client.post(url, {"comment": "Price is wrong"})

    revision.refresh_from_db()
    assert (revision.status, revision.comment) == (RevisionStatus.REJECTED, "Price is wrong")
    assert served_text(world["api"]) == OLD
    assert OfferContent.objects.get(pk=world["content"].pk).short_text == OLD


def test_the_proposer_withdraws_their_revision(client, world):
    propose_new_text(client, world)
    revision = CampaignRevision.objects.get()

    client.post(reverse("campaigns:revision_reject", args=[revision.pk]))

    revision.refresh_from_db()
    assert revision.status == RevisionStatus.WITHDRAWN


def test_a_live_campaign_s_name_period_and_rule_change_only_on_approval(client, world):
    campaign = world["campaign"]
    client.force_login(world["author"])
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    page = client.get(url)
    data = form_data(page) | {
        "name": "Upsell, summer",
        "cooldown_days": "14",
        "eligibility-TOTAL_FORMS": "1",
        "eligibility-0-segments": [Segment.PREPAID],
        "eligibility-0-campaign": str(campaign.pk),
    }
    response = client.post(url, data, follow=True)
    assert "revision #1" in response.content.decode(), response.content.decode()[:3000]
    campaign.refresh_from_db()
    assert (campaign.name, campaign.cooldown_days) == ("Upsell", 30)
    assert not EligibilityRule.objects.exists()
    revision = CampaignRevision.objects.get()

    revisions.approve(revision=revision, by=world["approver"])

    campaign.refresh_from_db()
    assert (campaign.name, campaign.cooldown_days) == ("Upsell, summer", 14)
    assert EligibilityRule.objects.get(campaign=campaign).segments == [Segment.PREPAID]
    revision.refresh_from_db()
    assert revision.before["campaign"]["name"] == "Upsell"


def test_a_draft_campaign_is_still_edited_in_place(client, world):
    campaign = world["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    client.force_login(world["author"])

    edit_in_admin(
        client, reverse("admin:campaigns_campaign_change", args=[campaign.pk]), name="Renamed"
    )

    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert not CampaignRevision.objects.exists()


def test_the_governance_page_shows_the_diff_and_the_approve_form_to_another_manager(client, world):
    propose_new_text(client, world)
    revision = CampaignRevision.objects.get()
    page = reverse("campaigns:campaign_governance", args=[world["campaign"].pk])

    own = client.get(page).content.decode()
    client.force_login(world["approver"])
    other = client.get(page).content.decode()

    assert OLD in other and NEW in other
    assert reverse("campaigns:revision_approve", args=[revision.pk]) in other
    assert reverse("campaigns:revision_approve", args=[revision.pk]) not in own
    assert "Withdraw revision #1" in own


def test_a_second_edit_before_the_decision_joins_the_pending_revision(world):
    campaign = world["campaign"]
    revisions.propose(campaign=campaign, by=world["author"], changes={"campaign": {"name": "A"}})

    revisions.propose(
        campaign=campaign, by=world["author"], changes={"campaign": {"cooldown_days": 7}}
    )

    revision = CampaignRevision.objects.get()
    assert revision.changes == {"campaign": {"name": "A", "cooldown_days": 7}}


def test_an_offer_shared_by_two_campaigns_names_the_other_one(world):
    other = CampaignFactory(code="XS-2", status=CampaignStatus.LIVE, offers=[world["offer"]])
    key = f"{world['offer'].pk}/{ChannelKind.USSD}"

    revision = revisions.propose(
        campaign=world["campaign"],
        by=world["author"],
        changes={"contents": {key: {"short_text_en": NEW}}},
    )

    assert revisions.also_used_by(revision) == [other.code]
    rows = revisions.diff(revision)
    assert [(r.before, r.after) for r in rows] == [(OLD, NEW)]


@pytest.mark.parametrize("role", [None, Role.AGENT])
def test_only_cvm_managers_decide_revisions(client, world, make_user, role):
    revision = revisions.propose(
        campaign=world["campaign"], by=world["author"], changes={"campaign": {"name": "A"}}
    )
    client.force_login(make_user(role))

    response = client.post(reverse("campaigns:revision_approve", args=[revision.pk]))

    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING


def test_deciding_a_revision_needs_post_and_sign_in(client, world):
    revision = revisions.propose(
        campaign=world["campaign"], by=world["author"], changes={"campaign": {"name": "A"}}
    )
    url = reverse("campaigns:revision_approve", args=[revision.pk])

    assert client.post(url).status_code == 302  # to the sign-in page
    client.force_login(world["approver"])
    assert client.get(url).status_code == 405
    assert client.post(reverse("campaigns:revision_approve", args=[999999])).status_code == 404


def test_the_change_form_of_a_live_campaign_s_text_says_it_becomes_a_revision(client, world):
    client.force_login(world["author"])

    live = client.get(reverse("admin:campaigns_offercontent_change", args=[world["content"].pk]))
    Campaign.objects.filter(pk=world["campaign"].pk).update(status=CampaignStatus.DRAFT)
    draft = client.get(reverse("admin:campaigns_offercontent_change", args=[world["content"].pk]))

    assert "becomes a revision" in live.content.decode()
    assert "becomes a revision" not in draft.content.decode()
