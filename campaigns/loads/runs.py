"""Nightly loads of warehouse files: register, queue, run (once, under a per-target lock),
activate, prune, and retake the runs a dead worker or a lost task left behind.

``run_load`` is what the Celery task, the admin's "load now" and ``manage.py load_inbox``
all end in. It reads as one path: what differs by database (the lock, staging the rows,
activation, discarding and pruning) goes through ``campaigns.store``, which on PostgreSQL
copies the file into a version's own table and attaches it (``campaigns.loads.postgres``) and
elsewhere checks and inserts the rows in batches (``campaigns.loads.batched``, which also
loads customer snapshots everywhere).

Loads are queued by the task's name (``LOAD_TASK``): ``campaigns.tasks`` imports this module,
so this module does not import it (campaigns.apps registers the tasks in every process).

A run is never left Waiting or Running for good: something vouches for it all along — its
task being handed to the queue (``queued_at``), the running load's heartbeat, a waiting
task's next due time (``heartbeat_at``) — and ``retake_stranded`` queues again every run that
nothing has vouched for in ``CVM_LOAD_STALE_SECONDS``. Queueing a run twice is harmless:
``run_load`` takes the target's lock and does nothing for a run that has ended.
"""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns import store
from campaigns.choices import LoadKind, LoadStatus
from campaigns.loads import batched, conversions, files, service_contacts
from campaigns.loads.files import FileRejected, InboxFile
from campaigns.loads.messages import Problem
from campaigns.models import Campaign, LoadReject, LoadRun, TargetGroup, TargetGroupVersion
from cvm_portal import broker

log = logging.getLogger("cvm.loads")
LOAD_TASK = "campaigns.load_file"  # campaigns.tasks.load_file_task


class LoadBusy(Problem):
    """Another load of the same target is running; try again later."""


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
            run.set_error("unknown_campaign", code=info.target)
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
    """Register every new ready file and queue its load; returns the runs (see ``queue_run``
    for one the queue did not take)."""
    runs = [
        register_file(info, started_by=started_by, user=user)
        for info in pending_files(directory=directory)
    ]
    for run in runs:
        if run.status == LoadStatus.PENDING:
            queue_run(run)
    return runs


def queue_target_group(*, target_group: TargetGroup, started_by: str, user=None) -> LoadRun | None:
    """ "Load now": queue the newest ready file of this target group (even if loaded before)."""
    ready = [
        f
        for f in files.ready_files()
        if f.kind == LoadKind.TARGET_GROUP and f.target == target_group.campaign.code
    ]
    if not ready:
        return None
    run = register_file(ready[-1], started_by=started_by, user=user)
    if run.status == LoadStatus.PENDING:
        queue_run(run)
    return run


# --- queueing, and retaking what was stranded ----------------------------------------------


def queue_run(run: LoadRun) -> None:
    """Hand the run's load to the task queue once the run is committed (at once outside a
    transaction; tasks that run in-process load it here and now).

    If the queue does not take it (Redis down), the run stays Waiting, not queued, with the
    reason in ``run.error``; ``run.queue_error`` is set on this object, and
    ``retake_stranded`` queues the run when the queue answers again."""
    run.queue_error = ""
    transaction.on_commit(lambda: _hand_over(run))


def _hand_over(run: LoadRun) -> bool:
    task_id, now = str(uuid.uuid4()), timezone.now()
    LoadRun.objects.filter(pk=run.pk).update(
        task_id=task_id,
        queued_at=now,
        heartbeat_at=now,
    )
    # A Waiting run's error can only say why it was not queued: no longer true.
    LoadRun.objects.filter(pk=run.pk, status=LoadStatus.PENDING).update(
        error_code="", error_params={}
    )
    run.task_id, run.queued_at, run.heartbeat_at = task_id, now, now
    try:
        broker.enqueue(current_app.tasks[LOAD_TASK], args=[run.pk], task_id=task_id)
    except broker.QueueUnavailable as exc:
        run.queue_error = str(exc)
        run.queued_at = None
        run.set_error("not_queued", error=str(exc))
        # Unless another hand-over came meanwhile (a retake elsewhere).
        LoadRun.objects.filter(pk=run.pk, task_id=task_id).update(queued_at=None)
        LoadRun.objects.filter(pk=run.pk, task_id=task_id, status=LoadStatus.PENDING).update(
            error_code=run.error_code, error_params=run.error_params
        )
        return False
    return True


def expect_again(*, run_id: int, seconds: float) -> None:
    """The run's task comes back in ``seconds`` (a busy wait, a retry after an error): vouch
    for the run until then, so that it is not taken for stranded meanwhile."""
    LoadRun.objects.filter(pk=run_id, status__in=[LoadStatus.PENDING, LoadStatus.RUNNING]).update(
        heartbeat_at=timezone.now() + timedelta(seconds=seconds)
    )


def _nobody_loading(target: str) -> bool:
    """Whether no load of ``target`` holds its lock (PostgreSQL; elsewhere nothing can tell).
    The lock taken to find out goes with the session, closed at once."""
    with store.load_session() as session:
        return store.try_lock(session, _lock_key(target))


def stranded_runs(*, now=None):
    """Waiting and Running runs that nothing has vouched for in ``CVM_LOAD_STALE_SECONDS``
    (candidates: ``retake_stranded`` decides which of them really are stranded)."""
    stale = (now or timezone.now()) - timedelta(seconds=settings.CVM_LOAD_STALE_SECONDS)
    return LoadRun.objects.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale),
        status__in=[LoadStatus.PENDING, LoadStatus.RUNNING],
    )


def retake_stranded(*, now=None, among=None) -> list[LoadRun]:
    """Queue again every run left stranded (or those of ``among``, a LoadRun queryset);
    returns those the queue took (the others wait for the next retake).

    Stranded: Waiting and never handed to the queue (it did not answer), or handed over but
    its task is neither waiting in the queue nor vouched for (lost with a Redis that
    restarted empty, or held by a worker that died); Running with no heartbeat while nobody
    holds its target's lock (its worker died). Each run's silence must have lasted
    ``CVM_LOAD_STALE_SECONDS``. Safe anywhere and at any time: a run is loaded once, however
    many of its tasks reach a worker."""
    now = now or timezone.now()
    candidates = stranded_runs(now=now)
    if among is not None:
        candidates = candidates.filter(pk__in=among.values("pk"))
    if not candidates.exists():
        return []
    waiting: set[str] | None = None
    taken: list[LoadRun] = []
    with transaction.atomic():
        # Two retakes at once (the schedule and a scan) take different runs.
        for run in candidates.select_for_update(skip_locked=True).order_by("pk"):
            if run.status == LoadStatus.PENDING and run.queued_at is not None:
                if waiting is None:
                    waiting = broker.waiting_task_ids()
                if waiting is None or run.task_id in waiting:
                    continue  # still in the queue (or the queue cannot be asked)
            if run.status == LoadStatus.RUNNING and not _nobody_loading(run.target):
                continue  # alive: a load of its target holds the lock
            taken.append(run)
    queued = []
    for run in taken:
        silent_since = run.heartbeat_at or run.created_at
        if _hand_over(run):
            queued.append(run)
            log.warning(
                "load %s of %s was stranded (%s since %s); queued again",
                run.pk, run.file_name, run.get_status_display(), silent_since,
            )  # fmt: skip
    return queued


# --- running a load ----------------------------------------------------------------------


def _lock_key(target: str) -> str:
    return f"cvm-load:{target}"


@contextmanager
def target_lock(target: str):
    """One load per target at a time; yields the load's session (``campaigns.store``).
    PostgreSQL: a session advisory lock on a connection of the load's own, released even if
    the worker is killed. On SQLite there is no lock."""
    with store.load_session() as session:
        if not store.try_lock(session, _lock_key(target)):
            raise LoadBusy("target_busy", target=target)
        yield session


def _progress(run: LoadRun, rows_done: int) -> None:
    LoadRun.objects.filter(pk=run.pk).update(rows_done=rows_done, heartbeat_at=timezone.now())


@contextmanager
def _heartbeat(run: LoadRun):
    """Write the run's ``heartbeat_at`` every ``CVM_LOAD_HEARTBEAT_SECONDS`` while the load
    runs. PostgreSQL: from a thread on a connection of its own, so neither a long statement
    nor the snapshot's single transaction silences it, and it stops when the worker dies.
    Elsewhere (SQLite: one writer at a time) ``_progress`` writes it."""
    if not store.writes_beside_a_load():
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.CVM_LOAD_HEARTBEAT_SECONDS):
                try:
                    LoadRun.objects.filter(pk=run.pk, status=LoadStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError as exc:  # the load itself will meet the same trouble
                    log.warning("load %s: heartbeat not written: %s", run.pk, exc)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"load-{run.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def _fail(run: LoadRun, problem: Problem) -> LoadRun:
    run.status = LoadStatus.FAILED
    run.set_error(problem.code, **problem.params)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error_code", "error_params", "finished_at"])
    log.warning("load %s of %s failed: %s", run.pk, run.file_name, problem)
    return run


def _discard_version(run: LoadRun, session) -> None:
    if run.version_id is None:
        return
    version_id = run.version_id
    if TargetGroupVersion.objects.filter(pk=version_id, activated_at__isnull=False).exists():
        return  # it went live: never remove a live (or once-live) version this way
    store.discard_members(session, run_id=run.pk, version_id=version_id)
    LoadRun.objects.filter(pk=run.pk).update(version=None)
    TargetGroupVersion.objects.filter(pk=version_id, activated_at__isnull=True).delete()
    run.version_id = None


def give_up(*, run_id: int, reason: Problem) -> None:
    """Mark a run failed when its task stops retrying (its leftovers are cleaned by the next load)."""
    run = (
        LoadRun.objects.filter(pk=run_id)
        .exclude(status__in=[LoadStatus.SUCCEEDED, LoadStatus.SKIPPED])
        .first()
    )
    if run is None:
        return
    with store.load_session() as session:
        _discard_version(run, session)
    _fail(run, reason)


def _clean_interrupted(run: LoadRun, session) -> None:
    """Runs of this target still marked running cannot be (we hold the lock): they were killed."""
    for other in LoadRun.objects.filter(
        target=run.target, kind=run.kind, status=LoadStatus.RUNNING
    ).exclude(pk=run.pk):
        _discard_version(other, session)
        _fail(other, Problem("interrupted", run=run.pk))
    if run.status == LoadStatus.RUNNING:  # this very run was interrupted and is delivered again
        _discard_version(run, session)
        LoadReject.objects.filter(run=run).delete()


def run_load(*, run_id: int) -> LoadRun:
    """Load one registered file, completely or not at all. Safe to call again for the same run."""
    run = LoadRun.objects.get(pk=run_id)
    if run.status in (LoadStatus.SUCCEEDED, LoadStatus.SKIPPED, LoadStatus.FAILED):
        return run
    with target_lock(run.target) as session:
        run.refresh_from_db()
        if run.status in (LoadStatus.SUCCEEDED, LoadStatus.SKIPPED, LoadStatus.FAILED):
            return run
        if (
            run.kind in (LoadKind.TARGET_GROUP, LoadKind.CONVERSIONS, LoadKind.SERVICE_CONTACTS)
            and LoadRun.objects.filter(
                kind=LoadKind.CUSTOMERS,
                status__in=[LoadStatus.PENDING, LoadStatus.RUNNING],
                file_date__lte=run.file_date,
            ).exists()
        ):
            raise LoadBusy("snapshot_loading")
        _clean_interrupted(run, session)
        run.status = LoadStatus.RUNNING
        run.attempts += 1
        run.started_at = run.heartbeat_at = timezone.now()
        run.rows_done = run.rows_loaded = run.rows_rejected = 0
        run.set_error("")
        run.save()
        with _heartbeat(run):
            try:
                return _load(run, session)
            except FileRejected as exc:
                _discard_version(run, session)
                return _fail(run, exc)
            except (DatabaseError, psycopg.OperationalError):
                raise  # the task retries (a bounded number of times); the next attempt cleans up first
            except Exception as exc:
                log.exception("load %s failed", run.pk)
                _discard_version(run, session)
                return _fail(run, Problem("unexpected", error=str(exc)))


def _load(run: LoadRun, session) -> LoadRun:
    path = files.inbox_dir() / run.file_name
    if not path.exists():
        raise FileRejected("file_gone", name=run.file_name)
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
        run.set_error(
            "same_file",
            run=earlier.pk,
            loaded_at=earlier.finished_at.isoformat() if earlier.finished_at else "?",
        )
        run.finished_at = timezone.now()
        run.save()
        return run
    run.rows_total = files.count_data_lines(info)
    run.save(update_fields=["sha256", "rows_total"])
    if run.rows_total == 0:
        raise FileRejected("no_rows")
    if run.kind == LoadKind.CUSTOMERS:
        return batched.load_customers(run=run, info=info)  # everywhere: an upsert of every row
    if run.kind == LoadKind.CONVERSIONS:
        return conversions.load_conversions(run=run, info=info)  # everywhere: new rows added
    if run.kind == LoadKind.SERVICE_CONTACTS:
        return service_contacts.load_contacts(run=run, info=info)  # COPY on PostgreSQL
    return _load_target_group(run, info, session)


def _check_threshold(target_group: TargetGroup, loaded: int, rejected: int) -> None:
    total = loaded + rejected
    if total == 0:
        raise FileRejected("no_rows")
    share = 100 * rejected / total
    if share > float(target_group.reject_threshold):
        raise FileRejected(
            "too_many_rejected",
            rejected=rejected,
            total=total,
            share_pct=share,
            limit_pct=float(target_group.reject_threshold),
        )


def _load_target_group(run: LoadRun, info: InboxFile, session) -> LoadRun:
    target_group = run.target_group
    campaign = target_group.campaign
    live = (
        LoadRun.objects.filter(version_id=target_group.active_version_id)
        .exclude(version=None)
        .first()
    )
    if live is not None and live.file_date and run.file_date and live.file_date > run.file_date:
        raise FileRejected("newer_live", live=live.file_name, run=live.pk)
    version = TargetGroupVersion.objects.create(
        target_group=target_group,
        control_code=campaign.code,
        control_share=campaign.control_share,
    )
    run.version = version
    run.save(update_fields=["version"])
    loaded, rejected, control = store.stage_members(
        session, run=run, info=info, version=version, campaign=campaign, progress=_progress
    )
    run.rows_loaded, run.rows_rejected = loaded, rejected
    run.save(update_fields=["rows_loaded", "rows_rejected"])
    _check_threshold(target_group, loaded, rejected)
    _activate(run, version, loaded, control, session)
    try:
        prune_versions(target_group=target_group, pg=session)
    except Exception:  # the load itself succeeded; the nightly prune task will try again
        log.exception("pruning after load %s failed", run.pk)
    run.refresh_from_db()
    return run


def _activate(
    run: LoadRun, version: TargetGroupVersion, loaded: int, control: int, session
) -> None:
    """Make ``version`` the live one and end the run, in one transaction."""
    store.activate(
        session, run=run, version=version, loaded=loaded, control=control, now=timezone.now()
    )


# --- pruning ---------------------------------------------------------------------------------


def prune_versions(*, target_group: TargetGroup | None = None, pg=None, now=None) -> int:
    """Drop versions replaced more than CVM_KEEP_VERSIONS_DAYS ago; returns how many. ``pg``:
    the session of the load that prunes after itself (``campaigns.store.load_session``)."""
    now = now or timezone.now()
    old = TargetGroupVersion.objects.filter(
        retired_at__lt=now - timedelta(days=settings.CVM_KEEP_VERSIONS_DAYS)
    )
    if target_group is not None:
        old = old.filter(target_group=target_group)
    old = list(old)
    if not old:
        return 0
    with store.load_session(pg) as session:  # the load's own session when it prunes after itself
        for version in old:
            store.drop_version_members(session, version_id=version.pk)
            LoadRun.objects.filter(version=version).update(version=None)
            version.delete()
    return len(old)
