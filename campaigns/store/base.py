"""What both implementations of the store share: the shapes of their answers and their contract."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

# A contact-history row, as the contact policy reads it (campaigns.decisioning._history).
RESPONSE_COLUMNS = (
    "campaign_id", "offer_id", "outcome", "recorded_at", "decline_reason__suppression_days",
)  # fmt: skip
BATCH = 5_000  # ids per query where a database limits the parameters of one statement


class TimedOut(Exception):
    """A statement did not finish within a decision's time limit (``time_limit``) and was
    cancelled; nothing it would have written was written."""


@dataclass(frozen=True)
class Membership:
    """A customer's row in a target-group version, as a decision reads it."""

    version_id: int
    offer_code: str | None
    propensity: float | None
    expected_value: Decimal | None
    reason: str = ""  # the file's reason for this customer; "" when it gave none
    # The customer's control-group bucket in the version (campaigns.control.control_bucket),
    # when the store worked it out with the row; None: the decision works it out.
    bucket: int | None = None


class Store(Protocol):
    """The contract both ``campaigns.store.portable`` and ``campaigns.store.postgres`` keep
    (tests/campaigns/test_store_contract.py runs the same cases against both).

    ``session`` is what a load writes through: on PostgreSQL a connection of the load's own,
    elsewhere None. Callers pass it along and never look inside.
    """

    def decision_facts(
        self, customer, version_ids: list[int], now
    ) -> tuple[list[Membership], list[tuple]]:
        """The customer's memberships in ``version_ids`` and their contact history up to
        ``now`` (rows as RESPONSE_COLUMNS)."""

    def find_customer(
        self, external_id: str, version_ids: list[int], now, control_codes: list[str] | None = None
    ):
        """The customer with this external id, or None; an implementation may read the
        decision's facts (``decision_facts`` over ``version_ids`` at ``now``) with it, and
        with ``control_codes`` (those of ``version_ids``) the members' buckets."""

    def record_decision(self, decision, presentations: list, audit: dict | None = None) -> None:
        """Store a decision and its presentations, and the audit event ``audit`` (columns as
        ``cvm_portal.audit.access``) when given, all or nothing; sets their primary keys."""

    def time_limit(self, ms: int | None) -> AbstractContextManager[None]:
        """Within the block, the database's statements end within ``ms`` milliseconds in all
        or raise ``TimedOut`` (where the database can cancel them)."""

    def contact_history(self, customer_ids: Iterable[int], now) -> dict[int, list[tuple]]:
        """{customer id: their response rows up to ``now``}, for the customers that have any."""

    def members_outside_control(self, members, version, *fields: str) -> Iterator[tuple]:
        """``fields`` of the TargetGroupMember queryset ``members`` (of ``version``) that the
        version's control group does not hold, read in chunks."""

    WRITES_BESIDE_A_LOAD: bool  # whether another connection can write while a load writes

    def load_session(self, reuse: Any = None) -> AbstractContextManager[Any]:
        """What a load writes through (``reuse`` when given, else a new one, closed after)."""

    def try_lock(self, session, key: str) -> bool:
        """Hold ``key`` for the session's life if nobody else does; False if another does."""

    def stage_members(
        self, session, *, run, info, version, campaign, progress: Callable
    ) -> tuple[int, int, int]:
        """Check a target-group file's rows and store them as ``version``'s members, not yet
        visible to readers; rejected rows go to the quarantine. (loaded, rejected, control)."""

    def activate(self, session, *, run, version, loaded: int, control: int, now) -> None:
        """Make ``version`` its target group's live version and end ``run`` as loaded, in one
        transaction; readers see the whole old version or the whole new one."""

    def discard_members(self, session, *, run_id: int, version_id: int | None) -> None:
        """Remove what an unfinished load of ``run_id`` left (never a version that went live)."""

    def drop_version_members(self, session, *, version_id: int) -> None:
        """Remove a replaced version's members (pruning)."""
