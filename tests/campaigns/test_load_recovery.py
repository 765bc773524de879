"""Load runs are never stranded: a run the queue did not take, a run whose task was lost, a run
whose worker died — each is found and queued again, and loaded exactly once.

On whichever database the run uses; tasks run in-process (the queue's failures are simulated
here; ``test_load_recovery_postgres`` kills a real worker, ``test_redis_outage`` a real Redis).
"""

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from campaigns.choices import LoadStatus
from campaigns.loads import files, runs
from campaigns.models import (
    Customer,
    LoadReject,
    LoadRun,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)
from cvm_portal import broker
from cvm_portal.roles import Role
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(inbox, eager_tasks, settings):
    settings.CVM_LOAD_STALE_SECONDS = 120
    campaign = CampaignFactory(code="UP-DATA", offers=[OfferFactory(code="DATA-20")])
    for n in range(1, 11):
        CustomerFactory(external_id=f"C{n:04d}")
    return {"campaign": campaign, "inbox": inbox}


def drop(inbox, name: str, ids=range(1, 11)) -> files.InboxFile:
    path = inbox / name
    lines = ["customer_id,offer_code,propensity,expected_value,rank"]
    lines += [f"C{n:04d},DATA-20,0.5,10,{n}" for n in ids]
    path.write_text("\n".join(lines) + "\n")
    path.with_name(name + ".ok").write_text("")
    return files.parse_name(path)


def registered(world, name="target_group__UP-DATA__20261123.csv") -> LoadRun:
    return runs.register_file(drop(world["inbox"], name), started_by="test")


def later(seconds: float = 121):
    return timezone.now() + timedelta(seconds=seconds)


@pytest.fixture
def queue_down(monkeypatch):
    """The task queue refuses every task, as a dead Redis does; ``.up()`` brings it back."""

    class Queue:
        taken: list[str] = []
        down = True

        def up(self):
            self.down = False

    queue = Queue()
    real = broker.enqueue

    def enqueue(task, **kwargs):
        if queue.down:
            raise broker.QueueUnavailable("Error 111 connecting to 127.0.0.1:6379.")
        queue.taken.append(task.name)
        return real(task, **kwargs)

    monkeypatch.setattr(broker, "enqueue", enqueue)
    return queue


def live_count(run: LoadRun) -> int:
    run.refresh_from_db()
    return TargetGroupMember.objects.filter(version_id=run.version_id).count()


# --- a run the queue did not take ---------------------------------------------------------------


def test_a_run_the_queue_did_not_take_stays_waiting_and_says_why(
    world, queue_down, client, make_user
):
    # Given a registered run, and a queue that is down
    run = registered(world)
    # When it is queued
    runs.queue_run(run)
    # Then it stays Waiting, marked as not in the queue, with the reason on its page
    assert run.queue_error
    run.refresh_from_db()
    assert (run.status, run.queued_at) == (LoadStatus.PENDING, None)
    assert "Not queued yet: the task queue did not answer" in run.error
    client.force_login(make_user(Role.CVM_MANAGER))
    page = client.get(f"/cvm/loads/{run.pk}/").content.decode()
    assert "Not queued yet: the task queue did not answer" in page and "Last sign of life" in page


def test_a_run_the_queue_did_not_take_is_queued_once_it_answers_and_loads_once(world, queue_down):
    # Given a run the queue did not take
    run = registered(world)
    runs.queue_run(run)
    # When the queue is back but the run is not yet silent for long, nothing happens
    queue_down.up()
    assert runs.retake_stranded(now=later(60)) == []
    # Then, once silent for CVM_LOAD_STALE_SECONDS, the retake queues it and it loads once
    assert [r.pk for r in runs.retake_stranded(now=later())] == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.rows_loaded, run.error) == (
        LoadStatus.SUCCEEDED,
        1,
        10,
        "",
    )
    assert queue_down.taken == ["campaigns.load_file"]
    # And a second retake finds nothing to do
    assert runs.retake_stranded(now=later(600)) == []


def test_a_retake_while_the_queue_is_still_down_keeps_the_run_and_tries_again_later(
    world, queue_down
):
    run = registered(world)
    runs.queue_run(run)
    assert runs.retake_stranded(now=later()) == []
    run.refresh_from_db()
    assert (run.status, run.queued_at) == (LoadStatus.PENDING, None)
    assert "Not queued yet" in run.error
    queue_down.up()
    assert [r.pk for r in runs.retake_stranded(now=later(300))] == [run.pk]
    run.refresh_from_db()
    assert run.status == LoadStatus.SUCCEEDED


# --- a run whose task was lost, or is still waiting ------------------------------------------


def test_a_queued_run_still_waiting_in_the_queue_is_left_alone(world, monkeypatch):
    # Given a run handed to the queue whose task still waits there (workers busy)
    run = registered(world)
    LoadRun.objects.filter(pk=run.pk).update(
        task_id="task-1", queued_at=timezone.now(), heartbeat_at=timezone.now()
    )
    monkeypatch.setattr(broker, "waiting_task_ids", lambda: {"task-1"})
    # Then, however long it waits, it is not queued a second time
    assert runs.retake_stranded(now=later(3600)) == []


def test_a_queued_run_whose_task_was_lost_is_queued_again(world, monkeypatch):
    # Given a run handed to the queue, whose task is no longer there (Redis restarted empty)
    run = registered(world)
    LoadRun.objects.filter(pk=run.pk).update(
        task_id="task-1", queued_at=timezone.now(), heartbeat_at=timezone.now()
    )
    monkeypatch.setattr(broker, "waiting_task_ids", lambda: set())
    # Then it is queued again and loaded
    assert [r.pk for r in runs.retake_stranded(now=later())] == [run.pk]
    run.refresh_from_db()
    assert run.status == LoadStatus.SUCCEEDED and run.task_id != "task-1"


def test_when_the_queue_cannot_be_asked_a_queued_run_is_left_for_later(world, monkeypatch):
    run = registered(world)
    LoadRun.objects.filter(pk=run.pk).update(task_id="task-1", queued_at=timezone.now())
    monkeypatch.setattr(broker, "waiting_task_ids", lambda: None)
    assert runs.retake_stranded(now=later()) == []


def test_a_busy_wait_vouches_for_the_run_until_its_retry_is_due(world, monkeypatch):
    # Given a queued run whose task waits for another load (retried in 10 minutes)
    run = registered(world)
    LoadRun.objects.filter(pk=run.pk).update(task_id="task-1", queued_at=timezone.now())
    monkeypatch.setattr(broker, "waiting_task_ids", lambda: set())  # held by a worker, as an ETA
    runs.expect_again(run_id=run.pk, seconds=600)
    # Then it is not stranded until the retry is overdue by the stale time
    assert runs.retake_stranded(now=later(600)) == []
    assert [r.pk for r in runs.retake_stranded(now=later(600 + 121))] == [run.pk]


# --- a run whose worker died ------------------------------------------------------------------


def killed_mid_load(run: LoadRun, *, heartbeat_age: float) -> TargetGroupVersion:
    """What a worker killed half-way leaves: a Running run, an unactivated version with some
    members, rejected rows, and a heartbeat ``heartbeat_age`` seconds old."""
    version = TargetGroupVersion.objects.create(target_group=run.target_group)
    if connection.vendor != "postgresql":  # there, the rows were going into a table of its own
        TargetGroupMember.objects.create(
            version=version, customer=Customer.objects.get(external_id="C0001")
        )
    LoadReject.objects.create(run=run, line=2, reason="unknown_customer", detail="", raw="")
    beat = timezone.now() - timedelta(seconds=heartbeat_age)
    LoadRun.objects.filter(pk=run.pk).update(
        status=LoadStatus.RUNNING,
        attempts=1,
        version=version,
        started_at=beat,
        heartbeat_at=beat,
        task_id="killed-task",
        queued_at=beat,
    )
    return version


def test_a_running_run_with_an_old_heartbeat_is_retaken_and_loaded_exactly_once(world):
    # Given a run whose worker was killed mid-load three minutes ago
    run = registered(world)
    leftover = killed_mid_load(run, heartbeat_age=180)
    # When the retake runs
    taken = runs.retake_stranded()
    # Then the run is loaded again from the start: leftovers gone, every row once
    assert [r.pk for r in taken] == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.rows_loaded) == (LoadStatus.SUCCEEDED, 2, 10)
    assert live_count(run) == 10
    assert not TargetGroupVersion.objects.filter(pk=leftover.pk).exists()
    assert not LoadReject.objects.filter(run=run).exists()
    # And the killed attempt's message, delivered again hours later, changes nothing
    assert runs.run_load(run_id=run.pk).attempts == 2
    assert (
        LoadRun.objects.filter(status=LoadStatus.SUCCEEDED)
        .exclude(started_by="tests.factories")
        .count()
        == 1
    )
    assert live_count(run) == 10


def test_a_running_run_with_a_recent_heartbeat_is_left_alone(world):
    run = registered(world)
    killed_mid_load(run, heartbeat_age=30)
    assert runs.retake_stranded() == []
    run.refresh_from_db()
    assert run.status == LoadStatus.RUNNING


@pytest.mark.postgres
def test_a_silent_running_run_whose_target_is_locked_is_left_alone(world):
    """The lock is held by the live load's own connection: it dies with the worker, so a
    held lock means the load is alive, however long its heartbeat has been silent."""
    import psycopg

    run = registered(world)
    killed_mid_load(run, heartbeat_age=600)
    holder = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=connection.settings_dict["USER"] or "postgres",
        host=connection.settings_dict["HOST"] or "127.0.0.1",
        port=connection.settings_dict["PORT"] or 5432,
        autocommit=True,
    )
    try:
        holder.execute("SELECT pg_advisory_lock(hashtext('cvm-load:UP-DATA'))")
        assert runs.retake_stranded() == []
    finally:
        holder.close()
    assert [r.pk for r in runs.retake_stranded()] == [run.pk]


@pytest.mark.postgres
def test_a_running_load_writes_its_heartbeat_while_it_works(world, settings, monkeypatch):
    # Given a load that takes a while, and a heartbeat every 0.1 s
    settings.CVM_LOAD_HEARTBEAT_SECONDS = 0.1
    real = runs._load

    def slow_load(run, pg):
        time.sleep(1.0)  # a long statement: no progress is written meanwhile
        return real(run, pg)

    monkeypatch.setattr(runs, "_load", slow_load)
    run = registered(world)
    beats: set = set()

    def load():
        from django.db import connections

        try:
            runs.run_load(run_id=run.pk)
        finally:
            connections.close_all()

    # When it runs
    thread = threading.Thread(target=load)
    thread.start()
    while thread.is_alive():
        beats.add(LoadRun.objects.get(pk=run.pk).heartbeat_at)
        time.sleep(0.05)
    thread.join()
    # Then its heartbeat moved on while it was silent otherwise
    assert len(beats - {None}) >= 5, beats
    run.refresh_from_db()
    assert run.status == LoadStatus.SUCCEEDED


def test_progress_is_a_heartbeat(world):
    run = registered(world)
    runs._progress(run, 5)
    run.refresh_from_db()
    assert run.rows_done == 5 and timezone.now() - run.heartbeat_at < timedelta(seconds=5)


# --- where people start loads, with the queue down ----------------------------------------------


def test_load_now_with_the_queue_down_says_so_and_the_run_waits(
    world, client, make_user, queue_down
):
    # Given a ready file, a CVM manager, and a queue that is down
    drop(world["inbox"], "target_group__UP-DATA__20261123.csv")
    group = TargetGroup.objects.create(campaign=world["campaign"])
    client.force_login(make_user(Role.CVM_MANAGER))
    # When they press "Load now"
    response = client.post(
        "/admin/campaigns/targetgroup/",
        {"action": "load_now", "_selected_action": [group.pk]},
        follow=True,
    )
    # Then the page says the run is registered but not queued, and it waits for the queue
    assert response.status_code == 200
    assert "not queued: the task queue (Redis) is not answering" in response.content.decode()
    run = LoadRun.objects.get(target="UP-DATA", started_by__startswith="admin")
    assert (run.status, run.queued_at) == (LoadStatus.PENDING, None)


def test_the_command_with_the_queue_down_says_so_and_fails(world, capsys, queue_down):
    drop(world["inbox"], "target_group__UP-DATA__20261123.csv")
    with pytest.raises(CommandError, match="not queued: the task queue"):
        call_command("load_inbox")
    assert "registered as run #" in capsys.readouterr().err
    assert LoadRun.objects.get(target="UP-DATA", started_by="command").status == (
        LoadStatus.PENDING
    )


def test_the_command_queues_stranded_runs_again(world, capsys):
    run = registered(world)
    killed_mid_load(run, heartbeat_age=600)
    call_command("load_inbox")
    assert f"run #{run.pk} was stranded; queued again" in capsys.readouterr().out
    run.refresh_from_db()
    assert run.status == LoadStatus.SUCCEEDED


def test_the_admin_retakes_a_stranded_run_on_request(world, client, make_user):
    run = registered(world)
    killed_mid_load(run, heartbeat_age=600)
    client.force_login(make_user(Role.CVM_MANAGER))
    response = client.post(
        "/admin/campaigns/loadrun/",
        {"action": "retake", "_selected_action": [run.pk]},
        follow=True,
    )
    assert f"#{run.pk} was stranded and is queued again." in response.content.decode()
    run.refresh_from_db()
    assert run.status == LoadStatus.SUCCEEDED


# --- the schedule ---------------------------------------------------------------------------------


def test_the_retake_runs_every_minute_from_the_schedule():
    from django_celery_beat.models import PeriodicTask

    from cvm_portal.celery import app

    task = PeriodicTask.objects.get(name="Retake stranded loads")
    assert (task.task, task.enabled, task.interval.every, task.interval.period) == (
        "campaigns.retake_stranded_loads",
        True,
        1,
        "minutes",
    )
    assert task.task in app.tasks


def test_the_nightly_scan_retakes_stranded_runs_first(world):
    from campaigns.tasks import load_inbox_task

    run = registered(world)
    killed_mid_load(run, heartbeat_age=600)
    load_inbox_task.apply()
    run.refresh_from_db()
    assert run.status == LoadStatus.SUCCEEDED
