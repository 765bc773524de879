"""The roadmap board: initiatives × channels, who updates which channel's items, the CSV, and
the governance warning for channel work a campaign still waits for."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from campaigns.choices import ChannelKind
from campaigns.governance.checks import WARNING, run_checks
from campaigns.lifecycle import approve, submit
from campaigns.models import Initiative, RoadmapItem, RoadmapStatus
from campaigns.roadmap.demo import build_roadmap_demo
from campaigns.roadmap.editors import editable_channels
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, UserFactory, ready_campaign
from training.teams import set_digital_team

pytestmark = pytest.mark.django_db

BOARD = "/cvm/roadmap/"
CSV = "/cvm/roadmap/export.csv"


def _item_url(item):
    return f"/cvm/roadmap/items/{item.pk}/"


@pytest.fixture
def cvm(make_user):
    return make_user(Role.CVM_MANAGER)


@pytest.fixture
def initiative(cvm):
    today = timezone.localdate()
    return Initiative.objects.create(
        name="Fibre for every household",
        goal="Cross-sell fibre",
        owner=cvm,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=90),
    )


def _item(initiative, kind, status=RoadmapStatus.PLANNED, target=None, work="Build it"):
    return RoadmapItem.objects.create(
        initiative=initiative, channel_kind=kind, status=status, target_date=target, work=work
    )


@pytest.fixture
def web_item(initiative):
    return _item(initiative, ChannelKind.WEB, target=timezone.localdate() + timedelta(days=20))


@pytest.fixture
def store_item(initiative):
    return _item(initiative, ChannelKind.STORE)


@pytest.fixture
def inbound_item(initiative):
    return _item(initiative, ChannelKind.INBOUND_CALL)


@pytest.fixture
def web_member(db):
    user = UserFactory(username="web-po")
    set_digital_team(user=user, channel_kinds=[ChannelKind.WEB])
    return user


def _update(client, item, **data):
    post = {"status": RoadmapStatus.IN_PROGRESS, "target_date": "", "notes": ""} | data
    return client.post(_item_url(item), post)


# --- who may update which item -------------------------------------------------------------


def test_a_digital_team_member_updates_their_channels_item(client, web_member, web_item):
    client.force_login(web_member)

    response = _update(client, web_item, status="blocked", target_date="2031-05-04", notes="API")

    assert response.status_code == 302
    assert response.url == f"{BOARD}#item-{web_item.pk}"
    web_item.refresh_from_db()
    assert web_item.status == RoadmapStatus.BLOCKED
    assert web_item.target_date == date(2031, 5, 4)
    assert web_item.notes == "API"
    assert web_item.updated_by == web_member
    assert web_item.history.first().history_user == web_member


def test_a_digital_team_member_cannot_update_another_channels_item(client, web_member, store_item):
    client.force_login(web_member)

    assert client.get(_item_url(store_item)).status_code == 403
    assert _update(client, store_item).status_code == 403
    store_item.refresh_from_db()
    assert store_item.status == RoadmapStatus.PLANNED


def test_the_board_offers_a_channel_team_the_update_link_of_its_own_items_only(
    client, web_member, web_item, store_item
):
    client.force_login(web_member)

    body = client.get(BOARD).content.decode()

    assert _item_url(web_item) in body
    assert _item_url(store_item) not in body
    assert f'id="item-{store_item.pk}"' in body  # the rest of the roadmap is shown, read-only


def test_a_team_lead_updates_their_own_channel_kind_only(
    client, make_user, store_item, inbound_item
):
    lead = make_user(Role.TEAM_LEAD, channel_kind=ChannelKind.STORE)
    client.force_login(lead)

    assert _update(client, store_item, status="done").status_code == 302
    assert _update(client, inbound_item, status="done").status_code == 403

    store_item.refresh_from_db()
    inbound_item.refresh_from_db()
    assert store_item.status == RoadmapStatus.DONE
    assert inbound_item.status == RoadmapStatus.PLANNED


def test_agents_have_no_roadmap(client, make_user, store_item):
    agent = make_user(Role.AGENT, channel_kind=ChannelKind.STORE)
    client.force_login(agent)

    assert editable_channels(agent) == set()
    assert client.get(BOARD).status_code == 403
    assert client.get(CSV).status_code == 403
    assert _update(client, store_item).status_code == 403


def test_a_cvm_manager_updates_every_channels_item(client, cvm, store_item, web_item):
    client.force_login(cvm)

    assert _update(client, store_item, status="done").status_code == 302
    assert _update(client, web_item, status="blocked").status_code == 302

    assert RoadmapItem.objects.get(pk=store_item.pk).status == RoadmapStatus.DONE
    assert RoadmapItem.objects.get(pk=web_item.pk).status == RoadmapStatus.BLOCKED


def test_anonymous_people_are_sent_to_sign_in(client, store_item):
    for path in (BOARD, CSV, _item_url(store_item)):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_invalid_update_says_what_to_fix_and_changes_nothing(client, cvm, store_item):
    client.force_login(cvm)

    response = _update(client, store_item, status="finished", target_date="soon")

    assert response.status_code == 400
    assert "Please correct these 2 errors" in response.content.decode()
    store_item.refresh_from_db()
    assert store_item.status == RoadmapStatus.PLANNED


def test_an_unknown_item_is_a_404_and_the_board_refuses_other_methods(client, cvm):
    client.force_login(cvm)

    assert client.get("/cvm/roadmap/items/999999/").status_code == 404
    assert client.post(BOARD).status_code == 405


# --- the board -----------------------------------------------------------------------------


def test_the_board_marks_overdue_items_and_shows_linked_campaigns(client, cvm, initiative):
    campaign = CampaignFactory(code="XS-FIBRE")
    initiative.campaigns.add(campaign)
    today = timezone.localdate()
    late = _item(initiative, ChannelKind.WEB, target=today - timedelta(days=1))
    _item(initiative, ChannelKind.STORE, RoadmapStatus.DONE, target=today - timedelta(days=9))
    client.force_login(cvm)

    body = client.get(BOARD).content.decode()

    assert body.count("is-overdue") == 1
    assert f'class="roadmap-item is-overdue" id="item-{late.pk}"' in body
    assert "XS-FIBRE" in body
    assert '<th scope="col">Web</th>' in body and '<th scope="col">Store</th>' in body
    assert '<th scope="col">USSD</th>' not in body  # channels without items are left out


def test_the_board_filters_by_status_and_channel(client, cvm, web_item, store_item):
    RoadmapItem.objects.filter(pk=store_item.pk).update(status=RoadmapStatus.BLOCKED)
    client.force_login(cvm)

    blocked = client.get(BOARD, {"status": "blocked"}).content.decode()
    web = client.get(BOARD, {"channel": "web"}).content.decode()

    assert f'id="item-{store_item.pk}"' in blocked and f'id="item-{web_item.pk}"' not in blocked
    assert f'id="item-{web_item.pk}"' in web and f'id="item-{store_item.pk}"' not in web


def test_a_channel_team_can_narrow_the_board_to_its_channels(
    client, web_member, web_item, store_item
):
    client.force_login(web_member)

    body = client.get(BOARD, {"mine": "on"}).content.decode()

    assert f'id="item-{web_item.pk}"' in body and f'id="item-{store_item.pk}"' not in body


def test_an_empty_board_says_what_to_do(client, cvm, web_member):
    client.force_login(cvm)
    assert "Add the first with “New initiative”" in client.get(BOARD).content.decode()
    client.force_login(web_member)
    assert "ask your CVM manager" in client.get(BOARD).content.decode()


def test_the_board_takes_as_many_queries_for_three_initiatives_as_for_one(
    client, cvm, web_item, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(cvm)
    client.get(BOARD)
    with django_assert_max_num_queries(12) as first:
        client.get(BOARD)
    for n in range(2):
        other = Initiative.objects.create(
            name=f"Other {n}", owner=cvm, starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 1)
        )
        other.campaigns.add(CampaignFactory())
        _item(other, ChannelKind.APP)
        _item(other, ChannelKind.WEB)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(BOARD)


# --- CSV -----------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_item_with_status_date_and_overdue(client, cvm, initiative):
    initiative.campaigns.add(CampaignFactory(code="XS-FIBRE"))
    _item(initiative, ChannelKind.WEB, target=date(2020, 1, 31), work="=HYPERLINK(1)")
    _item(initiative, ChannelKind.APP, RoadmapStatus.DONE, target=date(2020, 2, 1))
    client.force_login(cvm)

    response = client.get(CSV)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["initiative"] for r in rows] == ["Fibre for every household"] * 2
    web, app = sorted(rows, key=lambda r: r["channel"], reverse=True)
    assert (web["channel"], web["status"], web["target_date"], web["overdue"]) == (
        "web",
        "planned",
        "2020-01-31",
        "yes",
    )
    assert (app["channel"], app["status"], app["overdue"]) == ("app", "done", "no")
    assert web["campaigns"] == "XS-FIBRE"
    assert web["work"] == "'=HYPERLINK(1)"  # a formula a spreadsheet would run is defused


def test_the_csv_follows_the_boards_filters(client, cvm, web_item, store_item):
    client.force_login(cvm)

    response = client.get(CSV, {"channel": "store"})

    text = b"".join(response.streaming_content).decode()
    assert ",store," in text and ",web," not in text


# --- governance ----------------------------------------------------------------------------


def _serving(campaign, cvm, kind, **item):
    initiative = Initiative.objects.create(
        name="Store relaunch", owner=cvm, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 1)
    )
    initiative.campaigns.add(campaign)
    return _item(initiative, kind, **item)


def test_a_campaign_warns_of_channel_work_not_done_with_a_link_to_the_board_row(cvm):
    campaign = ready_campaign(author=cvm, kinds=(ChannelKind.STORE,))
    item = _serving(campaign, cvm, ChannelKind.STORE, status=RoadmapStatus.IN_PROGRESS)

    (result,) = run_checks(campaign)

    assert result.severity == WARNING
    assert result.code == f"roadmap:{item.pk}"
    assert "Store relaunch, Store" in result.message and "not done yet" in result.message
    assert result.fix_url == f"{BOARD}#item-{item.pk}"


def test_an_overdue_item_says_so(cvm):
    campaign = ready_campaign(author=cvm, kinds=(ChannelKind.STORE,))
    yesterday = timezone.localdate() - timedelta(days=1)
    _serving(campaign, cvm, ChannelKind.STORE, target=yesterday)

    (result,) = run_checks(campaign)

    assert "is overdue" in result.message


def test_done_items_and_other_channels_items_do_not_warn(cvm):
    campaign = ready_campaign(author=cvm, kinds=(ChannelKind.STORE,))
    item = _serving(campaign, cvm, ChannelKind.STORE, status=RoadmapStatus.DONE)
    _item(item.initiative, ChannelKind.WEB)  # the campaign does not run on the web

    assert run_checks(campaign) == []


def test_the_approver_must_acknowledge_the_roadmap_warning(cvm, make_user):
    reviewer = make_user(Role.CVM_MANAGER)
    campaign = ready_campaign(author=cvm, kinds=(ChannelKind.STORE,))
    item = _serving(campaign, cvm, ChannelKind.STORE)
    submit(campaign=campaign, by=cvm)

    with pytest.raises(Exception, match="Tick each warning"):
        approve(campaign=campaign, by=reviewer)
    approve(campaign=campaign, by=reviewer, acknowledged=[f"roadmap:{item.pk}"])


# --- links and demo ------------------------------------------------------------------------


def test_the_cvm_workspace_and_a_team_leads_home_link_to_the_board(client, cvm, make_user):
    client.force_login(cvm)
    assert f'href="{BOARD}"' in client.get("/cvm/").content.decode()
    client.force_login(make_user(Role.TEAM_LEAD))
    assert f'href="{BOARD}?mine=on"' in client.get("/team/").content.decode()


def test_a_digital_team_members_home_links_to_the_board_and_an_agents_does_not(
    client, web_member, make_user
):
    client.force_login(web_member)
    assert f'href="{BOARD}?mine=on"' in client.get("/training/mine/").content.decode()
    client.force_login(make_user(Role.AGENT))
    assert BOARD not in client.get("/training/mine/").content.decode()


def test_the_demo_has_every_status_and_one_overdue_item(cvm):
    assert build_roadmap_demo() == 11
    assert build_roadmap_demo() == 11  # safe to run again
    today = timezone.localdate()

    assert set(RoadmapItem.objects.values_list("status", flat=True)) == set(RoadmapStatus.values)
    assert RoadmapItem.objects.overdue(today).count() == 1
    assert Initiative.objects.count() == 3
