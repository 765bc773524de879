"""Storing a batch of digital events, once each: the one place that picks PostgreSQL's COPY
into monthly partitions or the portable ORM path (callers never pick)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, OperationalError, ProgrammingError, connection, transaction
from django.utils import timezone

from . import portable, postgres

ATTEMPTS = 3
NO_PARTITION = "23514"  # a month's partition this process believed made is not there
PARTITION_GONE = "42P01"  # the month's partition, written to directly, was dropped meanwhile
# Retried before the client sees an error: a deadlock, a serialization failure, a partition gone.
RETRIED = ("40P01", "40001", NO_PARTITION, PARTITION_GONE)


@dataclass(frozen=True)
class Stored:
    """What became of a batch: events stored now, and duplicates (already stored, or repeated
    in the batch) dropped."""

    accepted: int
    duplicates: int


def _backend():
    return postgres if connection.vendor == "postgresql" else portable


def unique_in_batch(events: list[tuple]) -> list[tuple]:
    """The first event of each event id in the batch (a repeat is a duplicate)."""
    seen: dict = {}
    for e in events:
        if e[0] not in seen:
            seen[e[0]] = e
    return list(seen.values())


def store_events(*, client_id: int, events: list[tuple]) -> Stored:
    """Store a validated batch of ``client_id``'s events; returns only once they are committed
    (so an acknowledged event is never lost)."""
    unique = unique_in_batch(events)
    backend = _backend()
    for attempt in range(ATTEMPTS):
        try:
            backend.prepare(unique)
            with transaction.atomic():
                accepted = backend.write(
                    client_id=client_id, received_at=timezone.now(), events=unique
                )
            break
        except (OperationalError, IntegrityError, ProgrammingError) as exc:
            code = getattr(exc.__cause__, "sqlstate", None)
            if code not in RETRIED or attempt == ATTEMPTS - 1:
                raise
            if code in (NO_PARTITION, PARTITION_GONE):
                backend.forget()
    return Stored(accepted=accepted, duplicates=len(events) - accepted)


def maintain_partitions(*, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Partitions for this month and CVM_EVENT_PARTITIONS_AHEAD more; those past
    CVM_EVENT_RETENTION_MONTHS dropped (elsewhere: their events deleted). (made, dropped)."""
    return _backend().maintain(
        now=now or timezone.now(),
        ahead=settings.CVM_EVENT_PARTITIONS_AHEAD,
        retention_months=settings.CVM_EVENT_RETENTION_MONTHS,
    )
