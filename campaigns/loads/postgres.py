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
4. ``activate`` attaches the table as the version's partition and switches the target group
   to it, in one transaction.

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
from django.utils.translation import gettext as _
from psycopg import sql

from campaigns.choices import LoadStatus
from campaigns.loads import files
from campaigns.loads.files import FileRejected, InboxFile
from campaigns.loads.rules import INTEGER_PATTERN, NUMBER_PATTERN, RANGES
from campaigns.models import Campaign, LoadRun, TargetGroupVersion
from campaigns.models.targeting import attribute_column

log = logging.getLogger("cvm.loads")
PARENT = "campaigns_targetgroupmember"
WHITESPACE = " \t\r\n\x0b\x0c"  # what Python's str.strip() removes from ASCII text
PROGRESS_EVERY = 8 << 20  # bytes between progress updates
LANE_MIN_BYTES = 32 << 20  # a plain CSV file at least this big is copied in two lanes
# Up to this many rows that COPY took but that break a rule (unknown customer, out of range,
# other offer, spaces around an id) are taken out again and checked one by one; more, and the
# whole file takes the careful path.
REPAIR_LIMIT = 10_000
# The file's columns → the member table's; extra columns go to attribute_1, attribute_2, …
MEMBER_COLUMN = {
    "customer_id": "customer_external_id",
    "offer_code": "offer_code",
    "propensity": "propensity",
    "expected_value": "expected_value",
    "rank": "rank",
}


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
    if isinstance(
        exc, psycopg.errors.CharacterNotInRepertoire | psycopg.errors.UntranslatableCharacter
    ):
        return FileRejected(
            _(
                "The file is not valid UTF-8 near line %(line)s. Save it as UTF-8. Nothing was loaded."
            )
            % {"line": line or "?"}
        )
    if "extra data after last expected column" in text:
        return FileRejected(
            _("Line %(line)s has more fields than the header. Nothing was loaded.")
            % {"line": line or "?"}
        )
    if "missing data for column" in text:
        return FileRejected(
            _("Line %(line)s has fewer fields than the header. Nothing was loaded.")
            % {"line": line or "?"}
        )
    if "unterminated CSV quoted field" in text:
        return FileRejected(
            _("A quoted field that starts near line %(line)s is never closed. Nothing was loaded.")
            % {"line": line or "?"}
        )
    return FileRejected(
        _("The file could not be read near line %(line)s: %(error)s")
        % {"line": line or "?", "error": text}
    )


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
    with info.path.open("rb") as handle:
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
                with connect() as conn, conn.cursor() as lane_cur, info.path.open("rb") as half:
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
    import pyarrow.parquet as pq

    done = 0
    options = pacsv.WriteOptions(include_header=False)
    with cur.copy(copy_sql) as copy:
        for batch in pq.ParquetFile(info.path).iter_batches(batch_size=100_000, columns=columns):
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
        raise FileRejected(
            _("The file has a header but no rows. Nothing was loaded; the current data stays.")
        )
    return staged


class _Clock:
    """Logs how long each phase of a load took (cvm.loads at INFO), for operators and benchmarks."""

    def __init__(self, run_id: int):
        self.run_id, self.last = run_id, time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        log.info("load %s: %s took %.2f s", self.run_id, phase, now - self.last)
        self.last = now


class _MemberSQL:
    """The statements of one target-group load, built from its header and campaign."""

    def __init__(
        self,
        *,
        names,
        extra,
        original,
        campaign: Campaign,
        run: LoadRun,
        version: TargetGroupVersion,
        stage: str,
        part: str,
    ):
        self.present = set(names)
        self.names, self.extra, self.original = names, extra, original
        self.stage_name = stage
        self.campaign, self.run, self.version = campaign, run, version
        self.stage, self.part, self.part_name = sql.Identifier(stage), sql.Identifier(part), part
        self.offer_codes = sorted(campaign.offers.values_list("code", flat=True))

    # --- the member table -------------------------------------------------------------------

    def in_control(self, customer_id: sql.Composable) -> sql.Composable:
        """TargetGroupVersion.in_control in SQL: hashtext of "<customer id>:<code>", unsigned,
        mod 10000, against the version's share (see rules.control_bucket)."""
        return sql.SQL(
            "(((hashtext({c} || {suffix})::bigint & 4294967295) % 10000) < {share})"
        ).format(
            c=customer_id,
            suffix=sql.Literal(f":{self.version.control_code}"),
            share=sql.Literal(int(self.version.control_share * 100)),
        )

    def create_table(self) -> sql.Composable:
        """The version's table, with the parent's columns (an ATTACH needs them exactly). A
        default fills the version during COPY; the CHECK lets ATTACH skip its own scan."""
        version = sql.Literal(self.version.pk)
        return sql.SQL(
            'CREATE TABLE {part} (customer_external_id varchar(64) COLLATE "C" NOT NULL,'
            " version_id bigint NOT NULL DEFAULT {version},"
            ' offer_code varchar(40) COLLATE "C" NULL,'
            " propensity double precision NULL, expected_value numeric(12, 2) NULL, rank integer NULL,"
            " {attributes}, CONSTRAINT {check} CHECK (version_id = {version}))"
        ).format(
            part=self.part, version=version, check=sql.Identifier(f"{self.part_name}_version"),
            attributes=sql.SQL(", ").join(
                sql.SQL("{} text NULL").format(sql.Identifier(attribute_column(i)))
                for i in range(files.MAX_EXTRA_COLUMNS)
            ),
        )  # fmt: skip

    def breaks_a_rule(self) -> sql.Composable:
        """True for a copied row ``m`` out of range or with an offer not of the campaign
        (NULL, as in a CHECK constraint, for a row that keeps every rule)."""
        rules = []
        for name in ("propensity", "expected_value", "rank"):
            low, high, _text = RANGES[name]
            rules.append(
                sql.SQL("m.{} BETWEEN {} AND {}").format(
                    sql.Identifier(name), sql.Literal(low), sql.Literal(high)
                )
            )
        codes = sql.SQL(", ").join(sql.Literal(code) for code in self.offer_codes)
        rules.append(
            sql.SQL("m.offer_code IN ({})").format(codes)
            if self.offer_codes
            else sql.SQL("m.offer_code IS NULL")
        )
        return sql.SQL("NOT ({})").format(sql.SQL(" AND ").join(rules))

    def copy_columns(self) -> sql.Composable:
        """The member columns the file's columns go to, in the file's order."""
        extra = {name: attribute_column(i) for i, name in enumerate(self.extra)}
        return sql.SQL(", ").join(
            sql.Identifier(MEMBER_COLUMN.get(name) or extra[name]) for name in self.names
        )

    def copy_sql(self) -> sql.Composable:
        """COPY into the version's table; an empty field is NULL, quoted or not (as in the rules)."""
        return sql.SQL(
            "COPY {part} ({columns}) FROM STDIN (FORMAT csv, ENCODING 'UTF8', FORCE_NULL ({columns}))"
        ).format(part=self.part, columns=self.copy_columns())

    def counts(self) -> sql.Composable:
        """(members, in control, breaking a rule) of the copied rows: one scan."""
        return sql.SQL(
            "SELECT count(*), count(*) FILTER (WHERE {control}), count(*) FILTER (WHERE {rules})"
            " FROM {part} m"
        ).format(
            part=self.part,
            rules=self.breaks_a_rule(),
            control=self.in_control(sql.SQL("m.customer_external_id")),
        )

    def unknown_customers(self) -> sql.Composable:
        """The copied rows' customers that are not in the snapshot (at most REPAIR_LIMIT + 1).
        With the version's key built (and the table vacuumed, so its index answers alone) this
        merges two indexes in the same order ("C"): cheaper than hashing every customer."""
        return sql.SQL(
            "SELECT m.customer_external_id FROM {} m WHERE NOT EXISTS"
            " (SELECT 1 FROM campaigns_customer c WHERE c.external_id = m.customer_external_id)"
            " LIMIT {}"
        ).format(self.part, sql.Literal(REPAIR_LIMIT + 1))

    def rule_breakers(self) -> sql.Composable:
        """The copied rows' customers whose row breaks a rule (at most REPAIR_LIMIT + 1)."""
        return sql.SQL("SELECT m.customer_external_id FROM {} m WHERE {} LIMIT {}").format(
            self.part, self.breaks_a_rule(), sql.Literal(REPAIR_LIMIT + 1)
        )

    def member_columns(self) -> list[str]:
        return ["customer_external_id", "offer_code", "propensity", "expected_value", "rank"] + [
            attribute_column(i) for i in range(len(self.extra))
        ]

    def primary_key(self) -> sql.Composable:
        """Built after the data; a duplicate customer fails it. Look-ups by customer use it."""
        return sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (customer_external_id, version_id)").format(
            self.part
        )

    # --- the careful path: staged text and every rule in SQL ---------------------------------

    def col(self, name: str) -> sql.Composable:
        """A column of the staging row ``s`` trimmed like Python's str.strip() (computed once
        per row by ``trimmed_stage``); NULL if the file lacks it."""
        if name not in self.present:
            return sql.SQL("NULL::text")  # not '': a constant '' would be cast while planning
        return sql.SQL("s.{}").format(sql.Identifier(f"trimmed:{name}"))

    def trimmed_stage(self) -> sql.Composable:
        """The staging table with its contract columns also trimmed, under names a header
        cannot use ("trimmed:…"); OFFSET 0 keeps each trim computed once, not at every use."""
        trims = [
            sql.SQL("coalesce(btrim(s.{}, {}), '') AS {}").format(
                sql.Identifier(name), sql.Literal(WHITESPACE), sql.Identifier(f"trimmed:{name}")
            )
            for name in MEMBER_COLUMN
            if name in self.present
        ]
        return sql.SQL("(SELECT s.*, {} FROM {} s OFFSET 0)").format(
            sql.SQL(", ").join(trims), self.stage
        )

    def offers(self) -> sql.Composable:
        return sql.SQL(
            "(SELECT o.id, o.code FROM campaigns_offer o JOIN campaigns_campaign_offers m ON m.offer_id = o.id"
            " WHERE m.campaign_id = {})"
        ).format(sql.Literal(self.campaign.pk))

    def _number_checks(self, name: str, pattern: str, whole: bool) -> list[sql.Composable]:
        low, high, text = RANGES[name]
        v = self.col(name)
        cast = "bigint" if whole else "numeric"
        bound = sql.SQL("NOT ({v}::{cast} BETWEEN {low} AND {high})").format(
            v=v, cast=sql.SQL(cast), low=sql.Literal(low), high=sql.Literal(high)
        )
        kind = "whole number" if whole else "number"
        return [
            sql.SQL(
                "WHEN {v} <> '' AND {v} !~ {p} THEN ARRAY['bad_number', format('%s “%s” is not a {kind}', {n}, left({v}, 40))]"
            ).format(v=v, p=sql.Literal(pattern), n=sql.Literal(name), kind=sql.SQL(kind)),
            sql.SQL(
                "WHEN {v} <> '' AND {bound} THEN ARRAY['out_of_range', format('%s %s is out of range ({text})', {n}, left({v}, 40))]"
            ).format(v=v, bound=bound, n=sql.Literal(name), text=sql.SQL(text.replace("%", "%%"))),
        ]

    def problem(self) -> sql.Composable:
        """Why a staged row cannot be loaded (duplicates aside), as ARRAY[reason, detail]; NULL if it can."""
        checks = [
            sql.SQL("WHEN {c} = '' THEN ARRAY['missing_value', 'customer_id is empty']").format(
                c=self.col("customer_id")
            ),
            *self._number_checks("propensity", NUMBER_PATTERN, False),
            *self._number_checks("expected_value", NUMBER_PATTERN, False),
            *self._number_checks("rank", INTEGER_PATTERN, True),
            sql.SQL(
                "WHEN c.id IS NULL THEN ARRAY['unknown_customer', format('customer %s is not in the customer snapshot', left({c}, 64))]"
            ).format(c=self.col("customer_id")),
            sql.SQL(
                "WHEN {o} <> '' AND co.id IS NULL THEN ARRAY['unknown_offer', format('offer %s is not an offer of campaign %s', left({o}, 40), {code})]"
            ).format(o=self.col("offer_code"), code=sql.Literal(self.campaign.code)),
        ]
        return sql.SQL("CASE {} END").format(sql.SQL(" ").join(checks))

    def _raw(self, alias: str) -> sql.Composable:
        return sql.SQL("left(concat_ws(',', {}), 1000)").format(
            sql.SQL(", ").join(
                sql.SQL("coalesce({}.{}, '')").format(sql.Identifier(alias), sql.Identifier(n))
                for n in self.names
            )
        )

    def _member_values(self) -> sql.Composable:
        """The member columns of a staged row ``s`` that keeps every rule (casts are safe)."""
        columns = [
            sql.SQL("s.m_customer, s.m_offer"),
            sql.SQL("nullif({}, '')::float8").format(self.col("propensity")),
            sql.SQL("round(nullif({}, '')::numeric, 2)::numeric(12, 2)").format(
                self.col("expected_value")
            ),
            sql.SQL("nullif({}, '')::bigint::integer").format(self.col("rank")),
        ]
        columns += [sql.SQL("nullif(s.{}, '')").format(sql.Identifier(name)) for name in self.extra]
        return sql.SQL(", ").join(columns)

    def checked_insert(self) -> sql.Composable:
        """Every rule per row in one statement (each row's rules are evaluated once; values are
        cast only for rows that keep them). A customer's first loadable line wins; later lines
        for them are duplicates."""
        attributes = [attribute_column(i) for i in range(len(self.extra))]
        return sql.SQL(
            """
            WITH checked AS MATERIALIZED (
                SELECT s.*, {problem} AS problem0, {cid} AS cid, c.external_id AS m_customer, co.code AS m_offer
                FROM {stage} s
                LEFT JOIN campaigns_customer c ON c.external_id = {cid}
                LEFT JOIN {offers} co ON co.code = {offer}
            ), v AS MATERIALIZED (
                SELECT checked.*, CASE
                    WHEN problem0 IS NOT NULL THEN problem0
                    WHEN line > min(line) FILTER (WHERE problem0 IS NULL) OVER (PARTITION BY cid)
                    THEN ARRAY['duplicate', format('customer %s is already on line %s', left(cid, 64),
                               min(line) FILTER (WHERE problem0 IS NULL) OVER (PARTITION BY cid))]
                END AS problem
                FROM checked
            ), rejected AS (
                INSERT INTO campaigns_loadreject (run_id, line, reason, detail, raw)
                SELECT {run}, v.line, v.problem[1], left(v.problem[2], 300), {raw} FROM v WHERE v.problem IS NOT NULL
            )
            INSERT INTO {part} (customer_external_id, offer_code, propensity, expected_value, rank{attributes})
            SELECT {values} FROM v s WHERE s.problem IS NULL
            """
        ).format(
            values=self._member_values(), problem=self.problem(), cid=self.col("customer_id"), stage=self.trimmed_stage(),
            offers=self.offers(), offer=self.col("offer_code"), run=sql.Literal(self.run.pk), raw=self._raw("v"),
            part=self.part,
            attributes=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(a)) for a in attributes),
        )  # fmt: skip


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


def _fast(cur, info, statements: _MemberSQL, run, progress, clock) -> tuple[int, int, int]:
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
        raise FileRejected(
            _("The file has a header but no rows. Nothing was loaded; the current data stays.")
        )
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


def _repair(cur, info, statements: _MemberSQL, run, keys: set[str], loaded: int, control: int):
    """Take out the rows whose customer is in ``keys`` (rows that break a rule as COPY read
    them), find them in the file, and check them with the batched path's rules: a row that only
    needed trimming is loaded, the others are rejected with their line and reason. Returns
    (loaded, rejected, control); _Refused if the file and the table do not agree."""
    from campaigns.loads.runs import MemberRules, file_rows
    from campaigns.models import LoadReject

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


def _careful(cur, info, statements: _MemberSQL, run, progress) -> tuple[int, int, int]:
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
    statements = _MemberSQL(
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


def activate(
    pg: psycopg.Connection,
    *,
    run: LoadRun,
    version: TargetGroupVersion,
    loaded: int,
    control: int,
    now,
) -> None:
    """Attach the version's table and make it the target group's active version, in one transaction.

    The exclusive lock matters: a reader plans (and fixes its list of partitions) before it
    takes the snapshot it executes with, so without the lock it could see the new pointer but
    not the new partition. Holding the lock, activation waits for running readers and new
    readers wait the few milliseconds activation takes; then they see all of the new version.
    """
    ident = sql.Identifier
    with pg.transaction(), pg.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '30s'")
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(ident(PARENT)))
        cur.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                ident(PARENT), ident(partition_table(version.pk)), sql.Literal(version.pk)
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


def _is_attached(cur, table: str) -> bool:
    cur.execute(
        "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = %s",
        [table],
    )
    return cur.fetchone() is not None


def drop_partition(pg: psycopg.Connection, *, version_id: int) -> None:
    """Remove a version's members: detach its partition and drop the table."""
    table = partition_table(version_id)
    with pg.cursor() as cur:
        if _is_attached(cur, table):
            cur.execute(
                sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                    sql.Identifier(PARENT), sql.Identifier(table)
                )
            )
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


def drop_leftovers(pg: psycopg.Connection, *, run_id: int, version_id: int | None) -> None:
    """Drop what an unfinished load left behind (never a version that went live)."""
    with pg.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(stage_table(run_id))))
        if version_id is not None:
            table = partition_table(version_id)
            if not _is_attached(cur, table):
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
