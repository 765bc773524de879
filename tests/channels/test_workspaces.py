import pytest

from campaigns import catalogue
from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.governance import stop_signal
from channels.choices import SiteKind
from cvm_portal.roles import Role
from tests.factories import AgentProfileFactory, CampaignFactory, OfferFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_console_shows_the_agents_site_and_the_programmes_live_in_their_channel(client, make_user):
    site = SiteFactory(name="Warszawa Centrum")
    CampaignFactory(
        name="Fibre for all",
        status=CampaignStatus.LIVE,
        channel_kinds=[ChannelKind.STORE],
        offers=[OfferFactory()],
    )
    CampaignFactory(
        name="Phone-only push",
        status=CampaignStatus.LIVE,
        channel_kinds=[ChannelKind.OUTBOUND_CALL],
    )
    CampaignFactory(name="Still a draft", channel_kinds=[ChannelKind.STORE])
    client.force_login(make_user(Role.AGENT, site=site))
    response = client.get("/console/")
    content = response.content.decode()
    assert "Warszawa Centrum" in content
    assert "Fibre for all" in content
    assert "Phone-only push" not in content
    assert "Still a draft" not in content
    assert "Find the customer" in content


def test_console_with_no_live_programme_says_what_will_happen(client, make_user):
    client.force_login(make_user(Role.AGENT))
    assert (
        "No CVM programme is live in your channel today" in client.get("/console/").content.decode()
    )


def test_an_agent_without_a_site_is_told_to_ask_for_one(client, make_user):
    from cvm_portal.roles import assign_role

    user = make_user(None)
    assign_role(user, Role.AGENT)
    client.force_login(user)
    assert "not attached to a site" in client.get("/console/").content.decode()


def test_outbound_lists_outbound_and_field_programmes(client, make_user):
    site = SiteFactory(kind=SiteKind.AGENCY)
    CampaignFactory(name="Win back", status=CampaignStatus.LIVE, channel_kinds=[ChannelKind.FIELD])
    CampaignFactory(
        name="Store only", status=CampaignStatus.LIVE, channel_kinds=[ChannelKind.STORE]
    )
    client.force_login(make_user(Role.AGENT, site=site, channel_kind=ChannelKind.OUTBOUND_CALL))
    content = client.get("/outbound/").content.decode()
    assert "Win back" in content and "Store only" not in content


@pytest.mark.parametrize(
    "path", ["/console/", "/outbound/", "/team/", "/sites/", "/cvm/", "/training/"]
)
def test_workspaces_refuse_post(client, make_user, path):
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.post(path).status_code in (403, 405)


def test_team_page_lists_only_the_leads_own_site(client, make_user):
    mine, other = SiteFactory(), SiteFactory()
    lead = make_user(Role.TEAM_LEAD, site=mine)
    AgentProfileFactory(site=mine, user__username="my-agent")
    AgentProfileFactory(site=other, user__username="their-agent")
    client.force_login(lead)
    content = client.get("/team/").content.decode()
    assert "my-agent" in content and "their-agent" not in content


def test_a_team_lead_gets_404_for_another_sites_page(client, make_user):
    mine, other = SiteFactory(), SiteFactory()
    client.force_login(make_user(Role.TEAM_LEAD, site=mine))
    assert client.get(f"/sites/{mine.code}/").status_code == 200
    response = client.get(f"/sites/{other.code}/")
    assert response.status_code == 404
    assert other.name not in response.content.decode()
    assert other.name not in client.get("/sites/").content.decode()


def test_a_cvm_manager_sees_every_site(client, make_user):
    sites = [SiteFactory(), SiteFactory()]
    client.force_login(make_user(Role.CVM_MANAGER))
    content = client.get("/sites/").content.decode()
    assert all(s.name in content for s in sites)
    assert client.get(f"/sites/{sites[1].code}/").status_code == 200


def test_manager_home_counts_campaigns_by_status(client, make_user):
    CampaignFactory(status=CampaignStatus.LIVE, code="LIVE-1")
    CampaignFactory(status=CampaignStatus.LIVE, code="LIVE-2")
    CampaignFactory(status=CampaignStatus.DRAFT, code="DRAFT-1")
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.get("/cvm/")
    counts = dict((s.value, n) for s, n in response.context["status_counts"])
    assert counts["live"] == 2 and counts["draft"] == 1 and counts["ended"] == 0
    assert "LIVE-2" in response.content.decode()


def test_manager_home_without_campaigns_says_how_to_start(client, make_user):
    client.force_login(make_user(Role.CVM_MANAGER))
    assert "No campaigns yet" in client.get("/cvm/").content.decode()


def test_trainer_sees_approved_and_live_programmes(client, make_user):
    CampaignFactory(name="Approved one", status=CampaignStatus.APPROVED)
    CampaignFactory(name="Draft one")
    client.force_login(make_user(Role.TRAINER))
    content = client.get("/training/").content.decode()
    assert "Approved one" in content and "Draft one" not in content


@pytest.mark.parametrize("live_campaigns", [1, 6])
def test_the_console_page_takes_a_fixed_number_of_queries(
    client, make_user, django_assert_num_queries, live_campaigns
):
    for _ in range(live_campaigns):
        CampaignFactory(status=CampaignStatus.LIVE, channel_kinds=[ChannelKind.STORE])
    client.force_login(make_user(Role.AGENT))
    # The process's catalogue, warm as in a serving process (having seen the stop generation)
    stop_signal.observe()
    catalogue.current()
    # session, user, roles, agent profile, site, live campaigns, the agent's own feedback,
    # the latest published sales digest
    with django_assert_num_queries(8):
        assert client.get("/console/").status_code == 200


def test_pages_are_translated_to_polish(client, make_user):
    client.force_login(make_user(Role.AGENT))
    response = client.get("/console/", HTTP_ACCEPT_LANGUAGE="pl")
    content = response.content.decode()
    assert response.headers["Content-Language"] == "pl"
    assert 'lang="pl"' in content
    assert "Konsola obsługi klienta" in content
    assert "Customer console" not in content


@pytest.mark.parametrize(
    ("role", "path", "queries"),
    [
        # session, user, roles, profile, site, team agents (with users), the week's figures,
        # the site's capacity plans (none: no forecast is read)
        (Role.TEAM_LEAD, "/team/", 8),
        # session, user, roles, profile, site, live campaigns, the lead held, today's counters
        # (2), calls left in today's lists, my callbacks, my feedback to CVM
        (Role.AGENT, "/outbound/", 12),
        # session, user, roles, sites with counts
        (Role.CVM_MANAGER, "/sites/", 4),
    ],
)
def test_other_workspaces_take_a_fixed_number_of_queries(
    client, make_user, django_assert_num_queries, role, path, queries
):
    site = SiteFactory(kind=SiteKind.AGENCY if path == "/outbound/" else SiteKind.STORE)
    kind = ChannelKind.OUTBOUND_CALL if path == "/outbound/" else ChannelKind.STORE
    for _ in range(4):
        AgentProfileFactory(site=site, channel_kind=kind)
        CampaignFactory(status=CampaignStatus.LIVE, channel_kinds=[kind])
    client.force_login(make_user(role, site=site, channel_kind=kind))
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_team_leads_see_their_agents_offer_figures_for_the_week(client, make_user):
    from campaigns.choices import Outcome
    from campaigns.decisioning import decide
    from campaigns.models import DeclineReason
    from campaigns.responses import record_outcome
    from tests.factories import CustomerFactory, target_group

    site = SiteFactory()
    lead = make_user(Role.TEAM_LEAD, site=site)
    agent = make_user(Role.AGENT, site=site, username="busy-agent")
    elsewhere = make_user(Role.AGENT, site=SiteFactory(), username="other-site-agent")
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[OfferFactory(channel_kinds=[ChannelKind.STORE])],
        channel_kinds=[ChannelKind.STORE],
    )
    customers = [CustomerFactory(consent_marketing=True) for _ in range(3)]
    target_group(campaign, [{"customer": c, "propensity": 0.5} for c in customers])
    for customer, outcome, who in [
        (customers[0], Outcome.ACCEPTED, agent),
        (customers[1], Outcome.DECLINED, agent),
        (customers[2], Outcome.ACCEPTED, elsewhere),
    ]:
        presentation = (
            decide(customer=customer, channel_kind=ChannelKind.STORE, agent=who)
            .offers[0]
            .presentation
        )
        record_outcome(
            presentation=presentation, outcome=outcome, agent=who, site_id=who.agent_profile.site_id,
            decline_reason=DeclineReason.objects.first() if outcome == Outcome.DECLINED else None,
        )  # fmt: skip
    client.force_login(lead)
    rows = {r["agent"].user.username: r for r in client.get("/team/").context["rows"]}
    assert (rows["busy-agent"]["presented"], rows["busy-agent"]["accepted"]) == (2, 1)
    assert "other-site-agent" not in rows
    assert "50 %" in client.get("/team/").content.decode()
