"""The PostgreSQL fast path of target-group loads.

1. ``COPY`` the file's bytes, as they are, into an unlogged staging table of text columns.
2. One statement applies the row rules in SQL: good rows go into a new table of their
   own (no indexes yet), bad rows into the quarantine with a reason.
3. Indexes and the partition's check constraint are built after the data.
4. ``activate`` attaches the table as the version's partition and switches the target
   group to it, in one transaction.

The rules are the ones of ``loadrules`` (the batched path), written in SQL.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

import psycopg
from django.db import connection
from django.utils.translation import gettext as _
from psycopg import sql

from . import loadfiles
from .choices import LoadStatus
from .loadfiles import FileRejected, InboxFile
from .loadrules import INTEGER_PATTERN, NUMBER_PATTERN, RANGES
from .models import Campaign, LoadRun, TargetGroupVersion

log = logging.getLogger("cvm.loads")
PARENT = "campaigns_targetgroupmember"
WHITESPACE = " \t\r\n\x0b\x0c"  # what Python's str.strip() removes from ASCII text
PROGRESS_EVERY = 8 << 20  # bytes between progress updates


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


def _copy_csv(cur, info: InboxFile, copy_sql, run: LoadRun, progress: Callable) -> None:
    with loadfiles.open_binary(info) as handle:
        _columns, rest = loadfiles.read_csv_header(handle)
        done_lines, since_update = 0, 0
        with cur.copy(copy_sql) as copy:
            data = rest
            while data:
                copy.write(data)
                done_lines += data.count(b"\n")
                since_update += len(data)
                if since_update >= PROGRESS_EVERY:
                    progress(run, done_lines)
                    since_update = 0
                data = handle.read(loadfiles.CHUNK)


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
        original = loadfiles.parquet_columns(info)
    else:
        with loadfiles.open_binary(info) as handle:
            original, _rest = loadfiles.read_csv_header(handle)
    names, extra = loadfiles.check_header(original, info.kind)
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
        campaign: Campaign,
        run: LoadRun,
        version: TargetGroupVersion,
        stage: str,
        part: str,
    ):
        self.present = set(names)
        self.names, self.extra = names, extra
        self.campaign, self.run, self.version = campaign, run, version
        self.stage, self.part, self.part_name = sql.Identifier(stage), sql.Identifier(part), part

    def col(self, name: str) -> sql.Composable:
        """A column of the staging row ``s``, trimmed like Python's str.strip(); NULL if the file lacks it."""
        if name not in self.present:
            return sql.SQL("NULL::text")  # not '': a constant '' would be cast while planning
        return sql.SQL("coalesce(btrim(s.{}, {}), '')").format(
            sql.Identifier(name), sql.Literal(WHITESPACE)
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

    def raw(self, name: str) -> sql.Composable:
        """A column of the staging row ``s`` as it came (NULL for an empty field); NULL if the file lacks it."""
        return (
            sql.SQL("s.{}").format(sql.Identifier(name))
            if name in self.present
            else sql.SQL("NULL::text")
        )

    def offer_map(self) -> sql.Composable:
        """The campaign's offers as a JSON literal code → id: a look-up the parallel workers can do themselves."""
        import json

        codes = dict(self.campaign.offers.values_list("code", "id"))
        return sql.Literal(json.dumps(codes)) + sql.SQL("::jsonb")

    def attributes(self) -> sql.Composable:
        """The extra columns of row ``s`` as a JSON object (NULL when the file has none)."""
        if not self.extra:
            return sql.SQL("NULL::jsonb")
        return sql.SQL("jsonb_build_object({})").format(
            sql.SQL(", ").join(
                sql.SQL("{}, coalesce(s.{}, '')").format(sql.Literal(n), sql.Identifier(n))
                for n in self.extra
            )
        )

    def in_control(self, customer_id: sql.Composable) -> sql.Composable:
        """loadrules.control_bucket in SQL: hashtext of "<customer id>:<campaign code>", unsigned, mod 10000."""
        return sql.SQL(
            "(((hashtext({c} || ':' || {code})::bigint & 4294967295) % 10000) < {share})"
        ).format(
            c=customer_id,
            code=sql.Literal(self.campaign.code),
            share=sql.Literal(int(self.campaign.control_share * 100)),
        )

    def values(self, *, trimmed: bool) -> sql.Composable:
        """The member columns, in the parent table's order, from a valid staged row ``s`` joined to ``c`` and ``co``.
        Casts ignore surrounding spaces themselves; ``trimmed`` only matters for the empty check."""
        col = self.col if trimmed else self.raw
        return sql.SQL(
            "nullif({p}, '')::float8 AS propensity,"
            " round(nullif({ev}, '')::numeric, 2)::numeric(12, 2) AS expected_value,"
            " nullif({r}, '')::bigint::integer AS rank,"
            " {control} AS is_control,"
            " s.line::integer AS line,"
            " {attributes} AS attributes,"
            " c.id AS customer_id,"
            " {offer_id}::bigint AS offer_id,"
            " {version}::bigint AS version_id"
        ).format(
            p=col("propensity"), ev=col("expected_value"), r=col("rank"),
            control=self.in_control(sql.SQL("c.external_id")), attributes=self.attributes(),
            version=sql.Literal(self.version.pk),
            offer_id=sql.SQL("co.id") if trimmed else sql.SQL("({} ->> {})").format(self.offer_map(), self.raw("offer_code")),
        )  # fmt: skip

    def fast_table(self) -> sql.Composable:
        """The rows that are valid as they stand, straight into the version's table. Join keys are used
        untrimmed and numbers are cast without their patterns first: a value a cast cannot read raises,
        and the load falls back to ``checked_insert``; rows that only needed trimming come in later."""

        def number_ok(name: str, whole: bool) -> sql.Composable:
            low, high, _text = RANGES[name]
            v = self.raw(name)
            if whole:
                check = sql.SQL("{v}::bigint BETWEEN {low} AND {high}")
            else:
                # Plain decimals need no pattern; an exponent must be the short kind the pattern allows.
                check = sql.SQL(
                    "(strpos({v}, 'e') = 0 AND strpos({v}, 'E') = 0 OR {v} ~ {p}) AND {v}::numeric BETWEEN {low} AND {high}"
                )
            return sql.SQL("({v} IS NULL OR {v} = '' OR ({check}))").format(
                v=v,
                check=check.format(
                    v=v, p=sql.Literal(NUMBER_PATTERN), low=sql.Literal(low), high=sql.Literal(high)
                ),
            )

        return sql.SQL(
            "CREATE TABLE {part} AS SELECT {values} FROM {stage} s"
            " JOIN campaigns_customer c ON c.external_id = {cid}"
            " WHERE ({offer} IS NULL OR {offer} = '' OR {offers} ? {offer}) AND {p} AND {ev} AND {r}"
        ).format(
            part=self.part, values=self.values(trimmed=False), stage=self.stage, cid=self.raw("customer_id"),
            offers=self.offer_map(), offer=self.raw("offer_code"), p=number_ok("propensity", False),
            ev=number_ok("expected_value", False), r=number_ok("rank", True),
        )  # fmt: skip

    def missing_lines(self) -> sql.Composable:
        """Staged rows the fast statement left out: load those that were valid once trimmed, quarantine the rest."""
        return sql.SQL(
            "CREATE TEMP TABLE {missing} ON COMMIT DROP AS"
            " SELECT s.*, c.id AS c_id, co.id AS co_id, {problem} AS problem"
            " FROM (SELECT * FROM {stage} s WHERE NOT EXISTS (SELECT 1 FROM {part} p WHERE p.line = s.line)) s"
            " LEFT JOIN campaigns_customer c ON c.external_id = {cid}"
            " LEFT JOIN {offers} co ON co.code = {offer}"
        ).format(
            missing=sql.Identifier(f"{self.part_name}_missing"), problem=self.problem(), stage=self.stage, part=self.part,
            cid=self.col("customer_id"), offers=self.offers(), offer=self.col("offer_code"),
        )  # fmt: skip

    def load_trimmed(self) -> sql.Composable:
        return sql.SQL(
            "INSERT INTO {part} (propensity, expected_value, rank, is_control, line, attributes, customer_id, offer_id, version_id)"
            " SELECT {values} FROM {missing} s"
            " JOIN campaigns_customer c ON c.id = s.c_id LEFT JOIN campaigns_offer co ON co.id = s.co_id"
            " WHERE s.problem IS NULL"
        ).format(
            part=self.part,
            values=self.values(trimmed=True),
            missing=sql.Identifier(f"{self.part_name}_missing"),
        )

    def reject_missing(self) -> sql.Composable:
        return sql.SQL(
            "INSERT INTO campaigns_loadreject (run_id, line, reason, detail, raw)"
            " SELECT {run}, s.line, s.problem[1], left(s.problem[2], 300), {raw} FROM {missing} s WHERE s.problem IS NOT NULL"
        ).format(
            run=sql.Literal(self.run.pk),
            raw=self._raw("s"),
            missing=sql.Identifier(f"{self.part_name}_missing"),
        )

    def _raw(self, alias: str) -> sql.Composable:
        return sql.SQL("left(concat_ws(',', {}), 1000)").format(
            sql.SQL(", ").join(
                sql.SQL("coalesce({}.{}, '')").format(sql.Identifier(alias), sql.Identifier(n))
                for n in self.names
            )
        )

    def checked_insert(self) -> sql.Composable:
        """The careful way, for files with unreadable values or duplicates: every rule per row in one statement.
        A customer's first loadable line wins; later lines for them are duplicates."""
        return sql.SQL(
            """
            WITH checked AS MATERIALIZED (
                SELECT s.*, {values_row}, {problem} AS problem0, {cid} AS cid
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
            INSERT INTO {part} (propensity, expected_value, rank, is_control, line, attributes, customer_id, offer_id, version_id)
            SELECT m_propensity, m_expected_value, m_rank, m_is_control, line, m_attributes, m_customer_id, m_offer_id, m_version_id
            FROM v WHERE v.problem IS NULL
            """
        ).format(
            values_row=self._values_for_checked(), problem=self.problem(), cid=self.col("customer_id"), stage=self.stage,
            offers=self.offers(), offer=self.col("offer_code"), run=sql.Literal(self.run.pk), raw=self._raw("v"),
            part=self.part,
        )  # fmt: skip

    def _values_for_checked(self) -> sql.Composable:
        """Member values computed only where the row's casts are safe (its problem is NULL)."""
        safe = sql.SQL("({}) IS NULL").format(self.problem())
        parts = [
            ("m_propensity", sql.SQL("nullif({}, '')::float8").format(self.col("propensity"))),
            (
                "m_expected_value",
                sql.SQL("round(nullif({}, '')::numeric, 2)::numeric(12, 2)").format(
                    self.col("expected_value")
                ),
            ),
            ("m_rank", sql.SQL("nullif({}, '')::bigint::integer").format(self.col("rank"))),
        ]
        columns = [
            sql.SQL("CASE WHEN {safe} THEN {expr} END AS {name}").format(
                safe=safe, expr=expr, name=sql.Identifier(name)
            )
            for name, expr in parts
        ]
        columns += [
            sql.SQL("{} AS m_is_control").format(self.in_control(self.col("customer_id"))),
            sql.SQL("{} AS m_attributes").format(self.attributes()),
            sql.SQL(
                "c.id AS m_customer_id, co.id AS m_offer_id, {}::bigint AS m_version_id"
            ).format(sql.Literal(self.version.pk)),
        ]
        return sql.SQL(", ").join(columns)

    def finish_table(self) -> sql.Composable:
        """Constraints after the data: one scan checks them all; the PK is the only index (lookups by
        customer go through it, partition by partition); the CHECK lets ATTACH skip its own scan."""
        return sql.SQL(
            "ALTER TABLE {part} ALTER COLUMN is_control SET NOT NULL, ALTER COLUMN line SET NOT NULL,"
            " ADD PRIMARY KEY (version_id, customer_id), ADD CONSTRAINT {check} CHECK (version_id = {version})"
        ).format(
            part=self.part,
            check=sql.Identifier(f"{self.part_name}_version"),
            version=sql.Literal(self.version.pk),
        )


def stage_members(
    pg: psycopg.Connection,
    *,
    run: LoadRun,
    info: InboxFile,
    version: TargetGroupVersion,
    campaign: Campaign,
    progress: Callable[[LoadRun, int], None],
) -> tuple[int, int, int]:
    """Stage, check and store a target-group file's rows for ``version``; returns (loaded, rejected, control)."""
    names, extra, original = _header(info)
    stage, part = stage_table(run.pk), partition_table(version.pk)
    statements = _MemberSQL(
        names=names,
        extra=extra,
        campaign=campaign,
        run=run,
        version=version,
        stage=stage,
        part=part,
    )
    ident = sql.Identifier
    clock = _Clock(run.pk)
    with pg.cursor() as cur:
        staged = _copy_into_stage(cur, info, names, original, stage, run, progress)
        clock.lap("copy")
        cur.execute("SET work_mem = '256MB'")  # the customer hash and the sorts stay in memory
        cur.execute("SET jit = off")  # compiling costs more than it saves for one pass
        cur.execute("SET maintenance_work_mem = '512MB'")  # the primary key is sorted in memory...
        cur.execute("SET max_parallel_maintenance_workers = 2")  # ...by both cores
        # The row estimates of a staging table of text are poor; a nested loop over millions of
        # index look-ups is then the planner's mistake. Hash joins are always right here.
        cur.execute("SET enable_nestloop = off")
        cur.execute(
            sql.SQL("ANALYZE {}").format(ident(stage))
        )  # row estimates let the planner use both cores
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(part)))
        clock.lap("analyze")
        try:
            with pg.transaction():
                cur.execute(statements.fast_table())
                clock.lap("fast statement")
                if cur.rowcount < staged:
                    cur.execute(statements.missing_lines())
                    cur.execute(statements.load_trimmed())
                    cur.execute(statements.reject_missing())
                    clock.lap("left-out rows")
                cur.execute(statements.finish_table())
                clock.lap("constraints")
            fast = True
        except (psycopg.errors.DataError, psycopg.errors.UniqueViolation) as exc:
            fast = False  # an unreadable value or a duplicate customer: take the careful way
            log.info("load %s: careful statement (%s)", run.pk, exc.__class__.__name__)
        if not fast:
            cur.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(
                    ident(part), ident(PARENT)
                )
            )
            cur.execute(statements.checked_insert())
            cur.execute(statements.finish_table())
        cur.execute(
            sql.SQL("SELECT count(*), count(*) FILTER (WHERE is_control) FROM {}").format(
                ident(part)
            )
        )
        loaded, control = cur.fetchone()
        cur.execute("SELECT count(*) FROM campaigns_loadreject WHERE run_id = %s", [run.pk])
        rejected = cur.fetchone()[0]
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(stage)))
        clock.lap("counts and rejects")
    if loaded + rejected != staged:
        raise RuntimeError(f"{staged} rows staged but {loaded} loaded and {rejected} rejected")
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
