"""Digital interest in the programme results: presentations seen and clicked (DailyInterest,
filled by event ingestion) count as presented in digital channel kinds, and a table per campaign
and channel shows impressions, clicks and the click rate, its CSV the same cells. The
hand-counted world of test_results_rollups, plus:

- web, DAY2: 3 presentations seen, 1 clicked (one of them, f6, was also accepted);
- app, DAY1: 2 presentations seen, none clicked, no outcome.
"""

import csv
import io

import pytest
from django.urls import reverse

from campaigns.choices import ChannelKind
from campaigns.results import rollups
from channels.models import DailyInterest
from cvm_portal.roles import Role
from tests.campaigns.test_results_rollups import DAY1, DAY2, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PERIOD = {"since": DAY1.isoformat(), "until": DAY2.isoformat()}
OVERVIEW = reverse("campaigns:results")


@pytest.fixture
def interested(world):  # noqa: F811 - the fixture imported above
    w = world
    fibre, tv, campaign = w["fibre"], w["tv"], w["campaign"]
    DailyInterest.objects.create(
        day=DAY2, campaign=campaign, offer=fibre, channel_kind=ChannelKind.WEB, seen=2, clicked=1
    )
    DailyInterest.objects.create(
        day=DAY2, campaign=campaign, offer=tv, channel_kind=ChannelKind.WEB, seen=1, clicked=0
    )
    DailyInterest.objects.create(
        day=DAY1, campaign=campaign, offer=fibre, channel_kind=ChannelKind.APP, seen=2, clicked=0
    )
    rollups.refresh_days(first=DAY1, last=DAY2)
    return w


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER)
    client.force_login(user)
    return user


def by_label(table) -> dict[str, list]:
    return {" / ".join(str(c) for c in row[:2]): row[2:] for row in table.rows}


def test_digital_impressions_count_as_presented_once_beside_their_outcomes(
    client, manager, interested
):
    # When the manager opens the programme's results
    response = client.get(OVERVIEW, PERIOD)

    # Then presented = the 4 outcomes (accepted 2, declined 1, later 1) + the 5 digital
    # presentations seen, less the 1 of them answered in a digital kind (f6, web): 8
    total = response.context["page"]["total"]
    assert (total.seen, total.clicked, total.answered_digital) == (5, 1, 1)
    assert (total.presented, total.acceptance_rate) == (8, 25.0)
    # by day: DAY1 2 outcomes + 2 seen in the app; DAY2 2 outcomes + 3 seen on the web - f6
    trend = {row[0].text: row[2] for row in response.context["page"]["trend"].rows}
    assert list(trend.values()) == [4, 4]


def test_assisted_channels_figures_are_unchanged(client, manager, interested):
    # When the manager drills into the campaign, by channel kind
    campaign = interested["campaign"]
    response = client.get(reverse("campaigns:campaign_results", args=[campaign.pk]), PERIOD)

    # Then the store keeps its 3 presented; the web has 1 outcome + 2 more seen; the app 2 seen
    rows = {row[0].text: row[1:] for row in response.context["page"]["execution"].rows}
    presented = {label: cells[3] for label, cells in rows.items()}
    assert presented == {"Store": 3, "Web": 3, "App": 2, "Inbound call": 0, "Outbound call": 0}


def test_the_interest_table_shows_impressions_clicks_and_the_click_rate(
    client, manager, interested
):
    response = client.get(OVERVIEW, PERIOD)

    table = response.context["page"]["interest"]
    name = f"{interested['campaign'].name} (XS)"
    assert by_label(table) == {f"{name} / Web": [3, 1, 33.3], f"{name} / App": [2, 0, 0.0]}
    assert "Digital interest by campaign and channel" in response.content.decode()


def test_the_interest_csv_holds_the_tables_cells(client, manager, interested):
    response = client.get(OVERVIEW.rstrip("/") + "/export.csv", {**PERIOD, "table": "interest"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    name = f"{interested['campaign'].name} (XS)"
    assert rows == [
        ["Campaign", "Channel", "Impressions (presented)", "Clicks", "Click rate (%)"],
        [name, "Web", "3", "1", "33.3"],
        [name, "App", "2", "0", "0.0"],
    ]


def test_a_period_without_digital_interest_shows_no_interest_table(client, manager, world):  # noqa: F811
    rollups.refresh_days(first=DAY1, last=DAY2)
    response = client.get(OVERVIEW, PERIOD)
    assert response.context["page"]["interest"].rows == []
    assert response.context["page"]["total"].presented == 4
    assert "Digital interest by campaign and channel" not in response.content.decode()


def test_a_team_leads_site_figures_hold_no_digital_interest(client, interested):
    # Given a team lead of the store's site (digital channels have no site)
    from tests.factories import user_with_role

    site = interested["s1"]
    lead = user_with_role(Role.TEAM_LEAD, site=site, username="lead")
    client.force_login(lead)

    # Then their figures are their site's alone
    response = client.get(OVERVIEW, PERIOD)
    total = response.context["page"]["total"]
    assert (total.seen, total.presented) == (0, 3)
    assert response.context["page"]["interest"].rows == []
