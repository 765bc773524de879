"""Flood alerts: agents tag contacts "calling about campaign X" in one click; above the forecast
or N× the baseline in an hour, CVM managers are alerted (workspace and e-mail), once an hour."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.governance import floods
from campaigns.governance.floods import check_flood, check_floods, tag_inquiry
from campaigns.models import CampaignInquiry, FloodAlert, FloodBasis
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, OfferFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory(
        code="SUMMER", status=CampaignStatus.LIVE, offers=[OfferFactory()],
        channel_kinds=[ChannelKind.INBOUND_CALL, ChannelKind.STORE],
    )  # fmt: skip


@pytest.fixture
def agent():
    return user_with_role(Role.AGENT, channel_kind=ChannelKind.INBOUND_CALL)


def tags(campaign, agent, n, *, at=None):
    at = at or timezone.now()
    CampaignInquiry.objects.bulk_create(
        CampaignInquiry(
            campaign=campaign, agent=agent, channel_kind=ChannelKind.INBOUND_CALL,
            key=uuid.uuid4().hex, at=at - timedelta(seconds=i),
        )
        for i in range(n)
    )  # fmt: skip


def test_twenty_contacts_in_an_hour_about_a_quiet_campaign_alert_the_managers(
    campaign, agent, django_capture_on_commit_callbacks
):
    manager = user_with_role(Role.CVM_MANAGER, email="cvm@example.com")
    user_with_role(Role.CVM_MANAGER, email="")  # no address: not e-mailed
    tags(campaign, agent, 20)
    with django_capture_on_commit_callbacks(execute=True):
        alert = check_flood(campaign=campaign)
    assert (alert.count, alert.basis) == (20, FloodBasis.BASELINE)
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert (
        "SUMMER" in mail.outbox[0].subject and "/cvm/kill-switch/?campaign=" in mail.outbox[0].body
    )


def test_without_a_mail_server_no_e_mail_is_tried(
    campaign, agent, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    user_with_role(Role.CVM_MANAGER, email="cvm@example.com")
    tags(campaign, agent, 20)
    with django_capture_on_commit_callbacks(execute=True):
        alert = check_flood(campaign=campaign)
    assert alert is not None and FloodAlert.objects.get().emailed_to == 0


def test_fewer_than_the_minimum_is_never_a_flood(campaign, agent):
    tags(campaign, agent, 19)
    assert check_flood(campaign=campaign) is None


def test_the_baseline_is_the_usual_hourly_count_times_the_multiplier(campaign, agent, settings):
    settings.CVM_FLOOD_BASELINE_MULTIPLIER = 3
    # 7 days at 10 contacts an hour: up to 30 an hour is normal
    tags(campaign, agent, 7 * 24 * 10, at=timezone.now() - timedelta(hours=2))
    tags(campaign, agent, 30)
    assert check_flood(campaign=campaign) is None
    tags(campaign, agent, 1)
    assert check_flood(campaign=campaign).expected == pytest.approx(30)


def test_a_forecast_when_there_is_one_decides(campaign, agent, monkeypatch):
    monkeypatch.setattr(
        floods, "expected_contacts_per_hour",
        lambda _campaign, kind: 40.0 if kind == ChannelKind.INBOUND_CALL else None,
    )  # fmt: skip
    tags(campaign, agent, 40)
    assert check_flood(campaign=campaign) is None
    tags(campaign, agent, 1)
    alert = check_flood(campaign=campaign)
    assert (alert.basis, alert.expected) == (FloodBasis.FORECAST, 40.0)


def test_one_alert_per_campaign_per_hour(campaign, agent):
    tags(campaign, agent, 25)
    assert len(check_floods()) == 1
    tags(campaign, agent, 25)
    assert check_floods() == [] and FloodAlert.objects.count() == 1


def test_the_tag_that_crosses_the_line_raises_the_alert(
    campaign, agent, django_capture_on_commit_callbacks
):
    tags(campaign, agent, 19)
    with django_capture_on_commit_callbacks(execute=True):
        tag_inquiry(
            campaign=campaign, agent=agent, site_id=None,
            channel_kind=ChannelKind.INBOUND_CALL, key=uuid.uuid4().hex,
        )  # fmt: skip
    assert FloodAlert.objects.filter(campaign=campaign, count=20).exists()


def test_the_workspace_shows_the_alert_with_a_link_to_the_kill_switch(client, campaign, agent):
    manager = user_with_role(Role.CVM_MANAGER)
    client.force_login(manager)
    tags(campaign, agent, 21)
    alert = check_flood(campaign=campaign)
    page = client.get("/cvm/").content.decode()
    assert "Flood alerts" in page and f"/cvm/kill-switch/?campaign={campaign.pk}" in page
    client.post(f"/cvm/flood-alerts/{alert.pk}/ack/", {"back": "home"})
    assert "Flood alerts" not in client.get("/cvm/").content.decode()
    assert FloodAlert.objects.get().acknowledged_by == manager


# --- The console's one-click tag --------------------------------------------------------------


def test_an_agent_tags_a_contact_in_one_click_and_a_double_click_counts_once(
    client, campaign, agent
):
    client.force_login(agent)
    page = client.get("/console/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    assert f'name="campaign" value="{campaign.pk}"' in page
    for _click in range(2):
        answer = client.post(
            "/console/inquiries/", {"key": key, "campaign": campaign.pk}, HTTP_HX_REQUEST="true"
        )
        assert (
            answer.status_code == 200 and "this contact is about SUMMER" in answer.content.decode()
        )
    assert CampaignInquiry.objects.filter(campaign=campaign, agent=agent).count() == 1


def test_only_live_campaigns_of_the_agent_s_own_kind_can_be_tagged(client, agent):
    client.force_login(agent)
    outbound_only = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[OfferFactory()],
        channel_kinds=[ChannelKind.OUTBOUND_CALL],
    )  # fmt: skip
    paused = CampaignFactory(status=CampaignStatus.PAUSED, channel_kinds=[ChannelKind.INBOUND_CALL])
    for other in (outbound_only, paused):
        answer = client.post("/console/inquiries/", {"key": uuid.uuid4().hex, "campaign": other.pk})
        assert answer.status_code == 400 and "not live in your channel" in answer.content.decode()
    assert not CampaignInquiry.objects.exists()


def test_who_may_tag_and_stop(client, campaign):
    assert client.post("/console/inquiries/", {}).status_code == 302  # anonymous: sign in
    client.force_login(user_with_role(Role.CVM_MANAGER))
    assert client.post("/console/inquiries/", {}).status_code == 403
    client.force_login(user_with_role(Role.AGENT))
    assert client.get("/console/inquiries/").status_code == 405
    assert client.get("/cvm/kill-switch/").status_code == 403
    stop = {"scope": "campaign", "target": campaign.pk, "reason": "Nope"}
    assert client.post("/cvm/kill-switch/stop/", stop).status_code == 403
    assert CampaignFactory._meta.model.objects.get(pk=campaign.pk).status == CampaignStatus.LIVE
