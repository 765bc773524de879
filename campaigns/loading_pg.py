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

import re
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


def _text(column: str) -> sql.Composable:
    return sql.SQL("coalesce(btrim(s.{}, {}), '')").format(
        sql.Identifier(column), sql.Literal(WHITESPACE)
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
    present = set(names)
    ident = sql.Identifier
    with pg.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(stage)))
        cur.execute(
            sql.SQL(
                "CREATE UNLOGGED TABLE {} (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), {})"
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
        except psycopg.errors.DataError as exc:
            raise _copy_error(exc) from exc
        except psycopg.errors.BadCopyFileFormat as exc:
            raise _copy_error(exc) from exc
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(ident(stage)))
        staged = cur.fetchone()[0]
        progress(run, staged)
        if staged == 0:
            raise FileRejected(
                _("The file has a header but no rows. Nothing was loaded; the current data stays.")
            )

        def col(name: str) -> sql.Composable:
            return _text(name) if name in present else sql.SQL("''")

        def number_checks(name: str, pattern: str, whole: bool) -> list[sql.Composable]:
            low, high, text = RANGES[name]
            kind = "whole number" if whole else "number"
            bound = sql.SQL("{v}::numeric < {low}").format(v=col(name), low=sql.Literal(low))
            if high is not None:
                bound = sql.SQL("({b} OR {v}::numeric > {high})").format(
                    b=bound, v=col(name), high=sql.Literal(high)
                )
            return [
                sql.SQL(
                    "WHEN {v} <> '' AND {v} !~ {p} THEN ARRAY['bad_number', format('%s “%s” is not a {kind}', {n}, left({v}, 40))]"
                ).format(
                    v=col(name), p=sql.Literal(pattern), n=sql.Literal(name), kind=sql.SQL(kind)
                ),
                sql.SQL(
                    "WHEN {v} <> '' AND {bound} THEN ARRAY['out_of_range', format('%s %s is out of range ({text})', {n}, left({v}, 40))]"
                ).format(
                    v=col(name),
                    bound=bound,
                    n=sql.Literal(name),
                    text=sql.SQL(text.replace("%", "%%")),
                ),
            ]

        checks = [
            sql.SQL("WHEN {c} = '' THEN ARRAY['missing_value', 'customer_id is empty']").format(
                c=col("customer_id")
            ),
            *number_checks("propensity", NUMBER_PATTERN, False),
            *number_checks("expected_value", NUMBER_PATTERN, False),
            *number_checks("rank", INTEGER_PATTERN, True),
            sql.SQL(
                "WHEN c.id IS NULL THEN ARRAY['unknown_customer', format('customer %s is not in the customer snapshot', left({c}, 64))]"
            ).format(c=col("customer_id")),
            sql.SQL(
                "WHEN {o} <> '' AND co.id IS NULL THEN ARRAY['unknown_offer', format('offer %s is not an offer of campaign %s', left({o}, 40), {code})]"
            ).format(o=col("offer_code"), code=sql.Literal(campaign.code)),
            sql.SQL(
                "WHEN s.line > min(s.line) OVER w THEN ARRAY['duplicate', format('customer %s is already on line %s', left({c}, 64), min(s.line) OVER w)]"
            ).format(c=col("customer_id")),
        ]
        attributes = (
            sql.SQL("jsonb_build_object({})").format(
                sql.SQL(", ").join(
                    sql.SQL("{}, coalesce(v.{}, '')").format(sql.Literal(n), ident(n))
                    for n in extra
                )
            )
            if extra
            else sql.SQL("NULL::jsonb")
        )
        raw = sql.SQL("left(concat_ws(',', {}), 1000)").format(
            sql.SQL(", ").join(sql.SQL("coalesce(v.{}, '')").format(ident(n)) for n in names)
        )
        share = int(campaign.control_share * 100)
        statement = sql.SQL(
            """
            WITH v AS MATERIALIZED (
                SELECT s.*, {cid} AS cid, c.id AS customer_pk, co.id AS offer_pk,
                       CASE {checks} END AS problem
                FROM {stage} s
                LEFT JOIN campaigns_customer c ON c.external_id = {cid}
                LEFT JOIN (
                    SELECT o.id, o.code FROM campaigns_offer o
                    JOIN campaigns_campaign_offers m ON m.offer_id = o.id
                    WHERE m.campaign_id = {campaign}
                ) co ON co.code = {offer}
                WINDOW w AS (PARTITION BY {cid})
            ), rejected AS (
                INSERT INTO campaigns_loadreject (run_id, line, reason, detail, raw)
                SELECT {run}, v.line, v.problem[1], left(v.problem[2], 300), {raw} FROM v WHERE v.problem IS NOT NULL
                RETURNING 1
            ), stored AS (
                INSERT INTO {part} (version_id, customer_id, offer_id, propensity, expected_value, rank,
                                    is_control, line, attributes)
                SELECT {version}, v.customer_pk, v.offer_pk,
                       nullif({prop}, '')::float8, round(nullif({ev}, '')::numeric, 2), nullif({rank}, '')::int,
                       (('x' || substr(md5(v.cid || ':' || {code}), 1, 8))::bit(32)::bigint % 10000) < {share},
                       v.line, {attributes}
                FROM v WHERE v.problem IS NULL
                RETURNING is_control
            )
            SELECT (SELECT count(*) FROM stored), (SELECT count(*) FROM rejected),
                   (SELECT count(*) FROM stored WHERE is_control)
            """
        ).format(
            cid=col("customer_id"),
            offer=col("offer_code"),
            checks=sql.SQL(" ").join(checks),
            stage=ident(stage),
            campaign=sql.Literal(campaign.pk),
            run=sql.Literal(run.pk),
            raw=raw,
            part=ident(part),
            version=sql.Literal(version.pk),
            prop=sql.SQL("coalesce(btrim(v.{}, {}), '')").format(
                ident("propensity"), sql.Literal(WHITESPACE)
            )
            if "propensity" in present
            else sql.SQL("''"),
            ev=sql.SQL("coalesce(btrim(v.{}, {}), '')").format(
                ident("expected_value"), sql.Literal(WHITESPACE)
            )
            if "expected_value" in present
            else sql.SQL("''"),
            rank=sql.SQL("coalesce(btrim(v.{}, {}), '')").format(
                ident("rank"), sql.Literal(WHITESPACE)
            )
            if "rank" in present
            else sql.SQL("''"),
            code=sql.Literal(campaign.code),
            share=sql.Literal(share),
            attributes=attributes,
        )
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(part)))
        cur.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(
                ident(part), ident(PARENT)
            )
        )
        cur.execute(statement)
        loaded, rejected, control = cur.fetchone()
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident(stage)))
        # Indexes after the data; the check lets ATTACH skip its validating scan.
        cur.execute(
            sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (version_id, customer_id)").format(ident(part))
        )
        cur.execute(sql.SQL("CREATE INDEX ON {} (customer_id, version_id)").format(ident(part)))
        cur.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK (version_id = {})").format(
                ident(part), ident(f"{part}_version"), sql.Literal(version.pk)
            )
        )
        cur.execute(sql.SQL("ANALYZE {}").format(ident(part)))
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
    """Attach the version's table and make it the target group's active version, in one transaction."""
    ident = sql.Identifier
    with pg.transaction(), pg.cursor() as cur:
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
