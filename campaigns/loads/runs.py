"""Nightly loads of warehouse files: register, run (once, under a per-target lock), activate, prune.

``run_load`` is what the Celery task, the admin's "load now" and ``manage.py load_inbox``
all end in. On PostgreSQL the rows go through ``campaigns.loads.postgres`` (COPY into a staging table,
rules in SQL, a partition per version); elsewhere through the batched path here.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import catalogue
from campaigns.choices import LoadKind, LoadStatus, RejectReason
from campaigns.loads import files, postgres
from campaigns.loads.files import FileRejected, InboxFile
from campaigns.loads.rules import Reject, parse_customer, parse_member
from campaigns.models import (
    Campaign,
    Customer,
    LoadReject,
    LoadRun,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)
from campaigns.models.targeting import attribute_column

log = logging.getLogger("cvm.loads")
BATCH = 5_000
RAW_LIMIT = 1_000


class LoadBusy(Exception):
    """Another load of the same target is running; try again later."""


def uses_fast_path() -> bool:
    return connection.vendor == "postgresql"


# --- registering files ---------------------------------------------------------------


def register_file(info: InboxFile, *, started_by: str, user=None) -> LoadRun:
    """Create the LoadRun for one inbox file (failed at once if it names an unknown campaign)."""
    run = LoadRun(
        kind=info.kind,
        target=info.target,
        file_name=info.path.name,
        file_date=info.file_date,
        sha256=files.sha256_of(info.path),
        started_by=started_by[:100],
        user=user,
    )
    if info.kind == LoadKind.TARGET_GROUP:
        campaign = Campaign.objects.filter(code=info.target).first()
        if campaign is None:
            run.status = LoadStatus.FAILED
            run.error = _(
                "No campaign has the code %(code)s. Create the campaign first, or fix the file name."
            ) % {"code": info.target}
            run.finished_at = timezone.now()
        else:
            run.target_group, _created = TargetGroup.objects.get_or_create(campaign=campaign)
    run.save()
    return run


def pending_files(*, directory: Path | None = None) -> list[InboxFile]:
    """Ready inbox files that no earlier run has taken: same name and same content means taken.

    A corrected file under the same name has other content and is taken again.
    """
    found = []
    for info in files.ready_files(directory):
        earlier = LoadRun.objects.filter(file_name=info.path.name, target=info.target)
        if not earlier.exists() or not earlier.filter(sha256=files.sha256_of(info.path)).exists():
            found.append(info)
    return found


def queue_inbox(*, started_by: str, user=None, directory: Path | None = None) -> list[LoadRun]:
    """Register every new ready file and queue its load; returns the runs."""
    from campaigns.tasks import load_file_task

    runs = [
        register_file(info, started_by=started_by, user=user)
        for info in pending_files(directory=directory)
    ]
    for run in runs:
        if run.status == LoadStatus.PENDING:
            transaction.on_commit(lambda run_id=run.pk: load_file_task.delay(run_id))
    return runs


def queue_target_group(*, target_group: TargetGroup, started_by: str, user=None) -> LoadRun | None:
    """ "Load now": queue the newest ready file of this target group (even if loaded before)."""
    from campaigns.tasks import load_file_task

    ready = [
        f
        for f in files.ready_files()
        if f.kind == LoadKind.TARGET_GROUP and f.target == target_group.campaign.code
    ]
    if not ready:
        return None
    run = register_file(ready[-1], started_by=started_by, user=user)
    transaction.on_commit(lambda: load_file_task.delay(run.pk))
    return run


# --- running a load ----------------------------------------------------------------------


@contextmanager
def target_lock(target: str):
    """One load per target at a time. PostgreSQL: a session advisory lock on a connection of
    the load's own, released even if the worker is killed; yields that connection."""
    if not uses_fast_path():
        yield None
        return
    pg = postgres.connect()
    try:
        with pg.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"cvm-load:{target}"])
            if not cur.fetchone()[0]:
                raise LoadBusy(target)
        yield pg
    finally:
        pg.close()


def _progress(run: LoadRun, rows_done: int) -> None:
    LoadRun.objects.filter(pk=run.pk).update(rows_done=rows_done)


def _fail(run: LoadRun, message: str) -> LoadRun:
    run.status = LoadStatus.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    log.warning("load %s of %s failed: %s", run.pk, run.file_name, message)
    return run


def _discard_version(run: LoadRun, pg) -> None:
    if run.version_id is None:
        return
    version_id = run.version_id
    if TargetGroupVersion.objects.filter(pk=version_id, activated_at__isnull=False).exists():
        return  # it went live: never remove a live (or once-live) version this way
    if pg is not None:
        postgres.drop_leftovers(pg, run_id=run.pk, version_id=version_id)
    else:
        TargetGroupMember.objects.filter(version_id=version_id).delete()
    LoadRun.objects.filter(pk=run.pk).update(version=None)
    TargetGroupVersion.objects.filter(pk=version_id, activated_at__isnull=True).delete()
    run.version_id = None


def give_up(*, run_id: int, reason: str) -> None:
    """Mark a run failed when its task stops retrying (its leftovers are cleaned by the next load)."""
    run = (
        LoadRun.objects.filter(pk=run_id)
        .exclude(status__in=[LoadStatus.SUCCEEDED, LoadStatus.SKIPPED])
        .first()
    )
    if run is None:
        return
    if uses_fast_path():
        pg = postgres.connect()
        try:
            _discard_version(run, pg)
        finally:
            pg.close()
    else:
        _discard_version(run, None)
    _fail(run, reason)


def _clean_interrupted(run: LoadRun, pg) -> None:
    """Runs of this target still marked running cannot be (we hold the lock): they were killed."""
    for other in LoadRun.objects.filter(
        target=run.target, kind=run.kind, status=LoadStatus.RUNNING
    ).exclude(pk=run.pk):
        _discard_version(other, pg)
        _fail(
            other, _("Interrupted (the worker stopped); run #%(run)d took over.") % {"run": run.pk}
        )
    if run.status == LoadStatus.RUNNING:  # this very run was interrupted and is delivered again
        _discard_version(run, pg)
        LoadReject.objects.filter(run=run).delete()


def run_load(*, run_id: int) -> LoadRun:
    """Load one registered file, completely or not at all. Safe to call again for the same run."""
    run = LoadRun.objects.get(pk=run_id)
    if run.status in (LoadStatus.SUCCEEDED, LoadStatus.SKIPPED, LoadStatus.FAILED):
        return run
    with target_lock(run.target) as pg:
        run.refresh_from_db()
        if run.status in (LoadStatus.SUCCEEDED, LoadStatus.SKIPPED, LoadStatus.FAILED):
            return run
        if (
            run.kind == LoadKind.TARGET_GROUP
            and LoadRun.objects.filter(
                kind=LoadKind.CUSTOMERS,
                status__in=[LoadStatus.PENDING, LoadStatus.RUNNING],
                file_date__lte=run.file_date,
            ).exists()
        ):
            raise LoadBusy(_("a customer snapshot of the same or an earlier date is still loading"))
        _clean_interrupted(run, pg)
        run.status = LoadStatus.RUNNING
        run.attempts += 1
        run.started_at = timezone.now()
        run.rows_done = run.rows_loaded = run.rows_rejected = 0
        run.error = ""
        run.save()
        try:
            return _load(run, pg)
        except FileRejected as exc:
            _discard_version(run, pg)
            return _fail(run, str(exc))
        except (DatabaseError, psycopg.OperationalError):
            raise  # the task retries (a bounded number of times); the next attempt cleans up first
        except Exception as exc:
            log.exception("load %s failed", run.pk)
            _discard_version(run, pg)
            return _fail(run, _("Unexpected error: %(error)s") % {"error": exc})


def _load(run: LoadRun, pg) -> LoadRun:
    path = files.inbox_dir() / run.file_name
    if not path.exists():
        raise FileRejected(
            _("The file %(name)s is no longer in the inbox.") % {"name": run.file_name}
        )
    info = files.parse_name(path)
    run.sha256 = files.sha256_of(path)
    run.save(update_fields=["sha256"])
    files.check_marker(info, run.sha256)
    files.check_readable(info)
    earlier = LoadRun.objects.filter(
        kind=run.kind, target=run.target, sha256=run.sha256, status=LoadStatus.SUCCEEDED
    ).first()
    if earlier is not None:
        run.status = LoadStatus.SKIPPED
        run.error = _(
            "The same file (same SHA-256) was loaded by run #%(run)d on %(date)s; nothing changed."
        ) % {
            "run": earlier.pk,
            "date": timezone.localtime(earlier.finished_at).strftime("%Y-%m-%d %H:%M")
            if earlier.finished_at
            else "?",
        }
        run.finished_at = timezone.now()
        run.save()
        return run
    run.rows_total = files.count_data_lines(info)
    run.save(update_fields=["sha256", "rows_total"])
    if run.rows_total == 0:
        raise FileRejected(
            _("The file has a header but no rows. Nothing was loaded; the current data stays.")
        )
    if run.kind == LoadKind.CUSTOMERS:
        return _load_customers(run, info, pg)
    return _load_target_group(run, info, pg)


def _check_threshold(run: LoadRun, target_group: TargetGroup, loaded: int, rejected: int) -> None:
    total = loaded + rejected
    if total == 0:
        raise FileRejected(
            _("The file has a header but no rows. Nothing was loaded; the current data stays.")
        )
    share = 100 * rejected / total
    if share > float(target_group.reject_threshold):
        raise FileRejected(
            _(
                "%(rejected)d of %(total)d rows were rejected (%(share).1f %%), above this target group's "
                "threshold of %(limit)s %%. The new version was not activated; the previous one stays live. "
                "Download the rejected rows to see why."
            )
            % {
                "rejected": rejected,
                "total": total,
                "share": share,
                "limit": target_group.reject_threshold,
            }
        )


def _load_target_group(run: LoadRun, info: InboxFile, pg) -> LoadRun:
    target_group = run.target_group
    campaign = target_group.campaign
    live = (
        LoadRun.objects.filter(version_id=target_group.active_version_id)
        .exclude(version=None)
        .first()
    )
    if live is not None and live.file_date and run.file_date and live.file_date > run.file_date:
        raise FileRejected(
            _("Not loaded: the live version comes from a newer file (%(live)s, run #%(run)d).")
            % {"live": live.file_name, "run": live.pk}
        )
    version = TargetGroupVersion.objects.create(
        target_group=target_group,
        control_code=campaign.code,
        control_share=campaign.control_share,
    )
    run.version = version
    run.save(update_fields=["version"])
    if pg is not None:
        loaded, rejected, control = postgres.stage_members(
            pg, run=run, info=info, version=version, campaign=campaign, progress=_progress
        )
    else:
        loaded, rejected, control = _stage_members_batched(run, info, version, campaign)
    run.rows_loaded, run.rows_rejected = loaded, rejected
    run.save(update_fields=["rows_loaded", "rows_rejected"])
    _check_threshold(run, target_group, loaded, rejected)
    _activate(run, version, loaded, control, pg)
    try:
        prune_versions(target_group=target_group, pg=pg)
    except Exception:  # the load itself succeeded; the nightly prune task will try again
        log.exception("pruning after load %s failed", run.pk)
    run.refresh_from_db()
    return run


def _activate(run: LoadRun, version: TargetGroupVersion, loaded: int, control: int, pg) -> None:
    """Make ``version`` the live one and end the run, in one transaction."""
    now = timezone.now()
    if pg is not None:
        postgres.activate(pg, run=run, version=version, loaded=loaded, control=control, now=now)
        catalogue.invalidate()  # committed on its own connection; decisions switch to it now
        return
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


def _raw(fields: dict[str, str]) -> str:
    return ",".join(fields.values())[:RAW_LIMIT]


def _reject_row(run: LoadRun, line: int, reject: Reject, fields: dict[str, str]) -> LoadReject:
    return LoadReject(
        run=run, line=line, reason=reject.reason, detail=reject.detail[:300], raw=_raw(fields)
    )


class MemberRules:
    """The row rules of a target-group file, for rows in file order (batch by batch): which
    rows become members and which are rejected, and why. Used by the batched path (SQLite)
    and by the PostgreSQL path to re-check the few rows its COPY could not take as they were."""

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
                rejects.append(_reject_row(self.run, line, reject, fields))
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
                    **{attribute_column(i): fields[k] or None for i, k in enumerate(self.extra)},
                )
            )
        return members, rejects


def _stage_members_batched(
    run: LoadRun, info: InboxFile, version: TargetGroupVersion, campaign: Campaign
) -> tuple[int, int, int]:
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
            _progress(run, done)
    if batch:
        flush()
    _progress(run, done)
    return loaded, rejected, control


def _load_customers(run: LoadRun, info: InboxFile, pg) -> LoadRun:
    """Upsert the snapshot's customers in one transaction; rows with problems go to quarantine."""
    names, _extra, rows = file_rows(info)
    today = timezone.localdate()
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
                            raw=_raw(fields),
                        )
                    )
                    continue
                good.append(Customer(**values))
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
            loaded += len(good)
            batch.clear()

        for line, fields in rows:
            done += 1
            try:
                values = parse_customer(fields, today=today)
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
                rejects.append(_reject_row(run, line, reject, fields))
                continue
            seen_ids[values["external_id"]] = line
            seen_phones[values["phone"]] = line
            batch.append((line, fields, values))
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
    run.refresh_from_db()
    return run


# --- pruning ---------------------------------------------------------------------------------


def prune_versions(*, target_group: TargetGroup | None = None, pg=None, now=None) -> int:
    """Drop versions replaced more than CVM_KEEP_VERSIONS_DAYS ago; returns how many."""
    now = now or timezone.now()
    old = TargetGroupVersion.objects.filter(
        retired_at__lt=now - timedelta(days=settings.CVM_KEEP_VERSIONS_DAYS)
    )
    if target_group is not None:
        old = old.filter(target_group=target_group)
    pruned = 0
    for version in old:
        if uses_fast_path():
            own = pg is None
            conn = pg or postgres.connect()
            try:
                postgres.drop_partition(conn, version_id=version.pk)
            finally:
                if own:
                    conn.close()
        else:
            TargetGroupMember.objects.filter(version_id=version.pk).delete()
        LoadRun.objects.filter(version=version).update(version=None)
        version.delete()
        pruned += 1
    return pruned
