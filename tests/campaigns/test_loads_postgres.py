"""Loads on PostgreSQL under stress: concurrent readers, a second load of the same target, a killed worker."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from campaigns.choices import LoadStatus
from campaigns.loads import files, postgres, runs
from campaigns.models import LoadRun, TargetGroup, TargetGroupMember
from tests.factories import CampaignFactory, OfferFactory, copy_customers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(__file__).resolve().parents[2]


def write_members(inbox: Path, name: str, ids: range) -> files.InboxFile:
    path = inbox / name
    with path.open("w") as handle:
        handle.write("customer_id,offer_code,propensity,expected_value,rank\n")
        for rank, n in enumerate(ids, start=1):
            handle.write(f"C{n:07d},,0.{n % 97:02d},{n % 500}.50,{rank}\n")
    path.with_name(name + ".ok").write_text("")
    return files.parse_name(path)


def live_count(target_group_id: int) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM campaigns_targetgroupmember WHERE version_id ="
            " (SELECT active_version_id FROM campaigns_targetgroup WHERE id = %s)",
            [target_group_id],
        )
        return cur.fetchone()[0]


@pytest.fixture
def big(inbox):
    copy_customers(200_000)
    campaign = CampaignFactory(code="BIG", offers=[OfferFactory()])
    first = runs.register_file(
        write_members(inbox, "target_group__BIG__20261122.csv", range(1, 1001)), started_by="test"
    )
    assert runs.run_load(run_id=first.pk).status == LoadStatus.SUCCEEDED
    return {
        "campaign": campaign,
        "inbox": inbox,
        "group": TargetGroup.objects.get(campaign=campaign),
    }


def test_a_reader_counting_during_a_load_sees_one_complete_version(big):
    info = write_members(big["inbox"], "target_group__BIG__20261123.csv", range(1, 200_001))
    run = runs.register_file(info, started_by="test")
    seen: list[int] = []
    done = threading.Event()

    def reader():
        from django.db import connections

        try:
            while not done.is_set():
                seen.append(live_count(big["group"].pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = runs.run_load(run_id=run.pk)
    finally:
        time.sleep(0.05)
        done.set()
        thread.join(timeout=30)
    assert result.status == LoadStatus.SUCCEEDED, result.error
    assert len(seen) > 10
    assert set(seen) <= {1000, 200_000}, sorted(set(seen))[:10]
    assert seen[0] == 1000 and seen[-1] == 200_000


def test_a_second_load_of_the_same_target_waits_for_the_first(big):
    import psycopg

    run = runs.register_file(
        write_members(big["inbox"], "target_group__BIG__20261123.csv", range(1, 11)),
        started_by="test",
    )
    holder = psycopg.connect(
        dbname=connection.settings_dict["NAME"], user="postgres", host="127.0.0.1", autocommit=True
    )
    try:
        holder.execute("SELECT pg_advisory_lock(hashtext('cvm-load:BIG'))")
        with pytest.raises(runs.LoadBusy):
            runs.run_load(run_id=run.pk)
    finally:
        holder.close()
    assert runs.run_load(run_id=run.pk).status == LoadStatus.SUCCEEDED


def _worker(queue: str, log: Path) -> subprocess.Popen:
    s = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CVM_INBOX": str(settings.CVM_INBOX),
        "DJANGO_SETTINGS_MODULE": "cvm_portal.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cvm_portal", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.redis
def test_killing_the_worker_mid_load_leaves_the_old_version_and_the_rerun_is_exact(big, tmp_path):
    from campaigns.tasks import load_file_task

    queue = f"cvm-kill-test-{os.getpid()}"
    run = runs.register_file(
        write_members(big["inbox"], "target_group__BIG__20261123.csv", range(1, 200_001)),
        started_by="test",
    )
    worker = _worker(queue, tmp_path / "worker1.log")
    try:
        load_file_task.apply_async(args=[run.pk], queue=queue)

        def version_table_exists():
            version_id = LoadRun.objects.get(pk=run.pk).version_id
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT to_regclass(%s) IS NOT NULL",
                    [f"campaigns_targetgroupmember_v{version_id}"],
                )
                return version_id is not None and cur.fetchone()[0]

        _wait(version_table_exists, 60, "the load to start copying")
        time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    # Killed half-way: the run is stuck as running and the old version is untouched.
    run.refresh_from_db()
    assert run.status == LoadStatus.RUNNING, (tmp_path / "worker1.log").read_text()[-2000:]
    assert live_count(big["group"].pk) == 1000
    # A new worker takes the run again: it cleans up the killed attempt and loads everything once.
    worker = _worker(queue, tmp_path / "worker2.log")
    try:
        result = load_file_task.apply_async(args=[run.pk], queue=queue)
        assert result.get(timeout=120) == LoadStatus.SUCCEEDED, (
            tmp_path / "worker2.log"
        ).read_text()[-2000:]
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    run.refresh_from_db()
    assert (run.status, run.rows_loaded, run.rows_rejected, run.attempts) == (
        LoadStatus.SUCCEEDED,
        200_000,
        0,
        2,
    )
    assert live_count(big["group"].pk) == 200_000
    assert TargetGroupMember.objects.filter(version_id=run.version_id).count() == 200_000
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'cvm_stage_run%%' AND relkind = 'r'"
        )
        assert cur.fetchone()[0] == 0  # no staging table left behind
        cur.execute(
            "SELECT count(*) FROM pg_class c WHERE c.relname LIKE 'campaigns_targetgroupmember_v%%' AND c.relkind = 'r'"
            " AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"
        )
        assert cur.fetchone()[0] == 0  # no orphan partition either
    assert LoadRun.objects.filter(status=LoadStatus.RUNNING).count() == 0


def load_logged(info, caplog) -> LoadRun:
    with caplog.at_level(logging.INFO, logger="cvm.loads"):
        return runs.run_load(run_id=runs.register_file(info, started_by="test").pk)


def test_a_big_plain_file_is_copied_in_two_lanes_every_line_once(big, monkeypatch, caplog):
    monkeypatch.setattr(postgres, "LANE_MIN_BYTES", 0)  # "big" from the first byte
    info = write_members(big["inbox"], "target_group__BIG__20261123.csv", range(1, 50_001))
    run = load_logged(info, caplog)
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert "copy in 2 lane(s)" in caplog.text
    assert (run.rows_loaded, run.rows_rejected) == (50_000, 0)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(DISTINCT customer_external_id), sum(rank), min(rank), max(rank)"
            " FROM campaigns_targetgroupmember WHERE version_id = %s",
            [run.version_id],
        )
        assert cur.fetchone() == (50_000, 50_000 * 50_001 // 2, 1, 50_000)


def test_a_quote_before_the_middle_keeps_one_lane_and_bad_rows_keep_their_lines(
    big, monkeypatch, caplog
):
    monkeypatch.setattr(postgres, "LANE_MIN_BYTES", 0)
    path = big["inbox"] / "target_group__BIG__20261123.csv"
    lines = ["customer_id,offer_code,propensity,expected_value,rank,note"]
    lines += [f'C{n:07d},,0.5,1.00,{n},"a ""quoted"" note"' for n in range(1, 2001)]
    lines[1500] = "C9999999,,0.5,1.00,1500,unknown customer"  # line 1501 of the file
    path.write_text("\n".join(lines) + "\n")
    path.with_name(path.name + ".ok").write_text("")
    run = load_logged(files.parse_name(path), caplog)
    assert run.status == LoadStatus.SUCCEEDED, run.error
    assert "copy in 1 lane(s)" in caplog.text
    assert list(run.rejects.values_list("line", "reason")) == [(1501, "unknown_customer")]
    assert run.rows_loaded == 1999
