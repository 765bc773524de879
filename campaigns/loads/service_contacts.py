"""The service contacts load: the nightly ``contacts__YYYYMMDD`` file of why customers contacted
us, in which channel, and whether it was solved at the first contact or by self-service (see
docs/loads.md, "Service contacts"). Rows are checked in Python batch by batch and stored in one
transaction, so either every good row lands or none does; on PostgreSQL the good rows go in by
``COPY`` (a night's contacts run to millions), elsewhere through the ORM.

A contact has no key of its own (two identical calls on one day are two contacts), so a file
delivered again under the same name with other content (a correction) replaces the contacts of
the earlier file of that name; the same content again is skipped before it gets here.
"""

from __future__ import annotations

import re
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import store
from campaigns.choices import LoadKind, LoadStatus, RejectReason
from campaigns.loads.batched import BATCH, file_rows, reject_row
from campaigns.loads.files import InboxFile
from campaigns.loads.rules import REASON_MARKUP, Reject, _bool, past_date
from campaigns.models import Customer, LoadReject, LoadRun, ServiceContact
from campaigns.optimisation.channels import channel_codes

REASON_LENGTH = 100
_MARKUP_RE = re.compile(REASON_MARKUP)
COLUMNS = (
    "customer_id",
    "channel_kind",
    "reason",
    "contacted_on",
    "resolved_first_contact",
    "self_service",
    "load_run_id",
)


def parse_contact(fields: dict[str, str], *, today: date, channels: set[str]) -> dict:
    """The typed values of a contacts row, or Reject (the customer is checked by the caller)."""
    values = {name: fields.get(name, "").strip() for name in ("customer_id", "channel", "reason")}
    day_text = fields.get("contacted_on", "").strip()
    for column, text in (*values.items(), ("contacted_on", day_text)):
        if not text:
            raise Reject(RejectReason.MISSING_VALUE, _("%(column)s is empty") % {"column": column})
    channel = values["channel"].lower()
    if channel not in channels:
        raise Reject(
            RejectReason.BAD_CHOICE,
            _("channel “%(value)s” is not one of %(allowed)s")
            % {"value": values["channel"][:40], "allowed": ", ".join(sorted(channels))},
        )
    reason = " ".join(values["reason"].split())
    if len(reason) > REASON_LENGTH or _MARKUP_RE.search(reason):
        raise Reject(
            RejectReason.BAD_TEXT,
            _("reason has markup or is longer than %(n)d characters") % {"n": REASON_LENGTH},
        )
    day = past_date("contacted_on", day_text, today)
    return {
        "customer": values["customer_id"],
        "channel": channel,
        "reason": reason,
        "day": day,
        "resolved": _bool(fields.get("resolved_first_contact", ""), "resolved_first_contact"),
        "self_service": _bool(fields.get("self_service", ""), "self_service"),
    }


class ContactRules:
    """The row rules of a contacts file, batch by batch: rows (as tuples in ``COLUMNS``
    order) to store, and rows rejected with their reason."""

    def __init__(self, *, run: LoadRun, today: date):
        self.run, self.today = run, today
        self.channels = set(channel_codes())

    def check(self, batch: list[tuple[int, dict[str, str]]]):
        ids = {f.get("customer_id", "").strip() for _line, f in batch}
        customers = dict(
            Customer.objects.filter(external_id__in=ids).values_list("external_id", "pk")
        )
        rows, rejects = [], []
        for line, fields in batch:
            try:
                values = parse_contact(fields, today=self.today, channels=self.channels)
                customer_pk = customers.get(values["customer"])
                if customer_pk is None:
                    raise Reject(
                        RejectReason.UNKNOWN_CUSTOMER,
                        _("customer %(id)s is not in the customer snapshot")
                        % {"id": values["customer"][:64]},
                    )
            except Reject as reject:
                rejects.append(reject_row(self.run, line, reject, fields))
                continue
            rows.append(
                (
                    customer_pk,
                    values["channel"],
                    values["reason"],
                    values["day"],
                    values["resolved"],
                    values["self_service"],
                    self.run.pk,
                )
            )
        return rows, rejects


def _copy_rows(rows: list[tuple]) -> None:
    """PostgreSQL: the rows by COPY, inside the load's transaction (Django's connection)."""
    table = ServiceContact._meta.db_table
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _insert_rows(rows: list[tuple]) -> None:
    """Elsewhere: the rows through the ORM."""
    ServiceContact.objects.bulk_create(
        [ServiceContact(**dict(zip(COLUMNS, row, strict=True))) for row in rows],
        batch_size=BATCH,
    )


def load_contacts(*, run: LoadRun, info: InboxFile) -> LoadRun:
    """Store the file's good contacts and quarantine the rest, in one transaction; contacts of
    an earlier file of the same name are replaced. Ends the run as loaded."""
    _names, _extra, lines = file_rows(info)
    rules = ContactRules(run=run, today=timezone.localdate())
    write = store.pick(postgresql=_copy_rows, portable=_insert_rows)
    loaded = rejected = done = 0
    with transaction.atomic():
        ServiceContact.objects.filter(
            load_run__kind=LoadKind.SERVICE_CONTACTS, load_run__file_name=run.file_name
        ).exclude(load_run=run).delete()
        batch: list[tuple[int, dict[str, str]]] = []

        def flush():
            nonlocal loaded, rejected
            rows, rejects = rules.check(batch)
            if rows:
                write(rows)
            LoadReject.objects.bulk_create(rejects, batch_size=BATCH)
            loaded += len(rows)
            rejected += len(rejects)
            batch.clear()

        for line, fields in lines:
            batch.append((line, fields))
            done += 1
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
        LoadRun.objects.filter(pk=run.pk).update(
            status=LoadStatus.SUCCEEDED,
            finished_at=timezone.now(),
            rows_done=done,
            rows_loaded=loaded,
            rows_rejected=rejected,
        )
    run.refresh_from_db()
    return run
