"""The PostgreSQL store: the fast paths, in plain SQL through psycopg.

- A decision's facts (the customer's rows in the live versions and their contact history) in
  one statement, prepared on the connection (``FACTS_SQL``); planning it afresh for every
  partition cost more than running it.
- A decision that is its own transaction is written in one statement whose commit does not
  wait for the disk flush (``RECORD_DECISION``); inside a caller's transaction the ORM
  writes it, and the caller's durability holds.
- Contact history for many customers: one statement per 50,000 (an array parameter).
- The control group of a version left out in SQL (``campaigns.control.BUCKET_SQL``).
- Target-group versions: a load writes through a connection of its own, holds a session
  advisory lock per target (released when that connection closes, even if the worker is
  killed), stages the file with COPY into the version's own table (``campaigns.loads.postgres``),
  attaches it as a partition on activation and detaches and drops it on pruning.
- The decision API's customer read and every decision's write run on the wire
  (``campaigns.store.postgres_session``: prepared once per connection, executed through
  libpq); the read answers one JSON text (``CUSTOMER_FACTS``).
- The decision path's functions look Django's connection up once each
  (``connections[DEFAULT_DB_ALIAS]``): every attribute of the ``connection`` proxy is a look-up
  in a context-local store, some twenty of them a decision.
- For a statement of another app that needs a customer's contact history inline (the outbound
  claim reads it in the same round trip): ``prepared_cursor``, ``history_arrays_sql`` and
  ``history_rows``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import orjson
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns import control
from campaigns.governance import stop_signal
from campaigns.models import Customer, Presentation, TargetGroupVersion
from campaigns.store.base import BATCH, Membership
from campaigns.store.portable import record_decision as record_decision_with_the_orm
from campaigns.store.postgres_session import (  # noqa: F401 - the store's: time_limit, prepared_cursor
    Statement,
    _before_write,
    _execute,
    _timed,
    prepared_cursor,
    release_time_limit,
    run,
    time_limit,
)

HISTORY_BATCH = 50_000  # customers per statement: one array parameter, no limit to mind


# --- decisions --------------------------------------------------------------------------

# Everything a decision asks the database about the customer, in one round trip: their rows in
# the active versions (one index descent per version's partition, LATERAL; "version_id =
# ANY(array)" made every partition's index descend once per array element) and their responses
# (for the contact policy).
FACTS_SQL = (
    "SELECT 0, m.version_id, NULL::bigint, m.offer_code, m.propensity, m.expected_value,"
    " NULL::varchar, NULL::timestamptz, NULL::integer, coalesce(m.reason, '')"
    " FROM unnest(%s::bigint[]) AS v(id) CROSS JOIN LATERAL ("
    "SELECT * FROM campaigns_targetgroupmember t"
    " WHERE t.version_id = v.id AND t.customer_external_id = %s"
    ") AS m"
    " UNION ALL"
    " SELECT 1, r.campaign_id, r.offer_id, NULL, NULL, NULL, r.outcome, r.recorded_at, d.suppression_days,"
    " NULL"
    " FROM campaigns_response r LEFT JOIN campaigns_declinereason d ON d.id = r.decline_reason_id"
    " WHERE r.customer_id = %s AND r.recorded_at <= %s"
)


def decision_facts(customer, version_ids: list[int], now) -> tuple[list[Membership], list]:
    with _timed(), prepared_cursor(lean=True) as cursor:
        _execute(cursor, FACTS_SQL, [version_ids, customer.external_id, customer.pk, now])
        rows = cursor.fetchall()
    members = [Membership(row[1], *row[3:6], row[9]) for row in rows if row[0] == 0]
    responses = [(row[1], row[2], row[6], row[7], row[8]) for row in rows if row[0] == 1]
    return members, responses


# The customer and everything a decision asks about them, in one round trip, as one JSON text
# (parsed in C, where psycopg's loaders cost more than the round trip): the customer's row (its
# columns' values in the model's order: a JSON array, read faster than an object), the
# kill switch's stop generation (campaigns.governance.stop_signal), their rows in the active
# versions with their control-group buckets, and their contact history. Parameters: the
# versions with their control codes' suffixes (JSON rows {"id", "suffix"}), the moment, the
# customer's external id.
CUSTOMER_FACTS = Statement(
    "cvm_customer_facts",
    "SELECT json_build_array(json_build_array("  # noqa: S608 - constant SQL, no value in it
    + ", ".join(f'c."{f.column}"' for f in Customer._meta.concrete_fields)
    + "), "
    + stop_signal.DATABASE_GENERATION_SQL
    + ", (SELECT json_agg(json_build_array(t.version_id, t.offer_code, t.propensity,"
    " t.expected_value::text, coalesce(t.reason, ''), "
    + control.BUCKET_SQL.format(customer="c.external_id", suffix="v.suffix")
    + ")) FROM json_to_recordset(%s::json) AS v(id bigint, suffix text) CROSS JOIN LATERAL ("
    "SELECT * FROM campaigns_targetgroupmember t"
    " WHERE t.version_id = v.id AND t.customer_external_id = c.external_id) AS t),"
    " (SELECT json_agg(json_build_array(r.campaign_id, r.offer_id, r.outcome, r.recorded_at,"
    " d.suppression_days)) FROM campaigns_response r"
    " LEFT JOIN campaigns_declinereason d ON d.id = r.decline_reason_id"
    " WHERE r.customer_id = c.id AND r.recorded_at <= %s::timestamptz)"
    ")::text FROM campaigns_customer c WHERE c.external_id = %s::text",
)


@functools.cache
def _customer_columns() -> tuple[list[str], list[tuple[int, object]]]:
    """The customer's attribute names and, by position, how a JSON value becomes the field's
    Python value (a date or time is text in JSON; a JSON field is already parsed)."""
    fields = Customer._meta.concrete_fields
    reading = []
    for i, f in enumerate(fields):
        if isinstance(f, models.DateTimeField):
            reading.append((i, datetime.fromisoformat))
        elif isinstance(f, models.DateField):
            reading.append((i, date.fromisoformat))
        elif not isinstance(
            f, models.CharField | models.TextField | models.BooleanField | models.IntegerField
            | models.JSONField
        ):  # fmt: skip
            raise TypeError(f"Customer.{f.name}: a {type(f).__name__} the JSON read cannot read")
    return [f.attname for f in fields], reading


def find_customer(external_id: str, version_ids: list[int], now, control_codes=None):
    """The customer with the facts of a decision at ``now`` over ``version_ids`` read with it
    (``decision_facts`` then asks nothing more), or None. Given ``control_codes`` (those of
    ``version_ids``, in their order), each membership comes with the customer's control-group
    bucket in its version, worked out by the database (``Membership.bucket``)."""
    if control_codes is None or len(control_codes) != len(version_ids):
        control_codes = [None] * len(version_ids)
    versions = orjson.dumps(
        [
            {"id": v, "suffix": None if code is None else control.key_suffix(code)}
            for v, code in zip(version_ids, control_codes, strict=True)
        ]
    ).decode()  # text: psycopg would send bytes as bytea
    with _timed():
        rows = run(CUSTOMER_FACTS, [versions, now, external_id])
    if not rows:
        return None
    row, generation_id, generation_at, members, history = orjson.loads(rows[0][0])  # row: a list
    names, reading = _customer_columns()
    for i, read in reading:
        if row[i] is not None:
            row[i] = read(row[i])
    customer = Customer.from_db(DEFAULT_DB_ALIAS, names, row)
    members = [
        Membership(m[0], m[1], m[2], None if m[3] is None else Decimal(m[3]), m[4], m[5])
        for m in members or ()
    ]
    history = [(h[0], h[1], h[2], datetime.fromisoformat(h[3]), h[4]) for h in history or ()]
    customer.cvm_decision_facts = (list(version_ids), now, members, history)
    customer.cvm_stop_generation = (
        generation_id,
        None if generation_at is None else datetime.fromisoformat(generation_at),
    )
    return customer


# The decision and its presentations in one statement (the data-modifying CTE always runs, so a
# decision without offers is written too); set_config(..., true) lasts until the implicit
# transaction's commit, which then does not wait for the disk flush.
# With an audit row (an API decision: cvm_portal.audit), the row is written by the same statement
# and committed with it. The statement also gives the connection back its statement timeout
# when a time limit set one (``time_limit``): no round trip of its own.
RECORD_DECISION = Statement(
    "cvm_record_decision",
    """
WITH async AS (
    SELECT set_config('synchronous_commit', %s::text, true),
        CASE WHEN %s::text IS NULL THEN NULL ELSE set_config('statement_timeout', %s::text, false) END
),
d AS (
    INSERT INTO campaigns_decision (id, customer_id, channel_kind, agent_id, site_id, created_at, context)
    SELECT %s::uuid, %s::bigint, %s::text, %s::bigint, %s::bigint, %s::timestamptz, %s::jsonb
    FROM async RETURNING id
),
a AS (
    INSERT INTO cvm_portal_auditevent (at, user_id, action, object_type, object_id, detail)
    SELECT %s::timestamptz, %s::bigint, %s::text, %s::text, %s::text, %s::text FROM async
    WHERE %s::bigint IS NOT NULL
)
INSERT INTO campaigns_presentation (decision_id, offer_id, campaign_id, rank, score, reason, held_out,
    propensity)
SELECT d.id, v.o, v.c, v.r, v.s, v.t, v.h, v.p
FROM d, json_to_recordset(%s::json) AS v(o bigint, c bigint, r int, s float8, t text, h bool,
    p float8)
RETURNING id, rank
""",
)
# The presentations go as one JSON parameter (rows of offer, campaign, rank, score, reason,
# held out, propensity): seven array parameters cost more to send than the rest of the write.


def record_decision(decision, presentations: list[Presentation], audit: dict | None = None) -> None:
    """A decision that is its own transaction: one round trip, with its audit row when given,
    committed without waiting for the disk flush unless CVM_DECISION_SYNCHRONOUS_COMMIT (a
    crash of the database server can lose its last fraction of a second of decisions, each
    with its audit row, never one without the other; never corrupt anything). Inside a
    caller's transaction the ORM writes it, so the caller's transaction keeps its durability."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        record_decision_with_the_orm(decision, presentations, audit)
        return
    restore = _before_write()
    decision.created_at = timezone.now()
    rows = orjson.dumps(
        [
            {
                "o": p.offer_id, "c": p.campaign_id, "r": p.rank, "s": p.score, "t": p.reason,
                "h": p.held_out, "p": p.propensity,
            }
            for p in presentations
        ]
    ).decode()  # fmt: skip
    audit = audit or {}
    user = audit.get("user")
    with _timed():
        rows = run(
            RECORD_DECISION,
            [
                "on" if settings.CVM_DECISION_SYNCHRONOUS_COMMIT else "off", restore, restore,
                decision.id, decision.customer_id, decision.channel_kind, decision.agent_id,
                decision.site_id, decision.created_at,
                None if decision.context is None else json.dumps(decision.context),
                decision.created_at, user.pk if user else None, audit.get("action"),
                audit.get("object_type"), audit.get("object_id"), audit.get("detail"),
                user.pk if user else None, rows,
            ],
        )  # fmt: skip
    ids = {int(rank): int(pk) for pk, rank in rows}
    if restore is not None:
        connection.cvm_time_limit = None  # the statement gave the timeout back
        connection.cvm_sticky_timeout = None
    decision._state.adding = False
    for p in presentations:
        p.pk = ids[p.rank]
        p._state.adding = False


# --- contact history ----------------------------------------------------------------------

_HISTORY_SELECT = (
    " r.campaign_id, r.offer_id, r.outcome, r.recorded_at, d.suppression_days"
    " FROM campaigns_response r LEFT JOIN campaigns_declinereason d ON d.id = r.decline_reason_id"
)
CONTACT_HISTORY_SQL = (
    f"SELECT r.customer_id,{_HISTORY_SELECT} WHERE r.customer_id = ANY(%s) AND r.recorded_at <= %s"
)


def contact_history(customer_ids: Iterable[int], now) -> dict[int, list[tuple]]:
    ids = list(customer_ids)
    found: dict[int, list[tuple]] = {}
    with prepared_cursor() as cursor:
        for start in range(0, len(ids), HISTORY_BATCH):
            cursor.execute(CONTACT_HISTORY_SQL, [ids[start : start + HISTORY_BATCH], now])
            for customer_id, *row in cursor.fetchall():
                found.setdefault(customer_id, []).append(tuple(row))
    return found


_HISTORY_ARRAYS_SQL = (
    "SELECT array_agg(r.campaign_id) AS h_campaign, array_agg(r.offer_id) AS h_offer,"
    " array_agg(r.outcome) AS h_outcome, array_agg(r.recorded_at) AS h_at,"
    " array_agg(d.suppression_days) AS h_days"
    " FROM campaigns_response r LEFT JOIN campaigns_declinereason d ON d.id = r.decline_reason_id"
    " WHERE r.customer_id = {customer} AND r.recorded_at <= %s"
)


def history_arrays_sql(customer: str) -> str:
    """A customer's contact history as five arrays (h_campaign, h_offer, h_outcome, h_at,
    h_days; NULL when there is none), for a statement that reads it inline as
    ``LEFT JOIN LATERAL (…) h ON true``. ``customer`` is the SQL expression of the customer's
    id in that statement; the one parameter is the moment. ``history_rows`` turns the arrays
    back into rows."""
    return _HISTORY_ARRAYS_SQL.format(customer=customer)


def history_rows(arrays) -> list[tuple]:
    """The contact-history rows (as ``contact_history`` gives them) of history_arrays_sql's
    five arrays."""
    return list(zip(*arrays, strict=True)) if arrays[0] is not None else []


# --- the control group --------------------------------------------------------------------


def members_outside_control(members, version: TargetGroupVersion, *fields: str) -> Iterator:
    """The control group stays out in the database (campaigns.control.BUCKET_SQL)."""
    bucket = RawSQL(  # noqa: S611 - constant SQL; the control code is a parameter
        control.BUCKET_SQL.format(
            customer="campaigns_targetgroupmember.customer_external_id", suffix="%s"
        ),
        [control.key_suffix(version.control_code)],
    )
    members = members.alias(bucket=bucket).filter(
        bucket__gte=control.threshold(version.control_share)
    )
    return members.values_list(*fields).iterator(chunk_size=BATCH)


# --- target-group versions: campaigns.store.postgres_versions ------------------------------

from campaigns.store.postgres_versions import (  # noqa: E402, F401 - this module is the store
    WRITES_BESIDE_A_LOAD,
    activate,
    discard_members,
    drop_version_members,
    load_session,
    stage_members,
    try_lock,
)
