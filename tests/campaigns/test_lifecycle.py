from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.choices import CampaignStatus
from campaigns.lifecycle import change_status, end_expired_campaigns
from campaigns.tasks import end_expired_campaigns_task
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, OfferFactory, ready_campaign

pytestmark = pytest.mark.django_db


def test_a_campaign_walks_draft_to_ended_with_a_second_manager_approving(make_user):
    author, reviewer = make_user(Role.CVM_MANAGER), make_user(Role.CVM_MANAGER)
    campaign = ready_campaign(author=author)
    walk = [("in_review", author), ("approved", reviewer), ("live", author)]
    walk += [("paused", author), ("live", author), ("ended", author)]
    for status, by in walk:
        campaign = change_status(campaign=campaign, to=status, by=by)
        campaign.refresh_from_db()
        assert campaign.status == status


def test_a_draft_cannot_go_live_without_review_and_the_error_says_what_is_possible():
    campaign = CampaignFactory(offers=[OfferFactory()])
    with pytest.raises(ValidationError) as exc:
        change_status(campaign=campaign, to=CampaignStatus.LIVE)
    assert "cannot become Live" in exc.value.messages[0]
    assert "In review" in exc.value.messages[0]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_an_ended_campaign_stays_ended():
    campaign = CampaignFactory(status=CampaignStatus.ENDED)
    with pytest.raises(ValidationError) as exc:
        change_status(campaign=campaign, to=CampaignStatus.LIVE)
    assert "ended campaigns stay ended" in exc.value.messages[0]


def test_a_campaign_without_offers_cannot_go_live():
    campaign = CampaignFactory(status=CampaignStatus.APPROVED)
    with pytest.raises(ValidationError) as exc:
        change_status(campaign=campaign, to=CampaignStatus.LIVE)
    assert "no offers" in exc.value.messages[0]


def test_campaigns_past_their_end_are_ended_by_the_nightly_task():
    now = timezone.now()
    over = CampaignFactory(
        status=CampaignStatus.LIVE,
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(minutes=1),
    )
    paused_over = CampaignFactory(
        status=CampaignStatus.PAUSED,
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=1),
    )
    running = CampaignFactory(status=CampaignStatus.LIVE)
    assert sorted(end_expired_campaigns_task.apply().get()) == sorted([over.code, paused_over.code])
    for campaign in (over, paused_over, running):
        campaign.refresh_from_db()
    assert (over.status, paused_over.status, running.status) == ("ended", "ended", "live")
    assert end_expired_campaigns() == []


def test_the_nightly_schedule_is_held_in_celery_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="campaigns.end_expired_campaigns")
    assert task.enabled and task.crontab.hour == "0"
