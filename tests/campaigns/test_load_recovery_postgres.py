"""A worker killed whole in the middle of a load — main process and pool child together, as an
OOM kill or a lost host does — strands nothing: once a worker runs again, the run's silent
heartbeat gets it retaken, and the load completes once, with the exact count, well within five
minutes. A real Celery worker (with its beat), real PostgreSQL, and a Redis of the test's own.
"""

import json
import time

import pytest
from django.db import connection

from campaigns.choices import LoadStatus
from campaigns.loads import files, runs
from campaigns.models import LoadRun, TargetGroup, TargetGroupMember
from tests.factories import CampaignFactory, OfferFactory, copy_customers
from tests.services import kill_whole, start_worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = 600_000  # a few seconds of loading on our machines: time enough to kill it half-way
RETAKE = "Retake stranded loads"


def write_members(inbox, name: str, count: int) -> files.InboxFile:
    path = inbox / name
    with path.open("w") as handle:
        handle.write("customer_id,offer_code,propensity,expected_value,rank\n")
        for n in range(1, count + 1):
            handle.write(f"C{n:07d},,0.{n % 97:02d},{n % 500}.50,{n}\n")
    path.with_name(name + ".ok").write_text("")
    return files.parse_name(path)


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


def retake_every_second() -> None:
    """The production schedule retakes every minute; here every second, and nothing else runs."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.exclude(name=RETAKE).update(enabled=False)
    assert PeriodicTask.objects.filter(name=RETAKE).update(interval=every_second) == 1


def copying(run_id: int) -> bool:
    run = LoadRun.objects.get(pk=run_id)
    if run.status != LoadStatus.RUNNING or run.version_id is None:
        return False
    with connection.cursor() as cur:
        cur.execute(
            "SELECT to_regclass(%s) IS NOT NULL", [f"campaigns_targetgroupmember_v{run.version_id}"]
        )
        return cur.fetchone()[0]


def unacked_messages(client) -> dict[bytes, dict]:
    """The messages workers took and did not acknowledge, by delivery tag (kombu's layout)."""
    return {
        tag: json.loads(value) for tag, value in client.hgetall("unacked").items()
    }  # value: [message, exchange, routing key]


def give_back(client, tag: bytes, entry) -> None:
    """What Redis does to an unacknowledged message after the visibility timeout."""
    message, _exchange, routing_key = entry
    client.lpush(routing_key or "celery", json.dumps(message))
    client.hdel("unacked", tag)
    client.zrem("unacked_index", tag)


def test_a_worker_killed_whole_mid_load_is_retaken_and_completes_exactly_once(
    own_redis, inbox, tmp_path
):
    # Given a big file registered while the queue was down (so never queued), a campaign and
    # its customers, and the retake on its schedule
    copy_customers(ROWS)
    campaign = CampaignFactory(code="KILL", offers=[OfferFactory()])
    run = runs.register_file(
        write_members(inbox, "target_group__KILL__20261123.csv", ROWS), started_by="test"
    )
    assert run.queued_at is None
    retake_every_second()
    env = {
        "CVM_INBOX": str(inbox),
        "CVM_LOAD_STALE_SECONDS": "3",  # production: 120
        "CVM_LOAD_HEARTBEAT_SECONDS": "0.5",  # production: 15
    }
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]

    def start(log):
        return start_worker(
            database_url=database_url(), redis_url=own_redis.url, log=log, env=env, args=("-B",)
        )

    def tail(log) -> str:
        return log.read_text()[-3000:] if log.exists() else ""

    # When a worker (with its beat) starts, the retake queues the run and the load begins...
    worker = start(logs[0])
    try:
        wait_for(lambda: copying(run.pk), 90, "the load to start copying")
        time.sleep(0.3)
        killed_task = LoadRun.objects.get(pk=run.pk).task_id
        # ...and the whole worker is killed half-way
        kill_whole(worker)
        killed_at = time.monotonic()
    finally:
        kill_whole(worker)
    run.refresh_from_db()
    assert run.status == LoadStatus.RUNNING, tail(logs[0])  # stranded, as issue 20 found it
    assert run.attempts == 1

    # When a worker runs again
    worker = start(logs[1])
    try:
        ended = wait_for(
            lambda: (
                LoadRun.objects.get(pk=run.pk).status
                in (LoadStatus.SUCCEEDED, LoadStatus.FAILED, LoadStatus.SKIPPED)
            ),
            240,
            "the load to end",
            every=0.2,
        )
        assert ended
        recovered_in = time.monotonic() - killed_at
        run.refresh_from_db()
        assert run.status == LoadStatus.SUCCEEDED, (run.error, tail(logs[1]))
        print(f"worker killed → load completed in {recovered_in:.1f} s")

        # And the killed attempt's message, back after the visibility timeout, changes nothing
        redis = own_redis.client()
        held = {
            tag: entry
            for tag, entry in unacked_messages(redis).items()
            if entry[0]["headers"]["id"] == killed_task
        }
        assert len(held) == 1, unacked_messages(redis)
        for tag, entry in held.items():
            give_back(redis, tag, entry)
        wait_for(
            lambda: f"[{killed_task}] received" in logs[1].read_text(),
            60,
            "the old message to be delivered again",
        )
        wait_for(
            lambda: (
                not any(
                    e[0]["headers"]["id"] == killed_task for e in unacked_messages(redis).values()
                )
            ),
            60,
            "the old message to be done with",
        )
    finally:
        kill_whole(worker)

    # Then the load completed well within five minutes of the kill, once, with every row
    assert recovered_in < 5 * 60
    run.refresh_from_db()
    assert (run.status, run.rows_loaded, run.rows_rejected, run.attempts) == (
        LoadStatus.SUCCEEDED,
        ROWS,
        0,
        2,
    )
    group = TargetGroup.objects.get(campaign=campaign)
    assert group.active_version_id == run.version_id
    assert TargetGroupMember.objects.filter(version_id=run.version_id).count() == ROWS
    assert LoadRun.objects.filter(target="KILL").count() == 1
    assert not LoadRun.objects.filter(status__in=[LoadStatus.PENDING, LoadStatus.RUNNING]).exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_class c WHERE c.relname LIKE 'campaigns_targetgroupmember_v%%'"
            " AND c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"
        )
        assert cur.fetchone()[0] == 0  # the killed attempt's table is gone
        cur.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'cvm_stage_run%%' AND relkind = 'r'"
        )
        assert cur.fetchone()[0] == 0
