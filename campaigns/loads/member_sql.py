"""The statements of one target-group load on PostgreSQL's fast path, built from the file's
header and the campaign: the version's table, its COPY, the checks and counts of the copied
rows, and the careful path's one statement that applies every row rule in SQL.

The rules are those of ``campaigns.loads.rules`` (the batched path), written in SQL; the
control group is ``campaigns.control.BUCKET_SQL``.
"""

from __future__ import annotations

from psycopg import sql

from campaigns import control
from campaigns.loads import files
from campaigns.loads.rules import (
    INTEGER_PATTERN,
    NUMBER_PATTERN,
    RANGES,
    REASON_INVISIBLE,
    REASON_MARKUP,
    REASON_MAX_LENGTH,
    REASON_SPACES,
    REASON_UNCLEAN,
)
from campaigns.models import Campaign, LoadRun, TargetGroupVersion
from campaigns.models.targeting import attribute_column

WHITESPACE = " \t\r\n\x0b\x0c"  # what Python's str.strip() removes from ASCII text
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
    "reason": "reason",
}


class MemberSQL:
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
        """TargetGroupVersion.in_control in SQL (campaigns.control.BUCKET_SQL)."""
        bucket = sql.SQL(control.BUCKET_SQL).format(
            customer=customer_id, suffix=sql.Literal(control.key_suffix(self.version.control_code))
        )
        return sql.SQL("({} < {})").format(
            bucket, sql.Literal(control.threshold(self.version.control_share))
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
            " reason text NULL, {attributes}, CONSTRAINT {check} CHECK (version_id = {version}))"
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
        if "reason" in self.present:  # a file without the column costs nothing more
            rules.append(
                sql.SQL("(m.reason !~ {} AND char_length(m.reason) <= {})").format(
                    sql.Literal(REASON_UNCLEAN), sql.Literal(REASON_MAX_LENGTH)
                )
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
        return [
            "customer_external_id", "offer_code", "propensity", "expected_value", "rank", "reason",
            *(attribute_column(i) for i in range(len(self.extra))),
        ]  # fmt: skip

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
            sql.SQL("coalesce({}, '') AS {}").format(
                self._cleaned(name), sql.Identifier(f"trimmed:{name}")
            )
            for name in MEMBER_COLUMN
            if name in self.present
        ]
        return sql.SQL("(SELECT s.*, {} FROM {} s OFFSET 0)").format(
            sql.SQL(", ").join(trims), self.stage
        )

    def _cleaned(self, name: str) -> sql.Composable:
        """A staged column as the rules read it: trimmed, or for the reason cleaned
        (``rules.clean_reason``: invisible characters out, whitespace runs one space)."""
        column = sql.SQL("s.{}").format(sql.Identifier(name))
        if name != "reason":
            return sql.SQL("btrim({}, {})").format(column, sql.Literal(WHITESPACE))
        return sql.SQL(
            "btrim(regexp_replace(regexp_replace({}, {}, '', 'g'), {}, ' ', 'g'), ' ')"
        ).format(column, sql.Literal(REASON_INVISIBLE), sql.Literal(REASON_SPACES))

    def _reason_checks(self) -> list[sql.Composable]:
        if "reason" not in self.present:
            return []
        r, markup = self.col("reason"), sql.Literal(REASON_MARKUP)
        return [
            sql.SQL(
                "WHEN {r} ~ {markup} THEN ARRAY['bad_text', format('reason contains markup (“%s”)', substring({r} from {markup}))]"
            ).format(r=r, markup=markup),
            sql.SQL(
                "WHEN char_length({r}) > {limit} THEN ARRAY['bad_text', format('reason is %s characters long (at most {limit})', char_length({r}))]"
            ).format(r=r, limit=sql.Literal(REASON_MAX_LENGTH)),
        ]

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
            *self._reason_checks(),
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
            sql.SQL("nullif({}, '')").format(self.col("reason")),
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
            INSERT INTO {part} (customer_external_id, offer_code, propensity, expected_value, rank, reason{attributes})
            SELECT {values} FROM v s WHERE s.problem IS NULL
            """
        ).format(
            values=self._member_values(), problem=self.problem(), cid=self.col("customer_id"), stage=self.trimmed_stage(),
            offers=self.offers(), offer=self.col("offer_code"), run=sql.Literal(self.run.pk), raw=self._raw("v"),
            part=self.part,
            attributes=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(a)) for a in attributes),
        )  # fmt: skip
