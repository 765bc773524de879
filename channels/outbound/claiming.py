"""Working a call list: calling hours, "next customer", attempts and dispositions, outcomes.

"Next customer" hands out exactly one lead: one UPDATE claims the best waiting lead, and on
PostgreSQL its sub-select locks that row with ``FOR UPDATE SKIP LOCKED``, so fifty agents
pressing the button at once each get a different lead without waiting for one another. On
SQLite the same statement is atomic because SQLite lets one writer in at a time. The
statement's two variants are in ``channels.outbound.claims``; ``campaigns.store.pick``
chooses one for the database, here and nowhere else. The contact policy is asked again for
the claimed lead (campaigns.decisioning.dial_time_exclusion, the console's own rules); a
customer it stops is skipped with the reason recorded.

An agent holds at most one lead, however the presses race: a press while the agent holds a
lead hands back that lead, and two presses at once (a double click) meet the database's
one-lead-per-agent index, so the second gets the lead the first took.

The press is a hot path: on PostgreSQL the claim statement also returns the customer, the
list's campaign and the customer's contact history, and it is prepared once per connection;
the campaign's offers and the policy come from the in-memory catalogue. A press that hands
out a lead is one round trip to the database (plus one cache read, today's lists); each
skipped customer costs one more claim and the write of the skip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import store
from campaigns.choices import OUTBOUND_CHANNEL_KINDS
from campaigns.decisioning import dial_time_exclusion
from channels.choices import LeadState
from channels.models.outbound import CallList, Lead
from channels.models.sites import AgentProfile, profile_of
from channels.outbound.claims import Claimed, HoldsALead, claim_and_read, claim_then_read
from channels.outbound.hours import local_day, next_calling_moment, within_calling_hours
from cvm_portal import formatting as fmt

# How many leads one press of "next customer" may skip for the contact policy before it
# gives the agent a message instead (a list full of opted-out customers must not spin).
MAX_SKIPS_PER_PRESS = 25


@dataclass
class NextLead:
    """What one press of "next customer" gave: a lead, or why not; and the leads it skipped."""

    lead: Lead | None = None
    message: str = ""
    skipped: list[Lead] = field(default_factory=list)


LISTS_CACHE_SECONDS = 60


def todays_lists(profile: AgentProfile, now: datetime) -> list[int]:
    """Ids of the site's call lists for today of live campaigns in the agent's kind, by priority.

    Cached for a minute: every press of "next customer" asks, and a list built or a campaign
    ended shows up within that minute."""
    from django.core.cache import cache

    day = local_day(profile.site, now)
    key = f"cvm:call-lists:{profile.site_id}:{day.isoformat()}:{profile.channel_kind}"
    found = cache.get(key)
    if found is None:
        found = _todays_lists(profile, day, now)
        cache.set(key, found, LISTS_CACHE_SECONDS)
    return found


def forget_todays_lists(site_ids, day: date) -> None:
    """A list was built: agents see it at their next press, not a minute later."""
    from django.core.cache import cache

    cache.delete_many(
        [
            f"cvm:call-lists:{site_id}:{day.isoformat()}:{kind}"
            for site_id in site_ids
            for kind in OUTBOUND_CHANNEL_KINDS
        ]
    )


def _todays_lists(profile: AgentProfile, day: date, now: datetime) -> list[int]:
    lists = (
        CallList.objects.filter(
            site_id=profile.site_id,
            day=day,
            campaign__in=_live_in(profile.channel_kind, now),
        )
        .order_by("-campaign__priority_weight", "campaign__code")
        .values_list("pk", flat=True)
    )
    return list(lists)


def _live_in(kind: str, now: datetime):
    from campaigns.fields import channel_kind_lookup
    from campaigns.models import Campaign

    return Campaign.objects.live(now).filter(**channel_kind_lookup(kind))


def current_lead(agent) -> Lead | None:
    """The lead the agent holds now, if any (an agent holds at most one)."""
    return (
        Lead.objects.filter(assigned_to=agent, state=LeadState.ASSIGNED)
        .select_related("customer", "call_list__campaign", "offer")
        .order_by("assigned_at")
        .first()
    )


def claim_lead(agent_id: int, list_ids: list[int], now: datetime) -> Claimed | None:
    """Due callbacks first (personal ones only for their agent), then the lists in order.
    HoldsALead if another claim gave the agent a lead at the same moment."""
    if not list_ids:
        return None
    _claim = store.pick(postgresql=claim_and_read, portable=claim_then_read)
    if len(list_ids) == 1:
        return _claim(agent_id, list_ids, now, which="both")
    claimed = _claim(agent_id, list_ids, now, which="callbacks")
    for list_id in list_ids:
        if claimed is not None:
            break
        claimed = _claim(agent_id, [list_id], now, which="fresh")
    return claimed


def next_lead(*, agent, now: datetime | None = None) -> NextLead:
    """Hand ``agent`` exactly one lead from today's lists of their site, checked against the policy."""
    now = now or timezone.now()
    profile = profile_of(agent)  # cached on the user after the first ask
    if profile is None or profile.channel_kind not in OUTBOUND_CHANNEL_KINDS:
        return NextLead(message=_("Your account does not work outbound call lists."))
    site = profile.site
    if not within_calling_hours(site, now):
        held = current_lead(agent)
        if held is not None:
            return NextLead(lead=held)
        with timezone.override(site.zone):  # the site's own clock, as start and end above
            opens_text = fmt.datetime(next_calling_moment(site, now))
        return NextLead(
            message=_(
                "Outside calling hours at %(site)s (%(start)s–%(end)s, %(zone)s). Calls resume %(when)s."
            )
            % {
                "site": site.name,
                "start": fmt.time(site.calls_from),
                "end": fmt.time(site.calls_until),
                "zone": site.timezone,
                "when": opens_text,
            }
        )
    list_ids = todays_lists(profile, now)
    result = NextLead()
    for i in range(MAX_SKIPS_PER_PRESS + 1):
        try:
            claimed = claim_lead(agent.pk, list_ids, now)
        except HoldsALead:  # pressed twice at once: the other press took a lead for the agent
            result.lead = current_lead(agent)
            if result.lead is not None:
                return result
            continue  # ...and has already skipped it: claim again
        if claimed is None:
            held = current_lead(agent) if i == 0 else None
            if held is not None:
                return NextLead(lead=held)  # pressed again before logging the call
            break
        lead = claimed.lead
        excluded = dial_time_exclusion(
            customer=lead.customer,
            campaign_id=claimed.campaign_id,
            channel_kind=profile.channel_kind,
            offer_id=lead.offer_id,
            history=claimed.history,
            now=now,
        )
        if excluded is None:
            result.lead = lead
            return result
        _skip(lead, *excluded, now=now)
        result.skipped.append(lead)
    if result.skipped and len(result.skipped) > MAX_SKIPS_PER_PRESS:
        result.message = _("Many customers in a row were skipped; press “Next customer” again.")
    else:
        result.message = _(
            "No customer is waiting on today's call lists. Due callbacks and retries appear here "
            "when their time comes; ask your team lead if the lists look empty."
        )
    return result


def _skip(lead: Lead, code: str, reason: str, *, now: datetime) -> None:
    lead.state, lead.skip_code, lead.skip_reason = LeadState.SKIPPED, code, reason[:300]
    lead.closed_at = now
    lead.save(update_fields=["state", "skip_code", "skip_reason", "closed_at"])
