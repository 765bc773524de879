"""Next customer, the dial-time policy check, attempts, dispositions, callbacks, outcomes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, Exclusion, Outcome
from campaigns.decisioning import decide
from campaigns.models import (
    ContactPolicy,
    ContactPreferenceChange,
    Customer,
    DeclineReason,
    Presentation,
    Response,
)
from campaigns.responses import record_outcome
from channels.choices import Disposition, LeadState, SiteKind
from channels.models import CallAttempt, Lead, OutboundSettings
from channels.outbound.claiming import next_lead
from channels.outbound.dialling import record_attempt, record_lead_outcome, wrap_up
from channels.outbound.hours import callback_moment, next_calling_moment, within_calling_hours
from cvm_portal.models import AuditEvent
from tests.factories import (
    ALL_DAY,
    SiteFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
)

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


@pytest.fixture
def world():
    w = outbound_world(3)
    build_lists()
    w.agent = outbound_agent(w.site)
    return w


def test_next_customer_hands_the_best_scored_lead_and_keeps_it_until_it_is_dealt_with(world):
    first = next_lead(agent=world.agent)
    assert first.lead.customer == world.customers[0]
    assert first.lead.state == LeadState.ASSIGNED
    # Pressing again without logging the call gives the same customer, not a second one.
    assert next_lead(agent=world.agent).lead.pk == first.lead.pk
    assert Lead.objects.filter(state=LeadState.ASSIGNED).count() == 1


def test_two_agents_never_get_the_same_lead(world):
    other = outbound_agent(world.site)
    a, b = next_lead(agent=world.agent).lead, next_lead(agent=other).lead
    assert a.pk != b.pk
    assert {a.customer, b.customer} == set(world.customers[:2])


def test_an_agent_of_another_site_gets_nothing_from_this_sites_lists(world):
    # Open all day, so the answer is the empty list whatever the hour the test runs at.
    elsewhere = outbound_agent(SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY))
    result = next_lead(agent=elsewhere)
    assert result.lead is None
    assert "No customer is waiting" in result.message


def test_a_customer_who_opted_out_since_the_list_was_built_is_skipped_with_the_reason(world):
    Customer.objects.filter(pk=world.customers[0].pk).update(do_not_contact=True)
    result = next_lead(agent=world.agent)
    assert result.lead.customer == world.customers[1]
    skipped = Lead.objects.get(customer=world.customers[0])
    assert (skipped.state, skipped.skip_code) == (LeadState.SKIPPED, Exclusion.DO_NOT_CONTACT)
    assert skipped.skip_reason == "The customer asked not to be contacted."
    assert [lead.customer for lead in result.skipped] == [world.customers[0]]


def test_a_customer_contacted_in_a_store_this_morning_is_skipped_at_dial_time(world):
    # Given the best customer was offered this campaign in a store this morning
    store_decision = decide(customer=world.customers[0], channel_kind=ChannelKind.STORE)
    record_outcome(presentation=store_decision.offers[0].presentation, outcome=Outcome.LATER)
    # When the agent presses "next customer"
    result = next_lead(agent=world.agent)
    # Then that customer is skipped for the campaign's cooldown and the next one comes up
    assert result.lead.customer == world.customers[1]
    skipped = Lead.objects.get(customer=world.customers[0])
    assert skipped.skip_code == Exclusion.COOLDOWN
    assert "cooldown is 30 days" in skipped.skip_reason


def test_a_customer_who_declined_the_offer_since_the_list_was_built_is_skipped_for_its_period(
    world,
):
    # Given the best customer declined the offer in a store as too expensive (30 days), and the
    # campaign has no cooldown (so only the decline can stop the call)
    world.campaign.cooldown_days = 0
    world.campaign.save()
    store_decision = decide(customer=world.customers[0], channel_kind=ChannelKind.STORE)
    response, _created = record_outcome(
        presentation=store_decision.offers[0].presentation,
        outcome=Outcome.DECLINED,
        decline_reason=DeclineReason.objects.get(code="price"),
    )
    # When the agent presses "next customer"
    result = next_lead(agent=world.agent)
    # Then that customer is skipped until the decline's period ends, with the date said
    assert result.lead.customer == world.customers[1]
    skipped = Lead.objects.get(customer=world.customers[0])
    until = timezone.localtime(response.recorded_at + timedelta(days=30)).date()
    assert skipped.skip_code == Exclusion.DECLINED_RECENTLY
    assert skipped.skip_reason == f"Declined; not offered again until {until}."


def test_a_contact_cap_tightened_after_the_list_was_built_holds_at_dial_time(world):
    # Given the best customer was contacted once in a store (the campaign has no cooldown)
    world.campaign.cooldown_days = 0
    world.campaign.save()
    store_decision = decide(customer=world.customers[0], channel_kind=ChannelKind.STORE)
    record_outcome(presentation=store_decision.offers[0].presentation, outcome=Outcome.LATER)
    # When the CVM manager lowers the cap to one contact and the agent presses "next customer"
    ContactPolicy.objects.update_or_create(pk=1, defaults={"max_contacts": 1})
    result = next_lead(agent=world.agent)
    # Then the new cap stops the call at once
    assert result.lead.customer == world.customers[1]
    skipped = Lead.objects.get(customer=world.customers[0])
    assert skipped.skip_code == Exclusion.CONTACT_CAP
    assert skipped.skip_reason == "Already contacted 1 times in 30 days (the limit)."


def test_a_lead_of_a_campaign_paused_since_the_list_was_built_is_not_handed_out(world):
    # Given the agent's lists are known (cached for a minute) and the campaign is then paused
    first = next_lead(agent=world.agent).lead
    record_attempt(lead=first, agent=world.agent, disposition=Disposition.WRONG_NUMBER)
    world.campaign.status = CampaignStatus.PAUSED
    world.campaign.save()
    # When the agent presses again within that minute
    result = next_lead(agent=world.agent)
    # Then no lead of the paused campaign is handed out: the claim reads the campaign's status
    assert result.lead is None and "No customer is waiting" in result.message
    # And its leads wait (a plain pause; the kill switch withdraws them) for the campaign to resume
    assert Lead.objects.get(customer=world.customers[1]).state == LeadState.WAITING
    world.campaign.status = CampaignStatus.LIVE
    world.campaign.save()
    assert next_lead(agent=world.agent).lead.customer == world.customers[1]


def test_a_press_reads_the_lead_its_customer_and_their_history_in_one_statement_on_postgresql(
    world, django_assert_num_queries
):
    # Given the agent has pressed before (the process's catalogue and list cache are warm)
    first = next_lead(agent=world.agent).lead
    record_attempt(lead=first, agent=world.agent, disposition=Disposition.WRONG_NUMBER)
    Customer.objects.filter(pk=world.customers[1].pk).update(holdings=["MOBILE-S"])
    # When they press again, then one statement claims and reads everything (SQLite: three)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        lead = next_lead(agent=world.agent).lead
    # And the lead comes back whole: the customer and the state as stored
    assert lead.customer == world.customers[1] and lead.customer.consent_calls
    stored = Lead.objects.get(pk=lead.pk)
    assert (lead.state, lead.assigned_to_id, lead.assigned_at) == (
        stored.state,
        stored.assigned_to_id,
        stored.assigned_at,
    )
    assert lead.customer.holdings == stored.customer.holdings == ["MOBILE-S"]


def test_a_customer_who_took_the_product_since_the_list_was_built_is_skipped_at_dial_time(world):
    # Given the best customer now holds the offer's product (the nightly snapshot says so)
    Customer.objects.filter(pk=world.customers[0].pk).update(holdings=[world.offer.product.code])
    # When the agent presses "next customer", then that customer is skipped with the reason
    result = next_lead(agent=world.agent)
    assert result.lead.customer == world.customers[1]
    skipped = Lead.objects.get(customer=world.customers[0])
    assert skipped.skip_code == Exclusion.ALREADY_HOLDS
    assert skipped.skip_reason == f"Already has {world.offer.product.name}."


def test_outside_calling_hours_no_lead_is_handed_out_and_the_agent_is_told_when_calls_resume():
    evening = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # 20:30 in Warsaw; calls end at 20:00
    w = outbound_world(
        1,
        site=SiteFactory(kind=SiteKind.AGENCY, timezone="Europe/Warsaw"),
        starts_at=evening - timedelta(days=30),  # live that day, whatever the clock says today
    )
    build_lists(now=evening - timedelta(hours=10))
    result = next_lead(agent=outbound_agent(w.site), now=evening)
    assert result.lead is None
    assert "Outside calling hours" in result.message and "24 November 2026, 09:00" in result.message
    assert Lead.objects.get().state == LeadState.WAITING


@pytest.mark.parametrize(
    ("zone", "utc", "inside"),
    [
        # Warsaw in winter is UTC+1: 08:00 UTC is 09:00 local, the first minute of calls.
        ("Europe/Warsaw", datetime(2026, 11, 23, 8, 0), True),
        ("Europe/Warsaw", datetime(2026, 11, 23, 7, 59), False),
        ("Europe/Warsaw", datetime(2026, 11, 23, 18, 59), True),
        ("Europe/Warsaw", datetime(2026, 11, 23, 19, 0), False),  # 20:00 local: closed
        # The same UTC moments are other local times elsewhere.
        ("America/New_York", datetime(2026, 11, 23, 14, 0), True),  # 09:00 EST (UTC−5)
        ("America/New_York", datetime(2026, 11, 23, 13, 30), False),  # 08:30 EST
        ("Asia/Kolkata", datetime(2026, 11, 23, 3, 30), True),  # 09:00 IST
        ("Asia/Kolkata", datetime(2026, 11, 23, 3, 29), False),
    ],
)
def test_calling_hours_are_read_on_the_sites_own_clock(zone, utc, inside):
    site = SiteFactory(kind=SiteKind.AGENCY, timezone=zone)
    assert within_calling_hours(site, utc.replace(tzinfo=UTC)) is inside


def test_calling_hours_follow_the_daylight_saving_change():
    site = SiteFactory(kind=SiteKind.AGENCY, timezone="Europe/Warsaw")
    # Saturday 28 March 2026, 07:30 UTC = 08:30 CET: too early.
    assert not within_calling_hours(site, datetime(2026, 3, 28, 7, 30, tzinfo=UTC))
    # Sunday 29 March, clocks went forward at 02:00: 07:30 UTC = 09:30 CEST: calling.
    assert within_calling_hours(site, datetime(2026, 3, 29, 7, 30, tzinfo=UTC))
    # Autumn: 25 October 2026 clocks go back; 18:30 UTC = 19:30 CET still calling, 19:00 not.
    assert within_calling_hours(site, datetime(2026, 10, 25, 18, 30, tzinfo=UTC))
    assert not within_calling_hours(site, datetime(2026, 10, 25, 19, 0, tzinfo=UTC))


def test_a_retry_falling_after_closing_moves_to_the_next_mornings_opening_across_the_dst_change():
    site = SiteFactory(kind=SiteKind.AGENCY, timezone="Europe/Warsaw")
    # Saturday 28 March 2026 21:00 CET (20:00 UTC); Sunday opens at 09:00 CEST = 07:00 UTC.
    moved = next_calling_moment(site, datetime(2026, 3, 28, 20, 0, tzinfo=UTC))
    assert moved == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    # Early morning before opening: the same day's opening.
    assert next_calling_moment(site, datetime(2026, 3, 30, 5, 0, tzinfo=UTC)) == datetime(
        2026, 3, 30, 7, 0, tzinfo=UTC
    )


def test_a_callback_time_the_clocks_skip_is_refused_and_an_ambiguous_one_takes_the_first():
    site = SiteFactory(kind=SiteKind.AGENCY, timezone="Europe/Warsaw", calls_from=time(0))
    before = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(ValidationError, match="does not exist"):
        callback_moment(site, datetime(2026, 3, 29, 2, 30), now=before)
    # 02:30 on 25 October happens twice; the first (CEST, UTC+2) is meant.
    assert callback_moment(site, datetime(2026, 10, 25, 2, 30), now=before) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_a_callback_outside_calling_hours_or_in_the_past_is_refused():
    site = SiteFactory(kind=SiteKind.AGENCY, timezone="Europe/Warsaw")
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="between 09:00 and 20:00"):
        callback_moment(site, datetime(2026, 11, 24, 21, 0), now=now)
    with pytest.raises(ValidationError, match="future"):
        callback_moment(site, datetime(2026, 11, 23, 10, 0), now=now)


def test_no_answer_retries_after_the_campaigns_delay_until_the_attempt_limit(world):
    OutboundSettings.objects.create(
        campaign=world.campaign, max_attempts=2, no_answer_retry_minutes=60
    )
    lead = next_lead(agent=world.agent).lead
    now = timezone.now()
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.NO_ANSWER, now=now)
    lead.refresh_from_db()
    assert (lead.state, lead.attempts, lead.assigned_to) == (LeadState.WAITING, 1, None)
    assert lead.due_at == now + timedelta(minutes=60)
    # Not handed out again before the delay...
    assert next_lead(agent=world.agent).lead.pk != lead.pk
    # ...but after it (the other agent's lead is logged first so the agent is free).
    record_attempt(
        lead=Lead.objects.get(state=LeadState.ASSIGNED),
        agent=world.agent,
        disposition=Disposition.WRONG_NUMBER,
    )
    later = now + timedelta(minutes=61)
    again = next_lead(agent=world.agent, now=later).lead
    assert again.pk == lead.pk
    record_attempt(lead=again, agent=world.agent, disposition=Disposition.BUSY, now=later)
    lead.refresh_from_db()
    assert (lead.state, lead.attempts) == (LeadState.DONE, 2)  # the limit: closed


def test_busy_retries_sooner_than_no_answer(world):
    OutboundSettings.objects.create(
        campaign=world.campaign, busy_retry_minutes=15, no_answer_retry_minutes=240
    )
    lead = next_lead(agent=world.agent).lead
    now = timezone.now()
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.BUSY, now=now)
    lead.refresh_from_db()
    assert lead.due_at == now + timedelta(minutes=15)


def test_a_due_callback_comes_before_better_scored_fresh_leads(world):
    lead = next_lead(agent=world.agent).lead
    when = timezone.now() + timedelta(hours=1)
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.CALLBACK, callback_at=when)
    # Before it is due, fresh leads come.
    assert next_lead(agent=world.agent).lead.customer == world.customers[1]
    record_attempt(
        lead=Lead.objects.get(state=LeadState.ASSIGNED),
        agent=world.agent,
        disposition=Disposition.WRONG_NUMBER,
    )
    # When it is due, it comes first, to anyone (not personal).
    other = outbound_agent(world.site)
    got = next_lead(agent=other, now=when + timedelta(minutes=1)).lead
    assert got.pk == lead.pk and got.is_callback


def test_a_personal_callback_goes_only_to_its_agent(world):
    lead = next_lead(agent=world.agent).lead
    when = timezone.now() + timedelta(minutes=5)
    record_attempt(
        lead=lead,
        agent=world.agent,
        disposition=Disposition.CALLBACK,
        callback_at=when,
        callback_personal=True,
    )
    later = when + timedelta(minutes=1)
    other = outbound_agent(world.site)
    assert next_lead(agent=other, now=later).lead.pk != lead.pk
    assert next_lead(agent=world.agent, now=later).lead.pk == lead.pk


def test_do_not_call_holds_in_every_channel_at_once(world):
    # The same customer is also on another campaign's list.
    lead = next_lead(agent=world.agent).lead
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.DO_NOT_CALL)
    customer = Customer.objects.get(pk=lead.customer_id)
    assert customer.do_not_contact and customer.do_not_contact_since is not None
    # The store console offers them nothing any more.
    assert decide(customer=customer, channel_kind=ChannelKind.STORE).offers == []
    lead.refresh_from_db()
    assert lead.state == LeadState.DONE
    # Recorded as an agent's withdrawal: audited, and kept over the next nightly snapshot.
    change = ContactPreferenceChange.objects.get(customer=customer)
    assert (change.field, change.new_value, change.agent) == (
        "do_not_contact",
        True,
        world.agent,
    )
    assert AuditEvent.objects.filter(
        user=world.agent, action="contact_preference", object_id=str(customer.pk)
    ).exists()


def test_do_not_call_skips_the_customers_other_waiting_leads():
    w = outbound_world(1)
    second = outbound_world(0, site=w.site)

    target_group(second.campaign, [{"customer": w.customers[0], "propensity": 0.5}])
    build_lists()
    agent = outbound_agent(w.site)
    lead = next_lead(agent=agent).lead
    record_attempt(lead=lead, agent=agent, disposition=Disposition.DO_NOT_CALL)
    other = Lead.objects.exclude(pk=lead.pk).get()
    assert (other.state, other.skip_code) == (LeadState.SKIPPED, Exclusion.DO_NOT_CONTACT)


def test_reached_shows_the_consoles_offers_and_records_outcomes_once(world):
    lead = next_lead(agent=world.agent).lead
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.REACHED)
    lead.refresh_from_db()
    assert lead.state == LeadState.ASSIGNED and lead.decision is not None
    presentation = Presentation.objects.get(decision=lead.decision)
    assert presentation.offer == world.offer
    assert lead.decision.channel_kind == ChannelKind.OUTBOUND_CALL
    first, created = record_lead_outcome(
        lead=lead, presentation=presentation, agent=world.agent, outcome=Outcome.ACCEPTED
    )
    again, created_again = record_lead_outcome(
        lead=lead,
        presentation=presentation,
        agent=world.agent,
        outcome=Outcome.DECLINED,
        decline_reason=DeclineReason.objects.first(),
    )
    assert created and not created_again and again.pk == first.pk
    assert Response.objects.filter(customer=lead.customer).count() == 1
    lead.refresh_from_db()
    assert lead.converted_at is not None
    wrap_up(lead=lead, agent=world.agent)
    lead.refresh_from_db()
    assert lead.state == LeadState.DONE


def test_a_double_clicked_disposition_is_logged_once(world):
    lead = next_lead(agent=world.agent).lead
    first = record_attempt(lead=lead, agent=world.agent, disposition=Disposition.NO_ANSWER)
    second = record_attempt(lead=lead, agent=world.agent, disposition=Disposition.NO_ANSWER)
    assert first.pk == second.pk
    assert CallAttempt.objects.count() == 1
    assert Lead.objects.get(pk=lead.pk).attempts == 1


def test_another_agent_cannot_log_a_call_on_a_lead_they_do_not_hold(world):
    lead = next_lead(agent=world.agent).lead
    with pytest.raises(ValidationError, match="no longer on your screen"):
        record_attempt(
            lead=lead, agent=outbound_agent(world.site), disposition=Disposition.WRONG_NUMBER
        )


def test_wrap_up_needs_a_reached_customer(world):
    lead = next_lead(agent=world.agent).lead
    with pytest.raises(ValidationError, match="Record what happened"):
        wrap_up(lead=lead, agent=world.agent)


def test_a_callback_needs_a_time(world):
    lead = next_lead(agent=world.agent).lead
    with pytest.raises(ValidationError, match="when to call back"):
        record_attempt(lead=lead, agent=world.agent, disposition=Disposition.CALLBACK)
