import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from campaigns.choices import ChannelKind
from cvm_portal.roles import ROLE_PERMISSIONS, Role, primary_role
from tests.factories import PASSWORD, SiteFactory

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_its_permissions_after_migrate():
    for role in Role:
        group = Group.objects.get(name=role.value)
        assert group.permissions.exists()
    agent = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="agent").permissions.all()
    }
    assert agent == set(ROLE_PERMISSIONS[Role.AGENT])


@pytest.mark.parametrize(
    ("role", "perm", "has"),
    [
        (Role.AGENT, "campaigns.view_offer", True),
        (Role.AGENT, "campaigns.change_offer", False),
        (Role.AGENT, "campaigns.change_customer", False),
        (Role.TEAM_LEAD, "channels.view_agentprofile", True),
        (Role.TEAM_LEAD, "channels.change_agentprofile", False),
        (Role.CVM_MANAGER, "campaigns.change_campaign", True),
        (Role.CVM_MANAGER, "django_celery_beat.change_periodictask", True),
        (Role.CVM_MANAGER, "auth.change_user", False),
        (Role.TRAINER, "campaigns.view_campaign", True),
        (Role.TRAINER, "campaigns.change_campaign", False),
        (Role.ADMINISTRATOR, "auth.change_user", True),
    ],
)
def test_role_permissions(make_user, role, perm, has):
    assert make_user(role).has_perm(perm) is has


def test_only_manager_and_administrator_roles_may_use_the_admin(make_user):
    assert make_user(Role.CVM_MANAGER).is_staff
    assert make_user(Role.ADMINISTRATOR).is_staff
    assert not make_user(Role.AGENT).is_staff
    assert not make_user(Role.TRAINER).is_staff


def test_the_highest_role_decides_the_home_workspace(make_user):
    lead = make_user(Role.TEAM_LEAD)
    assert primary_role(lead) == Role.TEAM_LEAD


@pytest.mark.parametrize(
    ("role", "channel_kind", "workspace"),
    [
        (Role.AGENT, ChannelKind.STORE, "/console/"),
        (Role.AGENT, ChannelKind.INBOUND_CALL, "/console/"),
        (Role.AGENT, ChannelKind.OUTBOUND_CALL, "/outbound/"),
        (Role.AGENT, ChannelKind.FIELD, "/outbound/"),
        (Role.TEAM_LEAD, ChannelKind.STORE, "/team/"),
        (Role.CVM_MANAGER, None, "/cvm/"),
        (Role.TRAINER, None, "/training/"),
        (Role.ADMINISTRATOR, None, "/admin/"),
    ],
)
def test_home_sends_each_role_to_its_workspace(client, make_user, role, channel_kind, workspace):
    kind_site = {
        ChannelKind.OUTBOUND_CALL: "outbound_centre",
        ChannelKind.FIELD: "agency",
        ChannelKind.INBOUND_CALL: "inbound_centre",
    }
    site = SiteFactory(kind=kind_site.get(channel_kind, "store"))
    user = make_user(role, site=site, channel_kind=channel_kind or ChannelKind.STORE)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == workspace
    assert client.get(workspace).status_code == 200


def test_a_user_without_a_role_is_told_to_ask_for_one(client, make_user):
    client.force_login(make_user(None))
    response = client.get("/")
    assert response.status_code == 403
    assert b"no role" in response.content


# Pages, and the roles that may open them; every other role gets 403.
PAGES = {
    "/console/": {Role.AGENT},
    "/outbound/": {Role.AGENT},
    "/team/": {Role.TEAM_LEAD},
    "/sites/": {Role.TEAM_LEAD, Role.CVM_MANAGER, Role.ADMINISTRATOR},
    "/cvm/": {Role.CVM_MANAGER, Role.ADMINISTRATOR},
    "/training/": {Role.TRAINER},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_reaches_only_its_own_pages(client, make_user, role, path):
    # A plain agent (not a team lead) for the agent row, so its groups are exactly "agent".
    user = make_user(role)
    client.force_login(user)
    expected = 200 if role in PAGES[path] else 403
    if role == Role.TEAM_LEAD and path in ("/console/", "/outbound/"):
        expected = 200  # a team lead is also an agent of their site
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.TRAINER])
def test_non_staff_roles_cannot_open_the_admin(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get("/admin/campaigns/campaign/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_login_logout_and_password_change(client, make_user):
    user = make_user(Role.AGENT)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/console/").status_code == 302
    assert client.login(username=user.username, password="a-new-long-passphrase")


def test_wrong_password_says_so(client, make_user):
    user = make_user(Role.AGENT)
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_password_change_rejects_a_weak_password_with_a_reason(client, make_user):
    client.force_login(make_user(Role.AGENT))
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content


def test_navigation_shows_each_role_its_own_pages_only(client, make_user):
    client.force_login(make_user(Role.TEAM_LEAD))
    labels = [item["label"] for item in client.get("/team/").context["nav_items"]]
    assert [str(label) for label in labels] == [
        "My workspace",
        "Customer console",
        "Team bonus",
        "Results",
        "Sites",
        "My training",
        "My results",
        "Training dashboard",
        "Sales digest",
        "My bonus",
    ]
    client.force_login(make_user(Role.AGENT))
    labels = [str(item["label"]) for item in client.get("/console/").context["nav_items"]]
    assert labels == ["My workspace", "My training", "My results", "My bonus"]
    client.force_login(make_user(Role.TRAINER))
    labels = [str(item["label"]) for item in client.get("/training/").context["nav_items"]]
    assert labels == ["My workspace", "Training dashboard", "Sales digest"]
    client.force_login(make_user(Role.CVM_MANAGER))
    labels = [str(item["label"]) for item in client.get("/cvm/").context["nav_items"]]
    assert labels == [
        "My workspace",
        "Sales digest",
        "Nightly loads",
        "Results",
        "Feedback",
        "Audit trail",
        "Call lists",
        "Bonus plans",
        "Sites",
        "Administration",
    ]


def test_only_the_closest_menu_entry_is_marked_current(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    items = client.get("/cvm/loads/").context["nav_items"]
    assert [str(item["label"]) for item in items if item["active"]] == ["Nightly loads"]
