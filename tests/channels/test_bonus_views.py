"""Bonus pages: what each role sees, and that nobody reaches another person's or site's data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind
from channels.bonus.statements import close_period, refresh_open_plans, refresh_statement
from channels.choices import SiteKind
from channels.console.links import customer_url
from channels.models import BonusPlan, BonusStatement, Cancellation, OutboundShare
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    MARCH,
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    SiteFactory,
    at,
    bonus_plan,
    bonus_world,
    recorded,
    target_group,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal
# session, user, roles, profile, plan, statement, its freshness (outcomes, offers shown,
# cancellations since it was computed), the statement, lines, tiers, leaderboard, past: 14
FRESH = 14
# …and when it is older than 15 minutes, the recompute instead of the freshness checks (savepoint,
# lock, profile, rules, tiers, outcomes, contacts, closed statements, status check, update,
# delete + insert lines, release): 24
RECOMPUTED = 24


def this_month():
    first = timezone.localdate().replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@pytest.fixture
def w():
    w = bonus_world()
    w.plan = bonus_plan(this_month(), rules=[("10", "0")], target=D("30"), tiers=[("100", "2")])
    w.sold = recorded(w.agent, w.cheap, w.campaign, when=timezone.now() - timedelta(minutes=5))
    refresh_open_plans()  # what the schedule does every 15 minutes
    return w


@pytest.fixture
def manager(make_user):
    return make_user(Role.CVM_MANAGER)


# --- The agent -------------------------------------------------------------------------------


def test_an_agent_reads_their_statement_line_by_line(client, w):
    client.force_login(w.agent)
    page = client.get("/bonus/").content.decode()
    assert "My bonus" in page and w.plan.name in page
    assert 'id="bonus-total">PLN\xa010.00<' in page
    assert "Data pack (XS-FIBRE), rule: any accepted offer" in page
    assert ">33.33%<" in page and "of the target of PLN\xa030.00" in page
    assert "pending" in page  # inside the clawback window
    assert "Bartek" in page  # the site's leaderboard


def test_an_agent_without_a_plan_is_told_what_to_do(client, make_user):
    client.force_login(make_user(Role.AGENT))
    page = client.get("/bonus/").content.decode()
    assert "No bonus plan covers you this period" in page


def test_an_agent_sees_only_their_own_statement(client, w):
    client.force_login(w.colleague)
    client.get("/bonus/")
    client.force_login(w.agent)
    client.get("/bonus/")
    theirs = BonusStatement.objects.get(agent=w.colleague)
    assert client.get(f"/bonus/statements/{theirs.pk}/").status_code == 404
    mine = BonusStatement.objects.get(agent=w.agent)
    assert client.get(f"/bonus/statements/{mine.pk}/").status_code == 200
    # ?plan= of a plan they have no statement under is a 404 too
    other = bonus_plan((date(2025, 1, 1), date(2025, 1, 31)))
    assert client.get(f"/bonus/?plan={other.pk}").status_code == 404
    assert client.get("/bonus/?plan=abc").status_code == 404


def test_a_past_statement_is_reachable_from_the_list(client, w):
    march = bonus_plan(MARCH)
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 3)))
    refresh_statement(plan=march, agent=w.agent)
    client.force_login(w.agent)
    assert f"?plan={march.pk}" in client.get("/bonus/").content.decode()
    page = client.get(f"/bonus/?plan={march.pk}").content.decode()
    assert "Fibre 1 Gb/s" in page and "Data pack" not in page


def test_the_leaderboard_is_hidden_when_the_site_switches_it_off(client, w, manager):
    client.force_login(manager)
    response = client.post(f"/bonus/sites/{w.site.code}/leaderboard/", {"on": "0"})
    assert response.status_code == 302
    client.force_login(w.agent)
    page = client.get("/bonus/").content.decode()
    assert 'id="leaderboard"' not in page and "Bartek" not in page
    client.force_login(w.lead)
    assert "leaderboard switched off" in client.get("/bonus/team/").content.decode()


def roaming_pass_customer():
    """A customer in a live store campaign's target group for a 40 PLN roaming pass."""
    offer = OfferFactory(title="Roaming pass", value=D("40"), channel_kinds=[ChannelKind.STORE])
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.STORE)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    customer = CustomerFactory()
    target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    return customer, offer


def test_the_console_card_says_what_accepting_the_offer_would_earn(client, w):
    customer, _offer = roaming_pass_customer()
    client.force_login(w.agent)
    page = client.get(customer_url(user=w.agent, customer_id=customer.pk)).content.decode()
    assert "accepting it earns you PLN\xa010.00" in page


# --- The team lead ---------------------------------------------------------------------------


def test_a_team_lead_sees_the_team_statements_of_their_own_site_only(client, w):
    elsewhere = user_with_role(Role.AGENT, site=SiteFactory(), username="zed")
    client.force_login(elsewhere)
    client.get("/bonus/")
    far = BonusStatement.objects.get(agent=elsewhere)
    client.force_login(w.lead)
    page = client.get("/bonus/team/").content.decode()
    assert "Anna" in page and "Bartek" in page and "zed" not in page
    mine = BonusStatement.objects.get(agent=w.agent)
    assert client.get(f"/bonus/statements/{mine.pk}/").status_code == 200
    assert client.get(f"/bonus/statements/{far.pk}/").status_code == 404


def test_the_team_page_is_for_team_leads(client, w):
    client.force_login(w.agent)
    assert client.get("/bonus/team/").status_code == 403


# --- The CVM manager -------------------------------------------------------------------------


def test_bonus_management_pages_are_for_cvm_managers(client, w):
    client.force_login(w.lead)
    for path in (
        "/bonus/plans/",
        f"/bonus/plans/{w.plan.pk}/",
        f"/bonus/plans/{w.plan.pk}/simulate/",
        f"/bonus/plans/{w.plan.pk}/payroll.csv",
        "/bonus/cancellations/",
    ):
        assert client.get(path).status_code == 403, path
    for path in (f"/bonus/plans/{w.plan.pk}/close/", f"/bonus/sites/{w.site.code}/leaderboard/"):
        assert client.post(path).status_code == 403, path


def test_anonymous_users_are_sent_to_sign_in(client, w):
    for path in ("/bonus/", "/bonus/team/", "/bonus/plans/", "/bonus/agencies/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_writes_refuse_get_and_reads_refuse_post(client, w, manager):
    client.force_login(manager)
    assert client.get(f"/bonus/plans/{w.plan.pk}/close/").status_code == 405
    assert client.get(f"/bonus/plans/{w.plan.pk}/refresh/").status_code == 405
    assert client.post("/bonus/plans/").status_code == 405
    client.force_login(w.agent)
    assert client.post("/bonus/").status_code == 405


def test_a_manager_recomputes_closes_and_exports_payroll(client, w, manager):
    march = bonus_plan(MARCH, name="March")
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 3)))
    client.force_login(manager)
    client.post(f"/bonus/plans/{march.pk}/refresh/")
    page = client.get(f"/bonus/plans/{march.pk}/").content.decode()
    assert "Anna" in page and "Close the period" in page
    csv_before = client.get(f"/bonus/plans/{march.pk}/payroll.csv", follow=True)
    assert "Close the period first" in csv_before.content.decode()
    response = client.post(f"/bonus/plans/{march.pk}/close/", follow=True)
    assert "Period closed: 3 statements frozen" in response.content.decode()
    assert AuditEvent.objects.filter(action="bonus_close", user=manager).exists()
    csv = client.get(f"/bonus/plans/{march.pk}/payroll.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert ",anna,Anna User" in csv.content.decode() or ",anna," in csv.content.decode()
    again = client.post(f"/bonus/plans/{march.pk}/close/", follow=True)
    assert "already closed" in again.content.decode()


def test_the_current_period_cannot_be_closed_from_the_page(client, w, manager):
    client.force_login(manager)
    page = client.get(f"/bonus/plans/{w.plan.pk}/").content.decode()
    assert "can be closed after" in page
    response = client.post(f"/bonus/plans/{w.plan.pk}/close/", follow=True)
    assert "close it after that day" in response.content.decode()
    assert not BonusPlan.objects.get(pk=w.plan.pk).is_closed


def test_the_what_if_simulator_shows_cost_and_cost_per_conversion(client, w, manager):
    client.force_login(manager)
    url = f"/bonus/plans/{w.plan.pk}/simulate/"
    page = client.get(url).content.decode()
    assert f'name="c{w.campaign.pk}"' in page
    page = client.get(url, {f"c{w.campaign.pk}": "6", "agents": "2"}).content.decode()
    # 30 each: exactly the target, no accelerator; 2 agents = 60
    assert 'id="sim-cost">PLN\xa060.00<' in page and 'id="sim-cpc">PLN\xa010.00<' in page
    page = client.get(url, {f"c{w.campaign.pk}": "-1", "agents": "0"}).content.decode()
    assert "type a whole number of conversions" in page and "1 or more" in page


def test_cancellations_are_uploaded_as_csv_and_claw_back(client, w, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    upload = SimpleUploadedFile(
        "cancelled.csv",
        f"response_id,cancelled_on,reason\n{w.sold.pk},,withdrew\n999999,,\n".encode(),
        content_type="text/csv",
    )
    page = client.post("/bonus/cancellations/", {"file": upload}).content.decode()
    assert "1 cancellation recorded, 0 already known" in page
    assert "Line 3: no such recorded outcome." in page
    assert Cancellation.objects.get().entered_by == manager
    client.force_login(w.agent)
    page = client.get("/bonus/").content.decode()
    assert 'id="bonus-total">PLN\xa00.00<' in page and "Cancelled" in page


def test_an_empty_cancellation_form_says_what_to_do(client, manager):
    client.force_login(manager)
    response = client.post("/bonus/cancellations/", {})
    assert response.status_code == 422
    assert "Choose a CSV file or paste its rows." in response.content.decode()


# --- Agencies --------------------------------------------------------------------------------


def test_agency_statements_for_managers_and_the_agency_team_lead_only(client, w, manager):
    agency = SiteFactory(kind=SiteKind.AGENCY, name="TeleSales Ltd")
    other = SiteFactory(kind=SiteKind.AGENCY, name="Other Agency")
    w.campaign.channel_kinds = [ChannelKind.STORE, ChannelKind.OUTBOUND_CALL]
    w.campaign.save()
    OutboundShare.objects.create(
        campaign=w.campaign, site=agency, share=60, rate_per_conversion=D("40")
    )
    caller = user_with_role(Role.AGENT, site=agency, channel_kind="outbound_call")
    recorded(caller, w.cheap, w.campaign, when=timezone.now() - timedelta(minutes=1))
    client.force_login(manager)
    page = client.get("/bonus/agencies/").content.decode()
    assert "TeleSales Ltd" in page and "Other Agency" in page and "40.00" in page
    assert "Type the month as YYYY-MM." in client.get("/bonus/agencies/?month=13").content.decode()
    boss = user_with_role(Role.TEAM_LEAD, site=agency, channel_kind="outbound_call")
    client.force_login(boss)
    page = client.get("/bonus/agencies/").content.decode()
    assert "TeleSales Ltd" in page and "Other Agency" not in page
    client.force_login(w.lead)  # a store's lead has no agency statement
    assert client.get("/bonus/agencies/").status_code == 404
    assert other.pk  # listed for managers only


def test_the_statement_page_takes_the_same_queries_for_one_line_or_five(
    client, w, django_assert_num_queries
):
    client.force_login(w.agent)
    client.get("/bonus/")
    with django_assert_num_queries(FRESH):
        client.get("/bonus/")  # nothing happened since: not recomputed
    for lines in (1, 5):
        if lines == 5:
            for _ in range(4):
                recorded(w.agent, w.dear, w.campaign, when=timezone.now() - timedelta(minutes=3))
        BonusStatement.objects.update(computed_at=timezone.now() - timedelta(hours=1))
        with django_assert_num_queries(RECOMPUTED):
            page = client.get("/bonus/").content.decode()
        assert page.count("rule: any accepted offer") == lines


def test_a_new_outcome_shows_on_the_statement_at_once(client, w):
    client.force_login(w.agent)
    assert 'id="bonus-total">PLN\xa010.00<' in client.get("/bonus/").content.decode()
    recorded(w.agent, w.dear, w.campaign, when=timezone.now())
    assert 'id="bonus-total">PLN\xa020.00<' in client.get("/bonus/").content.decode()
    sold = w.sold
    Cancellation.objects.create(response=sold, cancelled_at=timezone.now(), entered_by=w.lead)
    assert 'id="bonus-total">PLN\xa010.00<' in client.get("/bonus/").content.decode()


def test_the_schedule_recomputes_open_statements_and_leaves_closed_ones(w):
    march = bonus_plan(MARCH)
    recorded(w.colleague, w.dear, w.campaign, when=at((2026, 3, 3)))
    close_period(plan=march, user=w.lead, now=at((2026, 4, 2)))
    recorded(w.colleague, w.cheap, w.campaign, when=timezone.now() - timedelta(minutes=1))
    from channels.tasks import refresh_bonus_statements_task

    assert refresh_bonus_statements_task() == 3
    assert BonusStatement.objects.get(plan=w.plan, agent=w.colleague).total == D("10.00")
    assert BonusStatement.objects.get(plan=march, agent=w.colleague).lines.count() == 1


def test_the_plans_page_lists_plans_with_their_people_and_the_leaderboard_switches(
    client, w, manager
):
    bonus_plan(MARCH, name="March stores", channel_kind="store", sites=[w.site])
    client.force_login(manager)
    page = client.get("/bonus/plans/").content.decode()
    assert "March stores" in page and "Warsaw Centre" in page and "current" in page
    assert "every channel kind" in page and "every site" in page  # the fixture's plan
    assert f"/bonus/sites/{w.site.code}/leaderboard/" in page and "Switch off" in page


def test_an_empty_plan_list_says_what_to_do(client, manager):
    client.force_login(manager)
    page = client.get("/bonus/plans/")
    assert "No bonus plan yet" in page.content.decode()


def test_a_new_bonus_rule_shows_on_the_console_card_at_once(client, w):
    from channels.models import BonusRule

    customer, offer = roaming_pass_customer()
    client.force_login(w.agent)
    url = customer_url(user=w.agent, customer_id=customer.pk)
    assert "accepting it earns you PLN\xa010.00" in client.get(url).content.decode()
    BonusRule.objects.create(plan=w.plan, offer=offer, amount=D("25"), value_share=D("0"))
    assert "accepting it earns you PLN\xa025.00" in client.get(url).content.decode()


def test_the_plan_page_writes_dates_and_money_as_each_reader_does(client, w, manager):
    march = bonus_plan(MARCH, name="March")
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 3)))
    client.force_login(manager)
    client.post(f"/bonus/plans/{march.pk}/refresh/")
    polish = client.get(f"/bonus/plans/{march.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    english = client.get(f"/bonus/plans/{march.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "marca 2026" in polish and "March 2026" in english
    assert f"{march.starts_on:%Y-%m-%d}" not in polish + english


def test_statement_lines_show_their_amount_with_the_currency_in_each_language(client, w):
    client.force_login(w.agent)
    polish = client.get("/bonus/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    english = client.get("/bonus/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "10,00\xa0zł" in polish and "PLN\xa010.00" in english
