"""Statements computed from recorded outcomes: lines, gates, clawback, close, adjustments."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns.choices import Outcome, ProductFamily
from channels.bonus.admin import BonusPlanForm
from channels.bonus.agencies import agency_statement
from channels.bonus.arithmetic import would_earn
from channels.bonus.cancellations import record_cancellations
from channels.bonus.simulator import simulate
from channels.bonus.statements import close_period, payroll_csv, refresh_statement
from channels.choices import SiteKind
from channels.models import (
    BonusLine,
    BonusStatement,
    CallAttempt,
    CallList,
    Cancellation,
    Lead,
    OutboundShare,
)
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    APRIL,
    NOW,
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    SiteFactory,
    at,
    bonus_plan,
    bonus_world,
    presented,
    recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def w():
    return bonus_world()


def refresh(p, agent, now=NOW):
    return refresh_statement(plan=p, agent=agent, now=now)


def test_each_accepted_offer_is_a_line_with_its_rule_and_amount(w):
    p = bonus_plan(rules=[{"amount": D("5"), "value_share": D("10")}])
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 5)))
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 6)))
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 7)), outcome=Outcome.DECLINED)
    recorded(w.colleague, w.dear, w.campaign, when=at((2026, 3, 7)))
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 4, 1)))  # next period
    statement = refresh(p, w.agent)
    lines = list(statement.lines.order_by("at"))
    assert [(line.kind, line.amount) for line in lines] == [
        ("conversion", D("7.00")),
        ("conversion", D("15.00")),
    ]
    assert "Fibre 1 Gb/s" in lines[1].description and "any accepted offer" in lines[1].description
    assert statement.conversions == 2 and statement.total == D("22.00")


def test_a_rule_for_a_campaign_beats_a_rule_for_a_product_category(w):
    broadband = OfferFactory(product=ProductFactory(family=ProductFamily.BROADBAND))
    w.campaign.offers.add(broadband)
    p = bonus_plan(
        rules=[
            {"product_family": ProductFamily.BROADBAND, "amount": D("3")},
            {"campaign": w.campaign, "amount": D("8")},
        ]
    )
    other = CampaignFactory(offers=[broadband])
    recorded(w.agent, broadband, w.campaign, when=at((2026, 3, 5)))
    recorded(w.agent, broadband, other, when=at((2026, 3, 6)))
    recorded(w.agent, w.cheap, other, when=at((2026, 3, 7)))  # no rule pays it
    amounts = list(refresh(p, w.agent).lines.order_by("at").values_list("amount", flat=True))
    assert amounts == [D("8.00"), D("3.00")]


def test_recomputing_is_idempotent(w):
    p = bonus_plan(tiers=[("100", "2")], target=D("15"))
    for day in (3, 4):
        recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, day)))
    first = refresh(p, w.agent)
    lines = list(
        first.lines.values_list(
            "kind", "amount", "response_id", "description_code", "description_params"
        )
    )
    second = refresh(p, w.agent)
    assert second.pk == first.pk and second.total == first.total == D("25.00")
    assert (
        list(
            second.lines.values_list(
                "kind", "amount", "response_id", "description_code", "description_params"
            )
        )
        == lines
    )
    assert BonusStatement.objects.count() == 1


def test_the_statement_total_equals_the_sum_of_its_stored_lines(w):
    p = bonus_plan(
        rules=[("7", "5")], tiers=[("100", "1.5"), ("150", "2")], target=D("30"), cap=D("50")
    )
    rng = random.Random(3)
    for day in range(1, 12):
        recorded(w.agent, rng.choice([w.cheap, w.dear]), w.campaign, when=at((2026, 3, day)))
    statement = refresh(p, w.agent)
    assert statement.total == sum(statement.lines.values_list("amount", flat=True))
    assert statement.total == D("50") and statement.lines.filter(kind="cap").exists()


def test_conversions_inside_the_clawback_window_are_pending(w):
    p = bonus_plan(clawback_days=14)
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 20)))
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 30)))
    statement = refresh(p, w.agent, now=at((2026, 4, 5)))
    assert list(statement.lines.order_by("at").values_list("pending", flat=True)) == [False, True]
    assert statement.pending == D("10.00") and statement.total == D("20.00")


def test_a_conversion_cancelled_within_the_window_is_clawed_back(w):
    p = bonus_plan(clawback_days=14)
    sold = recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 10)))
    kept = recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 1)))
    Cancellation.objects.create(response=sold, cancelled_at=at((2026, 3, 20)), entered_by=w.lead)
    Cancellation.objects.create(response=kept, cancelled_at=at((2026, 3, 25)), entered_by=w.lead)
    statement = refresh(p, w.agent)
    assert list(statement.lines.values_list("kind", "amount", "response_id")) == [
        ("conversion", D("10.00"), kept.pk),
        ("conversion", D("10.00"), sold.pk),
        ("clawback", D("-10.00"), sold.pk),
    ]
    assert statement.total == D("10.00")  # the late cancellation (24 days) is kept


def test_the_presentation_share_gate_withholds_the_period_below_the_minimum(w):
    p = bonus_plan(min_presentation_share=D("75"))
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 2)))
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 3)), outcome=Outcome.NOT_PRESENTED)
    presented(w.agent, [w.cheap, w.dear], w.campaign, when=at((2026, 3, 4)))  # nothing recorded
    statement = refresh(p, w.agent)
    assert (statement.contacts, statement.contacts_with_outcome) == (3, 2)
    assert not statement.gate_met and statement.total == 0
    assert statement.lines.get(kind="gate").amount == D("-10.00")
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 5)), outcome=Outcome.DECLINED)
    statement = refresh(p, w.agent)
    assert statement.gate_met and statement.total == D("10.00")  # 3 of 4 = 75 %


def test_the_training_gate_is_stored_but_not_yet_evaluated(w):
    p = bonus_plan(requires_training=True)
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    assert refresh(p, w.agent).total == D("10.00")


def test_property_statements_from_random_outcomes_stay_under_the_cap_and_grow_with_sales(w):
    rng = random.Random(11)
    p = bonus_plan(rules=[("4", "10")], tiers=[("100", "1.5")], target=D("60"), cap=D("90"))
    previous = D("0")
    for day in range(1, 26):
        outcome = rng.choice([Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.DECLINED, Outcome.LATER])
        recorded(
            w.agent,
            rng.choice([w.cheap, w.dear]),
            w.campaign,
            when=at((2026, 3, day)),
            outcome=outcome,
        )
        statement = refresh(p, w.agent)
        assert statement.total <= D("90")
        assert statement.total >= previous
        assert statement.total == sum(statement.lines.values_list("amount", flat=True))
        previous = statement.total


# --- Period close ----------------------------------------------------------------------------


def test_closing_freezes_every_statement_and_is_audit_logged(w):
    p = bonus_plan()
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    count = close_period(plan=p, user=w.lead, now=NOW)
    assert count == 3  # every agent of the store, the lead included
    assert set(p.statements.values_list("status", flat=True)) == {"frozen"}
    event = AuditEvent.objects.get(action="bonus_close")
    assert event.user == w.lead and event.object_id == str(p.pk) and "3 statements" in event.detail
    p.refresh_from_db()
    assert p.is_closed and p.closed_by == w.lead


def test_a_frozen_statement_is_never_rewritten(w):
    p = bonus_plan()
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    close_period(plan=p, user=w.lead, now=NOW)
    frozen = p.statements.get(agent=w.agent)
    recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 3)))  # a late outcome
    again = refresh(p, w.agent)
    assert again.total == frozen.total == D("10.00") and again.lines.count() == 1
    frozen.total = D("999")
    with pytest.raises(ValidationError):
        frozen.save()


def test_a_period_cannot_be_closed_before_it_ends_or_twice(w):
    p = bonus_plan(APRIL)
    with pytest.raises(ValidationError, match="runs until 30 April 2026"):
        close_period(plan=p, user=w.lead, now=NOW)
    march = bonus_plan()
    close_period(plan=march, user=w.lead, now=NOW)
    with pytest.raises(ValidationError, match="already closed"):
        close_period(plan=march, user=w.lead, now=NOW)


def test_a_late_outcome_after_close_is_paid_in_the_next_period(w):
    march, april = bonus_plan(), bonus_plan(APRIL, rules=[("20", "0")])
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    close_period(plan=march, user=w.lead, now=NOW)
    late = recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 31), 23))
    statement = refresh(april, w.agent)
    line = statement.lines.get()
    assert (line.kind, line.amount, line.response_id) == ("late", D("10.00"), late.pk)
    assert "Late outcome of March 2026" in line.description
    assert march.statements.get(agent=w.agent).total == D("10.00")
    assert refresh(april, w.agent).lines.count() == 1  # still once


def test_a_clawback_after_close_is_taken_in_the_next_period_once(w):
    march, april = bonus_plan(clawback_days=30), bonus_plan(APRIL)
    sold = recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 20)))
    close_period(plan=march, user=w.lead, now=NOW)
    Cancellation.objects.create(response=sold, cancelled_at=at((2026, 4, 8)), entered_by=w.lead)
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 4, 9)))
    statement = refresh(april, w.agent)
    assert list(statement.lines.values_list("kind", "amount")) == [
        ("conversion", D("10.00")),
        ("late_clawback", D("-10.00")),
    ]
    assert march.statements.get(agent=w.agent).total == D("10.00")  # unchanged
    close_period(plan=april, user=w.lead, now=at((2026, 5, 2)))
    may = bonus_plan((date(2026, 5, 1), date(2026, 5, 31)))
    assert refresh(may, w.agent, now=at((2026, 5, 2))).lines.count() == 0


def test_payroll_csv_needs_a_closed_period_and_lists_every_agent(w):
    p = bonus_plan(unit="points", point_value=D("0.50"))
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    with pytest.raises(ValidationError, match="Close the period first"):
        payroll_csv(plan=p, user=w.lead)
    close_period(plan=p, user=w.lead, now=NOW)
    rows = payroll_csv(plan=p, user=w.lead).splitlines()
    assert rows[0].startswith("plan_id,period_start,period_end,username")
    anna = next(r for r in rows if ",anna," in r)
    assert ",1,10.00,points,5.00,PLN" in anna
    assert len(rows) == 4
    assert AuditEvent.objects.filter(action="bonus_payroll_export").count() == 1


# --- Plans that overlap ----------------------------------------------------------------------


def _form(**data):
    base = {
        "name": "New",
        "channel_kind": "",
        "sites": [],
        "starts_on": "2026-03-15",
        "ends_on": "2026-04-14",
        "unit": "money",
        "point_value": "1",
        "target": "0",
        "clawback_days": "30",
    }
    return BonusPlanForm(data={**base, **data})


def test_an_overlapping_plan_for_the_same_people_is_refused_with_a_clear_message(w):
    bonus_plan(name="March store plan", channel_kind="store")
    form = _form()
    assert not form.is_valid()
    message = form.non_field_errors()[0]
    assert "paid by two plans at once" in message and "March store plan" in message


def test_plans_for_other_people_or_periods_may_coexist(w):
    other_site = SiteFactory()
    bonus_plan(name="March store plan", channel_kind="store", sites=[w.site])
    assert _form(channel_kind="inbound_call").is_valid()
    assert _form(sites=[other_site.pk]).is_valid()
    assert _form(starts_on="2026-04-01", ends_on="2026-04-30").is_valid()
    assert not _form(sites=[w.site.pk, other_site.pk]).is_valid()


def test_a_plan_must_end_after_it_starts(w):
    form = _form(starts_on="2026-04-01", ends_on="2026-03-01")
    assert not form.is_valid() and "ends_on" in form.errors


# --- Cancellations from a file ---------------------------------------------------------------


def test_cancellations_are_read_from_csv_with_line_numbered_errors_and_are_idempotent(w):
    sold = recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    sold_too = recorded(w.agent, w.dear, w.campaign, when=at((2026, 3, 3)))
    declined = recorded(
        w.agent, w.dear, w.campaign, when=at((2026, 3, 4)), outcome=Outcome.DECLINED
    )
    text = (
        "response_id,presentation_id,cancelled_on,reason\n"
        f"{sold.pk},,2026-03-10,withdrew\n"
        f",{sold_too.presentation_id},2026-03-11,\n"
        f"{declined.pk},,2026-03-10,\n"
        "99999,,2026-03-10,\n"
        f"{sold.pk},,not-a-date,\n"
    )
    report = record_cancellations(text=text, user=w.lead, now=NOW)
    assert report.created == 2
    assert report.errors == [
        "Line 4: that outcome is not a conversion (it was not accepted).",
        "Line 5: no such recorded outcome.",
        "Line 6: Invalid isoformat string: 'not-a-date'.",
    ]
    assert Cancellation.objects.get(response=sold).reason == "withdrew"
    again = record_cancellations(text=text, user=w.lead, now=NOW)
    assert (again.created, again.already) == (0, 2) and Cancellation.objects.count() == 2


def test_a_cancellation_file_without_an_id_column_is_refused(w):
    report = record_cancellations(text="id,date\n1,2026-03-01\n", user=w.lead, now=NOW)
    assert report.created == 0 and "Line 1" in report.errors[0]


# --- What-if and the console -----------------------------------------------------------------


def test_the_simulator_applies_tiers_and_cap_per_agent_and_compares_with_the_last_period(w):
    march = bonus_plan(rules=[{"campaign": w.campaign, "amount": D("10")}])
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    recorded(w.colleague, w.cheap, w.campaign, when=at((2026, 3, 2)))
    close_period(plan=march, user=w.lead, now=NOW)
    april = bonus_plan(
        APRIL,
        rules=[{"campaign": w.campaign, "amount": D("10")}],
        target=D("100"),
        tiers=[("100", "2")],
        cap=D("150"),
    )
    result = simulate(plan=april, expected={w.campaign.pk: 30}, agents=2)
    # 15 each = 150 earned; 100 + 50 × 2 = 200, capped at 150; two agents = 300
    assert result.cost == D("300.00") and result.cost_per_conversion == D("10.00")
    assert result.previous["cost"] == D("20.00") and result.previous["conversions"] == 2
    assert result.previous["cost_per_conversion"] == D("10.00")


def test_the_console_shows_what_accepting_each_offer_would_earn(w):
    from campaigns.decisioning import Candidate

    bonus_plan(
        (date.today().replace(day=1), date.today().replace(day=1) + timedelta(days=40)),
        rules=[("5", "10"), {"offer": w.dear, "amount": D("50")}],
    )
    candidates = [
        Candidate(offer=o, campaign=w.campaign, propensity=None, value=o.value, is_control=False)
        for o in (w.cheap, w.dear)
    ]
    earned = would_earn(profile=w.agent.agent_profile, candidates=candidates)
    assert earned == {
        w.cheap.pk: (D("7.00"), "PLN\xa07.00"),
        w.dear.pk: (D("50.00"), "PLN\xa050.00"),
    }
    inbound = user_with_role(Role.AGENT, channel_kind="inbound_call")
    assert would_earn(profile=inbound.agent_profile, candidates=candidates) != {}
    assert would_earn(profile=None, candidates=candidates) == {}


# --- Agencies --------------------------------------------------------------------------------


def test_an_agency_statement_pays_conversions_less_cancellations_and_reached_contacts(w):
    agency = SiteFactory(kind=SiteKind.AGENCY)
    caller = user_with_role(Role.AGENT, site=agency, channel_kind="outbound_call")
    OutboundShare.objects.create(
        campaign=w.campaign,
        site=agency,
        share=100,
        rate_per_conversion=D("40"),
        rate_per_reached=D("2"),
    )
    sold = [recorded(caller, w.cheap, w.campaign, when=at((2026, 3, d))) for d in (2, 3, 4)]
    recorded(caller, w.cheap, w.campaign, when=at((2026, 4, 2)))  # another month
    Cancellation.objects.create(response=sold[0], cancelled_at=at((2026, 3, 9)), entered_by=w.lead)
    call_list = CallList.objects.create(campaign=w.campaign, site=agency, day=date(2026, 3, 2))
    for i in range(5):
        lead = Lead.objects.create(
            call_list=call_list, customer=CustomerFactory(), due_at=at((2026, 3, 2))
        )
        attempt = CallAttempt.objects.create(
            lead=lead, agent=caller, site=agency, disposition="reached"
        )
        CallAttempt.objects.filter(pk=attempt.pk).update(at=at((2026, 3, 2 + i)))
    rows = agency_statement(site=agency, month=date(2026, 3, 1))
    assert [(r["conversions"], r["cancelled"], r["reached"], r["earned"]) for r in rows] == [
        (3, 1, 5, D("90.00"))
    ]


def test_lines_point_at_the_outcome_they_pay(w):
    p = bonus_plan()
    sold = recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 2)))
    refresh(p, w.agent)
    assert BonusLine.objects.get().response_id == sold.pk


def test_with_the_training_gate_a_conversion_is_paid_once_the_campaigns_guide_is_completed(w):
    from django.utils import timezone

    from tests.factories import make_guide
    from training.models import Completion

    p = bonus_plan(requires_training=True)
    recorded(w.agent, w.cheap, w.campaign, when=at((2026, 3, 5)))
    other = CampaignFactory(offers=[w.dear])  # no guide: nothing to pass, paid
    recorded(w.agent, w.dear, other, when=at((2026, 3, 6)))
    guide = make_guide(campaigns=[w.campaign], title="Fibre: the pitch")
    statement = refresh(p, w.agent)
    kinds = list(statement.lines.order_by("at", "kind").values_list("kind", "amount"))
    assert kinds == [("conversion", D("10.00")), ("gate", D("-10.00")), ("conversion", D("10.00"))]
    gate = statement.lines.get(kind="gate")
    assert "training of" in gate.description and "“Fibre: the pitch”" in gate.description
    assert statement.total == D("10.00")
    Completion.objects.create(
        user=w.agent,
        guide=guide,
        version=guide.current_version,
        completed_at=timezone.now(),
    )
    assert refresh(p, w.agent).total == D("20.00")
