import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.choices import ChannelKind
from channels.choices import SiteKind
from channels.models import AgentProfile, Site
from cvm_portal.roles import Role
from tests.factories import AgentProfileFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_site_time_zone_must_be_a_real_zone():
    site = SiteFactory.build(timezone="Europe/Warsow")
    with pytest.raises(ValidationError) as exc:
        site.full_clean()
    assert "not a time zone" in exc.value.message_dict["timezone"][0]


def test_site_kind_is_checked_by_the_database():
    site = SiteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(kind="kiosk")


def test_an_agent_works_in_a_channel_kind_that_fits_their_site():
    profile = AgentProfileFactory.build(
        site=SiteFactory(kind=SiteKind.STORE), channel_kind=ChannelKind.OUTBOUND_CALL
    )
    profile.user.save()
    profile.user_id = profile.user.pk
    with pytest.raises(ValidationError) as exc:
        profile.full_clean()
    assert "works in Store, not Outbound call" in exc.value.message_dict["channel_kind"][0]


def test_agents_only_work_in_assisted_channel_kinds():
    profile = AgentProfileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgentProfile.objects.filter(pk=profile.pk).update(channel_kind=ChannelKind.WEB)


def test_agents_and_team_leads_see_only_their_own_site(make_user):
    mine, other = SiteFactory(), SiteFactory()
    for role in (Role.AGENT, Role.TEAM_LEAD):
        user = make_user(role, site=mine)
        assert list(Site.objects.visible_to(user)) == [mine]
    manager = make_user(Role.CVM_MANAGER)
    assert set(Site.objects.visible_to(manager)) == {mine, other}
    assert not Site.objects.visible_to(make_user(None)).exists()


def test_an_agent_profile_saved_in_the_admin_gives_the_matching_roles(client, make_user):
    from tests.factories import UserFactory

    client.force_login(make_user(Role.ADMINISTRATOR))
    site, user = SiteFactory(), UserFactory(username="new-lead")
    response = client.post(
        "/admin/channels/agentprofile/add/",
        {"user": user.pk, "site": site.pk, "channel_kind": "store", "is_team_lead": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert set(user.groups.values_list("name", flat=True)) == {"agent", "team_lead"}
    profile = AgentProfile.objects.get(user=user)
    client.post(
        f"/admin/channels/agentprofile/{profile.pk}/change/",
        {"user": user.pk, "site": site.pk, "channel_kind": "store"},
    )
    assert set(user.groups.values_list("name", flat=True)) == {"agent"}


def test_the_admin_refuses_an_agent_kind_that_does_not_fit_the_site(client, make_user):
    from tests.factories import UserFactory

    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(
        "/admin/channels/agentprofile/add/",
        {
            "user": UserFactory().pk,
            "site": SiteFactory(kind=SiteKind.STORE).pk,
            "channel_kind": "outbound_call",
        },
    )
    assert response.status_code == 200
    assert "works in Store, not Outbound call" in response.content.decode()
