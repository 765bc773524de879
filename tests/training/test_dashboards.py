"""Trainer and team-lead dashboards, the CSV export, and the what-works insight."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.choices import FeedbackReason, Outcome
from campaigns.decisioning import decide
from campaigns.models import DeclineReason, OfferFeedback
from campaigns.responses import record_outcome
from cvm_portal.roles import Role
from tests.factories import CustomerFactory, make_guide, right_answers, target_group
from training.models import Assignment
from training.progress import acknowledge, submit_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, site, other_site):
    here = make_user(Role.AGENT, site=site, first_name="Hanna", last_name="Here")
    there = make_user(Role.AGENT, site=other_site, first_name="Tomasz", last_name="There")
    lead = make_user(Role.TEAM_LEAD, site=site)
    guide = make_guide(title="Fibre: the pitch")
    acknowledge(user=here, guide=guide)
    submit_quiz(user=here, guide=guide, answers=right_answers(guide))
    wrong = {str(q["id"]): [] for q in guide.current_version.quiz}
    submit_quiz(user=there, guide=guide, answers=wrong)
    Assignment.objects.filter(user=there).update(due_at=timezone.now() - timedelta(days=2))
    return {"here": here, "there": there, "lead": lead, "guide": guide}


def test_the_trainer_sees_rates_by_guide_and_site_overdue_people_and_missed_questions(
    client, trainer, people, site, other_site
):
    client.force_login(trainer)
    response = client.get("/training/dashboard/")
    ctx = response.context
    [guide_row] = ctx["by_guide"]
    # Hanna completed and passed; Tomasz failed and is overdue; the lead has not started.
    assert (guide_row["assigned"], guide_row["completed"], guide_row["passed_n"]) == (3, 1, 1)
    assert guide_row["completion_rate"] == 33 and guide_row["overdue"] == 1
    by_site = {row["site"]: row for row in ctx["by_site"]}
    assert by_site[site.name]["completed"] == 1 and by_site[other_site.name]["overdue"] == 1
    assert [a.user for a in ctx["overdue"]] == [people["there"]]
    assert {row["question_text"] for row in ctx["missed"]} == {
        "Who is it for?",
        "What may you promise?",
    }
    body = response.content.decode()
    assert "Tomasz There" in body and "Questions most often answered wrong" in body


def test_a_team_lead_sees_only_their_own_sites_people(client, people, site):
    client.force_login(people["lead"])
    response = client.get("/training/dashboard/")
    body = response.content.decode()
    assert "The people of your site." in body
    assert "Tomasz There" not in body
    assert [row["site_id"] for row in response.context["by_site"]] == [site.pk]
    assert response.context["missed"] == []  # Tomasz's wrong answers were at another site
    csv_body = client.get("/training/dashboard.csv").content.decode()
    assert "Hanna" in csv_body and "Tomasz" not in csv_body


def test_a_team_lead_cannot_reach_another_site_by_asking_for_it(client, people, other_site):
    client.force_login(people["lead"])
    response = client.get(f"/training/dashboard/?site={other_site.pk}")
    assert "Tomasz There" not in response.content.decode()


def test_the_csv_export_has_one_row_per_assignment(client, trainer, people):
    client.force_login(trainer)
    response = client.get("/training/dashboard.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Guide", "Version", "Username"]
    by_user = {row[2]: row for row in rows[1:]}
    assert len(by_user) == 3
    assert by_user[people["here"].username][8:] == ["completed", "yes"]
    assert by_user[people["there"].username][8:] == ["overdue", "no"]


def test_exported_names_cannot_smuggle_spreadsheet_formulas(client, trainer, make_user, site):
    make_user(Role.AGENT, site=site, first_name="=HYPERLINK(1)", last_name="")
    make_guide()
    client.force_login(trainer)
    body = client.get("/training/dashboard.csv").content.decode()
    assert "'=HYPERLINK(1)" in body


@pytest.mark.parametrize(
    "path", ["/training/dashboard/", "/training/dashboard.csv", "/training/insight/"]
)
def test_agents_do_not_see_dashboards(client, agent, path):
    client.force_login(agent)
    assert client.get(path).status_code == 403


def test_the_dashboard_says_what_to_do_when_nothing_is_published(client, trainer):
    client.force_login(trainer)
    assert (
        "No published guide is assigned yet" in client.get("/training/dashboard/").content.decode()
    )


def test_insight_shows_what_converts_and_the_reasons_cited_most(
    client, trainer, make_user, site, campaign_world
):
    campaign = campaign_world["campaign"]
    good = make_user(Role.AGENT, site=site, first_name="Best", last_name="Seller")
    reason = DeclineReason.objects.create(code="PRICE", label="Too expensive")
    for n in range(6):
        customer = CustomerFactory(consent_marketing=True)
        target_group(campaign, [{"customer": customer, "propensity": 0.5}])
        result = decide(customer=customer, channel_kind="store", agent=good, site_id=site.pk)
        presentation = result.offers[0].presentation
        accepted = n < 4
        record_outcome(
            presentation=presentation,
            outcome=Outcome.ACCEPTED if accepted else Outcome.DECLINED,
            agent=good,
            site_id=site.pk,
            decline_reason=None if accepted else reason,
        )
    OfferFeedback.objects.create(
        offer=campaign_world["offer"],
        campaign=campaign,
        agent=good,
        useful=False,
        reason=FeedbackReason.PRICE,
    )
    client.force_login(trainer)
    response = client.get(f"/training/insight/?campaign={campaign.pk}")
    figures = response.context["figures"]
    assert figures["offers"][0]["rate"] == 67 and figures["offers"][0]["presented"] == 6
    assert figures["agents"][0]["agent__username"] == good.username
    assert figures["reasons"][0]["label"] == "Price"
    assert figures["declines"][0] == {"decline_reason__label": "Too expensive", "n": 2}
    body = response.content.decode()
    assert "Best Seller" in body and "67%" in body


def test_insight_for_an_unknown_campaign_is_404(client, trainer):
    client.force_login(trainer)
    assert client.get("/training/insight/?campaign=999").status_code == 404
    assert client.get("/training/insight/?campaign=x").status_code == 404
