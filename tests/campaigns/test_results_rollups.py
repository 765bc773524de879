"""The daily execution rollups, counted by hand on a small world (campaigns.results.rollups).

The world, two days in March 2026 (times in the portal's time zone):

day 1  anna (store S1)    c1  fibre + tv shown      fibre accepted, tv declined (too dear)
day 1  anna (store S1)    c2  fibre shown           not presented (no time)
day 1  bartek (store S1)  c3  fibre held out        (control group: no outcome)
day 2  anna (store S1)    c1  fibre shown           later          (c1 reached before)
day 2  celina (inbound S2) c4 fibre shown           accepted, then undone: counts nowhere
day 2  web (no agent)     c5  fibre shown           accepted

c1 activates fibre 3 days after accepting it (confirmed); c5 activated it the day before
(not confirmed). olga (agency S3) calls on day 1: no answer 10:00, reached 10:05, callback set
10:30 for 15:00, called back 15:10 (kept); one lead of day 1's list expired.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from campaigns.choices import ChannelKind, LoadKind, LoadStatus, NotPresentedReason, Outcome
from campaigns.models import (
    COUNTERS,
    Conversion,
    DailyExecution,
    DailyReason,
    Decision,
    DeclineReason,
    FirstContact,
    Grain,
    LoadRun,
    Presentation,
    Response,
    ResultsRefresh,
)
from campaigns.responses import undo_outcome
from campaigns.results import rollups
from channels.choices import Disposition, LeadState, SiteKind
from channels.models import CallAttempt, CallList, Lead
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    SiteFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

DAY1, DAY2 = date(2026, 3, 2), date(2026, 3, 3)
ZONE = timezone.get_default_timezone()
STORE, INBOUND, WEB, OUT = (
    ChannelKind.STORE, ChannelKind.INBOUND_CALL, ChannelKind.WEB, ChannelKind.OUTBOUND_CALL,
)  # fmt: skip


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def contact(customer, offers, campaign, *, when, kind=STORE, agent=None, site=None, held_out=False):
    decision = Decision.objects.create(
        customer=customer, channel_kind=kind, agent=agent, site_id=site.pk if site else None
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=when)
    return [
        Presentation.objects.create(
            decision=decision,
            offer=offer,
            campaign=campaign,
            rank=i + 1,
            score=1.0,
            reason="test",
            held_out=held_out,
        )  # fmt: skip
        for i, offer in enumerate(offers)
    ]


def outcome(presentation, result, *, when, reason=None, not_presented=""):
    decision = presentation.decision
    response = Response.objects.create(
        presentation=presentation, customer=decision.customer, offer=presentation.offer,
        campaign=presentation.campaign, channel_kind=decision.channel_kind, outcome=result,
        decline_reason=reason, not_presented_reason=not_presented, agent=decision.agent,
        site_id=decision.site_id,
    )  # fmt: skip
    Response.objects.filter(pk=response.pk).update(recorded_at=when)
    response.refresh_from_db()
    return response


def attempt(lead, agent, site, disposition, when, callback_at=None):
    made = CallAttempt.objects.create(
        lead=lead, agent=agent, site=site, disposition=disposition, callback_at=callback_at
    )
    CallAttempt.objects.filter(pk=made.pk).update(at=when)
    return made


@pytest.fixture
def world():
    s1, s2 = (
        SiteFactory(name="Warsaw Centre"),
        SiteFactory(name="Kraków Calls", kind=SiteKind.INBOUND_CENTRE),
    )
    s3 = SiteFactory(name="Poznań Agency", kind=SiteKind.AGENCY)
    anna = user_with_role(Role.AGENT, site=s1, username="anna")
    bartek = user_with_role(Role.AGENT, site=s1, username="bartek")
    celina = user_with_role(Role.AGENT, site=s2, username="celina", channel_kind=INBOUND)
    olga = user_with_role(Role.AGENT, site=s3, username="olga", channel_kind=OUT)
    fibre_product = ProductFactory(code="FIBRE")
    fibre = OfferFactory(code="FIBRE-1G", product=fibre_product, value="50.00")
    tv = OfferFactory(code="TV-PLUS")
    campaign = CampaignFactory(
        code="XS", offers=[fibre, tv], channel_kinds=[STORE, INBOUND, WEB, OUT],
        starts_at=at(DAY1, 0) - timedelta(days=10), ends_at=at(DAY2, 0) + timedelta(days=30),
    )  # fmt: skip
    c1, c2, c3, c4, c5 = (CustomerFactory() for _ in range(5))
    dear = DeclineReason.objects.create(code="too_dear", label="Too expensive")

    f1, t1 = contact(c1, [fibre, tv], campaign, when=at(DAY1, 10), agent=anna, site=s1)
    accepted = outcome(f1, Outcome.ACCEPTED, when=at(DAY1, 10, 5))
    outcome(t1, Outcome.DECLINED, when=at(DAY1, 10, 5), reason=dear)
    (f2,) = contact(c2, [fibre], campaign, when=at(DAY1, 11), agent=anna, site=s1)
    outcome(
        f2, Outcome.NOT_PRESENTED, when=at(DAY1, 11, 1), not_presented=NotPresentedReason.NO_TIME
    )
    contact(c3, [fibre], campaign, when=at(DAY1, 12), agent=bartek, site=s1, held_out=True)
    (f4,) = contact(c1, [fibre], campaign, when=at(DAY2, 9), agent=anna, site=s1)
    outcome(f4, Outcome.LATER, when=at(DAY2, 9, 2))
    (f5,) = contact(c4, [fibre], campaign, when=at(DAY2, 10), kind=INBOUND, agent=celina, site=s2)
    undone = outcome(f5, Outcome.ACCEPTED, when=timezone.now())
    undo_outcome(response_id=undone.pk, agent=celina)
    (f6,) = contact(c5, [fibre], campaign, when=at(DAY2, 11), kind=WEB)
    outcome(f6, Outcome.ACCEPTED, when=at(DAY2, 11))

    run = LoadRun.objects.create(
        kind=LoadKind.CONVERSIONS, target="conversions", file_name="conversions__20260310.csv",
        status=LoadStatus.SUCCEEDED, started_by="test",
    )  # fmt: skip
    Conversion.objects.create(
        customer=c1, product=fibre_product, activated_on=DAY1 + timedelta(days=3), load_run=run
    )
    Conversion.objects.create(customer=c5, product=fibre_product, activated_on=DAY1, load_run=run)

    calls = CallList.objects.create(campaign=campaign, site=s3, day=DAY1, built_by="test")
    lead = Lead.objects.create(call_list=calls, customer=c2, due_at=at(DAY1, 8))
    Lead.objects.create(call_list=calls, customer=c3, due_at=at(DAY1, 8), state=LeadState.EXPIRED)
    attempt(lead, olga, s3, Disposition.NO_ANSWER, at(DAY1, 10))
    attempt(lead, olga, s3, Disposition.REACHED, at(DAY1, 10, 5))
    attempt(lead, olga, s3, Disposition.CALLBACK, at(DAY1, 10, 30), callback_at=at(DAY1, 15))
    attempt(lead, olga, s3, Disposition.REACHED, at(DAY1, 15, 10))
    return locals()


def row(grain=Grain.AGENT, **key):
    found = DailyExecution.objects.filter(grain=grain, **key)
    assert found.count() == 1, f"{found.count()} rows for {key}"
    return found.get()


def counts(r, *names):
    return {n: getattr(r, n) for n in names}


def test_an_agents_day_counts_contacts_offers_outcomes_and_first_contacts(world):
    rollups.refresh_days(first=DAY1, last=DAY2)

    anna_day1 = row(day=DAY1, agent_id=world["anna"].pk, channel_kind=STORE)
    assert counts(anna_day1, "contacts", "shown", "held_out", "accepted", "declined", "later",
                  "not_presented", "confirmed", "reached_new", "reached_new_any") == {
        "contacts": 2, "shown": 3, "held_out": 0, "accepted": 1, "declined": 1, "later": 0,
        "not_presented": 1, "confirmed": 1, "reached_new": 2, "reached_new_any": 2,
    }  # fmt: skip
    assert anna_day1.site_id == world["s1"].pk
    bartek_day1 = row(day=DAY1, agent_id=world["bartek"].pk)
    assert counts(bartek_day1, "contacts", "shown", "held_out", "reached_new") == {
        "contacts": 0, "shown": 0, "held_out": 1, "reached_new": 0,
    }  # fmt: skip
    anna_day2 = row(day=DAY2, agent_id=world["anna"].pk)
    assert counts(anna_day2, "contacts", "shown", "later", "reached_new", "reached_new_any") == {
        "contacts": 1, "shown": 1, "later": 1, "reached_new": 0, "reached_new_any": 0,
    }  # fmt: skip


def test_an_undone_outcome_counts_nowhere(world):
    rollups.refresh_days(first=DAY1, last=DAY2)

    celina = row(day=DAY2, agent_id=world["celina"].pk, channel_kind=INBOUND)
    assert counts(celina, "contacts", "shown", "accepted", "reached_new") == {
        "contacts": 1, "shown": 1, "accepted": 0, "reached_new": 1,
    }  # fmt: skip
    # …nor at any grain, nor on the day the undo happened (today).
    assert (
        DailyExecution.objects.filter(channel_kind=INBOUND).aggregate(n=Sum("accepted"))["n"] == 0
    )


def test_digital_decisions_have_no_site_and_no_agent_and_confirm_only_after_acceptance(world):
    rollups.refresh_days(first=DAY1, last=DAY2)

    web = row(day=DAY2, channel_kind=WEB, site_id=None, agent_id=None)
    assert counts(web, "contacts", "accepted", "confirmed", "reached_new_any") == {
        "contacts": 1, "accepted": 1, "confirmed": 0, "reached_new_any": 1,
    }  # fmt: skip


def test_coarser_grains_are_the_sums_of_the_agents(world):
    rollups.refresh_days(first=DAY1, last=DAY2)

    store_day1 = row(Grain.SITE, day=DAY1, channel_kind=STORE, site_id=world["s1"].pk)
    assert store_day1.agent_id is None
    assert counts(store_day1, "contacts", "shown", "held_out", "accepted", "reached_new") == {
        "contacts": 2, "shown": 3, "held_out": 1, "accepted": 1, "reached_new": 2,
    }  # fmt: skip
    for grain in (Grain.SITE, Grain.CHANNEL):
        for name in ("contacts", "shown", "accepted", "confirmed", "attempts", "handling_seconds"):
            by_grain = DailyExecution.objects.filter(grain=grain).aggregate(n=Sum(name))["n"]
            by_agent = DailyExecution.objects.filter(grain=Grain.AGENT).aggregate(n=Sum(name))["n"]
            assert by_grain == by_agent, (grain, name)
    assert row(Grain.CHANNEL, day=DAY2, channel_kind=STORE).site_id is None


def test_reasons_are_counted_per_day_and_grain(world):
    rollups.refresh_days(first=DAY1, last=DAY2)

    found = set(
        DailyReason.objects.filter(grain=Grain.AGENT).values_list(
            "day", "agent_id", "outcome", "reason", "count"
        )
    )
    assert found == {
        (DAY1, world["anna"].pk, Outcome.DECLINED, "too_dear", 1),
        (DAY1, world["anna"].pk, Outcome.NOT_PRESENTED, NotPresentedReason.NO_TIME, 1),
    }
    assert DailyReason.objects.filter(grain=Grain.CHANNEL).count() == 2


def test_outbound_attempts_callbacks_expired_leads_and_handling_time(world):
    rollups.refresh_days(first=DAY1, last=DAY2)

    olga = row(day=DAY1, agent_id=world["olga"].pk, channel_kind=OUT)
    assert counts(olga, "attempts", "attempts_reached", "callbacks_set", "callbacks_due",
                  "callbacks_kept", "handling_seconds") == {
        # reached, callback requested and the call back answered; handling: 5 min to the next
        # call, 15 (capped) twice, 3 for the last call of the day.
        "attempts": 4, "attempts_reached": 3, "callbacks_set": 1, "callbacks_due": 1,
        "callbacks_kept": 1, "handling_seconds": (5 + 15 + 15 + 3) * 60,
    }  # fmt: skip
    expired = row(day=DAY1, channel_kind=OUT, site_id=world["s3"].pk, agent_id=None)
    assert expired.leads_expired == 1


def test_a_callback_called_back_too_late_is_not_kept(world):
    CallAttempt.objects.filter(at=at(DAY1, 15, 10)).update(at=at(DAY1, 15, 45))

    rollups.refresh_days(first=DAY1, last=DAY2)

    olga = row(day=DAY1, agent_id=world["olga"].pk, channel_kind=OUT)
    assert (olga.callbacks_due, olga.callbacks_kept) == (1, 0)


def snapshot() -> tuple[Counter, Counter, Counter]:
    """Every rollup row, reason count and first contact, as a multiset (a duplicate shows)."""
    return (
        Counter(DailyExecution.objects.values_list("grain", "day", "campaign_id", "channel_kind", "site_id", "agent_id", *COUNTERS)),
        Counter(DailyReason.objects.values_list("grain", "day", "agent_id", "outcome", "reason", "count")),
        Counter(FirstContact.objects.values_list("customer_id", "channel_kind", "held_out", "first_at", "agent_id")),
    )  # fmt: skip


def test_refreshing_again_changes_nothing(world):
    rollups.refresh_days(first=DAY1, last=DAY2)
    before = snapshot()

    rollups.refresh_days(first=DAY1, last=DAY2)
    rollups.refresh_days(first=DAY2, last=DAY2)

    assert snapshot() == before
    assert sum(before[0].values()) == DailyExecution.objects.count() > 0


def test_an_earlier_contact_found_later_becomes_the_first(world):
    rollups.refresh_days(first=DAY2, last=DAY2)  # day 2 alone: c1 looks first reached on day 2
    assert FirstContact.objects.get(customer=world["c1"], channel_kind=STORE).first_at == at(
        DAY2, 9
    )

    rollups.refresh_days(first=DAY1, last=DAY2)

    assert FirstContact.objects.get(customer=world["c1"], channel_kind=STORE).first_at == at(
        DAY1, 10
    )
    assert row(day=DAY2, agent_id=world["anna"].pk).reached_new == 0
    assert FirstContact.objects.filter(held_out=True).count() == 1  # c3, the control member


def test_reach_in_any_channel_counts_a_member_once_where_first_contacted(world):
    (again,) = contact(
        world["c2"], [world["fibre"]], world["campaign"], when=at(DAY2, 14), kind=WEB
    )

    rollups.refresh_days(first=DAY1, last=DAY2)

    web = row(Grain.CHANNEL, day=DAY2, channel_kind=WEB)
    assert (web.reached_new, web.reached_new_any) == (2, 1)  # c2 was reached in a store on day 1
    total = DailyExecution.objects.filter(grain=Grain.CHANNEL).aggregate(n=Sum("reached_new_any"))
    assert total["n"] == 4  # c1, c2, c4, c5: c3 was held out


def test_the_schedule_redoes_the_days_new_conversions_can_confirm(world, settings):
    now = at(DAY2, 23)
    rollups.refresh_recent(now=now)
    assert row(day=DAY1, agent_id=world["anna"].pk).confirmed == 1
    # A conversions file arrives a week later, confirming the web acceptance of day 2.
    late = LoadRun.objects.create(
        kind=LoadKind.CONVERSIONS, target="conversions", file_name="conversions__20260311.csv",
        sha256="late", status=LoadStatus.SUCCEEDED, started_by="test",
    )  # fmt: skip
    Conversion.objects.create(customer=world["c5"], product=world["fibre_product"], activated_on=DAY2 + timedelta(days=2), load_run=late)  # fmt: skip
    later = now + timedelta(days=7)

    refreshed = rollups.refresh_recent(now=later)

    assert refreshed.first_day <= DAY2 and refreshed.conversions_run_id == late.pk
    assert row(day=DAY2, channel_kind=WEB, agent_id=None).confirmed == 1
    again = rollups.refresh_recent(now=later + timedelta(minutes=15))
    assert again.first_day == timezone.localdate(later) - timedelta(days=1)  # nothing new since
    assert ResultsRefresh.objects.count() == 3


def test_the_rebuild_command_rewrites_history_and_says_so(world, capsys):
    call_command("rebuild_results", "--since", DAY1.isoformat(), "--until", DAY2.isoformat())

    assert row(day=DAY1, agent_id=world["anna"].pk).shown == 3
    assert "Rewrote 2026-03-02 – 2026-03-03" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "2026-02-30"], "is not a date"),
        (["--since", "2026-03-05", "--until", "2026-03-01"], "comes after"),
    ],
)
def test_the_rebuild_command_refuses_bad_days_clearly(args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("rebuild_results", *args)


def test_the_schedule_refreshes_the_results_every_quarter_of_an_hour():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="campaigns.refresh_results")

    assert task.enabled and (task.interval.every, task.interval.period) == (15, "minutes")


def test_the_refresh_task_writes_todays_rollups_and_caches_the_uplift(world, eager_tasks):
    from campaigns.tasks import refresh_results_task

    (today,) = contact(
        world["c2"], [world["fibre"]], world["campaign"], when=timezone.now(), kind=WEB
    )

    rows = refresh_results_task.delay().get()

    assert rows > 0
    assert row(Grain.CHANNEL, day=timezone.localdate(), channel_kind=WEB).shown == 1
    assert ResultsRefresh.objects.count() == 1
