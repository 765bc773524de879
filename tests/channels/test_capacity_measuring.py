"""Average handle times measured from outbound call attempts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.choices import ChannelKind
from channels.capacity import measuring
from channels.capacity.measuring import refresh_measured_handle_times
from channels.choices import Disposition
from channels.models import (
    CallAttempt,
    CallList,
    CapacityPlan,
    ContactType,
    HandleTime,
    HandleTimeSource,
    Lead,
)
from tests.factories import outbound_agent, outbound_world

pytestmark = [pytest.mark.django_db]


def attempts(world, agent, pattern):
    """Call attempts of ``agent`` at ``world``'s site, ``pattern`` a list of (disposition,
    seconds until the next attempt), starting two days ago at 10:00."""
    call_list = CallList.objects.create(
        campaign=world.campaign, site=world.site, day=timezone.localdate(), built_by="test"
    )
    lead = Lead.objects.create(
        call_list=call_list, customer=world.customers[0], due_at=timezone.now()
    )
    at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(
        days=2
    )
    for disposition, gap in pattern:
        row = CallAttempt.objects.create(
            lead=lead, agent=agent, site=world.site, disposition=disposition
        )
        CallAttempt.objects.filter(pk=row.pk).update(at=at)
        at += timedelta(seconds=gap)


def test_handle_times_are_measured_from_the_gaps_between_an_agents_attempts(monkeypatch):
    # Given an agent whose answered calls last 5 minutes and unanswered ones 30 s
    monkeypatch.setattr(measuring, "MIN_SAMPLE", 4)
    world = outbound_world(members=1)
    plan = CapacityPlan.objects.create(site=world.site, channel_kind=ChannelKind.OUTBOUND_CALL)
    agent = outbound_agent(world.site)
    attempts(
        world,
        agent,
        [(Disposition.NO_ANSWER, 30), (Disposition.REACHED, 300)] * 4
        + [(Disposition.BUSY, 30), (Disposition.REACHED, 300), (Disposition.NO_ANSWER, 30)],
    )

    # When the plan's handle times are measured
    refresh_measured_handle_times(plan=plan)

    # Then answered calls take 300 s, unanswered 30 s (the day's last: the 3-minute default)
    talks = HandleTime.objects.get(plan=plan, contact_type=ContactType.CONVERSATION)
    misses = HandleTime.objects.get(plan=plan, contact_type=ContactType.UNANSWERED)
    assert (talks.seconds, talks.sample_size, talks.source) == (300, 5, HandleTimeSource.MEASURED)
    assert misses.sample_size == 6
    assert misses.seconds == round((5 * 30 + 180) / 6)
    plan.refresh_from_db()
    assert float(plan.unanswered_per_conversation) == pytest.approx(6 / 5)


def test_a_configured_handle_time_is_never_replaced_and_few_attempts_measure_nothing(
    monkeypatch,
):
    world = outbound_world(members=1)
    plan = CapacityPlan.objects.create(site=world.site, channel_kind=ChannelKind.OUTBOUND_CALL)
    HandleTime.objects.create(
        plan=plan, contact_type=ContactType.CONVERSATION, seconds=222, source="configured"
    )
    attempts(world, outbound_agent(world.site), [(Disposition.REACHED, 300)] * 5)

    # Too few attempts (the real minimum is 30): nothing measured
    assert refresh_measured_handle_times(plan=plan) == []

    # Enough attempts: the configured time still stands
    monkeypatch.setattr(measuring, "MIN_SAMPLE", 2)
    refresh_measured_handle_times(plan=plan)
    assert HandleTime.objects.get(plan=plan, contact_type=ContactType.CONVERSATION).seconds == 222
