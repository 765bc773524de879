"""Working a call list: calling hours, "next customer", attempts and dispositions, outcomes.

"Next customer" hands out exactly one lead: one UPDATE claims the best waiting lead, and on
PostgreSQL its sub-select locks that row with ``FOR UPDATE SKIP LOCKED``, so fifty agents
pressing the button at once each get a different lead without waiting for one another. On
SQLite the same statement is atomic because SQLite lets one writer in at a time. The
contact policy is asked again for the claimed lead (campaigns.decisioning.dial_time_exclusion,
the console's own rules); a customer it stops is skipped with the reason recorded.

The press is a hot path: on PostgreSQL the claim statement also returns the customer, the
list's campaign and the customer's contact history, and it is prepared once per connection;
the campaign's offers and the policy come from the in-memory catalogue. A press that hands
out a lead is one round trip to the database (plus one cache read, today's lists); each
skipped customer costs one more claim and the write of the skip.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.decisioning import (
    HISTORY_ARRAYS_SQL,
    RESPONSE_COLUMNS,
    dial_time_exclusion,
    history_rows,
    prepared_cursor,
)
from campaigns.models import Customer, Response
from channels.choices import LeadState
from channels.models.outbound import OUTBOUND_CHANNEL_KINDS, CallList, Lead
from channels.models.sites import AgentProfile
from channels.outbound.hours import local_day, next_calling_moment, within_calling_hours

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


_CLAIM = """
UPDATE channels_lead SET state = 'assigned', assigned_to_id = %s, assigned_at = %s
WHERE id = (
    SELECT id FROM channels_lead
    WHERE call_list_id IN ({lists}) AND state = 'waiting' AND due_at <= %s AND {which}
    ORDER BY {order} LIMIT 1 {lock}
) AND state = 'waiting' AND NOT EXISTS (
    SELECT 1 FROM channels_lead held WHERE held.assigned_to_id = %s AND held.state = 'assigned'
)
RETURNING {returning}
"""
_WHICH = {
    "callbacks": "is_callback AND (callback_agent_id IS NULL OR callback_agent_id = %s)",
    "fresh": "NOT is_callback",
    # One list: its callbacks (by score) then its fresh leads, in the order of its index.
    "both": "(NOT is_callback OR callback_agent_id IS NULL OR callback_agent_id = %s)",
}
_ORDER = {
    "callbacks": "due_at, id",
    "fresh": "is_callback DESC, score DESC, id",
    "both": "is_callback DESC, score DESC, id",
}
_LEAD_FIELDS = list(Lead._meta.concrete_fields)
_CUSTOMER_FIELDS = list(Customer._meta.concrete_fields)

# PostgreSQL: the claim and everything the screen and the policy re-check need, in one
# statement (one round trip): the claimed lead, its list's campaign, the customer, and the
# customer's contact history as the policy reads it. The sub-select locks the chosen row with
# FOR UPDATE SKIP LOCKED, so agents pressing at once each get a different lead without waiting.
_CLAIM_AND_READ = """
WITH claimed AS ({claim})
SELECT {lead_columns}, l.campaign_id, {customer_columns}, h.*
FROM claimed
JOIN channels_calllist l ON l.id = claimed.call_list_id
JOIN campaigns_customer cu ON cu.id = claimed.customer_id
LEFT JOIN LATERAL ({history}) h ON true
"""


@dataclass
class Claimed:
    """A lead just claimed, with its customer, its list's campaign and the customer's history."""

    lead: Lead
    campaign_id: int
    history: list = field(default_factory=list)


def _claim_sql(list_ids: list[int], which: str, returning: str) -> str:
    return _CLAIM.format(
        lists=", ".join(["%s"] * len(list_ids)),
        which=_WHICH[which],
        order=_ORDER[which],
        lock="FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else "",
        returning=returning,
    )


def _claim(agent_id: int, list_ids: list[int], now: datetime, *, which: str) -> Claimed | None:
    """Mark the best waiting lead of ``list_ids`` as the agent's, in one statement, and read it.
    None when nothing is waiting, or when the agent already holds a lead (one at a time)."""
    at = connection.ops.adapt_datetimefield_value(now)
    params = [agent_id, at, *list_ids, at] + ([agent_id] if which != "fresh" else []) + [agent_id]
    if connection.vendor != "postgresql":
        # SQLite lets one writer in at a time, so the claim alone is atomic; the lead and the
        # history are read after it.
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(list_ids, which, "id"), params)
            row = cursor.fetchone()
        if row is None:
            return None
        lead = Lead.objects.select_related("customer", "call_list").get(pk=row[0])
        history = Response.objects.filter(
            customer_id=lead.customer_id, recorded_at__lte=now
        ).values_list(*RESPONSE_COLUMNS)
        return Claimed(lead=lead, campaign_id=lead.call_list.campaign_id, history=list(history))
    with prepared_cursor() as cursor:
        cursor.execute(_claim_and_read_sql(len(list_ids), which), [*params, now])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(_LEAD_FIELDS)
    lead = _from_row(Lead, _LEAD_FIELDS, row[:n])
    campaign_id = row[n]
    lead.customer = _from_row(
        Customer, _CUSTOMER_FIELDS, row[n + 1 : n + 1 + len(_CUSTOMER_FIELDS)]
    )
    return Claimed(lead=lead, campaign_id=campaign_id, history=history_rows(row[-5:]))


@functools.cache
def _claim_and_read_sql(lists: int, which: str) -> str:
    return _CLAIM_AND_READ.format(
        claim=_claim_sql([0] * lists, which, ", ".join(f.column for f in _LEAD_FIELDS)),
        lead_columns=", ".join(f"claimed.{f.column}" for f in _LEAD_FIELDS),
        customer_columns=", ".join(f"cu.{f.column}" for f in _CUSTOMER_FIELDS),
        history=HISTORY_ARRAYS_SQL.format(customer="claimed.customer_id"),
    )


def _from_row(model, fields, values):
    """A model instance from its columns as the database driver returned them."""
    values = [
        f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
        for f, v in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def claim_lead(agent_id: int, list_ids: list[int], now: datetime) -> Claimed | None:
    """Due callbacks first (personal ones only for their agent), then the lists in order."""
    if not list_ids:
        return None
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
    profile = getattr(agent, "agent_profile", None)  # cached on the user after the first ask
    if profile is None or profile.channel_kind not in OUTBOUND_CHANNEL_KINDS:
        return NextLead(message=_("Your account does not work outbound call lists."))
    site = profile.site
    if not within_calling_hours(site, now):
        held = current_lead(agent)
        if held is not None:
            return NextLead(lead=held)
        opens = timezone.localtime(next_calling_moment(site, now), site.zone)
        return NextLead(
            message=_(
                "Outside calling hours at %(site)s (%(start)s–%(end)s, %(zone)s). Calls resume %(when)s."
            )
            % {
                "site": site.name,
                "start": site.calls_from.strftime("%H:%M"),
                "end": site.calls_until.strftime("%H:%M"),
                "zone": site.timezone,
                "when": opens.strftime("%Y-%m-%d %H:%M"),
            }
        )
    list_ids = todays_lists(profile, now)
    result = NextLead()
    for i in range(MAX_SKIPS_PER_PRESS + 1):
        claimed = claim_lead(agent.pk, list_ids, now)
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
