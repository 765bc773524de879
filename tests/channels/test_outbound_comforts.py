"""The outbound screen's comforts: a confirmation after every click, calls left, my callbacks,
feedback on an offer, the script's reading time, and undoing an offer's outcome."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
from campaigns.decisioning import decide
from campaigns.models import Customer, DeclineReason, OfferFeedback, Response, UndoneOutcome
from campaigns.responses import record_outcome
from channels.choices import Disposition, LeadState, SiteKind
from channels.models import CallAttempt, Lead, OutboundSettings
from channels.models.sites import profile_of
from channels.outbound.agenda import calls_left, masked_phone, my_callbacks
from channels.outbound.claiming import next_lead
from channels.outbound.confirmations import moment, short_name
from channels.outbound.dialling import (
    record_attempt,
    record_lead_outcome,
    undo_lead_outcome,
)
from channels.outbound.hours import local_day, local_moment
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.factories import (
    ALL_DAY,
    OUT,
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    ProductFactory,
    SiteFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(client):
    w = outbound_world(3)
    for customer, name in zip(w.customers, ["Anna Kowalska", "Jan Nowak", "Ewa Lis"], strict=True):
        Customer.objects.filter(pk=customer.pk).update(name=name)
    build_lists()
    w.agent = outbound_agent(w.site, username="olaf")
    client.force_login(w.agent)
    return w


def _reached(world):
    """The agent takes the next customer and reaches them: (lead, its one presentation)."""
    lead = next_lead(agent=world.agent).lead
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.REACHED)
    lead.refresh_from_db()
    return lead, lead.decision.presentations.get()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _tomorrow_at(site, hour: int) -> datetime:
    return datetime.combine(local_day(site) + timedelta(days=1), time(hour))


# --- Confirmations --------------------------------------------------------------------------


def test_no_answer_says_for_whom_and_when_the_next_attempt_is(client, world):
    lead = next_lead(agent=world.agent).lead
    response = client.post(
        f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "no_answer"}, follow=True
    )
    lead.refresh_from_db()
    when = moment(world.site, lead.due_at, today_word=False)
    assert _messages(response) == [f"Recorded: No answer — Anna K., next attempt from {when}."]
    assert 'role="status"' in response.content.decode()  # the messages are a live region


def test_the_last_unanswered_attempt_says_the_customer_is_closed(client, world):
    OutboundSettings.objects.create(campaign=world.campaign, max_attempts=1)
    lead = next_lead(agent=world.agent).lead
    response = client.post(
        f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "busy"}, follow=True
    )
    assert _messages(response) == [
        "Recorded: Busy — Anna K.; that was attempt 1, the last one: the customer is closed on "
        "this list."
    ]


def test_a_callback_says_when_and_who_calls_back(client, world):
    lead = next_lead(agent=world.agent).lead
    at = _tomorrow_at(world.site, 10)
    response = client.post(
        f"/outbound/leads/{lead.pk}/attempt/",
        {
            "disposition": "callback",
            "callback_at": at.strftime("%Y-%m-%dT%H:%M"),
            "callback_personal": "on",
        },
        follow=True,
    )
    assert _messages(response) == [
        "Callback set for tomorrow 10:00 — Anna K.; it comes back to you."
    ]


def test_reached_and_do_not_call_say_what_follows(client, world):
    lead = next_lead(agent=world.agent).lead
    url = f"/outbound/leads/{lead.pk}/attempt/"
    reached = client.post(url, {"disposition": "reached"}, follow=True)
    assert _messages(reached) == [
        "Reached Anna K.: record what they said to each offer, then wrap up."
    ]
    stop = client.post(url, {"disposition": "do_not_call"}, follow=True)
    assert _messages(stop) == [
        "Recorded: Do not call — Anna K. is not contacted again, in any channel."
    ]


def test_an_outcome_by_htmx_confirms_what_for_whom_and_updates_the_days_figures(client, world):
    _lead, presentation = _reached(world)
    answer = client.post(
        f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}, **HTMX
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    # Focus goes to the confirmation; it is read out from the page's #announcer (a live region
    # since page load), so the swapped-in part carries no live region of its own.
    assert "data-focus-after-swap" in page and 'role="status"' not in page
    assert "✓ Recorded: Accepted — Fibre 1 Gb/s for Anna K." in page
    # The figures at the top come along out of band: one conversion now.
    assert re.search(r'<section id="today"[^>]*hx-swap-oob="true"', page)
    assert re.search(r'id="count-conversions">1<', page)


def test_a_declined_outcome_names_its_reason(client, world):
    _lead, presentation = _reached(world)
    reason = DeclineReason.objects.filter(is_active=True).first()
    answer = client.post(
        f"/outbound/offers/{presentation.pk}/outcome/",
        {"outcome": "declined", "decline_reason": reason.pk},
        **HTMX,
    )
    assert f"Recorded: Declined ({reason.label}) — Fibre 1 Gb/s for Anna K." in (
        answer.content.decode()
    )


def test_an_outcome_error_keeps_the_outcome_buttons_to_try_again(client, world):
    _lead, presentation = _reached(world)
    answer = client.post(
        f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "declined"}, **HTMX
    )
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "Choose why the customer declined." in page
    assert 'value="accepted"' in page
    assert not Response.objects.exists()


def test_a_plain_post_outcome_confirms_with_a_message(client, world):
    _lead, presentation = _reached(world)
    answer = client.post(
        f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "later"}, follow=True
    )
    assert _messages(answer) == ["Recorded: Later — Fibre 1 Gb/s for Anna K."]


def test_wrap_up_says_what_the_call_left_on_record(client, world):
    lead, presentation = _reached(world)
    record_lead_outcome(lead=lead, presentation=presentation, agent=world.agent, outcome="later")
    answer = client.post(f"/outbound/leads/{lead.pk}/wrap-up/", follow=True)
    assert _messages(answer)[0] == "Call with Anna K. wrapped up — Fibre 1 Gb/s: Later."


def test_moments_read_as_the_site_reads_them():
    site = SiteFactory(timezone="America/New_York")
    now = local_moment(datetime(2026, 1, 8).date(), time(22, 0), site.zone)  # Thu 22:00 there
    at = local_moment(datetime(2026, 1, 8).date(), time(23, 15), site.zone)
    assert moment(site, at, now=now) == "today 23:15"
    assert moment(site, at, now=now, today_word=False) == "23:15"
    assert moment(site, at + timedelta(hours=11), now=now) == "tomorrow 10:15"
    assert moment(site, at + timedelta(days=2), now=now) == "Sat, 10 January 23:15"


def test_names_and_phones_are_shortened_for_the_screen():
    assert short_name("Anna Maria Kowalska") == "Anna K."
    assert short_name("Cher") == "Cher"
    assert masked_phone("+48501234567") == "+48 ••• ••• 567"
    assert masked_phone("+442071838750") == "+44 •• •••• •750"


# --- Calls left ------------------------------------------------------------------------------


def _left_on_screen(client) -> int:
    page = client.get("/outbound/").content.decode()
    return int(re.search(r'id="calls-left">(\d+)<', page).group(1))


def test_calls_left_drops_as_customers_are_dealt_with_and_not_for_a_retry_today(client, world):
    OutboundSettings.objects.create(campaign=world.campaign, no_answer_retry_minutes=5)
    outbound_world(4)  # another site's list does not count
    build_lists()
    assert _left_on_screen(client) == 3
    lead, _shown = _reached(world)
    assert _left_on_screen(client) == 3  # the customer on my screen is still to call
    client.post(f"/outbound/leads/{lead.pk}/wrap-up/")  # ...and hands out the next one
    assert _left_on_screen(client) == 2
    second = Lead.objects.get(state=LeadState.ASSIGNED, assigned_to=world.agent)
    early = local_moment(local_day(world.site), time(0, 1), world.site.zone)
    record_attempt(lead=second, agent=world.agent, disposition="no_answer", now=early)
    assert _left_on_screen(client) == 2  # tried again in five minutes: still to call today
    called = next_lead(agent=world.agent).lead  # whichever is due now
    record_attempt(
        lead=called,
        agent=world.agent,
        disposition="callback",
        callback_at=timezone.now() + timedelta(days=1),
    )
    assert _left_on_screen(client) == 1  # called back tomorrow: not today


def test_calls_left_is_zero_without_todays_lists(client):
    agent = outbound_agent(SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY))
    assert calls_left(profile=profile_of(agent)) == 0


# --- My callbacks ----------------------------------------------------------------------------


def test_my_callbacks_lists_mine_soonest_first_with_masked_phones(client, world):
    other = outbound_agent(world.site)
    first, second = next_lead(agent=world.agent).lead, next_lead(agent=other).lead
    soon = timezone.now() + timedelta(hours=30)
    record_attempt(lead=second, agent=other, disposition="callback", callback_at=soon)
    record_attempt(
        lead=first,
        agent=world.agent,
        disposition="callback",
        callback_at=soon + timedelta(hours=2),
        callback_personal=True,
    )
    third = next_lead(agent=world.agent).lead
    record_attempt(lead=third, agent=world.agent, disposition="callback", callback_at=soon)
    page = client.get("/outbound/").content.decode()
    section = page[page.index("My callbacks") :]
    assert section.index("Ewa Lis") < section.index("Anna Kowalska")  # soonest first
    assert "Jan Nowak" not in section  # another agent's callback
    assert masked_phone(world.customers[0].phone) in section
    assert world.customers[0].phone_display not in page
    found = my_callbacks(agent=world.agent, site=world.site)
    assert [(c.customer_name, c.personal, c.due) for c in found] == [
        ("Ewa Lis", False, False),
        ("Anna Kowalska", True, False),
    ]


def test_a_callback_is_mine_until_another_call_replaces_it_and_shows_when_due(world):
    lead = next_lead(agent=world.agent).lead
    record_attempt(
        lead=lead,
        agent=world.agent,
        disposition="callback",
        callback_at=timezone.now() + timedelta(days=1),
    )
    past = timezone.now() - timedelta(minutes=5)
    Lead.objects.filter(pk=lead.pk).update(due_at=past)
    CallAttempt.objects.filter(lead=lead).update(callback_at=past)
    [due] = my_callbacks(agent=world.agent, site=world.site)
    assert due.due
    # A colleague takes it and sets another time: it is theirs now.
    colleague = outbound_agent(world.site)
    taken = next_lead(agent=colleague).lead
    assert taken.pk == lead.pk  # a due callback comes first
    assert my_callbacks(agent=world.agent, site=world.site) == []
    record_attempt(
        lead=taken,
        agent=colleague,
        disposition="callback",
        callback_at=timezone.now() + timedelta(days=2),
    )
    assert my_callbacks(agent=world.agent, site=world.site) == []
    assert len(my_callbacks(agent=colleague, site=world.site)) == 1


def test_no_callbacks_says_how_to_book_one(client, world):
    page = client.get("/outbound/").content.decode()
    assert "No callbacks booked." in page
    assert "Callback requested" in page


# --- Reading time ----------------------------------------------------------------------------


def test_the_script_shows_its_reading_time_before_and_after_the_customer_is_reached(client, world):
    next_lead(agent=world.agent)
    assert "About 2 s to read" in client.get("/outbound/").content.decode()
    lead = Lead.objects.get(state=LeadState.ASSIGNED)
    client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "reached"})
    assert "About 2 s to read" in client.get("/outbound/").content.decode()


# --- Feedback --------------------------------------------------------------------------------


def test_feedback_from_the_outbound_screen_reaches_the_cvm_inbox(client, world, make_user):
    _lead, presentation = _reached(world)
    assert (
        f"/outbound/offers/{presentation.pk}/feedback/" in client.get("/outbound/").content.decode()
    )
    answer = client.post(
        f"/outbound/offers/{presentation.pk}/feedback/",
        {"useful": "0", "reason": "price", "comment": "Price too high for students"},
        **HTMX,
    )
    assert answer.status_code == 200
    assert "Thank you — your feedback on “Fibre 1 Gb/s” was sent to CVM." in answer.content.decode()
    sent = OfferFeedback.objects.get()
    assert (sent.agent, sent.site_id, sent.useful) == (world.agent, world.site.pk, False)
    client.force_login(make_user(Role.CVM_MANAGER))
    assert "Price too high for students" in client.get("/cvm/feedback/").content.decode()


def test_feedback_is_checked_and_a_plain_post_comes_back_to_the_screen(client, world):
    _lead, presentation = _reached(world)
    url = f"/outbound/offers/{presentation.pk}/feedback/"
    refused = client.post(url, {"useful": "0"}, **HTMX)
    assert refused.status_code == 422
    assert "choose a reason" in refused.content.decode()
    assert client.post(url, {}, **HTMX).status_code == 422
    sent = client.post(url, {"useful": "1"}, follow=True)
    assert _messages(sent)[0].startswith("Thank you — your feedback on “Fibre 1 Gb/s”")
    assert OfferFeedback.objects.count() == 1
    # ...and the agent sees it (and CVM's reply, once there is one) between calls.
    OfferFeedback.objects.update(reply="Thanks, noted")
    Lead.objects.update(state=LeadState.DONE)
    assert "Thanks, noted" in client.get("/outbound/").content.decode()


def test_feedback_only_from_the_agent_whose_call_it_was(client, world, make_user):
    _lead, presentation = _reached(world)
    url = f"/outbound/offers/{presentation.pk}/feedback/"
    for intruder in (
        outbound_agent(world.site),
        outbound_agent(SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY)),
    ):
        client.force_login(intruder)
        assert client.post(url, {"useful": "1"}, **HTMX).status_code == 404
    client.force_login(world.agent)
    assert client.get(url).status_code == 405
    assert "/accounts/login/" in Client().post(url, {"useful": "1"})["Location"]
    assert not OfferFeedback.objects.exists()


def test_an_offer_shown_at_the_console_takes_no_outbound_feedback_or_undo(client, make_user):
    agent = make_user(Role.AGENT)
    customer = CustomerFactory()
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.4}])
    [shown] = decide(customer=customer, channel_kind=ChannelKind.STORE, agent=agent).offers
    response, _ = record_outcome(presentation=shown.presentation, outcome="later", agent=agent)
    client.force_login(agent)
    pk = shown.presentation.pk
    assert client.post(f"/outbound/offers/{pk}/feedback/", {"useful": "1"}).status_code == 404
    assert client.post(f"/outbound/outcomes/{response.pk}/undo/").status_code == 404
    assert Response.objects.filter(pk=response.pk).exists()


# --- Undo ------------------------------------------------------------------------------------


def _accepted(client, world):
    lead, presentation = _reached(world)
    client.post(f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}, **HTMX)
    lead.refresh_from_db()
    return lead, presentation, Response.objects.get(presentation=presentation)


def test_an_accepted_outcome_is_undone_with_its_conversion(client, world):
    lead, presentation, response = _accepted(client, world)
    assert lead.converted_at is not None
    page = client.get("/outbound/").content.decode()
    assert f"/outbound/outcomes/{response.pk}/undo/" in page  # the Undo button, on reload too
    answer = client.post(f"/outbound/outcomes/{response.pk}/undo/", **HTMX)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Undone: Accepted — Fibre 1 Gb/s for Anna K.; record what the customer said." in page
    assert 'value="accepted"' in page  # the outcome buttons are back
    assert re.search(r'id="count-conversions">0<', page)
    assert not Response.objects.exists()
    assert UndoneOutcome.objects.get().outcome == "accepted"
    lead.refresh_from_db()
    assert lead.converted_at is None
    assert AuditEvent.objects.filter(user=world.agent, action="undo_outcome").exists()
    # The agent records what the customer really said.
    again = client.post(
        f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "later"}, **HTMX
    )
    assert "Recorded: Later" in again.content.decode()


def test_a_plain_post_undo_comes_back_to_the_screen_with_the_buttons(client, world):
    _lead, presentation, response = _accepted(client, world)
    answer = client.post(f"/outbound/outcomes/{response.pk}/undo/", follow=True)
    assert _messages(answer) == [
        "Undone: Accepted — Fibre 1 Gb/s for Anna K.; record what the customer said."
    ]
    assert f"/outbound/offers/{presentation.pk}/outcome/" in answer.content.decode()


def test_undo_is_refused_once_the_period_is_over_and_the_button_is_gone(client, world, settings):
    _lead, presentation, response = _accepted(client, world)
    settings.CVM_UNDO_SECONDS = 0
    assert f"/outcomes/{response.pk}/undo/" not in client.get("/outbound/").content.decode()
    answer = client.post(f"/outbound/outcomes/{response.pk}/undo/", **HTMX)
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "Too late to undo" in page
    assert "Recorded: Accepted" in page and "/undo/" not in page
    assert Response.objects.filter(pk=response.pk).exists()


def test_only_the_agent_who_recorded_it_may_undo(client, world):
    _lead, _presentation, response = _accepted(client, world)
    url = f"/outbound/outcomes/{response.pk}/undo/"
    for intruder in (
        outbound_agent(world.site),
        outbound_agent(SiteFactory(kind=SiteKind.AGENCY, **ALL_DAY)),
    ):
        client.force_login(intruder)
        assert client.post(url, **HTMX).status_code == 404
    client.force_login(world.agent)
    assert client.get(url).status_code == 405
    assert "/accounts/login/" in Client().post(url)["Location"]
    assert Response.objects.filter(pk=response.pk).exists()


def test_undo_twice_undoes_once(client, world):
    _lead, _presentation, response = _accepted(client, world)
    url = f"/outbound/outcomes/{response.pk}/undo/"
    assert client.post(url, **HTMX).status_code == 200
    assert client.post(url, **HTMX).status_code == 404
    assert UndoneOutcome.objects.count() == 1


def test_attempt_dispositions_offer_no_undo(client, world):
    lead = next_lead(agent=world.agent).lead
    client.post(f"/outbound/leads/{lead.pk}/attempt/", {"disposition": "no_answer"})
    assert "Undo" not in client.get("/outbound/").content.decode()


def test_undoing_one_of_two_accepted_offers_keeps_the_leads_conversion(world):
    second = OfferFactory(
        product=ProductFactory(family=ProductFamily.TV),
        channel_kinds=[ChannelKind.STORE, OUT],
        title="TV Max",
    )
    OfferContentFactory(offer=second, channel_kind=OUT, agent_script="All the channels.")
    world.campaign.offers.add(second)
    lead = next_lead(agent=world.agent).lead
    record_attempt(lead=lead, agent=world.agent, disposition=Disposition.REACHED)
    lead.refresh_from_db()
    first_shown, second_shown = lead.decision.presentations.order_by("rank")
    kept, _ = record_lead_outcome(
        lead=lead, presentation=first_shown, agent=world.agent, outcome="accepted"
    )
    undone, _ = record_lead_outcome(
        lead=lead, presentation=second_shown, agent=world.agent, outcome="accepted"
    )
    undo_lead_outcome(lead=lead, response_id=undone.pk, agent=world.agent)
    lead.refresh_from_db()
    assert lead.converted_at == kept.recorded_at
    undo_lead_outcome(lead=lead, response_id=kept.pk, agent=world.agent)
    lead.refresh_from_db()
    assert lead.converted_at is None


def test_an_outcome_by_htmx_takes_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    lead, presentation = _reached(world)
    client.get("/outbound/")  # today's lists are cached from here on
    with django_assert_num_queries(20):
        client.post(f"/outbound/offers/{presentation.pk}/outcome/", {"outcome": "accepted"}, **HTMX)


def test_an_undo_and_a_feedback_by_htmx_take_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    _lead, presentation, response = _accepted(client, world)
    # The undo: the outcome, its call, the locks, the undone copy, the outcome and what hangs
    # on it (bonus lines, cancellations), the lead's conversion, the audit, the day's figures.
    with django_assert_num_queries(27):
        assert client.post(f"/outbound/outcomes/{response.pk}/undo/", **HTMX).status_code == 200
    # The feedback: 9, and 2 more that make a double send count once (the presentation locked,
    # the same feedback looked for).
    with django_assert_num_queries(11):
        answer = client.post(
            f"/outbound/offers/{presentation.pk}/feedback/", {"useful": "1"}, **HTMX
        )
        assert answer.status_code == 200
