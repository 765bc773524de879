"""The outbound agent screen and the call-list page: what users see, and who may do what."""

import re
from decimal import Decimal

import pytest

from campaigns.models import Response
from channels.choices import Disposition, LeadState, SiteKind
from channels.models import CallAttempt, CallList, Lead, OutboundShare
from channels.outbound.claiming import next_lead
from channels.outbound.dialling import record_attempt
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import ALL_DAY, OUT, SiteFactory, build_lists, outbound_agent, outbound_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    w = outbound_world(3)
    build_lists()
    w.agent = outbound_agent(w.site, username="olaf")
    client.force_login(w.agent)
    return w


def test_the_agent_presses_next_customer_and_sees_whom_to_call_with_the_script(client, world):
    page = client.get("/outbound/").content.decode()
    assert "Next customer" in page
    response = client.post("/outbound/next/")
    assert response.status_code == 302 and response["Location"] == "/outbound/"
    page = client.get("/outbound/").content.decode()
    customer = world.customers[0]
    assert customer.name in page and customer.phone_display in page
    assert "Fibre reached your street." in page
    assert "What happened on the call?" in page
    assert AuditEvent.objects.filter(
        user=world.agent, object_id=str(customer.pk), detail="outbound"
    ).exists()


def test_reached_offers_the_console_offers_and_wrap_up_brings_the_next_customer(client, world):
    client.post("/outbound/next/")
    lead = Lead.objects.get(state=LeadState.ASSIGNED)
    client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "reached"})
    page = client.get("/outbound/").content.decode()
    presentation_id = re.search(r"/outbound/offers/(\d+)/outcome/", page).group(1)
    for _ in range(2):  # a double click
        answer = client.post(
            f"/outbound/offers/{presentation_id}/outcome/",
            {"outcome": "accepted"},
            HTTP_HX_REQUEST="true",
        )
        assert answer.status_code == 200
        assert "Recorded: Accepted" in answer.content.decode()
    assert Response.objects.filter(customer=lead.customer).count() == 1
    client.post(f"/outbound/leads/{lead.pk}/wrap-up/")
    page = client.get("/outbound/").content.decode()
    assert world.customers[1].name in page  # the next one is already on screen
    assert re.findall(r'id="count-(\w+)">(\d+)<', page) == [
        ("calls", "1"),
        ("reached", "1"),
        ("conversions", "1"),
    ]


def test_a_disposition_is_logged_and_the_screen_is_free_again(client, world):
    client.post("/outbound/next/")
    lead = Lead.objects.get(state=LeadState.ASSIGNED)
    response = client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "busy"})
    assert response.status_code == 302
    assert CallAttempt.objects.get().disposition == Disposition.BUSY
    assert "Next customer" in client.get("/outbound/").content.decode()


def test_a_callback_outside_calling_hours_is_refused_with_a_clear_message(client):
    w = outbound_world(1, site=SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY))
    w.site.calls_until = w.site.calls_until.replace(hour=23, minute=0, second=0)
    w.site.save()
    build_lists()
    agent = outbound_agent(w.site)
    client.force_login(agent)
    lead = next_lead(agent=agent).lead
    response = client.post(
        f"/outbound/leads/{lead.pk}/attempt/",
        {"disposition": "callback", "callback_at": "2099-01-05T23:30"},
    )
    assert response.status_code == 422
    assert "choose a time then" in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_a_callback_without_a_time_is_refused(client, world):
    lead = next_lead(agent=world.agent).lead
    response = client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "callback"})
    assert response.status_code == 422
    assert "Choose when to call back." in response.content.decode()


def test_another_agent_cannot_touch_my_lead_by_changing_the_id(client, world):
    lead = next_lead(agent=world.agent).lead
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.REACHED)
    lead.refresh_from_db()
    presentation = lead.decision.presentations.get()
    for intruder in (
        outbound_agent(world.site),  # same site, not their lead
        outbound_agent(SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY)),  # another site
    ):
        client.force_login(intruder)
        assert (
            client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "busy"}).status_code
            == 404
        )
        assert client.post(f"/outbound/leads/{lead.pk}/wrap-up/").status_code == 404
        assert (
            client.post(
                f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}
            ).status_code
            == 404
        )
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/outbound/next/"),
        ("get", "/outbound/leads/1/attempt/"),
        ("get", "/outbound/leads/1/wrap-up/"),
        ("get", "/outbound/offers/1/outcome/"),
        ("post", "/outbound/"),
        ("post", "/outbound/lists/"),
        ("get", "/outbound/lists/build/"),
    ],
)
def test_wrong_methods_are_refused(client, world, method, path):
    client.force_login(outbound_agent(world.site, is_staff=True))
    assert getattr(client, method)(path).status_code in (403, 405)


def test_anonymous_users_are_sent_to_sign_in(client):
    for path in ("/outbound/", "/outbound/lists/", "/outbound/lists.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_store_agent_has_no_call_list(client, make_user, world):
    client.force_login(make_user(Role.AGENT))
    assert "works in another channel" in client.get("/outbound/").content.decode()
    assert client.post("/outbound/next/").status_code == 404


def test_an_empty_list_says_what_to_do(client, world):
    Lead.objects.update(state=LeadState.DONE)
    client.post("/outbound/next/")
    assert "No customer is waiting" in client.get("/outbound/").content.decode()


def test_the_agent_screen_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    # session, user, roles, profile, site, live campaigns, held lead, today's calls, conversions,
    # today's lists (cached afterwards), calls left, my callbacks, my feedback
    with django_assert_num_queries(13):
        assert client.get("/outbound/").status_code == 200
    next_lead(agent=world.agent)
    # with a lead instead of the live campaigns and my feedback: the audit event, the campaign's
    # offers, their scripts, the customer's earlier calls, the needs to tick, their need notes
    with django_assert_num_queries(16):
        assert client.get("/outbound/").status_code == 200


# --- Call lists page ---------------------------------------------------------------------


@pytest.fixture
def two_sites():
    mine = outbound_world(2)
    theirs = outbound_world(3)
    build_lists()
    return mine, theirs


def test_a_team_lead_sees_only_their_sites_lists(client, make_user, two_sites):
    mine, theirs = two_sites
    client.force_login(make_user(Role.TEAM_LEAD, site=mine.site, channel_kind=OUT))
    page = client.get("/outbound/lists/").content.decode()
    assert mine.campaign.name in page and theirs.campaign.name not in page
    csv_text = client.get("/outbound/lists.csv").content.decode()
    assert mine.campaign.code in csv_text and theirs.campaign.code not in csv_text


def test_a_cvm_manager_sees_every_sites_lists_and_downloads_them(client, make_user, two_sites):
    mine, theirs = two_sites
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get("/outbound/lists/").content.decode()
    assert mine.site.name in page and theirs.site.name in page
    response = client.get("/outbound/lists.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode().splitlines()
    assert rows[0].startswith("day,site,campaign,agent,size,remaining")
    assert rows[0].endswith(",at_risk,skipped,expired,withdrawn")
    assert len(rows) == 3
    assert all(len(row.split(",")) == len(rows[0].split(",")) for row in rows)


def test_an_agent_may_not_see_the_call_lists_page(client, world):
    assert client.get("/outbound/lists/").status_code == 403


def test_an_unreadable_day_is_explained(client, make_user, two_sites):
    client.force_login(make_user(Role.CVM_MANAGER))
    assert "Give a date as YYYY-MM-DD." in client.get("/outbound/lists/?day=soon").content.decode()


def test_a_cvm_manager_builds_missing_lists_on_demand(client, make_user, eager_tasks):
    w = outbound_world(2)
    client.force_login(make_user(Role.CVM_MANAGER))
    assert client.post("/outbound/lists/build/").status_code == 302
    assert CallList.objects.get().site == w.site


def test_a_team_lead_may_not_build_lists(client, make_user):
    w = outbound_world(1)
    client.force_login(make_user(Role.TEAM_LEAD, site=w.site, channel_kind=OUT))
    assert client.post("/outbound/lists/build/").status_code == 403


def test_an_agencys_team_lead_sees_what_the_agency_earned_this_month(client, make_user, world):
    OutboundShare.objects.update(rate_per_conversion=Decimal("40.00"))
    lead = next_lead(agent=world.agent).lead
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.REACHED)
    lead.refresh_from_db()
    from channels.outbound.dialling import record_lead_outcome

    record_lead_outcome(
        lead=lead,
        presentation=lead.decision.presentations.get(),
        agent=world.agent,
        outcome="accepted",
    )
    client.force_login(make_user(Role.TEAM_LEAD, site=world.site, channel_kind=OUT))
    page = client.get("/outbound/lists/").content.decode()
    assert "Earned this month" in page
    assert re.search(r'class="num earned">PLN\xa040\.00<', page)
