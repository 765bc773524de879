"""The PostgreSQL store's target-group versions (``campaigns.store.postgres`` gives them as its
own): a load writes through a connection of its own, holds a session advisory lock per target
(released when that connection closes, even if the worker is killed), stages the file with COPY
into the version's own table (``campaigns.loads.postgres``), attaches it as a partition on
activation and detaches and drops it on pruning."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from psycopg import sql

from campaigns import catalogue
from campaigns.choices import LoadStatus
from campaigns.loads import postgres as copying

# Another connection can write while a load writes (a load's heartbeat, from a thread).
WRITES_BESIDE_A_LOAD = True


@contextmanager
def load_session(reuse: psycopg.Connection | None = None):
    """A connection of the load's own (autocommit), closed after; ``reuse`` if given."""
    if reuse is not None:
        yield reuse
        return
    pg = copying.connect()
    try:
        yield pg
    finally:
        pg.close()


def try_lock(session: psycopg.Connection, key: str) -> bool:
    """A session advisory lock: released when the load's connection closes, even if the
    worker is killed."""
    with session.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        return cur.fetchone()[0]


def stage_members(session, *, run, info, version, campaign, progress) -> tuple[int, int, int]:
    return copying.stage_members(
        session, run=run, info=info, version=version, campaign=campaign, progress=progress
    )


def activate(session: psycopg.Connection, *, run, version, loaded: int, control: int, now):
    """Attach the version's table and make it the target group's active version, in one
    transaction on the load's connection; then decisions switch to it at once.

    The exclusive lock matters: a reader plans (and fixes its list of partitions) before it
    takes the snapshot it executes with, so without the lock it could see the new pointer but
    not the new partition. Holding the lock, activation waits for running readers and new
    readers wait the few milliseconds activation takes; then they see all of the new version.
    """
    ident = sql.Identifier
    with session.transaction(), session.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '30s'")
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(ident(copying.PARENT)))
        cur.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                ident(copying.PARENT),
                ident(copying.partition_table(version.pk)),
                sql.Literal(version.pk),
            )
        )
        cur.execute(
            "SELECT active_version_id FROM campaigns_targetgroup WHERE id = %s FOR UPDATE",
            [version.target_group_id],
        )
        previous = cur.fetchone()[0]
        if previous is not None:
            cur.execute(
                "UPDATE campaigns_targetgroupversion SET retired_at = %s WHERE id = %s",
                [now, previous],
            )
        cur.execute(
            "UPDATE campaigns_targetgroupversion SET activated_at = %s, member_count = %s, control_count = %s WHERE id = %s",
            [now, loaded, control, version.pk],
        )
        cur.execute(
            "UPDATE campaigns_targetgroup SET active_version_id = %s WHERE id = %s",
            [version.pk, version.target_group_id],
        )
        cur.execute(
            "UPDATE campaigns_loadrun SET status = %s, finished_at = %s, rows_done = coalesce(rows_total, rows_done) WHERE id = %s",
            [LoadStatus.SUCCEEDED.value, now, run.pk],
        )
    catalogue.invalidate()  # committed on the load's own connection: no ORM signal saw it


def _is_attached(cur, table: str) -> bool:
    cur.execute(
        "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = %s",
        [table],
    )
    return cur.fetchone() is not None


def discard_members(session: psycopg.Connection, *, run_id: int, version_id: int | None) -> None:
    """Drop the staging table and the version's table if it was never attached."""
    with session.cursor() as cur:
        cur.execute(
            sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(copying.stage_table(run_id)))
        )
        if version_id is not None:
            table = copying.partition_table(version_id)
            if not _is_attached(cur, table):
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


def drop_version_members(session: psycopg.Connection, *, version_id: int) -> None:
    """Detach the version's partition and drop its table."""
    table = copying.partition_table(version_id)
    with session.cursor() as cur:
        if _is_attached(cur, table):
            cur.execute(
                sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                    sql.Identifier(copying.PARENT), sql.Identifier(table)
                )
            )
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
