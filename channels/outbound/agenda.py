"""The outbound agent's day at a glance: calls left in today's lists, and their own callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from campaigns.phones import format_phone
from channels.choices import Disposition, LeadState
from channels.models.outbound import CallAttempt, Lead
from channels.models.sites import AgentProfile, Site
from channels.outbound.claiming import todays_lists
from channels.outbound.confirmations import moment
from channels.outbound.hours import calling_window, local_day

# How far back "my callbacks" looks for the calls that set them. A callback waits on the lists
# until it is due (each day's list carries it over); one promised further ahead than this is
# rare, and the bound keeps the query to a short range of the agent's own calls.
CALLBACK_HORIZON = timedelta(days=60)
MY_CALLBACKS_SHOWN = 20


def calls_left(*, profile: AgentProfile, now: datetime | None = None) -> int:
    """Leads still to call today in the lists the agent works (their site's lists of today, as
    "next customer" hands them out): waiting and due before calling ends today, or on a screen."""
    now = now or timezone.now()
    list_ids = todays_lists(profile, now)
    if not list_ids:
        return 0
    site = profile.site
    closes = calling_window(site, local_day(site, now))[1]
    return (
        Lead.objects.filter(call_list_id__in=list_ids)
        .filter(Q(state=LeadState.WAITING, due_at__lt=closes) | Q(state=LeadState.ASSIGNED))
        .count()
    )


@dataclass(frozen=True)
class Callback:
    """One callback the agent promised, as "my callbacks" lists it."""

    at: datetime  # in the site's time zone
    when: str  # as the site reads it: "today 14:30", "tomorrow 10:00", "Fri 9 Jan 10:00"
    customer_name: str
    phone: str  # masked: the lead comes back through "next customer" when it is due
    campaign: str
    personal: bool
    due: bool


def my_callbacks(*, agent, site: Site, now: datetime | None = None) -> list[Callback]:
    """The callbacks ``agent`` set at ``site`` that still wait for their time (or are due and not
    yet handed out), soonest first. A callback another call has since replaced is not theirs."""
    now = now or timezone.now()
    attempts = (
        CallAttempt.objects.filter(
            agent=agent,
            site=site,
            at__gte=now - CALLBACK_HORIZON,
            disposition=Disposition.CALLBACK,
            lead__state=LeadState.WAITING,
            lead__is_callback=True,
            lead__due_at=F("callback_at"),
        )
        .select_related("lead__customer", "lead__call_list__campaign")
        .order_by("callback_at", "pk")
    )
    found: dict[int, Callback] = {}
    for attempt in attempts[: MY_CALLBACKS_SHOWN * 2]:
        lead = attempt.lead
        if lead.pk in found:
            continue  # the same time set twice on one lead
        found[lead.pk] = Callback(
            at=timezone.localtime(attempt.callback_at, site.zone),
            when=moment(site, attempt.callback_at, now=now),
            customer_name=lead.customer.name,
            phone=masked_phone(lead.customer.phone),
            campaign=lead.call_list.campaign.name,
            personal=lead.callback_agent_id == agent.pk,
            due=attempt.callback_at <= now,
        )
    return list(found.values())[:MY_CALLBACKS_SHOWN]


def masked_phone(e164: str) -> str:
    """A number with all but its country code and last three digits hidden: +48 ••• ••• 567."""
    shown = format_phone(e164)
    code, _space, rest = shown.partition(" ")
    if not rest:
        return "•••" + e164[-3:]
    digits = sum(c.isdigit() for c in rest)
    out, seen = [], 0
    for c in rest:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - 3 else "•")
        else:
            out.append(c)
    return f"{code} {''.join(out)}"
