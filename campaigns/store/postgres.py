"""The PostgreSQL store: the fast paths, in plain SQL through psycopg.

- A decision's facts (the customer's rows in the live versions and their contact history) in
  one statement, prepared on the connection (``FACTS_SQL``); planning it afresh for every
  partition cost more than running it.
- A decision that is its own transaction is written in one statement whose commit does not
  wait for the disk flush (``RECORD_DECISION_SQL``); inside a caller's transaction the ORM
  writes it, and the caller's durability holds.
- Contact history for many customers: one statement per 50,000 (an array parameter).
- The control group of a version left out in SQL (``campaigns.control.BUCKET_SQL``).
- Target-group versions: a load writes through a connection of its own, holds a session
  advisory lock per target (released when that connection closes, even if the worker is
  killed), stages the file with COPY into the version's own table (``campaigns.loads.postgres``),
  attaches it as a partition on activation and detaches and drops it on pruning.
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
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import orjson
import psycopg
from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns import control
from campaigns.governance import stop_signal
from campaigns.models import Customer, Presentation, TargetGroupVersion
from campaigns.store.base import BATCH, Membership, TimedOut
from campaigns.store.portable import record_decision as record_decision_with_the_orm

HISTORY_BATCH = 50_000  # customers per statement: one array parameter, no limit to mind


def prepared_cursor(*, lean: bool = False):
    """A server-binding cursor on Django's connection: a statement run again on the connection
    is prepared and then only executed (settings: prepare_threshold), whatever
    DJANGO_DB_SERVER_SIDE_BINDING says for Django's own cursors.

    ``lean`` (a decision's own statements, always inside ``_timed``, which turns psycopg's
    errors into Django's as Django's cursor would): psycopg's cursor itself, without Django's
    wrapper, which cost a third of the client's time for a prepared statement — unless the
    queries are being logged or watched (DEBUG, tests' query counts, execute wrappers) or a
    transaction is open (Django's cursor checks that it is not broken). That cursor is kept
    for the connection's next decision (``_KeptCursor``): a new psycopg cursor sets up its
    adapters and loaders again, which cost as much as the round trip's own client time."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    raw = connection.connection
    if connection.queries_logged:
        return connection.make_debug_cursor(psycopg.Cursor(raw))
    if lean and not connection.execute_wrappers and not connection.in_atomic_block:
        kept = getattr(connection, "cvm_kept_cursor", None)
        if kept is None or kept._conn is not raw or kept.closed:
            kept = connection.cvm_kept_cursor = _KeptCursor(raw)
        return kept
    return connection.make_cursor(psycopg.Cursor(raw))


class _KeptCursor(psycopg.Cursor):
    """A psycopg cursor that a ``with`` block leaves open: one per connection, for its
    decisions' statements (``prepared_cursor(lean=True)``); it goes with its connection."""

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        return None


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


# The customer and everything a decision asks about them, in one round trip: the customer's row,
# their rows in the active versions and their contact history (as arrays).
CUSTOMER_FACTS_SQL = (
    "SELECT {columns}, m.version_ids, m.offer_codes, m.propensities, m.values, m.reasons,"
    " m.buckets, h.*"
    " FROM campaigns_customer c"
    " LEFT JOIN LATERAL (SELECT array_agg(t.version_id) AS version_ids,"
    " array_agg(t.offer_code) AS offer_codes, array_agg(t.propensity) AS propensities,"
    " array_agg(t.expected_value) AS values, array_agg(coalesce(t.reason, '')) AS reasons,"
    " array_agg({bucket}) AS buckets"
    " FROM unnest(%s::bigint[], %s::text[]) AS v(id, suffix) CROSS JOIN LATERAL ("
    "SELECT * FROM campaigns_targetgroupmember t"
    " WHERE t.version_id = v.id AND t.customer_external_id = c.external_id) AS t) m ON true"
    " LEFT JOIN LATERAL ({history}) h ON true"
    " WHERE c.external_id = %s"
)
HISTORY_ARRAYS = 5
MEMBER_ARRAYS = 6  # version ids, offer codes, propensities, values, reasons, buckets


@functools.cache
def _customer_facts_sql() -> tuple[str, list]:
    fields = Customer._meta.concrete_fields
    columns = ", ".join(f"c.{connection.ops.quote_name(f.column)}" for f in fields)
    # ...and the kill switch's stop generation (campaigns.governance.stop_signal), last.
    columns += ", " + stop_signal.DATABASE_GENERATION_SQL
    # A member's control-group bucket, with the version's control code (NULL when not given).
    bucket = control.BUCKET_SQL.format(customer="c.external_id", suffix="v.suffix")
    query = CUSTOMER_FACTS_SQL.format(
        columns=columns, history=history_arrays_sql("c.id"), bucket=bucket
    )
    return query, fields


def find_customer(external_id: str, version_ids: list[int], now, control_codes=None):
    """The customer with the facts of a decision at ``now`` over ``version_ids`` read with it
    (``decision_facts`` then asks nothing more), or None. Given ``control_codes`` (those of
    ``version_ids``, in their order), each membership comes with the customer's control-group
    bucket in its version, worked out by the database (``Membership.bucket``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    query, fields = _customer_facts_sql()
    suffixes = (
        [control.key_suffix(code) for code in control_codes]
        if control_codes is not None and len(control_codes) == len(version_ids)
        else [None] * len(version_ids)
    )
    with _timed(), prepared_cursor(lean=True) as cursor:
        _execute(cursor, query, [version_ids, suffixes, now, external_id])
        row = cursor.fetchone()
    if row is None:
        return None
    converters = getattr(connection, "cvm_customer_converters", None)
    if converters is None:  # the fields' converters, once per connection object
        converters = connection.cvm_customer_converters = (
            [f.attname for f in fields],
            [(i, f, c) for i, f in enumerate(fields) for c in f.get_db_converters(connection)],
        )
    names, converting = converters
    values = list(row[: len(names)])
    for i, f, converter in converting:
        values[i] = converter(values[i], f, connection)
    customer = Customer.from_db(connection.alias, names, values)
    n = len(fields)
    members = (
        [Membership(*m) for m in zip(*row[n + 2 : n + 2 + MEMBER_ARRAYS], strict=True)]
        if row[n + 2] is not None
        else []
    )
    history = history_rows(row[n + 2 + MEMBER_ARRAYS : n + 2 + MEMBER_ARRAYS + HISTORY_ARRAYS])
    customer.cvm_decision_facts = (list(version_ids), now, members, history)
    customer.cvm_stop_generation = row[n : n + 2]
    return customer


# --- the time limit of a decision ---------------------------------------------------------


SET_TIMEOUT_SQL = "SELECT set_config('statement_timeout', %s, false)"
# The time limit a decision sends is rounded down to this step, so that the next decision on the
# same connection usually finds it already set and sends nothing (the limit is "sticky"): a
# decision ends at most one step before its budget, never after it.
TIMEOUT_STEP_MS = 10
DECISIONS_PATH = "/api/v1/decisions/"


def _default_timeout() -> str:
    """The connection's own statement_timeout (asked once per connection)."""
    connection = connections[DEFAULT_DB_ALIAS]
    raw = connection.connection
    known = getattr(connection, "cvm_default_timeout", None)
    if known is None or known[0] is not raw:
        with raw.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            known = connection.cvm_default_timeout = (raw, cursor.fetchone()[0])
    return known[1]


def _sticky() -> str | None:
    """The statement_timeout a decision left set on this connection, or None (its default)."""
    connection = connections[DEFAULT_DB_ALIAS]
    sticky = getattr(connection, "cvm_sticky_timeout", None)
    if sticky is None or connection.connection is None or sticky[0] is not connection.connection:
        return None
    return sticky[1]


def _set_sticky(value: str) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.cvm_sticky_timeout = (connection.connection, value)


@contextmanager
def time_limit(ms: int | None):
    """The connection's statements take at most ``ms`` milliseconds in all (statement_timeout,
    rounded down to TIMEOUT_STEP_MS and sent in the same round trip as the block's first
    statement, unless the connection has it already); one that would take longer is
    cancelled and ``TimedOut`` raised. None, or inside a caller's transaction: no limit.

    The limit stays set on the connection after the block ("sticky"), so that decision after
    decision on one connection sends it once; anything else the connection serves next gets
    the connection's default back first (``release_time_limit``, on every request that is not
    a decision)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if ms is None or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    default = _default_timeout()
    connection.cvm_time_limit = (time.monotonic() + ms / 1000, ms, default)
    connection.cvm_timeout_pending = True  # sent with the next statement (``_execute``)
    try:
        yield
    finally:
        connection.cvm_timeout_pending = False
        connection.cvm_time_limit = None


def release_time_limit() -> None:
    """Give the connection its default statement_timeout back if a decision left a limit set."""
    if _sticky() is None:
        return
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute(SET_TIMEOUT_SQL, [_default_timeout()])
        connection.cvm_sticky_timeout = None
    except (DatabaseError, psycopg.Error):
        connection.close()  # a new connection starts with the default again


def _release_unless_a_decision(**kwargs) -> None:
    """Every request that is not a decision starts with the connection's default timeout."""
    environ = kwargs.get("environ") or {}
    if _sticky() is not None and environ.get("PATH_INFO") != DECISIONS_PATH:
        release_time_limit()


request_started.connect(_release_unless_a_decision, dispatch_uid="cvm-release-time-limit")


def _execute(cursor, query: str, params: list) -> None:
    """``cursor.execute``; under a time limit not yet sent, the limit (what is left of it,
    rounded down to the step) goes first in the same round trip (pipeline mode): it holds for
    this statement already. When the connection has that limit already, nothing more is sent."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not getattr(connection, "cvm_timeout_pending", False):
        cursor.execute(query, params)
        return
    connection.cvm_timeout_pending = False
    deadline, _ms, _default = connection.cvm_time_limit
    left = int((deadline - time.monotonic()) * 1000)
    if left < 1:
        raise TimedOut
    want = f"{max(1, left - left % TIMEOUT_STEP_MS if left >= TIMEOUT_STEP_MS else left)}ms"
    if _sticky() == want:
        cursor.execute(query, params)
        return
    try:
        with connection.connection.pipeline():
            with prepared_cursor() as setting:
                setting.execute(SET_TIMEOUT_SQL, [want])
            cursor.execute(query, params)
    except psycopg.Error:
        # A statement cancelled while it was being prepared stays "prepared" in psycopg's
        # books after a failed pipeline: forget them all (DEALLOCATE ALL goes with the next).
        connection.cvm_sticky_timeout = None
        prepared = getattr(connection.connection, "_prepared", None)
        if prepared is None:
            connection.close()
        else:
            prepared.clear()
        raise
    _set_sticky(want)


def _before_write() -> str | None:
    """Under a time limit: raise TimedOut if none is left, shorten the timeout when less than
    half is left, and return the value the write gives back: the default after a shortened
    limit (so no later statement inherits a few milliseconds), None otherwise (no limit, or
    the limit stays set: sticky, ``time_limit``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    limit = getattr(connection, "cvm_time_limit", None)
    if limit is None:
        return None
    deadline, ms, default = limit
    left = (deadline - time.monotonic()) * 1000
    if left <= 1:
        raise TimedOut
    if left < ms / 2:
        connection.cvm_sticky_timeout = None  # the write gives the default back
        with _timed(), prepared_cursor(lean=True) as cursor:
            cursor.execute(SET_TIMEOUT_SQL, [f"{int(left)}ms"])
        return default
    return None


class _Timed:
    """A statement cancelled by the statement timeout raises TimedOut; psycopg's errors are
    Django's, as Django's cursor makes them (``prepared_cursor(lean=True)``). A class, not a
    generator: it is entered on every statement of every decision."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            return False
        if isinstance(exc, psycopg.errors.QueryCanceled) or isinstance(
            exc.__cause__, psycopg.errors.QueryCanceled
        ):
            raise TimedOut from exc
        if isinstance(exc, psycopg.Error):  # psycopg's own: as Django's cursor would raise it
            connections[DEFAULT_DB_ALIAS].wrap_database_errors.__exit__(exc_type, exc, tb)
        return False


_TIMED = _Timed()


def _timed() -> _Timed:
    return _TIMED


# The decision and its presentations in one statement (the data-modifying CTE always runs, so a
# decision without offers is written too); set_config(..., true) lasts until the implicit
# transaction's commit, which then does not wait for the disk flush.
# With an audit row (an API decision: cvm_portal.audit), the row is written by the same statement
# and committed with it. The statement also gives the connection back its statement timeout
# when a time limit set one (``time_limit``): no round trip of its own.
RECORD_DECISION_SQL = """
WITH async AS (
    SELECT set_config('synchronous_commit', %s, true),
        CASE WHEN %s::text IS NULL THEN NULL ELSE set_config('statement_timeout', %s::text, false) END
),
d AS (
    INSERT INTO campaigns_decision (id, customer_id, channel_kind, agent_id, site_id, created_at, context)
    SELECT %s, %s, %s, %s, %s, %s, %s::jsonb FROM async RETURNING id
),
a AS (
    INSERT INTO cvm_portal_auditevent (at, user_id, action, object_type, object_id, detail)
    SELECT %s, %s::bigint, %s, %s, %s, %s FROM async WHERE %s::bigint IS NOT NULL
)
INSERT INTO campaigns_presentation (decision_id, offer_id, campaign_id, rank, score, reason, held_out,
    propensity)
SELECT d.id, v.o, v.c, v.r, v.s, v.t, v.h, v.p
FROM d, json_to_recordset(%s::json) AS v(o bigint, c bigint, r int, s float8, t text, h bool,
    p float8)
RETURNING id, rank
"""
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
    with _timed(), prepared_cursor(lean=True) as cursor:
        cursor.execute(
            RECORD_DECISION_SQL,
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
        ids = dict((rank, pk) for pk, rank in cursor.fetchall())
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
