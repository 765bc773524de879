"""The batched path of the loads: rows read from the file, checked by the Python rules of
``campaigns.loads.rules`` and written through the ORM, a batch at a time.

Customer snapshots always take it (an upsert of every row). Target-group members take it
where the store is the portable one (SQLite): ``stage_members``. The PostgreSQL fast path
uses ``MemberRules`` too, for the few rows its COPY could not take as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import LoadStatus, RejectReason
from campaigns.loads import files
from campaigns.loads.files import InboxFile
from campaigns.loads.rules import Reject, parse_customer, parse_member
from campaigns.models import (
    Campaign,
    Customer,
    LoadReject,
    LoadRun,
    TargetGroupMember,
    TargetGroupVersion,
)
from campaigns.models.targeting import attribute_column
from campaigns.preferences import SnapshotOverrides

BATCH = 5_000
RAW_LIMIT = 1_000
log = logging.getLogger("cvm.loads")


def file_rows(info: InboxFile):
    """(line, {column: text}) of a file, and its header; FileRejected for a bad header."""
    if info.format == "parquet":
        columns = [c.strip().lower() for c in files.parquet_columns(info)]
        names, extra = files.check_header(columns, info.kind)
        rows = files.iter_parquet_rows(info, files.parquet_columns(info))
    else:
        with files.open_binary(info) as handle:
            columns, _rest = files.read_csv_header(handle)
        names, extra = files.check_header(columns, info.kind)
        rows = files.iter_csv_rows(info)
    return names, extra, ((line, dict(zip(names, fields, strict=True))) for line, fields in rows)


def raw_text(fields: dict[str, str]) -> str:
    return ",".join(fields.values())[:RAW_LIMIT]


def reject_row(run: LoadRun, line: int, reject: Reject, fields: dict[str, str]) -> LoadReject:
    return LoadReject(
        run=run, line=line, reason=reject.reason, detail=reject.detail[:300], raw=raw_text(fields)
    )


class MemberRules:
    """The row rules of a target-group file, for rows in file order (batch by batch): which
    rows become members and which are rejected, and why. Used by the batched path (SQLite)
    and by the PostgreSQL fast path to re-check the few rows its COPY could not take as they were."""

    def __init__(self, *, run: LoadRun, version: TargetGroupVersion, campaign: Campaign, extra):
        self.run, self.version, self.campaign, self.extra = run, version, campaign, extra
        self.offers = set(campaign.offers.values_list("code", flat=True))
        self.seen: dict[str, int] = {}  # customer → the line that loaded them

    def check(self, batch: list[tuple[int, dict[str, str]]]):
        """(members, rejects) of a batch of (line, {column: text}) rows."""
        ids = {f.get("customer_id", "").strip() for _line, f in batch}
        customers = set(
            Customer.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        )
        members, rejects = [], []
        for line, fields in batch:
            try:
                values = parse_member(fields)
                if values["customer"] not in customers:
                    raise Reject(
                        RejectReason.UNKNOWN_CUSTOMER,
                        "customer {} is not in the customer snapshot".format(
                            values["customer"][:64]
                        ),
                    )
                if values["offer_code"] and values["offer_code"] not in self.offers:
                    raise Reject(
                        RejectReason.UNKNOWN_OFFER,
                        "offer {} is not an offer of campaign {}".format(
                            values["offer_code"][:40], self.campaign.code
                        ),
                    )
                if values["customer"] in self.seen:
                    raise Reject(
                        RejectReason.DUPLICATE,
                        f"customer {values['customer'][:64]} is already on line {self.seen[values['customer']]}",
                    )
            except Reject as reject:
                # Only a loaded line makes later lines of the same customer duplicates.
                rejects.append(reject_row(self.run, line, reject, fields))
                continue
            self.seen[values["customer"]] = line
            members.append(
                TargetGroupMember(
                    version=self.version,
                    customer_id=values["customer"],
                    offer_id=values["offer_code"] or None,
                    propensity=values["propensity"],
                    expected_value=values["expected_value"],
                    rank=values["rank"],
                    reason=values["reason"] or None,
                    **{attribute_column(i): fields[k] or None for i, k in enumerate(self.extra)},
                )
            )
        return members, rejects


def stage_members(
    *,
    run: LoadRun,
    info: InboxFile,
    version: TargetGroupVersion,
    campaign: Campaign,
    progress: Callable[[LoadRun, int], None],
) -> tuple[int, int, int]:
    """Check a target-group file's rows batch by batch and insert the good ones as members of
    ``version`` (readers do not see it before activation); returns (loaded, rejected, control)."""
    names, extra, rows = file_rows(info)
    version.attribute_names = extra
    version.save(update_fields=["attribute_names"])
    rules = MemberRules(run=run, version=version, campaign=campaign, extra=extra)
    loaded = rejected = control = done = 0
    batch: list[tuple[int, dict[str, str]]] = []

    def flush():
        nonlocal loaded, rejected, control
        members, rejects = rules.check(batch)
        TargetGroupMember.objects.bulk_create(members, batch_size=BATCH)
        LoadReject.objects.bulk_create(rejects, batch_size=BATCH)
        loaded += len(members)
        rejected += len(rejects)
        control += sum(version.in_control(m.customer_id) for m in members)
        batch.clear()

    for line, fields in rows:
        batch.append((line, fields))
        done += 1
        if len(batch) >= BATCH:
            flush()
            progress(run, done)
    if batch:
        flush()
    progress(run, done)
    return loaded, rejected, control


def consent_changed_at(fields: dict[str, str], *, now: datetime) -> datetime | None:
    """A snapshot row's ``consent_changed_at`` (optional): when the warehouse last changed the
    customer's consents; a date alone is its midnight, a time without a zone the portal's."""
    text = fields.get("consent_changed_at", "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Reject(
            RejectReason.BAD_DATE,
            _("consent_changed_at “%(value)s” is not YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")
            % {"value": text[:40]},
        ) from exc
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now:
        raise Reject(
            RejectReason.OUT_OF_RANGE,
            _("consent_changed_at %(value)s is in the future") % {"value": text[:40]},
        )
    return value


def load_customers(*, run: LoadRun, info: InboxFile) -> LoadRun:
    """Upsert the snapshot's customers in one transaction; rows with problems go to quarantine.
    A consent withdrawn in the console since stays withdrawn (``campaigns.preferences``)."""
    names, _extra, rows = file_rows(info)
    today = timezone.localdate()
    overrides = SnapshotOverrides(run=run, now=timezone.now())
    seen_ids: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    rejects: list[LoadReject] = []
    fields_to_update = [
        "phone", "name", "segment", "value_tier", "customer_since", "preferred_channel",
        "consent_marketing", "consent_calls", "consent_sms", "consent_app_push", "consent_digital", "do_not_contact",
    ]  # fmt: skip
    if "products" in names:  # without the column, what the customers hold stays as it was
        fields_to_update.append("holdings")
    loaded = done = 0
    with transaction.atomic():
        batch: list[tuple[int, dict, dict]] = []
        changed_at: dict[str, datetime] = {}

        def flush():
            nonlocal loaded
            phones = {values["phone"] for _l, _f, values in batch}
            owners = dict(
                Customer.objects.filter(phone__in=phones).values_list("phone", "external_id")
            )
            good = []
            for line, fields, values in batch:
                owner = owners.get(values["phone"])
                if owner is not None and owner != values["external_id"]:
                    rejects.append(
                        LoadReject(
                            run=run,
                            line=line,
                            reason=RejectReason.PHONE_TAKEN,
                            detail=_("%(phone)s belongs to customer %(owner)s")
                            % {"phone": values["phone"], "owner": owner},
                            raw=raw_text(fields),
                        )
                    )
                    continue
                good.append(Customer(**values))
            overrides.before_write(good, changed_at)
            now = timezone.now()
            since = dict(
                Customer.objects.filter(
                    external_id__in=[c.external_id for c in good], do_not_contact=True
                ).values_list("external_id", "do_not_contact_since")
            )
            for customer in good:
                # Keep the date a customer first asked not to be contacted.
                customer.do_not_contact_since = (
                    (since.get(customer.external_id) or now) if customer.do_not_contact else None
                )
            Customer.objects.bulk_create(
                good,
                update_conflicts=True,
                unique_fields=["external_id"],
                update_fields=[*fields_to_update, "do_not_contact_since", "updated_at"],
            )
            overrides.after_write(good)
            loaded += len(good)
            batch.clear()
            changed_at.clear()

        for line, fields in rows:
            done += 1
            try:
                values = parse_customer(fields, today=today)
                changed = consent_changed_at(fields, now=overrides.now)
                if values["external_id"] in seen_ids:
                    raise Reject(
                        RejectReason.DUPLICATE,
                        _("customer %(id)s is already on line %(line)d")
                        % {"id": values["external_id"], "line": seen_ids[values["external_id"]]},
                    )
                if values["phone"] in seen_phones:
                    raise Reject(
                        RejectReason.DUPLICATE,
                        _("phone %(phone)s is already on line %(line)d")
                        % {"phone": values["phone"], "line": seen_phones[values["phone"]]},
                    )
            except Reject as reject:
                rejects.append(reject_row(run, line, reject, fields))
                continue
            seen_ids[values["external_id"]] = line
            seen_phones[values["phone"]] = line
            batch.append((line, fields, values))
            if changed is not None:
                changed_at[values["external_id"]] = changed
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
        LoadReject.objects.bulk_create(rejects, batch_size=BATCH)
        LoadRun.objects.filter(pk=run.pk).update(
            status=LoadStatus.SUCCEEDED,
            finished_at=timezone.now(),
            rows_done=done,
            rows_loaded=loaded,
            rows_rejected=len(rejects),
        )
    if overrides.kept or overrides.caught_up or overrides.overruled:
        log.info(
            "customer load %s: console withdrawals kept over the snapshot %d, caught up by it %d, "
            "overruled by a newer warehouse change %d",
            run.pk,
            overrides.kept,
            overrides.caught_up,
            overrides.overruled,
        )
    run.refresh_from_db()
    return run
