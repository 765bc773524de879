"""Digital teams are trained too: the people who work on web, app, chatbot, IVR and USSD get
the guides written for their channels, read them, pass the quiz and show up in the reports as a
group of their own; API clients' service accounts never get training."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.choices import ChannelKind
from campaigns.results.sources import training as results_training
from cvm_portal.roles import Role, assign_role, roles_of
from tests.factories import (
    CampaignFactory,
    UserFactory,
    api_client,
    make_guide,
    quiz_post,
    right_answers,
)
from training import progress
from training.models import Assignment, Completion, DigitalTeamProfile, Guide
from training.publishing import publish_guide
from training.teams import leave_digital_team, set_digital_team

pytestmark = pytest.mark.django_db

WEB, APP, CHATBOT, IVR, USSD = "web", "app", "chatbot", "ivr", "ussd"
DIGITAL_TEAM = Role.DIGITAL_TEAM.value


def member(*kinds, **fields):
    """A digital team member working on ``kinds``."""
    user = UserFactory(**fields)
    set_digital_team(user=user, channel_kinds=kinds)
    return user


def for_web(**fields):
    """A guide for the web and app teams."""
    return make_guide(
        title=fields.pop("title", "Banners on the web"),
        roles=[DIGITAL_TEAM],
        channel_kinds=fields.pop("channel_kinds", [WEB, APP]),
        **fields,
    )


def assigned(guide) -> set[str]:
    return set(guide.assignments.values_list("user__username", flat=True))


# --- Who gets a guide --------------------------------------------------------------------


def test_a_guide_for_web_reaches_a_web_team_member_and_not_other_kinds_agents_or_api_clients(
    make_user,
):
    web = member(WEB, APP, username="web-po")
    chatbot = member(CHATBOT, IVR, username="bot-designer")
    store_agent = make_user(Role.AGENT, username="store-agent")
    api_user = api_client("web-shop", kinds=[WEB])[0].user

    guide = for_web()

    assert assigned(guide) == {"web-po"}
    assignment = Assignment.objects.get(guide=guide, user=web)
    assert assignment.site_id is None
    assert assignment.due_at - assignment.assigned_at == timedelta(days=guide.due_days)
    assert not Assignment.objects.filter(user__in=[chatbot, store_agent, api_user]).exists()


def test_a_guide_for_every_channel_reaches_every_digital_team_when_their_role_is_ticked(
    make_user,
):
    member(WEB, username="web-po")
    member(USSD, username="ussd-designer")
    make_user(Role.AGENT, username="store-agent")

    guide = make_guide(roles=[DIGITAL_TEAM, Role.AGENT.value])

    assert assigned(guide) == {"web-po", "ussd-designer", "store-agent"}
    assert USSD in DigitalTeamProfile.objects.get(user__username="ussd-designer").channel_kinds


def test_a_guide_that_does_not_name_the_digital_team_role_never_reaches_them(make_user):
    member(WEB, username="web-po")
    make_user(Role.AGENT, username="store-agent")

    guide = make_guide()  # no role ticked: agents and team leads, as before

    assert assigned(guide) == {"store-agent"}


def test_sites_limit_agents_but_not_digital_teams(make_user, site, other_site):
    member(WEB, username="web-po")
    make_user(Role.AGENT, site=site, username="here")
    make_user(Role.AGENT, site=other_site, username="there")

    guide = make_guide(roles=[DIGITAL_TEAM, Role.AGENT.value], site_ids=[site.pk])

    assert assigned(guide) == {"web-po", "here"}


def test_someone_who_joins_a_digital_team_later_finds_the_guide_in_my_training(client):
    guide = for_web()
    newcomer = member(APP)

    client.force_login(newcomer)
    body = client.get("/training/mine/").content.decode()

    assert guide.title in body
    assert Assignment.objects.get(user=newcomer).site_id is None


def test_someone_who_leaves_the_team_loses_the_role_and_gets_no_new_guides(client):
    leaver = member(WEB)
    leave_digital_team(user=leaver)

    guide = for_web()

    assert Role.DIGITAL_TEAM not in roles_of(leaver)
    assert not DigitalTeamProfile.objects.filter(user=leaver).exists()
    assert not guide.assignments.exists()
    client.force_login(leaver)
    assert client.get("/training/mine/").status_code == 403


# --- API clients are never trained -------------------------------------------------------


def test_an_api_client_account_cannot_be_made_a_digital_team_member():
    api_user = api_client("chatbot", kinds=[CHATBOT])[0].user

    with pytest.raises(ValidationError, match="API client"):
        set_digital_team(user=api_user, channel_kinds=[CHATBOT])

    assert not DigitalTeamProfile.objects.filter(user=api_user).exists()


def test_an_api_client_account_given_the_role_by_hand_still_gets_no_training():
    api_user = api_client("chatbot", kinds=[CHATBOT])[0].user
    DigitalTeamProfile.objects.create(user=api_user, channel_kinds=[CHATBOT])
    assign_role(api_user, Role.DIGITAL_TEAM)

    guide = make_guide(roles=[DIGITAL_TEAM], channel_kinds=[CHATBOT])
    progress.sync_assignments(api_user)

    assert not guide.assignments.exists()


def test_a_digital_team_works_on_digital_kinds_only():
    user = UserFactory()

    with pytest.raises(ValidationError, match="have agents"):
        set_digital_team(user=user, channel_kinds=[ChannelKind.STORE])
    with pytest.raises(ValidationError, match="at least one"):
        set_digital_team(user=user, channel_kinds=[])

    assert Role.DIGITAL_TEAM not in roles_of(user)


# --- Reading, the quiz, re-acknowledgement -----------------------------------------------


def test_a_member_reads_acknowledges_and_passes_the_quiz(client):
    guide = for_web()
    web = member(WEB)
    client.force_login(web)

    page = client.get(f"/training/mine/{guide.pk}/").content.decode()
    client.post(f"/training/mine/{guide.pk}/acknowledge/")
    result = client.post(f"/training/mine/{guide.pk}/quiz/", quiz_post(right_answers(guide)))

    assert "I have read and understood this guide" in page
    assert result.status_code == 200
    completion = Completion.objects.get(user=web, guide=guide)
    assert completion.completed_at is not None and completion.score == 100
    assert completion.site_id is None


def test_a_material_change_asks_the_member_to_re_acknowledge_with_a_fresh_due_date(client, trainer):
    guide = for_web()
    web = member(WEB)
    client.force_login(web)
    client.post(f"/training/mine/{guide.pk}/acknowledge/")
    client.post(f"/training/mine/{guide.pk}/quiz/", quiz_post(right_answers(guide)))
    Assignment.objects.filter(user=web).update(due_at=timezone.now() - timedelta(days=30))

    publish_guide(guide=guide, by=trainer, material=True, note="New banner sizes")

    groups = progress.my_training(web)
    assert [item.status for item in groups["assigned"]] == ["reacknowledge"]
    assert Assignment.objects.get(user=web).due_at > timezone.now()


def test_a_member_cannot_read_a_guide_for_another_channel(client):
    guide = make_guide(roles=[DIGITAL_TEAM], channel_kinds=[CHATBOT])
    web = member(WEB)
    client.force_login(web)

    assert client.get(f"/training/mine/{guide.pk}/").status_code == 404
    assert client.post(f"/training/mine/{guide.pk}/acknowledge/").status_code == 404


def test_reading_a_guide_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    guide = for_web()
    web = member(WEB)
    client.force_login(web)
    client.get(f"/training/mine/{guide.pk}/")  # first opening is remembered once

    # session, user, roles, assignment, this version's completion, an earlier one
    with django_assert_num_queries(6):
        assert client.get(f"/training/mine/{guide.pk}/").status_code == 200


# --- Reports -------------------------------------------------------------------------------


def test_the_dashboard_shows_the_digital_teams_as_a_row_of_their_own(client, trainer, make_user):
    web = member(WEB, APP)
    make_user(Role.AGENT)
    guide = make_guide(roles=[DIGITAL_TEAM, Role.AGENT.value])
    Completion.objects.create(
        user=web, guide=guide, version=guide.current_version, completed_at=timezone.now()
    )
    client.force_login(trainer)

    body = client.get("/training/dashboard/").content.decode()

    by_site = body[body.index('id="by-site-h"') : body.index('id="by-team-h"')]
    by_team = body[body.index('id="by-team-h"') : body.index('id="overdue-h"')]
    assert "Digital teams" in by_site
    assert "<td>Digital teams</td><td>Web, App</td>" in by_team


def test_the_csv_names_the_digital_teams_and_their_kinds(client, trainer):
    member(WEB, APP, username="web-po")
    for_web()
    client.force_login(trainer)

    rows = client.get("/training/dashboard.csv").content.decode().splitlines()

    row = next(r for r in rows if "web-po" in r)
    assert "Digital teams" in row and "web,app" in row


def test_a_team_lead_still_sees_only_their_own_site(client, make_user, site):
    member(WEB, username="web-po")
    lead = make_user(Role.TEAM_LEAD, site=site)
    make_guide(roles=[DIGITAL_TEAM, Role.AGENT.value, Role.TEAM_LEAD.value])
    client.force_login(lead)

    body = client.get("/training/dashboard/").content.decode()

    assert "Digital teams" not in body
    assert "web-po" not in client.get("/training/dashboard.csv").content.decode()


def test_programme_results_count_the_digital_teams_but_a_site_does_not(make_user, site):
    campaign = CampaignFactory()
    member(WEB)
    make_user(Role.AGENT, site=site)
    make_guide(campaigns=[campaign], roles=[DIGITAL_TEAM, Role.AGENT.value])

    everyone = results_training().completion(campaign.pk)
    one_site = results_training().completion(campaign.pk, site_id=site.pk)

    assert (everyone.assigned, one_site.assigned) == (2, 1)


# --- Where a member may go -----------------------------------------------------------------


def test_home_sends_a_member_to_my_training(client):
    client.force_login(member(WEB))

    response = client.get("/")

    assert response.status_code == 302 and response.url == "/training/mine/"
    assert "My workspace" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    "path",
    ["/console/", "/outbound/", "/cvm/", "/training/", "/training/dashboard/", "/team/"],
)
def test_a_member_cannot_reach_the_agent_console_outbound_or_cvm_pages(client, path):
    client.force_login(member(WEB))

    assert client.get(path).status_code == 403


def test_the_role_exists_with_read_only_permissions():
    group = Group.objects.get(name=DIGITAL_TEAM)
    perms = {p.codename for p in group.permissions.all()}

    assert perms == {"view_offer", "view_offercontent"}


# --- Authoring -----------------------------------------------------------------------------


def test_a_trainer_names_the_digital_team_and_its_channels_in_a_guide(client, trainer):
    client.force_login(trainer)
    web = member(WEB)
    fields = {
        "title": "Chatbot hand-over wording",
        "body": "## Say who takes over",
        "channel_kinds": [WEB],
        "due_days": 10,
        "pass_mark": 80,
        "max_attempts": 0,
    }

    refused = client.post("/training/guides/new/", fields)
    saved = client.post("/training/guides/new/", {**fields, "roles": [DIGITAL_TEAM]})

    assert "tick “Digital team member” too" in refused.content.decode()
    assert saved.status_code == 302
    guide = Guide.objects.get(title="Chatbot hand-over wording")
    client.post(f"/training/guides/{guide.pk}/publish/", {"material": "1", "note": ""})
    assert assigned(guide) == {web.username}


def test_the_admin_makes_a_member_and_refuses_an_api_client(client, make_user):
    admin = make_user(Role.ADMINISTRATOR)
    person = UserFactory(username="content-editor")
    api_user = api_client("app-backend", kinds=[APP])[0].user
    client.force_login(admin)
    url = "/admin/training/digitalteamprofile/add/"

    made = client.post(url, {"user": person.pk, "channel_kinds": [APP, IVR]})
    refused = client.post(url, {"user": api_user.pk, "channel_kinds": [APP]})

    assert made.status_code == 302
    assert Role.DIGITAL_TEAM in roles_of(type(person).objects.get(pk=person.pk))
    assert "not a person" in refused.content.decode()
    assert not DigitalTeamProfile.objects.filter(user=api_user).exists()
