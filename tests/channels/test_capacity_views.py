"""The capacity calendar and the overload warnings of the workspaces: who sees what."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from channels.choices import SiteKind
from channels.models import CampaignForecast, CapacityPlan, HourBand, RosterEntry
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, SiteFactory, user_with_role

pytestmark = [pytest.mark.django_db]
URL = "/cvm/capacity/"


@pytest.fixture
def overloaded():
    """An inbound centre of 2 agents a band, and an approved campaign of 500 calls a day."""
    site = SiteFactory(kind=SiteKind.INBOUND_CENTRE, name="Busy centre", code="BUSY")
    plan = CapacityPlan.objects.create(
        site=site, channel_kind=ChannelKind.INBOUND_CALL, baseline_contacts_per_day=20
    )
    for weekday in range(7):
        for band in HourBand.values:
            RosterEntry.objects.create(plan=plan, weekday=weekday, hour_band=band, agents=2)
    user_with_role(Role.AGENT, site=site, channel_kind=ChannelKind.INBOUND_CALL)
    campaign = CampaignFactory(
        code="FLOODY",
        status=CampaignStatus.APPROVED,
        channel_kinds=[ChannelKind.INBOUND_CALL],
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=20),
    )
    CampaignForecast.objects.create(
        campaign=campaign,
        channel_kind=ChannelKind.INBOUND_CALL,
        contact_rate_pct=0,
        contacts_per_day=500,
    )
    return site


def test_the_url_is_the_cvm_workspaces():
    assert reverse("campaigns:capacity") == URL


def test_a_cvm_manager_sees_the_overload_in_red_naming_the_campaign(client, overloaded):
    client.force_login(user_with_role(Role.CVM_MANAGER))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Busy centre · Inbound call" in html
    assert 'class="num cap-over"' in html
    assert "FLOODY" in html
    assert "<caption>" in html
    assert 'scope="row"' in html
    assert "style=" not in html


def test_the_calendar_without_plans_says_how_to_add_them(client):
    client.force_login(user_with_role(Role.CVM_MANAGER))

    response = client.get(URL)

    assert "No capacity plans yet" in response.content.decode()


def test_a_bad_window_is_refused_with_a_clear_message(client, overloaded):
    client.force_login(user_with_role(Role.CVM_MANAGER))

    response = client.get(URL, {"weeks": "40"})

    assert response.status_code == 200
    assert "Show at most 12 weeks." in response.content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.TRAINER])
def test_other_roles_may_not_see_the_calendar(client, overloaded, role):
    client.force_login(user_with_role(role, site=overloaded))

    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_rejects_post(client):
    client.force_login(user_with_role(Role.CVM_MANAGER))

    assert client.post(URL).status_code == 405


def test_the_cvm_workspace_warns_of_the_overload(client, overloaded):
    client.force_login(user_with_role(Role.CVM_MANAGER))

    html = client.get(reverse("campaigns:manager_home")).content.decode()

    assert "Over capacity in the next 4 weeks" in html
    assert "Busy centre" in html
    assert "FLOODY" in html
    assert "Not here yet: capacity planning" not in html


def test_the_team_lead_sees_their_sites_overload(client, overloaded):
    client.force_login(
        user_with_role(Role.TEAM_LEAD, site=overloaded, channel_kind=ChannelKind.INBOUND_CALL)
    )

    team = client.get(reverse("channels:team")).content.decode()
    site_page = client.get(reverse("channels:site_detail", args=["BUSY"])).content.decode()

    assert "FLOODY" in team
    assert "FLOODY" in site_page


def test_a_team_lead_of_another_site_sees_neither_the_page_nor_the_warning(client, overloaded):
    other = SiteFactory(kind=SiteKind.STORE, code="QUIET")
    client.force_login(user_with_role(Role.TEAM_LEAD, site=other))

    assert client.get(reverse("channels:site_detail", args=["BUSY"])).status_code == 404
    assert "FLOODY" not in client.get(reverse("channels:team")).content.decode()
    assert (
        "FLOODY" not in client.get(reverse("channels:site_detail", args=["QUIET"])).content.decode()
    )


def test_the_warning_reads_a_fixed_number_of_queries_however_many_campaigns(client, overloaded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def more(codes):
        for code in codes:
            CampaignFactory(
                code=code, status=CampaignStatus.LIVE, channel_kinds=[ChannelKind.INBOUND_CALL]
            )

    client.force_login(
        user_with_role(Role.TEAM_LEAD, site=overloaded, channel_kind=ChannelKind.INBOUND_CALL)
    )
    more(["MORE-A"])  # one without a saved forecast: its rate is learnt (once per objective)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("channels:team"))
    more([f"MORE-{i}" for i in range(5)])
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("channels:team"))

    assert len(six) == len(one)
