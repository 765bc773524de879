"""A decision's connection to PostgreSQL: its cursor, its two statements on the wire, its time limit.

- ``prepared_cursor``: a server-binding cursor on Django's connection; for a decision's own
  statements (``lean``) psycopg's cursor itself, kept for the connection's next decision.
- ``Statement`` and ``run``: a statement every decision runs (the customer's read, the
  decision's write) is prepared once per connection under its own name and executed through
  libpq (``PGconn.exec_prepared``) with text parameters and text results. psycopg's cursor
  spent about 70 µs of client time a call above libpq's own (its query and result machinery,
  a loader per column, Django's Python loader for timestamps), as much as the statement's
  round trip; the statements are written to need none of it (every parameter cast in the
  SQL, the read's answer one JSON text). Whenever the plain path could differ — queries
  logged or watched, a transaction open, a time limit to send first — the same statement
  goes through the kept cursor instead.
- The time limit of a decision (``time_limit``): PostgreSQL's statement_timeout, sent with the
  decision's first statement and left set ("sticky") for the connection's next decision.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import psycopg
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from psycopg import pq

from campaigns.store.base import TimedOut


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


# --- the time limit of a decision ---------------------------------------------------------


SET_TIMEOUT_SQL = "SELECT set_config('statement_timeout', %s, false)"
# The time limit a decision sends is rounded down to this step, so that the next decision on the
# same connection usually finds it already set and sends nothing (the limit is "sticky"): a
# decision ends at most one step before its budget, never after it.
TIMEOUT_STEP_MS = 10
DECISIONS_PATH = "/api/v1/decisions/"


def _default_timeout(connection=None) -> str:
    """The connection's own statement_timeout (asked once per connection)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    raw = connection.connection
    known = getattr(connection, "cvm_default_timeout", None)
    if known is None or known[0] is not raw:
        with raw.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            known = connection.cvm_default_timeout = (raw, cursor.fetchone()[0])
    return known[1]


def _sticky(connection=None) -> str | None:
    """The statement_timeout a decision left set on this connection, or None (its default).
    ``connection``: Django's default connection, when the caller has it at hand (reaching it
    is a context-local look-up, a few µs each, several times a decision)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    sticky = getattr(connection, "cvm_sticky_timeout", None)
    if sticky is None or connection.connection is None or sticky[0] is not connection.connection:
        return None
    return sticky[1]


def _set_sticky(value: str, connection=None) -> None:
    connection = connection or connections[DEFAULT_DB_ALIAS]
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
    default = _default_timeout(connection)
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


def _limit_to_send(connection) -> str | None:
    """The statement_timeout to send with the next statement (what is left of the time limit,
    rounded down to the step), or None: no limit pending, or the connection has it already.
    Raises TimedOut when no time is left."""
    if not getattr(connection, "cvm_timeout_pending", False):
        return None
    connection.cvm_timeout_pending = False
    deadline, _ms, _default = connection.cvm_time_limit
    left = int((deadline - time.monotonic()) * 1000)
    if left < 1:
        raise TimedOut
    want = f"{max(1, left - left % TIMEOUT_STEP_MS if left >= TIMEOUT_STEP_MS else left)}ms"
    return None if _sticky(connection) == want else want


def _execute(cursor, query: str, params: list, want: str | None = None) -> None:
    """``cursor.execute``; under a time limit not yet sent, the limit (``_limit_to_send``, or
    ``want`` when the caller asked it) goes first in the same round trip (pipeline mode): it
    holds for this statement already. When the connection has that limit already, nothing
    more is sent."""
    connection = connections[DEFAULT_DB_ALIAS]
    if want is None:
        want = _limit_to_send(connection)
    if want is None:
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
    _set_sticky(want, connection)


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


# --- statements on the wire ---------------------------------------------------------------


class Statement:
    """A statement a decision runs on every call: ``sql`` with ``%s`` placeholders, each cast
    to its type in the SQL (libpq is given no parameter types), run by ``run``."""

    def __init__(self, name: str, sql: str) -> None:
        self.name = name.encode()
        self.sql = sql
        parts = sql.split("%s")
        self.wire_sql = "".join(
            part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1)
        ).encode()


INVALID_STATEMENT_NAME = b"26000"  # deallocated: psycopg's DEALLOCATE ALL, a pooler's reset


def run(statement: Statement, params: list) -> list[tuple]:
    """``statement``'s rows for ``params`` (None, str, int, float, bool, datetime, UUID,
    Decimal or bytes), inside ``_timed``. On the wire, every value comes back as text (str)
    or None; through the cursor as psycopg loads it — the statements are written so that the
    caller's ``int()`` or JSON parsing reads both alike."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    raw = connection.connection
    want = _limit_to_send(connection)
    if (
        want is not None
        or connection.queries_logged
        or connection.execute_wrappers
        or connection.in_atomic_block
        or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE
    ):
        with prepared_cursor(lean=True) as cursor:
            _execute(cursor, statement.sql, params, want)
            return cursor.fetchall() if cursor.description else []
    return _on_the_wire(connection, raw, statement, [_text(p) for p in params])


def _on_the_wire(connection, raw, statement: Statement, values: list) -> list[tuple]:
    prepared = getattr(connection, "cvm_wire_prepared", None)
    if prepared is None or prepared[0] is not raw:  # a new connection prepares afresh
        prepared = connection.cvm_wire_prepared = (raw, set())
    pgconn = raw.pgconn
    for attempt in (1, 2):
        if statement.name not in prepared[1]:
            _check(raw, pgconn.prepare(statement.name, statement.wire_sql, None))
            prepared[1].add(statement.name)
        result = pgconn.exec_prepared(statement.name, values)
        if (
            attempt == 1
            and result.status == pq.ExecStatus.FATAL_ERROR
            and result.error_field(pq.DiagnosticField.SQLSTATE) == INVALID_STATEMENT_NAME
        ):
            prepared[1].discard(statement.name)  # deallocated meanwhile: prepare it again
            continue
        _check(raw, result)
        break
    columns = range(result.nfields)
    return [
        tuple(None if (v := result.get_value(row, c)) is None else v.decode() for c in columns)
        for row in range(result.ntuples)
    ]


def _check(raw, result) -> None:
    """Raise psycopg's error for a failed ``result`` (``_timed`` makes it Django's)."""
    if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)


def _text(value) -> bytes | None:
    """A parameter in PostgreSQL's text format."""
    if value is None or type(value) is bytes:
        return value
    if type(value) is str:
        return value.encode()
    if type(value) is bool:
        return b"t" if value else b"f"
    if hasattr(value, "isoformat"):  # dates and times: ISO 8601, the offset included
        return value.isoformat().encode()
    return str(value).encode()  # int, float (shortest exact form), Decimal, UUID
