"""The one seam where PostgreSQL's fast path and the portable path part.

Callers never ask which database runs: they call the functions below, and this module picks
the implementation, ``postgres`` on PostgreSQL and ``portable`` (the Django ORM) elsewhere —
SQLite, the embedded default. It is the one module of application code that reads
``connection.vendor``. Both implementations keep the contract of ``base.Store``; the
portable one works on PostgreSQL too, and tests/campaigns/test_store_contract.py runs the
same cases against both.

- ``decision_facts``, ``record_decision``: ``campaigns.decisioning.decide``; ``find_customer``
  and ``time_limit``: the decision API (``channels.api.views``), which reads the customer with
  their facts and bounds the time its statements take.
- ``contact_history``: the contact policy's view of many customers (call-list building).
- ``members_outside_control``: a version's members without its control group (call lists).
- ``load_session``, ``try_lock``, ``stage_members``, ``activate``, ``discard_members``,
  ``drop_version_members``, ``writes_beside_a_load``: a target-group load
  (``campaigns.loads.runs``).

The delivery side has a variant of its own, the outbound claim (``channels.outbound.claims``):
it is chosen with ``pick``, so that this module stays the only one that asks. The
PostgreSQL claim reads the customer's contact history in its own statement through
``campaigns.store.postgres``'s ``prepared_cursor``, ``history_arrays_sql`` and
``history_rows``.
"""

from __future__ import annotations

import functools
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

from campaigns.store import portable, postgres
from campaigns.store.base import RESPONSE_COLUMNS, Membership, Store, TimedOut

__all__ = [
    "RESPONSE_COLUMNS", "Membership", "Store", "TimedOut", "activate", "contact_history", "decision_facts",
    "discard_members", "drop_version_members", "find_customer", "implementation", "is_postgresql",
    "load_session", "members_outside_control", "pick", "record_decision", "stage_members",
    "time_limit", "try_lock", "writes_beside_a_load",
]  # fmt: skip

T = TypeVar("T")


@functools.cache
def is_postgresql() -> bool:
    """Whether the portal's database is PostgreSQL: the question asked in this module only.
    A process's database does not change, so it is asked once: reaching the connection (a
    context-local look-up) cost a decision three times what the rest of this choice did."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def pick(*, postgresql: T, portable: T) -> T:
    """``postgresql`` on PostgreSQL, ``portable`` elsewhere: for a variant of a data path that
    lives in another app (the outbound claim), so that the choice is still made here."""
    return postgresql if is_postgresql() else portable


def implementation() -> Store:
    """The store for the portal's database."""
    return pick(postgresql=postgres, portable=portable)


# --- decisions ------------------------------------------------------------------------------


def find_customer(
    *, external_id: str, version_ids: list[int], now, control_codes: list[str] | None = None
):
    """The customer with this external id, or None. PostgreSQL: read in one statement with the
    facts ``decision_facts`` would read for them over ``version_ids`` at ``now`` — and given
    ``control_codes`` (the versions' control codes, in their order), each membership's
    control-group bucket (``Membership.bucket``)."""
    return implementation().find_customer(external_id, version_ids, now, control_codes)


def decision_facts(customer, version_ids: list[int], now) -> tuple[list[Membership], list]:
    """The customer's memberships in ``version_ids`` and their contact history up to ``now``
    (rows as RESPONSE_COLUMNS). PostgreSQL: one prepared statement, or none when
    ``find_customer`` read them with the customer (for these versions and moment)."""
    read = getattr(customer, "cvm_decision_facts", None)
    if read is not None:
        customer.cvm_decision_facts = None  # once: a later decision reads afresh
        read_versions, read_at, members, responses = read
        if read_versions == list(version_ids) and read_at == now:
            return members, responses
    return implementation().decision_facts(customer, version_ids, now)


def record_decision(decision, presentations: list, audit: dict | None = None) -> None:
    """Store a decision and its presentations, with the audit event ``audit`` when given (as
    ``cvm_portal.audit.access``), all or nothing. PostgreSQL, outside a caller's transaction:
    one statement, committed without waiting for the disk flush (the audit row with it)."""
    implementation().record_decision(decision, presentations, audit)


def time_limit(ms: int | None):
    """A context manager: the database statements within it end within ``ms`` milliseconds in
    all, or raise ``TimedOut`` (PostgreSQL's statement_timeout; elsewhere no limit)."""
    return implementation().time_limit(ms)


def contact_history(customer_ids, now) -> dict[int, list[tuple]]:
    """{customer id: response rows up to ``now``} for the customers of ``customer_ids`` that
    have any."""
    return implementation().contact_history(customer_ids, now)


def members_outside_control(members, version, *fields: str):
    """``fields`` of the members in the TargetGroupMember queryset ``members`` (of
    ``version``) that the version's control group does not hold, read in chunks."""
    return implementation().members_outside_control(members, version, *fields)


# --- target-group versions ----------------------------------------------------------------


def writes_beside_a_load() -> bool:
    """Whether another connection can write while a load writes (PostgreSQL); where it cannot
    (SQLite: one writer at a time) a load writes its heartbeat with its progress."""
    return implementation().WRITES_BESIDE_A_LOAD


def load_session(reuse=None):
    """A context manager giving what a load writes through (``reuse`` when given): pass it to
    the functions below and never look inside (PostgreSQL: a connection of the load's own)."""
    return implementation().load_session(reuse)


def try_lock(session, key: str) -> bool:
    """Hold ``key`` for the session's life; False if another session holds it."""
    return implementation().try_lock(session, key)


def stage_members(session, *, run, info, version, campaign, progress) -> tuple[int, int, int]:
    """Check and store a target-group file's rows as ``version``'s members, not yet live;
    returns (loaded, rejected, control)."""
    return implementation().stage_members(
        session, run=run, info=info, version=version, campaign=campaign, progress=progress
    )


def activate(session, *, run, version, loaded: int, control: int, now) -> None:
    """Make ``version`` the live one and end ``run`` as loaded, in one transaction."""
    implementation().activate(
        session, run=run, version=version, loaded=loaded, control=control, now=now
    )


def discard_members(session, *, run_id: int, version_id: int | None) -> None:
    """Remove what an unfinished load left behind (never a version that went live)."""
    implementation().discard_members(session, run_id=run_id, version_id=version_id)


def drop_version_members(session, *, version_id: int) -> None:
    """Remove a replaced version's members (pruning)."""
    implementation().drop_version_members(session, version_id=version_id)
