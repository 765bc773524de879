"""The programme results pages: who sees what, the figures of the hand-counted world of
test_results_rollups, the drill-down, the CSV of each table, the charts' data, the uplift."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Conversion, LoadRun, OfferFeedback
from campaigns.results import exports, rollups
from cvm_portal.roles import Role
from tests.campaigns.test_results_rollups import DAY1, DAY2, world  # noqa: F401 - the fixture
from tests.factories import CustomerFactory, SiteFactory, target_group, user_with_role

pytestmark = pytest.mark.django_db

PERIOD = {"since": DAY1.isoformat(), "until": DAY2.isoformat()}
OVERVIEW = reverse("campaigns:results")
MINE = reverse("campaigns:my_results")


@pytest.fixture
def refreshed(world):  # noqa: F811 - the fixture imported above
    rollups.refresh_days(first=DAY1, last=DAY2)
    return world


@pytest.fixture
def manager(client, make_user):
    user = make_user(Role.CVM_MANAGER)
    client.force_login(user)
    return user


def table(response, key):
    page = response.context["page"]
    return {t.key: t for t in [page["trend"], page["funnel"], *page["reasons"]] + [page[k] for k in ("execution", "outbound", "ranking") if k in page]}[key]  # fmt: skip


def first_cells(t) -> dict[str, list]:
    return {row[0].text: row[1:] for row in t.rows}


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- CVM managers ---------------------------------------------------------------------------


def test_a_manager_sees_each_campaign_with_its_hand_counted_figures(client, manager, refreshed):
    response = client.get(OVERVIEW, PERIOD)

    assert response.status_code == 200
    total = response.context["page"]["total"]
    # Contacts: anna 2 + 1, celina 1, web 1 (bartek's decision held its offer out).
    assert (total.contacts, total.shown, total.held_out) == (5, 6, 1)
    assert (total.accepted, total.declined, total.later, total.not_presented) == (2, 1, 1, 1)
    assert (total.presented, total.acceptance_rate, total.presentation_rate) == (4, 50.0, 80.0)
    assert (total.confirmed, total.confirmed_rate) == (1, 25.0)
    row = first_cells(table(response, "execution"))[
        "Campaign 0 (XS)".replace("Campaign 0", refreshed["campaign"].name)
    ]
    assert row[:5] == [5, 6, 1, 4, 1]  # contacts, shown, held out, presented, not presented
    assert response.context["page"]["reached"] == 4  # c1, c2, c4, c5


def test_the_drill_down_goes_from_campaign_to_channel_to_site_to_agent(client, manager, refreshed):
    w = refreshed
    overview = client.get(OVERVIEW, PERIOD)
    campaign_link = table(overview, "execution").rows[0][0].url
    assert campaign_link.startswith(reverse("campaigns:campaign_results", args=[w["campaign"].pk]))

    by_channel = client.get(campaign_link)
    assert by_channel.context["page"]["level"] == "channel"
    channels = first_cells(table(by_channel, "execution"))
    assert set(channels) == {"Store", "Inbound call", "Web", "Outbound call"}  # olga dialled
    assert "site" not in by_channel.context["page"]["trail"][-1].url

    by_site = client.get(table(by_channel, "execution").rows[0][0].url)  # the store row first
    assert by_site.context["page"]["level"] == "site"
    assert list(first_cells(table(by_site, "execution"))) == ["Warsaw Centre"]

    by_agent = client.get(table(by_site, "execution").rows[0][0].url)
    agents = first_cells(table(by_agent, "execution"))
    assert agents["Test " + w["anna"].last_name][1] == 4  # anna: offers shown in a store
    assert agents["Test " + w["bartek"].last_name][2] == 1  # bartek: held out
    assert [step.text for step in by_agent.context["page"]["trail"]] == [
        "All campaigns", f"{w['campaign'].name} (XS)", "Store", "Warsaw Centre",
    ]  # fmt: skip


def test_a_team_filter_is_its_site_and_channel(client, manager, refreshed):
    site = refreshed["s1"]

    response = client.get(OVERVIEW, {**PERIOD, "team": f"{site.pk}:store"})

    filters = response.context["page"]["filters"]
    assert (filters.site_id, filters.channel_kind) == (site.pk, "store")
    assert response.context["page"]["total"].shown == 4


def test_the_outbound_table_shows_attempts_callbacks_and_hours(client, manager, refreshed):
    response = client.get(OVERVIEW, {**PERIOD, "channel": ChannelKind.OUTBOUND_CALL})

    outbound = table(response, "outbound")
    assert outbound.rows[0][1:10] == [4, 3, 75.0, 1, 1, 1, 100.0, 1, 0.6]


@pytest.mark.parametrize("key", ["execution", "outbound", "trend", "funnel", "declined", "not_presented", "ranking"])  # fmt: skip
def test_the_csv_of_a_table_holds_its_figures(client, manager, refreshed, key):
    page = client.get(OVERVIEW, PERIOD)

    response = client.get(reverse("campaigns:results_csv"), {**PERIOD, "table": key})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    shown = table(page, key)
    rows = csv_rows(response)
    assert rows[0][0] == str(shown.columns[0].header)
    assert rows[1:] == [[str(exports.cell(v)) for v in row] for row in shown.rows]


def test_the_charts_draw_the_figures_of_their_tables(client, manager, refreshed):
    response = client.get(OVERVIEW, PERIOD)

    charts = response.context["page"]["charts"]
    funnel = table(response, "funnel")
    assert charts["funnel"]["series"][0]["data"] == [row[1] for row in funnel.rows] == [6, 4, 2, 1]
    assert charts["trend"]["labels"] == [str(row[0]) for row in table(response, "trend").rows]
    assert 'id="chart-funnel-data"' in response.content.decode()


def test_a_csv_of_no_such_table_is_404_and_bad_filters_400(client, manager, refreshed):
    assert client.get(reverse("campaigns:results_csv"), {"table": "passwords"}).status_code == 404
    bad = client.get(reverse("campaigns:results_csv"), {"since": "yesterday", "table": "trend"})
    assert bad.status_code == 400 and "Enter a valid date" in bad.content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"since": "2026-02-30"}, "Enter a valid date."),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "The end of the period is before its start."),
        ({"since": "2024-01-01", "until": "2026-03-01"}, "Choose a period of at most 366 days."),
        ({"campaign": "999999"}, "Select a valid choice."),
    ],
)  # fmt: skip
def test_bad_filters_get_a_clear_message_not_an_error(client, manager, params, message):
    response = client.get(OVERVIEW, params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["page"] is None


def test_without_dates_the_page_shows_the_last_30_days(client, manager):
    response = client.get(OVERVIEW)

    filters = response.context["page"]["filters"]
    assert (filters.end - filters.start).days == 29
    assert f'value="{filters.start.isoformat()}"' in response.content.decode()


def test_the_pages_answer_only_get(client, manager, refreshed):
    assert client.post(OVERVIEW).status_code == 405
    assert client.post(reverse("campaigns:campaign_results", args=[refreshed["campaign"].pk])).status_code == 405  # fmt: skip


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(OVERVIEW)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the uplift -----------------------------------------------------------------------------


@pytest.fixture
def with_members(refreshed):
    """A live target group: 6 members outside the control group (c1 converts: 1 of 6) and 4 in
    it (none converts)."""
    w = refreshed
    w["campaign"].status = CampaignStatus.LIVE
    w["campaign"].save(update_fields=["status"])
    treated = [w["c1"], w["c2"], w["c4"], w["c5"], CustomerFactory(), CustomerFactory()]
    control = [w["c3"], CustomerFactory(), CustomerFactory(), CustomerFactory()]
    target_group(
        w["campaign"],
        [{"customer": c} for c in treated] + [{"customer": c, "is_control": True} for c in control],
    )
    Conversion.objects.filter(customer=w["c5"]).delete()  # activated before the campaign: none
    rollups.refresh_days(first=DAY1, last=DAY2)
    return w


def test_a_manager_sees_the_uplift_with_its_verdict_and_the_biased_view(
    client, manager, with_members
):
    url = reverse("campaigns:campaign_results", args=[with_members["campaign"].pk])

    response = client.get(url, PERIOD)

    uplift = response.context["uplift"]
    treatment, control = uplift["result"].arms
    assert (treatment.members, treatment.conversions, control.members, control.conversions) == (
        6,
        1,
        4,
        0,
    )
    assert uplift["result"].verdict == "no_evidence"
    page = response.content.decode()
    assert "No evidence yet — needs about" in page
    assert "Contacted members only (biased)" in page
    contacted_treatment, contacted_control = uplift["contacted"].arms
    assert (contacted_treatment.members, contacted_control.members) == (
        4,
        1,
    )  # shown c1 c2 c4 c5; held out c3
    assert uplift["mean_annual_value"] == "PLN\xa0360.00"  # (50 + 10) / 2 a month × 12
    assert response.context["page"]["group_size"] == 6
    assert response.context["page"]["reached_share"] == 66.7  # c1, c2, c4, c5 of 6


def test_the_uplift_is_read_from_the_cache_after_a_refresh(client, manager, with_members):
    from campaigns.results import programme

    programme.refresh_uplift()
    url = reverse("campaigns:campaign_results", args=[with_members["campaign"].pk])
    LoadRun.objects.all().delete()  # a recomputation would now find no conversion at all

    response = client.get(url, PERIOD)

    assert response.context["uplift"]["result"].arms[0].conversions == 1


# --- team leads: their own site only --------------------------------------------------------


@pytest.fixture
def lead(client, refreshed):
    user = user_with_role(Role.TEAM_LEAD, site=refreshed["s1"], username="lena")
    client.force_login(user)
    return user


def test_a_team_lead_sees_only_their_sites_figures(client, lead, refreshed):
    response = client.get(OVERVIEW, PERIOD)

    total = response.context["page"]["total"]
    assert (total.contacts, total.shown, total.held_out, total.accepted) == (3, 4, 1, 1)
    form = response.context["form"]
    assert "site" not in form.fields
    assert [label for _v, label in form.fields["team"].choices][1:] == ["Warsaw Centre · Store"]


def test_a_team_lead_drills_from_campaign_to_channel_to_agent(client, lead, refreshed):
    by_campaign = client.get(OVERVIEW, PERIOD)
    by_channel = client.get(table(by_campaign, "execution").rows[0][0].url)
    by_agent = client.get(table(by_channel, "execution").rows[0][0].url)

    assert by_agent.context["page"]["level"] == "agent"
    assert len(table(by_agent, "execution").rows) == 2  # anna and bartek, no other site's


@pytest.mark.parametrize("param", ["site", "agent", "team"])
def test_a_team_lead_asking_for_another_site_gets_404(client, lead, refreshed, param):
    other = {"site": refreshed["s2"].pk, "agent": refreshed["celina"].pk, "team": f"{refreshed['s2'].pk}:inbound_call"}  # fmt: skip

    assert client.get(OVERVIEW, {param: other[param]}).status_code == 404
    assert client.get(reverse("campaigns:results_csv"), {param: other[param], "table": "trend"}).status_code == 404  # fmt: skip


def test_a_team_lead_sees_a_campaign_without_the_uplift_but_with_their_sites_feedback(
    client, lead, refreshed
):
    w = refreshed
    OfferFeedback.objects.create(offer=w["fibre"], campaign=w["campaign"], agent=w["anna"], site_id=w["s1"].pk, useful=False, comment="Too long")  # fmt: skip
    OfferFeedback.objects.create(offer=w["fibre"], campaign=w["campaign"], agent=w["celina"], site_id=w["s2"].pk, useful=False, comment="Elsewhere")  # fmt: skip

    response = client.get(reverse("campaigns:campaign_results", args=[w["campaign"].pk]), PERIOD)

    assert response.status_code == 200
    assert (
        response.context["uplift"] is None
        and "Uplift over the control group" not in response.content.decode()
    )
    assert response.context["open_feedback"] == 1
    assert response.context["page"]["total"].shown == 4


def test_a_team_lead_without_a_site_is_refused(client):
    user = user_with_role(Role.TEAM_LEAD)
    user.agent_profile.delete()
    client.force_login(user)

    assert client.get(OVERVIEW).status_code == 403


# --- agents: their own figures --------------------------------------------------------------


def test_an_agent_sees_only_their_own_figures(client, refreshed):
    client.force_login(refreshed["anna"])

    response = client.get(
        MINE, {**PERIOD, "agent": refreshed["bartek"].pk, "site": refreshed["s2"].pk}
    )

    total = response.context["page"]["total"]
    assert (total.contacts, total.shown, total.held_out, total.accepted, total.later) == (
        3,
        4,
        0,
        1,
        1,
    )
    assert not {"site", "team", "agent"} & set(response.context["form"].fields)
    assert response.context["page"]["filters"].agent_id == refreshed["anna"].pk


def test_an_agent_drills_from_campaign_to_channel_on_my_results(client, refreshed):
    client.force_login(refreshed["anna"])
    by_campaign = client.get(MINE, PERIOD)

    link = table(by_campaign, "execution").rows[0][0].url

    assert link.startswith(MINE) and f"campaign={refreshed['campaign'].pk}" in link
    assert client.get(link).context["page"]["level"] == "channel"


def test_an_agent_may_not_open_the_managers_pages(client, refreshed):
    client.force_login(refreshed["anna"])

    assert client.get(OVERVIEW).status_code == 403
    assert client.get(reverse("campaigns:campaign_results", args=[refreshed["campaign"].pk])).status_code == 403  # fmt: skip
    assert client.get(reverse("campaigns:results_csv"), {"table": "trend"}).status_code == 403


def test_my_results_csv_is_the_agents_own(client, refreshed):
    client.force_login(refreshed["bartek"])

    rows = csv_rows(client.get(reverse("campaigns:my_results_csv"), {**PERIOD, "table": "funnel"}))

    assert [r[:2] for r in rows[1:]] == [["Shown", "0"], ["Presented to the customer", "0"], ["Accepted", "0"], ["Confirmed by the warehouse", "0"]]  # fmt: skip


def test_my_results_reads_a_fixed_number_of_queries(client, refreshed, django_assert_num_queries):
    client.force_login(refreshed["anna"])
    client.get(MINE, PERIOD)  # the session and the user's roles are read once per request anyway

    with django_assert_num_queries(14):
        client.get(MINE, PERIOD)


def test_the_navigation_offers_results_to_the_roles_that_have_them(client, refreshed, make_user):
    client.force_login(refreshed["anna"])
    assert MINE in client.get(MINE).content.decode()
    client.force_login(make_user(Role.CVM_MANAGER))
    assert f'href="{OVERVIEW}"' in client.get(reverse("campaigns:manager_home")).content.decode()


def test_a_site_without_rows_shows_zeros_not_an_error(client, manager, refreshed):
    empty = SiteFactory(name="Empty store")

    response = client.get(OVERVIEW, {**PERIOD, "site": empty.pk})

    assert response.status_code == 200
    assert response.context["page"]["total"].acceptance_rate is None
    assert "—" in response.content.decode()


def test_figures_of_days_outside_the_period_are_left_out(client, manager, refreshed):
    response = client.get(
        OVERVIEW, {"since": DAY2.isoformat(), "until": (DAY2 + timedelta(days=1)).isoformat()}
    )

    assert response.context["page"]["total"].contacts == 3  # day 2: anna, celina, web


def test_a_campaigns_page_shows_the_completion_of_its_training(client, manager, refreshed):
    from tests.factories import make_guide
    from training.models import Completion
    from training.progress import sync_assignments

    w = refreshed
    guide = make_guide(campaigns=[w["campaign"]], questions=False)
    for agent in (w["anna"], w["bartek"], w["celina"], w["olga"]):
        sync_assignments(agent)  # publishing assigned it to every agent already: no change
    Completion.objects.create(
        user=w["anna"], guide=guide, version=guide.current_version, site_id=w["s1"].pk,
        acknowledged_at=timezone.now(), completed_at=timezone.now(),
    )  # fmt: skip
    url = reverse("campaigns:campaign_results", args=[w["campaign"].pk])

    completion = client.get(url, PERIOD).context["completion"]
    assert (completion.assigned, completion.completed) == (4, 1)
    client.force_login(user_with_role(Role.TEAM_LEAD, site=w["s1"]))
    response = client.get(url, PERIOD)
    assert (response.context["completion"].assigned, response.context["completion"].completed) == (
        2,
        1,
    )
    assert "completed: 1 of 2 assignments" in response.content.decode()


def test_conversions_per_agent_hour_count_outbound_acceptances(client, manager, refreshed):
    from campaigns.choices import Outcome
    from tests.campaigns.test_results_rollups import at, contact, outcome

    w = refreshed
    (call,) = contact(w["c2"], [w["fibre"]], w["campaign"], when=at(DAY1, 10, 6), kind=ChannelKind.OUTBOUND_CALL, agent=w["olga"], site=w["s3"])  # fmt: skip
    outcome(call, Outcome.ACCEPTED, when=at(DAY1, 10, 7))
    rollups.refresh_days(first=DAY1, last=DAY2)

    response = client.get(OVERVIEW, {**PERIOD, "channel": ChannelKind.OUTBOUND_CALL})

    # 1 accepted offer in 38 minutes of estimated handling time.
    assert table(response, "outbound").rows[0][10] == round(1 / (38 / 60), 2) == 1.58
