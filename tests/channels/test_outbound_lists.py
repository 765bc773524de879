"""Daily call lists: who gets on them, in what order, for which site; figures; agency earnings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Outcome
from campaigns.decisioning import decide
from campaigns.models import ContactPolicy, DeclineReason
from campaigns.responses import record_outcome
from channels.bonus.agencies import agency_statement
from channels.choices import Disposition, LeadState, SiteKind
from channels.models import CallList, Cancellation, Lead, OutboundShare
from channels.outbound.claiming import next_lead
from channels.outbound.dialling import record_attempt, record_lead_outcome, wrap_up
from channels.outbound.figures import agency_earnings, list_figures
from tests.factories import (
    ALL_DAY,
    CampaignFactory,
    CustomerFactory,
    SiteFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
)

pytestmark = pytest.mark.django_db


def customers_on_lists():
    return list(Lead.objects.order_by("-score").values_list("customer_id", flat=True))


def test_a_list_holds_the_target_group_best_score_first():
    w = outbound_world(4, propensities=[0.2, 0.9, 0.5, 0.7])
    build_lists()
    call_list = CallList.objects.get()
    assert (call_list.campaign, call_list.site, call_list.size) == (w.campaign, w.site, 4)
    assert call_list.day == timezone.localdate()
    assert customers_on_lists() == [w.customers[i].pk for i in (1, 3, 2, 0)]


def test_leads_are_scored_as_the_console_arbitrates_with_the_managers_weights():
    # Given a likely customer worth little and an unlikely one worth much
    w = outbound_world(0, priority_weight=2)
    likely, valuable = CustomerFactory(consent_calls=True), CustomerFactory(consent_calls=True)
    target_group(
        w.campaign,
        [
            {"customer": likely, "propensity": 0.9, "expected_value": Decimal("100")},
            {"customer": valuable, "propensity": 0.3, "expected_value": Decimal("1000")},
        ],
    )
    # When the CVM manager weighs propensity only (value^0) and the list is built
    ContactPolicy.objects.update_or_create(
        pk=1, defaults={"propensity_weight": 2.0, "value_weight": 0.0, "priority_weight": 1.0}
    )
    build_lists()
    # Then the likely customer comes first, scored as the console scores: 0.9² × 1000⁰ × 2¹
    assert customers_on_lists() == [likely.pk, valuable.pk]
    scores = dict(Lead.objects.values_list("customer_id", "score"))
    assert scores[likely.pk] == pytest.approx(0.9**2 * 2)
    assert scores[valuable.pk] == pytest.approx(0.3**2 * 2)


def test_with_the_default_weights_the_value_counts_as_much_as_the_propensity():
    w = outbound_world(0)
    likely, valuable = CustomerFactory(consent_calls=True), CustomerFactory(consent_calls=True)
    target_group(
        w.campaign,
        [
            {"customer": likely, "propensity": 0.9, "expected_value": Decimal("100")},
            {"customer": valuable, "propensity": 0.3, "expected_value": Decimal("1000")},
        ],
    )
    build_lists()
    assert customers_on_lists() == [valuable.pk, likely.pk]  # 300 before 90


def test_control_group_no_consent_and_do_not_contact_stay_off_the_list():
    w = outbound_world(0)
    ok = CustomerFactory(consent_calls=True)
    no_consent = CustomerFactory(consent_calls=False, consent_marketing=True)
    opted_out = CustomerFactory(consent_calls=True, do_not_contact=True)
    control = CustomerFactory(consent_calls=True)
    target_group(
        w.campaign,
        [
            {"customer": ok, "propensity": 0.5},
            {"customer": no_consent, "propensity": 0.5},
            {"customer": opted_out, "propensity": 0.5},
            {"customer": control, "propensity": 0.5, "is_control": True},
        ],
    )
    build_lists()
    assert customers_on_lists() == [ok.pk]


def test_cooldown_cap_and_declines_keep_customers_off_the_list():
    w = outbound_world(4)
    cooled, declined, capped, fine = w.customers
    # Offered this campaign in a store yesterday: the 30-day cooldown holds.
    record_outcome(
        presentation=decide(customer=cooled, channel_kind=ChannelKind.STORE).offers[0].presentation,
        outcome=Outcome.LATER,
    )
    # Declined the offer for good ("already has it"), even with no cooldown left.
    record_outcome(
        presentation=decide(customer=declined, channel_kind=ChannelKind.STORE)
        .offers[0]
        .presentation,
        outcome=Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="already_has_it"),
    )
    # Contacted twice recently by other campaigns: the global cap of 2 is reached.
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 2})
    for _ in range(2):
        other = outbound_world(0, site=w.site)
        target_group(other.campaign, [{"customer": capped, "propensity": 0.5}])
        record_outcome(
            presentation=decide(customer=capped, channel_kind=ChannelKind.STORE)
            .offers[0]
            .presentation,
            outcome=Outcome.LATER,
        )
        other.campaign.status = CampaignStatus.PAUSED
        other.campaign.save()
    w.campaign.cooldown_days = 0
    w.campaign.save()
    build_lists()
    assert customers_on_lists() == [cooled.pk, fine.pk]  # cooldown 0 now: only cap and decline
    w.campaign.cooldown_days = 30
    w.campaign.save()
    CallList.objects.all().delete()
    build_lists()
    assert customers_on_lists() == [fine.pk]


def test_members_are_dealt_to_sites_by_share_with_the_same_quality():
    w = outbound_world(10)
    OutboundShare.objects.filter(site=w.site).update(share=70)
    own = SiteFactory(kind=SiteKind.OUTBOUND_CENTRE, **ALL_DAY)
    OutboundShare.objects.create(campaign=w.campaign, site=own, share=30)
    build_lists()
    sizes = dict(CallList.objects.values_list("site_id", "size"))
    assert sizes == {w.site.pk: 7, own.pk: 3}
    best = Lead.objects.order_by("-score").first()
    assert best.call_list.site == w.site  # the larger share gets the best lead...
    second_site_best = Lead.objects.filter(call_list__site=own).order_by("-score").first()
    assert second_site_best.score >= Lead.objects.order_by("-score")[3].score  # ...but not all


def test_building_twice_a_day_keeps_the_first_list():
    w = outbound_world(2)
    build_lists()
    lead = next_lead(agent=outbound_agent(w.site)).lead
    notes = build_lists()
    assert CallList.objects.count() == 1 and Lead.objects.count() == 2
    assert Lead.objects.get(pk=lead.pk).state == LeadState.ASSIGNED
    assert notes[0].note == "already built today"


def test_a_campaign_without_site_shares_or_not_live_gets_no_list():
    w = outbound_world(2)
    OutboundShare.objects.all().delete()
    assert build_lists()[0].note == "no site has a share of this campaign"
    store_only = CampaignFactory(status=CampaignStatus.LIVE, channel_kinds=[ChannelKind.STORE])
    OutboundShare.objects.create(campaign=store_only, site=w.site)
    build_lists()
    assert not CallList.objects.exists()


def test_tomorrows_list_carries_the_waiting_callbacks_over():
    w = outbound_world(2)
    build_lists()
    agent = outbound_agent(w.site)
    lead = next_lead(agent=agent).lead
    tomorrow = timezone.now() + timedelta(days=1)
    record_attempt(lead=lead, agent=agent, disposition=Disposition.CALLBACK, callback_at=tomorrow)
    build_lists(now=tomorrow - timedelta(minutes=1))
    new_list = CallList.objects.get(day=timezone.localdate(tomorrow))
    lead.refresh_from_db()
    assert lead.call_list == new_list and lead.is_callback
    assert new_list.leads.filter(customer=lead.customer).count() == 1
    assert new_list.size == 2
    assert next_lead(agent=agent, now=tomorrow + timedelta(minutes=1)).lead.pk == lead.pk


def test_tomorrows_list_closes_the_leads_left_waiting_today_and_keeps_the_agents_own():
    # Given today's list of four: one called back tomorrow, one to retry, one with an agent
    w = outbound_world(4)
    build_lists()
    agent, other = outbound_agent(w.site), outbound_agent(w.site)
    tomorrow = timezone.now() + timedelta(days=1)
    callback = next_lead(agent=agent).lead
    record_attempt(
        lead=callback, agent=agent, disposition=Disposition.CALLBACK, callback_at=tomorrow
    )
    retry = next_lead(agent=agent).lead
    record_attempt(lead=retry, agent=agent, disposition=Disposition.NO_ANSWER)
    held = next_lead(agent=other).lead
    untouched = Lead.objects.get(state=LeadState.WAITING, is_callback=False, attempts=0)
    # When tomorrow's list is built
    build_lists(now=tomorrow - timedelta(minutes=1))
    # Then the leads left waiting today are closed, the callback moved, the held one kept
    states = {
        lead.pk: (lead.state, lead.call_list.day)
        for lead in Lead.objects.select_related("call_list")
    }
    today, next_day = timezone.localdate(), timezone.localdate(tomorrow)
    assert states[untouched.pk] == (LeadState.EXPIRED, today)
    assert states[retry.pk] == (LeadState.EXPIRED, today)
    assert states[held.pk] == (LeadState.ASSIGNED, today)
    assert states[callback.pk] == (LeadState.WAITING, next_day)
    assert Lead.objects.get(pk=untouched.pk).closed_at is not None
    (figures,) = list_figures(CallList.objects.filter(day=today))
    assert figures.remaining == 1  # only the lead an agent holds
    assert figures.expired == 2  # shown beside it, so the day's figures still add up


def test_the_task_builds_the_lists(eager_tasks):
    from channels.tasks import build_call_lists_task

    outbound_world(3)
    assert build_call_lists_task.delay().get() == 3


def test_the_daily_build_is_scheduled_after_the_nightly_loads():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="channels.build_call_lists")
    loads = PeriodicTask.objects.get(task="campaigns.load_inbox")
    assert task.enabled
    assert int(task.crontab.hour) > int(loads.crontab.hour)


def test_figures_count_attempts_reached_conversions_per_agent():
    w = outbound_world(3)
    build_lists()
    ann, bob = outbound_agent(w.site, username="ann"), outbound_agent(w.site, username="bob")
    lead = next_lead(agent=ann).lead
    record_attempt(lead=lead, agent=ann, disposition=Disposition.REACHED)
    lead.refresh_from_db()
    presentation = lead.decision.presentations.get()
    record_lead_outcome(lead=lead, presentation=presentation, agent=ann, outcome=Outcome.ACCEPTED)
    wrap_up(lead=lead, agent=ann)
    record_attempt(lead=next_lead(agent=bob).lead, agent=bob, disposition=Disposition.NO_ANSWER)
    (f,) = list_figures(CallList.objects.all())
    assert (f.size, f.remaining, f.attempted, f.calls, f.reached, f.converted) == (3, 2, 2, 2, 1, 1)
    assert f.contact_rate == 0.5 and f.conversion_rate == 1.0
    by_agent = {a["agent__username"]: (a["calls"], a["reached"], a["converted"]) for a in f.agents}
    assert by_agent == {"ann": (1, 1, 1), "bob": (1, 0, 0)}


def test_a_list_that_will_not_finish_at_the_current_pace_is_flagged():
    w = outbound_world(30, site=SiteFactory(kind=SiteKind.AGENCY, timezone="Europe/Warsaw"))
    morning = timezone.now().astimezone(w.site.zone).replace(hour=10, minute=0)
    build_lists(now=morning)
    agent = outbound_agent(w.site)
    lead = next_lead(agent=agent, now=morning).lead
    record_attempt(lead=lead, agent=agent, disposition=Disposition.WRONG_NUMBER, now=morning)
    from channels.models import CallAttempt

    CallAttempt.objects.update(at=morning)
    # One lead done in the first hour; 29 left and 9 hours to go: it will not finish.
    (late,) = list_figures(CallList.objects.all(), now=morning + timedelta(hours=1))
    assert late.at_risk
    Lead.objects.filter(state=LeadState.WAITING).update(state=LeadState.DONE)
    (done,) = list_figures(CallList.objects.all(), now=morning + timedelta(hours=1))
    assert not done.at_risk


def agency_at_work():
    """An agency paid 40.00 per conversion and 2.50 per reached contact, with today's list
    built and one of its agents."""
    w = outbound_world(2)
    OutboundShare.objects.filter(site=w.site).update(
        rate_per_conversion=Decimal("40.00"), rate_per_reached=Decimal("2.50")
    )
    build_lists()
    return w, outbound_agent(w.site)


def test_an_agency_sees_what_it_earned_this_month():
    w, agent = agency_at_work()
    for outcome in (Outcome.ACCEPTED, Outcome.LATER):
        lead = next_lead(agent=agent).lead
        record_attempt(lead=lead, agent=agent, disposition=Disposition.REACHED)
        lead.refresh_from_db()
        record_lead_outcome(
            lead=lead, presentation=lead.decision.presentations.get(), agent=agent, outcome=outcome
        )
        wrap_up(lead=lead, agent=agent)
    (row,) = agency_earnings(site=w.site)
    assert (row["conversions"], row["reached"], row["earned"]) == (1, 2, Decimal("45.00"))


def test_an_agencys_earnings_are_its_statements_figures_cancellations_included():
    # Given an agency converted two customers on calls this month, and one sale was cancelled
    w, agent = agency_at_work()
    sold = []
    for _ in range(2):
        lead = next_lead(agent=agent).lead
        record_attempt(lead=lead, agent=agent, disposition=Disposition.REACHED)
        lead.refresh_from_db()
        response, _created = record_lead_outcome(
            lead=lead,
            presentation=lead.decision.presentations.get(),
            agent=agent,
            outcome=Outcome.ACCEPTED,
        )
        sold.append(response)
        wrap_up(lead=lead, agent=agent)
    Cancellation.objects.create(
        response=sold[0], cancelled_at=timezone.now(), entered_by=agent, reason="returned"
    )
    # When the call-list page and the monthly statement are asked
    (row,) = agency_earnings(site=w.site)
    (statement,) = agency_statement(site=w.site, month=timezone.localdate().replace(day=1))
    # Then both pay one conversion (two, less one cancelled) and two reached contacts
    assert (row["conversions"], row["cancelled"], row["reached"], row["earned"]) == (
        2,
        1,
        2,
        Decimal("45.00"),
    )
    assert row == statement


def test_shares_are_checked_when_a_manager_sets_them():
    w = outbound_world(0)
    store = SiteFactory(kind=SiteKind.STORE)
    with pytest.raises(ValidationError) as err:
        OutboundShare(campaign=w.campaign, site=store, share=10).full_clean()
    assert "Only outbound call centres and agencies" in str(err.value)
    own = SiteFactory(kind=SiteKind.OUTBOUND_CENTRE)
    with pytest.raises(ValidationError) as err:
        OutboundShare(
            campaign=w.campaign, site=own, share=10, rate_per_conversion=Decimal("5")
        ).full_clean()
    assert "Only outsourced agencies are paid per result" in str(err.value)
    with pytest.raises(ValidationError) as err:
        OutboundShare(campaign=w.campaign, site=own, share=50).full_clean()
    assert "add up to 150%" in str(err.value)
