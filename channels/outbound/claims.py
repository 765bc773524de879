"""The claim statement of "next customer", in its two variants; ``campaigns.store.pick`` chooses.

Both mark the best waiting lead of the given lists as the agent's in one UPDATE and return it
with its customer, its list's campaign and the customer's contact history:

- ``claim_then_read`` (portable: SQLite, and any database): the UPDATE alone is atomic because
  SQLite lets one writer in at a time; the lead, its customer and the history are read after
  it.
- ``claim_and_read`` (PostgreSQL): the UPDATE's sub-select locks the chosen row with ``FOR
  UPDATE SKIP LOCKED``, so agents pressing at once each get a different lead without waiting
  for one another; the same statement returns the lead, its customer, its list's campaign and
  the history (``campaigns.store.postgres.history_arrays_sql``), prepared once per
  connection: one round trip.

Only a lead whose campaign is live is claimed: the statement reads the campaign's status itself,
so a campaign paused or stopped by the kill switch a moment ago is honoured on the very next
press in every process, whatever list ids "today's lists" still hold in the cache.

One agent never holds two leads. The statement claims nothing while the agent holds one; two
claims of one agent racing past that check (a double click: both read before either wrote)
meet the partial unique index ``lead_one_per_agent`` (one assigned lead per agent), and the
second raises ``HoldsALead`` instead of handing out another lead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection

from campaigns.models import Customer
from campaigns.store import contact_history
from campaigns.store import postgres as fast
from channels.models.outbound import ONE_LEAD_PER_AGENT, Lead


class HoldsALead(Exception):  # noqa: N818 - an answer, not a failure of the program
    """The agent got a lead from another claim at the same moment (one lead per agent)."""


@dataclass
class Claimed:
    """A lead just claimed, with its customer, its list's campaign and the customer's history."""

    lead: Lead
    campaign_id: int
    history: list = field(default_factory=list)


_CLAIM = """
UPDATE channels_lead SET state = 'assigned', assigned_to_id = %s, assigned_at = %s
WHERE id = (
    SELECT id FROM channels_lead
    WHERE call_list_id IN ({lists}) AND state = 'waiting' AND due_at <= %s AND {which}
    AND EXISTS (
        SELECT 1 FROM channels_calllist cl JOIN campaigns_campaign c ON c.id = cl.campaign_id
        WHERE cl.id = channels_lead.call_list_id AND c.status = 'live'
    )
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

_CLAIM_AND_READ = """
WITH claimed AS ({claim})
SELECT {lead_columns}, l.campaign_id, {customer_columns}, h.*
FROM claimed
JOIN channels_calllist l ON l.id = claimed.call_list_id
JOIN campaigns_customer cu ON cu.id = claimed.customer_id
LEFT JOIN LATERAL ({history}) h ON true
"""


def _claim_sql(lists: int, which: str, returning: str, *, lock: str = "") -> str:
    return _CLAIM.format(
        lists=", ".join(["%s"] * lists),
        which=_WHICH[which],
        order=_ORDER[which],
        lock=lock,
        returning=returning,
    )


def _params(agent_id: int, list_ids: list[int], now: datetime, which: str) -> list:
    at = connection.ops.adapt_datetimefield_value(now)
    return [agent_id, at, *list_ids, at] + ([agent_id] if which != "fresh" else []) + [agent_id]


def _execute(cursor, statement: str, params: list) -> None:
    try:
        cursor.execute(statement, params)
    except IntegrityError as exc:
        if ONE_LEAD_PER_AGENT in str(exc) or "channels_lead.assigned_to_id" in str(exc):
            raise HoldsALead from exc  # PostgreSQL names the index, SQLite the column
        raise


def claim_then_read(agent_id: int, list_ids: list[int], now: datetime, *, which: str):
    """The portable claim: the UPDATE, then the lead and the history read after it.
    None when nothing is waiting, or when the agent already holds a lead."""
    with connection.cursor() as cursor:
        _execute(
            cursor, _claim_sql(len(list_ids), which, "id"), _params(agent_id, list_ids, now, which)
        )
        row = cursor.fetchone()
    if row is None:
        return None
    lead = Lead.objects.select_related("customer", "call_list").get(pk=row[0])
    history = contact_history([lead.customer_id], now).get(lead.customer_id, [])
    return Claimed(lead=lead, campaign_id=lead.call_list.campaign_id, history=history)


def claim_and_read(agent_id: int, list_ids: list[int], now: datetime, *, which: str):
    """The PostgreSQL claim: one prepared statement claims the lead and reads what the screen
    and the policy re-check need. None when nothing is waiting, or when the agent already
    holds a lead."""
    with fast.prepared_cursor() as cursor:
        _execute(
            cursor,
            _claim_and_read_sql(len(list_ids), which),
            [*_params(agent_id, list_ids, now, which), now],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(_LEAD_FIELDS)
    lead = _from_row(Lead, _LEAD_FIELDS, row[:n])
    campaign_id = row[n]
    lead.customer = _from_row(
        Customer, _CUSTOMER_FIELDS, row[n + 1 : n + 1 + len(_CUSTOMER_FIELDS)]
    )
    return Claimed(lead=lead, campaign_id=campaign_id, history=fast.history_rows(row[-5:]))


@functools.cache
def _claim_and_read_sql(lists: int, which: str) -> str:
    return _CLAIM_AND_READ.format(
        claim=_claim_sql(
            lists,
            which,
            ", ".join(f.column for f in _LEAD_FIELDS),
            lock="FOR UPDATE SKIP LOCKED",
        ),
        lead_columns=", ".join(f"claimed.{f.column}" for f in _LEAD_FIELDS),
        customer_columns=", ".join(f"cu.{f.column}" for f in _CUSTOMER_FIELDS),
        history=fast.history_arrays_sql("claimed.customer_id"),
    )


def _from_row(model, fields, values):
    """A model instance from its columns as the database driver returned them."""
    values = [
        f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
        for f, v in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [f.attname for f in fields], values)
