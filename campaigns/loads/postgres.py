"""The PostgreSQL fast path of target-group loads.

Members are keyed as the file names them (customer external id, offer code), so a clean
file needs no second pass over its rows:

1. ``COPY`` the file into the version's own new table, typed, in two lanes (two
   connections, each half of the file) when the file is big, plain CSV and quote-free up to
   its middle. A column default fills the version. Nothing else is computed per row:
   control-group membership follows from the customer and the version
   (``TargetGroupVersion.in_control``).
2. The primary key (customer, version) is built after the data; a duplicate customer fails it.
3. Two statements side by side (the second on a connection of its own): one merges the new
   key with the customers' index to count unknown customers, one scan counts the rows, the
   control group and the rows that break a rule (value out of range, an offer not of the
   campaign).
4. Activation (``campaigns.store.postgres.activate``) attaches the table as the version's
   partition and switches the target group to it, in one transaction.

The statements themselves are built by ``campaigns.loads.member_sql``; this module runs them
and moves the bytes. It is reached only through ``campaigns.store``, which picks it on
PostgreSQL.

A file the fast path refuses (a value COPY cannot read, a row that breaks a rule, a duplicate,
a field that needs trimming) takes the careful path instead: COPY into
an unlogged staging table of text, then one statement applies every row rule of
``campaigns.loads.rules`` (the batched path) in SQL, putting each bad row into the quarantine with its
line and reason.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable

import psycopg
from django.db import connection
from psycopg import sql

from campaigns.loads import files
from campaigns.loads.batched import MemberRules, file_rows
from campaigns.loads.files import FileRejected, InboxFile
from campaigns.loads.member_sql import REPAIR_LIMIT, MemberSQL
from campaigns.models import Campaign, LoadReject, LoadRun, TargetGroupVersion

log = logging.getLogger("cvm.loads")
PARENT = "campaigns_targetgroupmember"
PROGRESS_EVERY = 8 << 20  # bytes between progress updates
LANE_MIN_BYTES = 32 << 20  # a plain CSV file at least this big is copied in two lanes


def connect() -> psycopg.Connection:
    """A connection of the load's own (autocommit) to the portal's database."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        autocommit=True,
    )


def stage_table(run_id: int) -> str:
    return f"cvm_stage_run{run_id}"


def partition_table(version_id: int) -> str:
    return f"{PARENT}_v{version_id}"


def _copy_error(exc: psycopg.Error) -> FileRejected:
    """A COPY failure as a reason a person can act on."""
    context = (exc.diag.context or "") if exc.diag else ""
    match = re.search(r"line (\d+)", context)
    line = int(match[1]) + 1 if match else None  # COPY counts from our first data line
    text = (exc.diag.message_primary or str(exc)) if exc.diag else str(exc)
    if isinstance(exc, psycopg.errors.CharacterNotInRepertoire) and text.endswith(": 0x00"):
        return files.nul_character(line or "?")  # the batched path's reason, not "not UTF-8"
    if isinstance(
        exc, psycopg.errors.CharacterNotInRepertoire | psycopg.errors.UntranslatableCharacter
    ):
        return FileRejected("not_utf8_near_line_nothing_loaded", line=line or "?")
    if "extra data after last expected column" in text:
        return FileRejected("too_many_fields", line=line or "?")
    if "missing data for column" in text:
        return FileRejected("too_few_fields", line=line or "?")
    if "unterminated CSV quoted field" in text:
        return FileRejected("unclosed_quote", line=line or "?")
    return FileRejected("unreadable_near_line", line=line or "?", error=text)


def _copy_stream(cur, handle, copy_sql, *, first: bytes, until: int | None, sent, report=None):
    """COPY ``first`` and then the handle's bytes (up to byte ``until``); count the lines sent
    in ``sent[0]`` as it goes and call ``report()`` every PROGRESS_EVERY bytes."""

    def more() -> bytes:
        size = files.CHUNK if until is None else min(files.CHUNK, until - handle.tell())
        return handle.read(size) if size > 0 else b""

    since_report = 0
    with cur.copy(copy_sql) as copy:
        data = first or more()
        while data:
            copy.write(data)
            sent[0] += data.count(b"\n")
            since_report += len(data)
            if report is not None and since_report >= PROGRESS_EVERY:
                report()
                since_report = 0
            data = more()


def _split_point(info: InboxFile, data_start: int) -> int | None:
    """Where a second COPY lane can start: the byte after the first newline past the middle
    of a big plain CSV file, if no quote comes before it (so the newline ends a record)."""
    if info.format != "csv":
        return None
    size = os.path.getsize(info.path)
    if size < LANE_MIN_BYTES:
        return None
    with files.open_raw(info.path) as handle:
        handle.seek(size // 2)
        handle.readline()
        split = handle.tell()
        if split >= size:
            return None
        handle.seek(data_start)
        while handle.tell() < split:
            if b'"' in handle.read(min(files.CHUNK, split - handle.tell())):
                return None
    return split


def _copy_csv(
    cur, info: InboxFile, copy_sql, run: LoadRun, progress: Callable, *, lanes=False
) -> int:
    """COPY a CSV file's data rows; returns the number of lanes. With ``lanes``, a big plain
    file is copied in two: this connection takes the first half, a second one (in a thread)
    the rest."""
    first_lane, second_lane, errors = [0], [0], []
    with files.open_binary(info) as handle:
        _columns, rest = files.read_csv_header(handle)
        data_start = handle.tell() - len(rest)
        split = _split_point(info, data_start) if lanes else None

        def copy_second_half() -> None:
            try:
                with (
                    connect() as conn,
                    conn.cursor() as lane_cur,
                    files.open_raw(info.path) as half,
                ):
                    half.seek(split)
                    _copy_stream(lane_cur, half, copy_sql, first=b"", until=None, sent=second_lane)
            except Exception as exc:  # raised again in the calling thread
                errors.append(exc)

        second = None
        if split is not None:
            second = threading.Thread(target=copy_second_half, name=f"load-{run.pk}-lane-2")
            second.start()
            rest = rest[: split - data_start]
        try:
            _copy_stream(
                cur, handle, copy_sql, first=rest, until=split, sent=first_lane,
                report=lambda: progress(run, first_lane[0] + second_lane[0]),
            )  # fmt: skip
        finally:
            while second is not None and second.is_alive():
                second.join(timeout=1.0)
                progress(run, first_lane[0] + second_lane[0])
    if errors:
        raise errors[0]
    return 1 if second is None else 2


def _copy_parquet(
    cur, info: InboxFile, columns: list[str], copy_sql, run: LoadRun, progress: Callable
) -> None:
    import io

    import pyarrow.csv as pacsv

    done = 0
    options = pacsv.WriteOptions(include_header=False)
    with cur.copy(copy_sql) as copy:
        # A whole-number column stored as a float comes as Python's text ("2.0", refused by the
        # rules as on the batched path), not as Arrow's ("2", which COPY would take).
        for batch in files.parquet_batches(info, columns, batch_size=100_000):
            buffer = io.BytesIO()
            pacsv.write_csv(batch, buffer, options)
            copy.write(buffer.getvalue())
            done += batch.num_rows
            progress(run, done)


def _header(info: InboxFile) -> tuple[list[str], list[str], list[str]]:
    if info.format == "parquet":
        original = files.parquet_columns(info)
    else:
        with files.open_binary(info) as handle:
            original, _rest = files.read_csv_header(handle)
    names, extra = files.check_header(original, info.kind)
    return names, extra, original


def _copy_into_stage(
    cur, info: InboxFile, names: list[str], original: list[str], stage: str, run: LoadRun, progress
) -> int:
    ident = sql.Identifier
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(stage)))
    cur.execute(
        sql.SQL(
            "CREATE UNLOGGED TABLE {} (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2 CACHE 10000), {})"
        ).format(
            ident(stage), sql.SQL(", ").join(sql.SQL("{} text").format(ident(n)) for n in names)
        )
    )
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, ENCODING 'UTF8')").format(
        ident(stage), sql.SQL(", ").join(ident(n) for n in names)
    )
    try:
        if info.format == "parquet":
            _copy_parquet(cur, info, original, copy_sql, run, progress)
        else:
            _copy_csv(cur, info, copy_sql, run, progress)
    except (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat) as exc:
        raise _copy_error(exc) from exc
    cur.execute(sql.SQL("SELECT count(*) FROM {}").format(ident(stage)))
    staged = cur.fetchone()[0]
    progress(run, staged)
    if staged == 0:
        raise FileRejected("no_rows")
    return staged


class _Clock:
    """Logs how long each phase of a load took (cvm.loads at INFO), for operators and benchmarks."""

    def __init__(self, run_id: int):
        self.run_id, self.last = run_id, time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        log.info("load %s: %s took %.2f s", self.run_id, phase, now - self.last)
        self.last = now


def _session_settings(cur) -> None:
    cur.execute("SET work_mem = '256MB'")  # the customer hash and the sorts stay in memory
    cur.execute("SET jit = off")  # compiling costs more than it saves for one pass
    cur.execute("SET maintenance_work_mem = '512MB'")  # the primary key is sorted in memory...
    # Two processes (the leader and one worker) for a parallel plan or index build: one per core.
    cur.execute("SET max_parallel_maintenance_workers = 1")
    cur.execute("SET max_parallel_workers_per_gather = 1")
    # The row estimates of a staging table of text are poor; a nested loop over millions of
    # index look-ups is then the planner's mistake. Hash joins are always right here.
    cur.execute("SET enable_nestloop = off")


class _Refused(Exception):
    """The fast path cannot take this file as it stands; the careful path will."""


class _Beside(threading.Thread):
    """One statement on a connection of its own, in a thread, while this one works on."""

    def __init__(self, statement: sql.Composable, *settings: str, name: str):
        super().__init__(name=name)
        self.statement, self.settings = statement, settings
        self.rows, self.error = [], None

    def run(self) -> None:
        try:
            with connect() as conn, conn.cursor() as cur:
                _session_settings(cur)
                for setting in self.settings:
                    cur.execute(setting)
                cur.execute(self.statement)
                self.rows = cur.fetchall()
        except Exception as exc:  # raised again by result()
            self.error = exc

    def result(self) -> list[tuple]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.rows


def _fast(cur, info, statements: MemberSQL, run, progress, clock) -> tuple[int, int, int]:
    """COPY straight into the version's table; (loaded, rejected, control), or _Refused."""
    cur.execute(statements.create_table())
    lanes = 1
    try:
        if info.format == "parquet":
            _copy_parquet(cur, info, statements.original, statements.copy_sql(), run, progress)
        else:
            lanes = _copy_csv(cur, info, statements.copy_sql(), run, progress, lanes=True)
    except (psycopg.errors.DataError, psycopg.errors.IntegrityError) as exc:
        raise _Refused(f"COPY: {exc.__class__.__name__}") from exc
    clock.lap(f"copy in {lanes} lane(s)")
    try:
        cur.execute(statements.primary_key())
    except psycopg.errors.UniqueViolation as exc:
        raise _Refused("duplicate customers") from exc
    cur.execute(sql.SQL("VACUUM {}").format(statements.part))  # the key's index can answer alone
    clock.lap("primary key")
    unknown = _Beside(
        statements.unknown_customers(),
        "SET enable_hashjoin = off",
        "SET max_parallel_workers_per_gather = 0",
        name=f"load-{run.pk}-customers",
    )
    unknown.start()
    try:
        cur.execute(statements.counts())
        loaded, control, broken = cur.fetchone()
    finally:
        bad = {key for (key,) in unknown.result()}
    clock.lap("customer check and counts")
    if loaded == 0:
        raise FileRejected("no_rows")
    if broken:
        cur.execute(statements.rule_breakers())
        bad.update(key for (key,) in cur.fetchall())
    if len(bad) > REPAIR_LIMIT:
        raise _Refused(f"more than {REPAIR_LIMIT} rows to check one by one")
    rejected = 0
    if bad:
        loaded, rejected, control = _repair(cur, info, statements, run, bad, loaded, control)
        clock.lap(f"{len(bad)} rows checked one by one")
    progress(run, loaded + rejected)
    return loaded, rejected, control


def _rows_of_quote_free_csv(info: InboxFile, names: list[str], keys: set[str]):
    """(line, {column: text}) of the rows whose customer is in ``keys``, found by splitting
    lines at commas: right for a CSV file without a quote, where every line is one row (COPY
    has read this file already, so its lines are whole and UTF-8). None for Parquet, or as soon
    as a quote shows up. About 4 times as fast as the CSV reader."""
    if info.format == "parquet":
        return None
    column = names.index("customer_id")
    wanted = {key.encode() for key in keys}
    found: list[tuple[int, dict[str, str]]] = []
    line = 1

    def take(lines: list[bytes]) -> None:
        nonlocal line
        for raw in lines:
            line += 1
            fields = raw.rstrip(b"\r").split(b",")
            if len(fields) > column and fields[column] in wanted:
                found.append((line, dict(zip(names, (f.decode() for f in fields), strict=False))))

    with files.open_binary(info) as handle:
        _columns, data = files.read_csv_header(handle)
        carry = b""
        while data:
            if b'"' in data:
                return None
            *lines, carry = (carry + data).split(b"\n")
            take(lines)
            data = handle.read(files.CHUNK)
        if carry:
            take([carry])
    return found


def _repair(cur, info, statements: MemberSQL, run, keys: set[str], loaded: int, control: int):
    """Take out the rows whose customer is in ``keys`` (rows that break a rule as COPY read
    them), find them in the file, and check them with the batched path's rules: a row that only
    needed trimming is loaded, the others are rejected with their line and reason. Returns
    (loaded, rejected, control); _Refused if the file and the table do not agree."""
    version = statements.version
    cur.execute(
        sql.SQL(
            "DELETE FROM {} WHERE customer_external_id = ANY(%s) RETURNING customer_external_id"
        ).format(statements.part),
        [sorted(keys)],
    )
    taken_out = [key for (key,) in cur.fetchall()]
    extra = statements.extra
    found = _rows_of_quote_free_csv(info, statements.names, keys)
    if found is None:  # Parquet, or a quote somewhere: the CSV reader's way
        _names, _extra, rows = file_rows(info)
        found = [(line, fields) for line, fields in rows if fields["customer_id"] in keys]
    if len(found) != len(taken_out):
        raise _Refused(f"{len(found)} rows found in the file for {len(taken_out)} taken out")
    members, rejects = MemberRules(
        run=run, version=version, campaign=statements.campaign, extra=extra
    ).check(found)
    cur.execute(
        sql.SQL("SELECT count(*) FROM {} WHERE customer_external_id = ANY(%s)").format(
            statements.part
        ),
        [[m.customer_id for m in members]],
    )
    if cur.fetchone()[0]:
        raise _Refused("a corrected row names a customer loaded on another line")
    columns = statements.member_columns()
    with cur.copy(
        sql.SQL("COPY {} ({}) FROM STDIN").format(
            statements.part, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
    ) as copy:
        for member in members:
            copy.write_row(
                [
                    member.customer_id, member.offer_id, member.propensity, member.expected_value,
                    member.rank, *(getattr(member, c) for c in columns[5:]),
                ]
            )  # fmt: skip
    LoadReject.objects.bulk_create(rejects)
    in_control = version.in_control
    control += sum(map(in_control, (m.customer_id for m in members)))
    control -= sum(map(in_control, taken_out))
    return loaded - len(taken_out) + len(members), len(rejects), control


def _careful(cur, info, statements: MemberSQL, run, progress) -> tuple[int, int, int]:
    """Stage the file as text and apply every rule in SQL; (loaded, rejected, control)."""
    stage = statements.stage
    staged = _copy_into_stage(
        cur, info, statements.names, statements.original, statements.stage_name, run, progress
    )
    cur.execute(sql.SQL("ANALYZE {}").format(stage))  # row estimates for the joins
    cur.execute(statements.create_table())
    cur.execute(statements.checked_insert())
    cur.execute(statements.primary_key())
    cur.execute(
        sql.SQL("SELECT count(*), count(*) FILTER (WHERE {}) FROM {}").format(
            statements.in_control(sql.SQL("customer_external_id")), statements.part
        )
    )
    loaded, control = cur.fetchone()
    cur.execute("SELECT count(*) FROM campaigns_loadreject WHERE run_id = %s", [run.pk])
    rejected = cur.fetchone()[0]
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(stage))
    if loaded + rejected != staged:
        raise RuntimeError(f"{staged} rows staged but {loaded} loaded and {rejected} rejected")
    return loaded, rejected, control


def stage_members(
    pg: psycopg.Connection,
    *,
    run: LoadRun,
    info: InboxFile,
    version: TargetGroupVersion,
    campaign: Campaign,
    progress: Callable[[LoadRun, int], None],
) -> tuple[int, int, int]:
    """Check and store a target-group file's rows as ``version``'s table (not yet attached);
    returns (loaded, rejected, control)."""
    names, extra, original = _header(info)
    version.attribute_names = extra
    version.save(update_fields=["attribute_names"])
    stage, part = stage_table(run.pk), partition_table(version.pk)
    statements = MemberSQL(
        names=names, extra=extra, original=original, campaign=campaign, run=run, version=version, stage=stage, part=part
    )  # fmt: skip
    clock = _Clock(run.pk)
    drop_part = sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(part))
    with pg.cursor() as cur:
        _session_settings(cur)
        cur.execute(drop_part)
        try:
            return _fast(cur, info, statements, run, progress, clock)
        except _Refused as refused:
            log.info("load %s: careful path (%s)", run.pk, refused)
            cur.execute(drop_part)  # no rejects were written: _repair writes them last
        loaded, rejected, control = _careful(cur, info, statements, run, progress)
        clock.lap("careful path")
        return loaded, rejected, control
