"""The portable store: the Django ORM, on any database Django supports.

It is what runs on SQLite (the embedded default), and it works on PostgreSQL too, where the
contract tests run it beside the fast path. Target-group members go into the member table
as they are checked (the batched path of ``campaigns.loads.batched``); readers do not see
them before the activation transaction points the target group at their version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import transaction

from campaigns.choices import LoadStatus
from campaigns.loads import batched
from campaigns.models import (
    Customer,
    LoadRun,
    Presentation,
    Response,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)
from campaigns.store.base import BATCH, RESPONSE_COLUMNS, Membership
from cvm_portal.models import AuditEvent

# --- decisions --------------------------------------------------------------------------


def decision_facts(customer, version_ids: list[int], now) -> tuple[list[Membership], list]:
    members = TargetGroupMember.objects.filter(
        customer=customer, version_id__in=version_ids
    ).values_list("version_id", "offer_id", "propensity", "expected_value", "reason")
    responses = Response.objects.filter(customer=customer, recorded_at__lte=now).values_list(
        *RESPONSE_COLUMNS
    )
    return [Membership(*row[:4], row[4] or "") for row in members], list(responses)


def find_customer(external_id: str, version_ids: list[int], now, control_codes=None):  # noqa: ARG001 - the contract's
    return Customer.objects.filter(external_id=external_id).first()


def record_decision(decision, presentations: list[Presentation], audit: dict | None = None) -> None:
    with transaction.atomic():
        decision.save(force_insert=True)
        Presentation.objects.bulk_create(presentations)
        if audit is not None:
            AuditEvent.objects.create(**audit)


@contextmanager
def time_limit(ms: int | None):  # noqa: ARG001 - the contract's
    """No limit: SQLite runs in the process, and a slow statement cannot be cut short here."""
    yield


def contact_history(customer_ids: Iterable[int], now) -> dict[int, list[tuple]]:
    ids = list(customer_ids)
    found: dict[int, list[tuple]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        rows = Response.objects.filter(
            customer_id__in=ids[start : start + BATCH], recorded_at__lte=now
        ).values_list("customer_id", *RESPONSE_COLUMNS)
        for customer_id, *row in rows:
            found[customer_id].append(tuple(row))
    return dict(found)


def members_outside_control(members, version: TargetGroupVersion, *fields: str) -> Iterator:
    """The control group is decided here, in Python, member by member."""
    rows = members.values_list("customer_id", *fields).iterator(chunk_size=BATCH)
    for external_id, *values in rows:
        if not version.in_control(external_id):
            yield tuple(values)


# --- target-group versions --------------------------------------------------------------

# A second connection writing while a load writes would wait for it (SQLite lets one writer in
# at a time): a load's heartbeat is written with its progress instead.
WRITES_BESIDE_A_LOAD = False


@contextmanager
def load_session(reuse=None):
    """A load writes through Django's own connection: nothing of its own to open."""
    yield reuse


def try_lock(session, key: str) -> bool:  # noqa: ARG001 - the store's contract (base.Store)
    """No lock: SQLite lets one writer in at a time, and the portable path has no lock of its
    own that a killed worker would release."""
    return True


def stage_members(
    session,  # noqa: ARG001 - the store's contract (base.Store)
    *,
    run,
    info,
    version,
    campaign,
    progress,
) -> tuple[int, int, int]:
    return batched.stage_members(
        run=run, info=info, version=version, campaign=campaign, progress=progress
    )


def activate(
    session,  # noqa: ARG001 - the store's contract (base.Store)
    *,
    run,
    version,
    loaded: int,
    control: int,
    now,
) -> None:
    with transaction.atomic():
        target_group = TargetGroup.objects.select_for_update().get(pk=version.target_group_id)
        TargetGroupVersion.objects.filter(pk=target_group.active_version_id).update(retired_at=now)
        TargetGroupVersion.objects.filter(pk=version.pk).update(
            activated_at=now, member_count=loaded, control_count=control
        )
        target_group.active_version = version
        target_group.save(update_fields=["active_version"])
        LoadRun.objects.filter(pk=run.pk).update(
            status=LoadStatus.SUCCEEDED,
            finished_at=now,
            rows_done=run.rows_total or loaded + run.rows_rejected,
        )


def discard_members(
    session,  # noqa: ARG001 - the store's contract (base.Store)
    *,
    run_id: int,  # noqa: ARG001 - the store's contract (base.Store)
    version_id: int | None,
) -> None:
    if version_id is not None:
        TargetGroupMember.objects.filter(version_id=version_id).delete()


def drop_version_members(session, *, version_id: int) -> None:  # noqa: ARG001 - the store's contract (base.Store)
    TargetGroupMember.objects.filter(version_id=version_id).delete()
