"""PostgreSQL: events COPYed into a temporary staging table, then moved in one statement into
the table partitioned by month, duplicates dropped by its unique key, with their effects
(presentations seen or clicked, the daily interest) — all in the transaction whose commit comes
before the client's 202. And the partitions' upkeep: made ahead, made on demand, dropped past
the retention."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

TABLE = "channels_digitalevent"
COLUMNS = (
    "client_id, event_id, occurred_at, received_at, kind, customer_id, channel_kind, "
    "offer_code, presentation_id, context"
)
# Per connection (kept open: CONN_MAX_AGE); emptied at every commit.
STAGING = """
CREATE TEMP TABLE IF NOT EXISTS event_staging (
    client_id bigint, event_id varchar(64) COLLATE "C", occurred_at timestamptz, received_at timestamptz,
    kind varchar(12), customer_id varchar(64), channel_kind varchar(20), offer_code varchar(40),
    presentation_id bigint, context jsonb
) ON COMMIT DELETE ROWS
"""
# Rows go in in the unique key's order (client, time, event id: events come roughly in time
# order, so the key's inserts land on the index's newest pages, not all over it), so two
# requests carrying the same events wait for each other instead of deadlocking. The target is
# the month's partition itself when the whole batch falls in one month (no routing per row).
# The effects read only the rows this statement inserted: a duplicate changes nothing, however
# often it is sent.
MOVE = """
WITH new AS (
    INSERT INTO {table} (
           client_id, event_id, occurred_at, received_at, kind, customer_id, channel_kind, offer_code,
           presentation_id, context)
    SELECT client_id, event_id, occurred_at, received_at, kind, customer_id, channel_kind, offer_code,
           presentation_id, context
    FROM event_staging ORDER BY occurred_at, event_id
    ON CONFLICT DO NOTHING
    RETURNING kind, presentation_id, occurred_at
), marks AS (
    SELECT presentation_id, min(occurred_at) AS seen_at,
           min(occurred_at) FILTER (WHERE kind = 'click') AS clicked_at
    FROM new
    WHERE presentation_id IS NOT NULL AND kind IN ('impression', 'click')
    GROUP BY presentation_id
), marked AS (
    INSERT INTO channels_seenpresentation AS s (presentation_id, seen_at, clicked_at)
    SELECT presentation_id, seen_at, clicked_at FROM marks ORDER BY presentation_id
    ON CONFLICT (presentation_id) DO UPDATE SET clicked_at = EXCLUDED.clicked_at
        WHERE s.clicked_at IS NULL AND EXCLUDED.clicked_at IS NOT NULL
    RETURNING presentation_id, seen_at, clicked_at, (xmax = 0) AS inserted
), counted AS (
    SELECT (m.seen_at AT TIME ZONE %(tz)s)::date AS day, p.campaign_id, p.offer_id,
           d.channel_kind, 1 AS seen, 0 AS clicked
    FROM marked m
    JOIN campaigns_presentation p ON p.id = m.presentation_id
    JOIN campaigns_decision d ON d.id = p.decision_id
    WHERE m.inserted
    UNION ALL
    SELECT (m.clicked_at AT TIME ZONE %(tz)s)::date, p.campaign_id, p.offer_id,
           d.channel_kind, 0, 1
    FROM marked m
    JOIN campaigns_presentation p ON p.id = m.presentation_id
    JOIN campaigns_decision d ON d.id = p.decision_id
    WHERE m.clicked_at IS NOT NULL
), rolled AS (
    INSERT INTO channels_dailyinterest AS r (day, campaign_id, offer_id, channel_kind, seen, clicked)
    SELECT day, campaign_id, offer_id, channel_kind, sum(seen), sum(clicked)
    FROM counted
    GROUP BY campaign_id, day, offer_id, channel_kind
    ORDER BY campaign_id, day, offer_id, channel_kind
    ON CONFLICT (campaign_id, day, offer_id, channel_kind) DO UPDATE
        SET seen = r.seen + EXCLUDED.seen, clicked = r.clicked + EXCLUDED.clicked
)
SELECT count(*) FROM new
"""

_known = set()  # months (first day, UTC) whose partition this process has seen
_lock = threading.Lock()


def month_start(at: datetime, plus: int = 0) -> datetime:
    """The first moment (UTC) of ``at``'s month, ``plus`` months on."""
    at = at.astimezone(UTC)
    index = at.year * 12 + at.month - 1 + plus
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(month: datetime) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def existing_months() -> set[datetime]:
    """The months that have a partition now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{TABLE}_p"
    return {
        datetime(int(n[-6:-2]), int(n[-2:]), 1, tzinfo=UTC)
        for n in names
        if n.startswith(prefix) and n[len(prefix) :].isdigit()
    }


def create_partitions(months: set[datetime]) -> list[str]:
    """Make the partitions of ``months`` that do not exist (under a lock, so two processes
    making the same one do not collide); the names made."""
    made = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
        have = existing_months()
        for month in sorted(months - have):
            name = partition_name(month)
            # DDL takes no parameters: the bounds are our own datetimes, written out.
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES "
                f"FROM ('{month.isoformat()}') TO ('{month_start(month, 1).isoformat()}')"
            )
            made.append(name)
    return made


def ensure_partitions(first: datetime, last: datetime) -> None:
    """Every month from ``first`` to ``last`` has its partition (made now, in its own short
    transaction, if the nightly task has not made it yet)."""
    months, month = set(), month_start(first)
    while month <= last:
        months.add(month)
        month = month_start(month, 1)
    if months <= _known:
        return
    from django.db import transaction

    with transaction.atomic():
        create_partitions(months)
    with _lock:
        _known.update(months)


def prepare(events: list[tuple]) -> None:
    """Before the batch's transaction: the partitions its events need exist (a partition made
    inside it would lock the table until the batch commits)."""
    ensure_partitions(min(e[1] for e in events), max(e[1] for e in events))


def forget() -> None:
    """Partitions this process believes exist may not (a test's rolled-back transaction, a
    manual drop): ask the database again next time."""
    with _lock:
        _known.clear()


def write(*, client_id: int, received_at: datetime, events: list[tuple]) -> int:
    """Store ``events`` (validated, unique in the batch); how many were new. Runs in the
    caller's transaction."""
    first = month_start(min(e[1] for e in events))
    table = partition_name(first) if month_start(max(e[1] for e in events)) == first else TABLE
    with connection.cursor() as cursor:
        cursor.execute(STAGING)
        with cursor.cursor.copy(f"COPY event_staging ({COLUMNS}) FROM STDIN") as copy:
            copy.write(copy_text(client_id, received_at, events))
        cursor.execute(MOVE.replace("{table}", table), {"tz": settings.TIME_ZONE})
        return cursor.fetchone()[0]


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(client_id: int, received_at: datetime, events: list[tuple]) -> str:
    """The rows of ``events`` in COPY's text format, built in one pass (psycopg's write_row
    adapts value by value: several times slower for 5,000 rows). Values are almost never in
    need of escaping: the rows are built plainly, and the text is counted (C speed) to prove
    it — a tab, newline or backslash more than the layout's own, and they are built again,
    escaped (20,000 ``translate`` calls cost ~10 ms a batch)."""
    head = f"{client_id}\t"
    received = received_at.isoformat()
    null = "\\N"
    text = "".join(
        [
            f"{head}{e[0]}\t{e[8]}\t{received}\t{e[2]}\t{e[3]}\t{e[4]}\t{e[5]}\t"
            f"{null if e[6] is None else e[6]}\t{e[7]}\n"
            for e in events
        ]
    )
    nulls = sum(1 for e in events if e[6] is None)
    if (
        text.count("\t") == 9 * len(events)
        and text.count("\n") == len(events)
        and text.count("\\") == nulls
        and "\r" not in text
    ):
        return text
    escapes = _ESCAPES
    return "".join(
        [
            f"{head}{e[0].translate(escapes)}\t{e[8].translate(escapes)}\t{received}\t{e[2]}\t"
            f"{e[3].translate(escapes)}\t{e[4]}\t{e[5].translate(escapes)}\t"
            f"{null if e[6] is None else e[6]}\t{e[7].translate(escapes)}\n"
            for e in events
        ]
    )


def maintain(*, now: datetime, ahead: int, retention_months: int) -> tuple[list[str], list[str]]:
    """Make this month's and ``ahead`` more months' partitions; drop those whose whole month
    is older than ``retention_months`` months before this one. (made, dropped)."""
    from django.db import transaction

    with transaction.atomic():
        made = create_partitions({month_start(now, plus) for plus in range(ahead + 1)})
        oldest_kept = month_start(now, -retention_months)
        dropped = []
        with connection.cursor() as cursor:
            for month in sorted(existing_months()):
                if month < oldest_kept:
                    name = partition_name(month)
                    cursor.execute(f"DROP TABLE {name}")
                    dropped.append(name)
    with _lock:
        _known.clear()
    return made, dropped
