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
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import Exclusion, Outcome
from campaigns.decisioning import (
    HISTORY_ARRAYS_SQL,
    RESPONSE_COLUMNS,
    decide,
    dial_time_exclusion,
    history_rows,
    prepared_cursor,
)
from campaigns.models import Customer, Presentation, Response
from campaigns.responses import record_outcome

from .choices import RETRY_DISPOSITIONS, Disposition, LeadState
from .models import (
    OUTBOUND_CHANNEL_KINDS,
    AgentProfile,
    CallAttempt,
    CallList,
    Lead,
    OutboundSettings,
    Site,
)

# How many leads one press of "next customer" may skip for the contact policy before it
# gives the agent a message instead (a list full of opted-out customers must not spin).
MAX_SKIPS_PER_PRESS = 25
UTC = ZoneInfo("UTC")


# --- Calling hours, in the site's own time zone ------------------------------------------------


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The moment a local wall-clock reading names (in UTC); a reading the clocks skip is moved
    forward by the gap (02:30 on the spring-forward night is 03:30), an ambiguous one is the first."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone, fold=0)
    # A time the clocks skip (e.g. 02:30 when they jump from 02:00 to 03:00) does not
    # survive a round trip through UTC; such a reading means "as soon as the clocks allow".
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:
        return aware.astimezone(UTC)
    return aware.astimezone(UTC)


def local_day(site: Site, at: datetime | None = None) -> date:
    return (at or timezone.now()).astimezone(site.zone).date()


def within_calling_hours(site: Site, at: datetime) -> bool:
    """Whether the site's local clock at ``at`` reads within its calling hours."""
    local = at.astimezone(site.zone).time()
    return site.calls_from <= local < site.calls_until


def calling_window(site: Site, day: date) -> tuple[datetime, datetime]:
    """The aware start and end of calling on the site's local ``day``."""
    return (
        local_moment(day, site.calls_from, site.zone),
        local_moment(day, site.calls_until, site.zone),
    )


def next_calling_moment(site: Site, at: datetime) -> datetime:
    """``at`` if calls are allowed then; otherwise when the site's calling hours next open."""
    if within_calling_hours(site, at):
        return at
    local = at.astimezone(site.zone)
    day = local.date() if local.time() < site.calls_from else local.date() + timedelta(days=1)
    return calling_window(site, day)[0]


def callback_moment(site: Site, naive: datetime, *, now: datetime | None = None) -> datetime:
    """A callback time typed in the site's local time, checked: it exists, lies ahead, in hours."""
    now = now or timezone.now()
    aware = naive.replace(tzinfo=site.zone, fold=0)
    back = aware.astimezone(UTC).astimezone(site.zone)
    if back.replace(tzinfo=None) != naive.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s: the clocks skip it. Choose another time.")
            % {"time": naive.strftime("%H:%M"), "date": naive.date().isoformat()}
        )
    if aware <= now:
        raise ValidationError(_("Choose a callback time in the future."))
    if not within_calling_hours(site, aware):
        raise ValidationError(
            _("Calls are made between %(start)s and %(end)s (%(zone)s); choose a time then.")
            % {
                "start": site.calls_from.strftime("%H:%M"),
                "end": site.calls_until.strftime("%H:%M"),
                "zone": site.timezone,
            }
        )
    return aware.astimezone(UTC)  # an ambiguous local time compares unequal across zones


# --- Next customer -----------------------------------------------------------------------------


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


# --- Attempts and dispositions -----------------------------------------------------------------


def _lead_of(agent, lead_id: int) -> Lead:
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("customer", "call_list__campaign", "call_list__site")
        .get(pk=lead_id)
    )
    if lead.state != LeadState.ASSIGNED or lead.assigned_to_id != agent.pk:
        raise ValidationError(_("This customer is no longer on your screen."))
    return lead


@transaction.atomic
def record_attempt(
    *,
    lead: Lead,
    agent,
    disposition: str,
    callback_at: datetime | None = None,
    callback_personal: bool = False,
    now: datetime | None = None,
) -> CallAttempt:
    """Log one call to ``lead`` and act on its disposition; a repeated click changes nothing."""
    if disposition not in Disposition.values:
        raise ValidationError(_("Choose what happened on the call."))
    now = now or timezone.now()
    current = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    last = CallAttempt.objects.filter(lead=current).order_by("-at", "-pk").first()
    if (
        last is not None
        and last.agent_id == agent.pk
        and last.disposition == disposition
        and (current.assigned_to_id != agent.pk or disposition == Disposition.REACHED)
        and timezone.now() - last.at < timedelta(minutes=1)
    ):
        return last  # a double click or a retried request: already recorded
    lead = _lead_of(agent, lead.pk)
    if lead.disposition == Disposition.REACHED and disposition not in (
        Disposition.CALLBACK,
        Disposition.DO_NOT_CALL,
    ):
        raise ValidationError(_("The customer was reached: record the outcomes, then wrap up."))
    if disposition == Disposition.CALLBACK and callback_at is None:
        raise ValidationError(_("Choose when to call back."))
    site = lead.call_list.site
    attempt = CallAttempt.objects.create(
        lead=lead,
        agent=agent,
        site=site,
        disposition=disposition,
        callback_at=callback_at if disposition == Disposition.CALLBACK else None,
        callback_personal=callback_personal and disposition == Disposition.CALLBACK,
    )
    lead.disposition = disposition
    release = True
    if disposition in RETRY_DISPOSITIONS:
        lead.attempts += 1
        rules = OutboundSettings.for_campaign(lead.call_list.campaign_id)
        if lead.attempts >= rules.max_attempts:
            lead.state = LeadState.DONE
        else:
            minutes = (
                rules.busy_retry_minutes
                if disposition == Disposition.BUSY
                else rules.no_answer_retry_minutes
            )
            lead.state = LeadState.WAITING
            lead.is_callback, lead.callback_agent = False, None
            lead.due_at = next_calling_moment(site, now + timedelta(minutes=minutes))
    elif disposition == Disposition.CALLBACK:
        lead.state, lead.due_at, lead.is_callback = LeadState.WAITING, callback_at, True
        lead.callback_agent = agent if callback_personal else None
    elif disposition == Disposition.REACHED:
        release = False  # the agent keeps the lead for the offers, then wraps up
        profile = AgentProfile.objects.get(user=agent)
        lead.decision = decide(
            customer=lead.customer,
            channel_kind=profile.channel_kind,
            agent=agent,
            site_id=site.pk,
            now=now,
        ).decision
    elif disposition == Disposition.DO_NOT_CALL:
        lead.state = LeadState.DONE
        _do_not_contact(lead.customer, now=now)
    else:  # wrong number
        lead.state = LeadState.DONE
    if release:
        if lead.state == LeadState.DONE:
            lead.closed_at = now
        else:
            lead.assigned_to, lead.assigned_at = None, None
    lead.save()
    return attempt


def _do_not_contact(customer: Customer, *, now: datetime) -> None:
    """Do not call holds in every channel at once: the customer's own flag, and their other leads."""
    customer.do_not_contact = True
    customer.do_not_contact_since = customer.do_not_contact_since or now
    customer.save(update_fields=["do_not_contact", "do_not_contact_since", "updated_at"])
    Lead.objects.filter(customer=customer, state=LeadState.WAITING).update(
        state=LeadState.SKIPPED,
        skip_code=Exclusion.DO_NOT_CONTACT,
        skip_reason=_("The customer asked not to be contacted."),
        closed_at=now,
    )


@transaction.atomic
def wrap_up(*, lead: Lead, agent, now: datetime | None = None) -> Lead:
    """Close a reached lead once its outcomes are recorded; the agent's screen is free again."""
    lead = _lead_of(agent, lead.pk)
    if lead.disposition != Disposition.REACHED:
        raise ValidationError(_("Record what happened on the call first."))
    lead.state, lead.closed_at = LeadState.DONE, now or timezone.now()
    lead.save(update_fields=["state", "closed_at"])
    return lead


@transaction.atomic
def record_lead_outcome(
    *, lead: Lead, presentation: Presentation, agent, outcome: str, **reasons
) -> tuple[Response, bool]:
    """The console's outcome service for an offer shown on a call; the lead notes a conversion."""
    if presentation.decision_id is None or presentation.decision_id != lead.decision_id:
        raise ValidationError(_("This offer was not shown on this call."))
    response, created = record_outcome(
        presentation=presentation,
        outcome=outcome,
        agent=agent,
        site_id=lead.call_list.site_id,
        **reasons,
    )
    if response.outcome == Outcome.ACCEPTED and lead.converted_at is None:
        Lead.objects.filter(pk=lead.pk, converted_at__isnull=True).update(
            converted_at=response.recorded_at
        )
    return response, created


# --- Counters ----------------------------------------------------------------------------------


def todays_counters(*, agent, site: Site, now: datetime | None = None) -> dict[str, int]:
    """The agent's calls, reached customers and conversions since local midnight at their site."""
    now = now or timezone.now()
    midnight = local_moment(local_day(site, now), time.min, site.zone)
    calls = CallAttempt.objects.filter(agent=agent, at__gte=midnight).aggregate(
        calls=Count("id"), reached=Count("id", filter=Q(disposition=Disposition.REACHED))
    )
    conversions = Response.objects.filter(
        agent=agent,
        outcome=Outcome.ACCEPTED,
        channel_kind__in=OUTBOUND_CHANNEL_KINDS,
        recorded_at__gte=midnight,
    ).count()
    return {**calls, "conversions": conversions}
