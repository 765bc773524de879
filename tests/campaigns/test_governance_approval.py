"""Four eyes: who may approve a campaign, what is recorded, and that the admin cannot go around it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.choices import CampaignStatus
from campaigns.lifecycle import approve, change_status, end_expired_campaigns, reject, submit
from campaigns.models import ApprovalRecord, ApprovalStep, Campaign
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, OfferFactory, ready_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_user):
    return make_user(Role.CVM_MANAGER, first_name="Ada", last_name="Author")


@pytest.fixture
def reviewer(make_user):
    return make_user(Role.CVM_MANAGER, first_name="Rita", last_name="Reviewer")


@pytest.fixture
def submitted(author):
    campaign = ready_campaign(author=author)
    return submit(campaign=campaign, by=author, comment="Ready for you")


def test_the_author_cannot_approve_their_own_campaign(submitted, author):
    with pytest.raises(ValidationError) as exc:
        approve(campaign=submitted, by=author)
    assert "another CVM manager must approve it" in exc.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.IN_REVIEW


def test_the_owner_cannot_approve_what_a_colleague_submitted_for_them(author, make_user):
    colleague = make_user(Role.CVM_MANAGER)
    campaign = submit(campaign=ready_campaign(author=author), by=colleague)
    with pytest.raises(ValidationError):
        approve(campaign=campaign, by=author)
    with pytest.raises(ValidationError):
        approve(campaign=campaign, by=colleague)


def test_someone_who_changed_its_texts_after_submission_cannot_approve(submitted, reviewer):
    content = submitted.offers.get().contents.get()
    content.agent_script = "A shorter pitch: more data, same price."
    content._history_user = reviewer  # as the admin's request would record it
    content.save()
    with pytest.raises(ValidationError) as exc:
        approve(campaign=submitted, by=reviewer)
    assert "You changed its texts after it was submitted" in exc.value.messages[0]


def test_a_second_manager_approves_and_the_record_says_who_when_and_why(
    submitted, author, reviewer
):
    approve(campaign=submitted, by=reviewer, comment="Looks right")
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.APPROVED
    steps = list(
        ApprovalRecord.objects.filter(campaign=submitted)
        .order_by("at", "pk")
        .values_list("step", "by", "comment")
    )
    assert steps == [
        (ApprovalStep.SUBMITTED, author.pk, "Ready for you"),
        (ApprovalStep.APPROVED, reviewer.pk, "Looks right"),
    ]


def test_someone_who_is_not_a_cvm_manager_cannot_approve(submitted, make_user):
    administrator = make_user(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as exc:
        approve(campaign=submitted, by=administrator)
    assert "Only a CVM manager can approve" in exc.value.messages[0]


def test_rejection_sends_it_back_to_draft_with_the_comment(submitted, reviewer):
    reject(campaign=submitted, by=reviewer, comment="The USSD text promises a wrong price.")
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.DRAFT
    record = ApprovalRecord.objects.filter(campaign=submitted).first()
    assert (record.step, record.by, record.comment) == (
        ApprovalStep.REJECTED,
        reviewer,
        "The USSD text promises a wrong price.",
    )


def test_a_rejection_needs_a_comment(submitted, reviewer):
    with pytest.raises(ValidationError) as exc:
        reject(campaign=submitted, by=reviewer, comment="   ")
    assert "Say why it is rejected" in exc.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.IN_REVIEW


def test_after_a_rejection_a_new_submission_is_reviewed_afresh(submitted, author, reviewer):
    reject(campaign=submitted, by=reviewer, comment="Fix the price")
    content = submitted.offers.get().contents.get()
    content.agent_script = "Edited by the reviewer before the second submission."
    content._history_user = reviewer
    content.save()
    submit(campaign=submitted, by=author)
    approve(campaign=submitted, by=reviewer)  # the edit predates this submission
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.APPROVED


def test_every_status_change_is_audited_with_who_and_what(submitted, author, reviewer):
    approve(campaign=submitted, by=reviewer)
    change_status(campaign=submitted, to=CampaignStatus.LIVE, by=author)
    events = list(
        AuditEvent.objects.filter(action="campaign_status", object_id=str(submitted.pk))
        .order_by("at", "pk")
        .values_list("user", "detail")
    )
    code = submitted.code
    assert events == [
        (author.pk, f"{code}: draft → in_review — Ready for you"),
        (reviewer.pk, f"{code}: in_review → approved"),
        (author.pk, f"{code}: approved → live"),
    ]


def test_the_nightly_end_is_recorded_as_done_by_the_portal():
    now = timezone.now()
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[OfferFactory()],
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(minutes=1),
    )
    assert end_expired_campaigns() == [campaign.code]
    record = ApprovalRecord.objects.get(campaign=campaign)
    assert (record.step, record.by) == (ApprovalStep.ENDED, None)


def test_submitting_or_approving_without_a_person_is_refused():
    campaign = ready_campaign()
    with pytest.raises(ValidationError):
        change_status(campaign=campaign, to=CampaignStatus.IN_REVIEW)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.IN_REVIEW)
    with pytest.raises(ValidationError):
        change_status(campaign=campaign, to=CampaignStatus.APPROVED)


# --- The admin's status actions go through the same rules -----------------------------------


def _act(client, action, campaign):
    return client.post(
        "/admin/campaigns/campaign/",
        {"action": action, "_selected_action": [campaign.pk]},
        follow=True,
    )


def test_the_admin_approve_action_refuses_the_author_and_links_to_the_governance_page(
    client, submitted, author
):
    client.force_login(author)
    content = _act(client, "make_approved", submitted).content.decode()
    assert "another CVM manager must approve it" in content
    assert f"/cvm/campaigns/{submitted.pk}/" in content
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.IN_REVIEW


def test_the_admin_cannot_reject_without_a_comment(client, submitted, reviewer):
    client.force_login(reviewer)
    content = _act(client, "make_draft", submitted).content.decode()
    assert "Say why it is rejected" in content
    submitted.refresh_from_db()
    assert submitted.status == CampaignStatus.IN_REVIEW


def test_the_admin_approve_action_works_for_a_second_manager_and_is_recorded(
    client, submitted, reviewer
):
    client.force_login(reviewer)
    content = _act(client, "make_approved", submitted).content.decode()
    assert "1 campaign is now Approved" in content
    record = ApprovalRecord.objects.filter(campaign=submitted).first()
    assert (record.step, record.by) == (ApprovalStep.APPROVED, reviewer)


def test_the_admin_shows_the_approval_record_on_the_campaign(client, submitted, reviewer):
    reject(campaign=submitted, by=reviewer, comment="Wrong price in the script")
    client.force_login(reviewer)
    content = client.get(f"/admin/campaigns/campaign/{submitted.pk}/change/").content.decode()
    assert "Wrong price in the script" in content
    assert "Submitted for review" in content
