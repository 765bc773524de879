"""Keeping the daily execution rollups (``campaigns.models.rollups``) up to date from raw rows.

``refresh_days(first, last)`` rewrites those days from the raw rows, in one transaction, so
running it twice changes nothing: decisions and presentations by the decision's day, outcomes
by the day they were recorded (an undone outcome's row is gone, so it counts nowhere),
confirmed conversions by the day of the acceptance (``campaigns.conversions``), first contacts
(reach), and the delivery side's call attempts (``campaigns.results.sources``). Days are days
in the portal's time zone, as the confirmed conversions count them.

``refresh_recent`` is what the schedule runs: yesterday and today, and every day a conversions
load that arrived since the last run can confirm. ``rebuild`` redoes history, a week at a time
(``manage.py rebuild_results``). Each run is logged (``ResultsRefresh``): the pages say how
fresh their figures are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns import store
from campaigns.choices import LoadKind, LoadStatus, Outcome
from campaigns.conversions import confirmed_for_responses
from campaigns.models import (
    COUNTERS,
    Campaign,
    Conversion,
    DailyExecution,
    DailyReason,
    FirstContact,
    Grain,
    LoadRun,
    Presentation,
    Response,
    ResultsRefresh,
)

from .sources import delivery

# (day, campaign id, channel kind, site id or None, agent id or None)
Key = tuple[date, int, str, int | None, int | None]
SLOT = {name: i for i, name in enumerate(COUNTERS)}
CHUNK_DAYS = 7  # a rebuild rewrites a week per transaction
WRITE_BATCH = 2000
KEEP_REFRESH_LOG = timedelta(days=30)


def zone():
    return timezone.get_default_timezone()


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments that start ``first`` and end ``last`` in the portal's time zone."""
    return (
        datetime.combine(first, time.min, tzinfo=zone()),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone()),
    )


class _Cells(defaultdict):
    """Counters per cell (a Key), a list in the order of COUNTERS."""

    def __init__(self) -> None:
        super().__init__(lambda: [0] * len(COUNTERS))

    def add(self, key: Key, name: str, n: int) -> None:
        if n:
            self[key][SLOT[name]] += n


# --- the raw rows, counted per cell ---------------------------------------------------------


def _count_presentations(cells: _Cells, start: datetime, end: datetime) -> None:
    rows = (
        Presentation.objects.filter(decision__created_at__gte=start, decision__created_at__lt=end)
        .annotate(day=TruncDate("decision__created_at", tzinfo=zone()))
        .values(
            "day",
            "campaign_id",
            "decision__channel_kind",
            "decision__site_id",
            "decision__agent_id",
        )
        .annotate(
            shown_n=Count("pk", filter=Q(held_out=False)),
            held_n=Count("pk", filter=Q(held_out=True)),
            contacts_n=Count("decision_id", distinct=True, filter=Q(held_out=False)),
        )
        .order_by()
    )
    for row in rows:
        key = (
            row["day"], row["campaign_id"], row["decision__channel_kind"],
            row["decision__site_id"], row["decision__agent_id"],
        )  # fmt: skip
        cells.add(key, "contacts", row["contacts_n"])
        cells.add(key, "shown", row["shown_n"])
        cells.add(key, "held_out", row["held_n"])


def _recorded(start: datetime, end: datetime):
    return Response.objects.filter(recorded_at__gte=start, recorded_at__lt=end).annotate(
        day=TruncDate("recorded_at", tzinfo=zone())
    )


DIMENSIONS = ("day", "campaign_id", "channel_kind", "site_id", "agent_id")


def _count_outcomes(
    cells: _Cells, reasons: dict[tuple[Key, str, str], int], start: datetime, end: datetime
) -> None:
    rows = (
        _recorded(start, end)
        .values(*DIMENSIONS)
        .annotate(**{o: Count("pk", filter=Q(outcome=o)) for o in Outcome.values})
        .order_by()
    )
    for row in rows:
        key = tuple(row[d] for d in DIMENSIONS)
        for outcome in Outcome.values:
            cells.add(key, outcome, row[outcome])
    declines = (
        _recorded(start, end)
        .filter(outcome=Outcome.DECLINED)
        .values(*DIMENSIONS, "decline_reason__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in declines:
        key = tuple(row[d] for d in DIMENSIONS)
        reasons[(key, Outcome.DECLINED, row["decline_reason__code"] or "")] += row["n"]
    not_presented = (
        _recorded(start, end)
        .filter(outcome=Outcome.NOT_PRESENTED)
        .values(*DIMENSIONS, "not_presented_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in not_presented:
        key = tuple(row[d] for d in DIMENSIONS)
        reasons[(key, Outcome.NOT_PRESENTED, row["not_presented_reason"])] += row["n"]


def confirmed_cells(first: date, last: date) -> dict[Key, int]:
    """Confirmed conversions of the offers accepted on ``first`` to ``last``, per cell. One
    pass over the accepted offers of the period (by the index on the time of recording), the
    confirmations held as ids only."""
    start, end = bounds(first, last)
    confirmed = set(confirmed_for_responses(since=start))
    found: dict[Key, int] = defaultdict(int)
    if not confirmed:
        return found
    accepted = _recorded(start, end).filter(outcome=Outcome.ACCEPTED)
    for pk, *key in accepted.values_list("pk", *DIMENSIONS).iterator(chunk_size=WRITE_BATCH):
        if pk in confirmed:
            found[tuple(key)] += 1
    return found


# First contacts: each (campaign, customer, channel kind, held out)'s earliest decision. One
# statement on either database: the decisions of the period, the first of each key (a window
# function), merged so that an earlier contact wins over a stored later one.
FIRST_CONTACTS_SQL = """
INSERT INTO campaigns_firstcontact
    (campaign_id, customer_id, channel_kind, held_out, first_at, site_id, agent_id)
SELECT campaign_id, customer_id, channel_kind, held_out, created_at, site_id, agent_id FROM (
    SELECT p.campaign_id, d.customer_id, d.channel_kind, p.held_out, d.created_at, d.site_id,
           d.agent_id,
           ROW_NUMBER() OVER (
               PARTITION BY p.campaign_id, d.customer_id, d.channel_kind, p.held_out
               ORDER BY d.created_at, p.id
           ) AS position
    FROM campaigns_presentation p JOIN campaigns_decision d ON d.id = p.decision_id
    WHERE d.created_at >= %s AND d.created_at < %s
) firsts
WHERE position = 1
ON CONFLICT (campaign_id, customer_id, channel_kind, held_out) DO UPDATE
SET first_at = excluded.first_at, site_id = excluded.site_id, agent_id = excluded.agent_id
WHERE excluded.first_at < campaigns_firstcontact.first_at
"""


def _record_first_contacts(start: datetime, end: datetime) -> None:
    FirstContact.objects.filter(first_at__gte=start, first_at__lt=end).delete()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(FIRST_CONTACTS_SQL, [adapt(start), adapt(end)])


def _count_reach(cells: _Cells, start: datetime, end: datetime) -> None:
    firsts = FirstContact.objects.filter(first_at__gte=start, first_at__lt=end, held_out=False)
    earlier_elsewhere = FirstContact.objects.filter(
        campaign_id=OuterRef("campaign_id"), customer_id=OuterRef("customer_id"), held_out=False
    ).filter(
        Q(first_at__lt=OuterRef("first_at"))
        | Q(first_at=OuterRef("first_at"), channel_kind__lt=OuterRef("channel_kind"))
    )
    rows = (
        firsts.annotate(day=TruncDate("first_at", tzinfo=zone()))
        .values(*DIMENSIONS)
        .annotate(new=Count("pk"), new_any=Count("pk", filter=~Exists(earlier_elsewhere)))
        .order_by()
    )
    for row in rows:
        key = tuple(row[d] for d in DIMENSIONS)
        cells.add(key, "reached_new", row["new"])
        cells.add(key, "reached_new_any", row["new_any"])


# --- writing the three grains ---------------------------------------------------------------


def _coarser(key: Key, grain: Grain) -> Key:
    day, campaign_id, kind, site_id, agent_id = key
    if grain == Grain.SITE:
        return (day, campaign_id, kind, site_id, None)
    if grain == Grain.CHANNEL:
        return (day, campaign_id, kind, None, None)
    return key


KEY_COLUMNS = ("grain", "day", "campaign_id", "channel_kind", "site_id", "agent_id")
EXECUTION_COLUMNS = (*KEY_COLUMNS, *COUNTERS)
REASON_COLUMNS = (*KEY_COLUMNS, "outcome", "reason", "count")


def _execution_rows(cells: _Cells) -> Iterator[tuple]:
    """DailyExecution rows (as EXECUTION_COLUMNS) of every grain."""
    for grain in Grain:
        totals = _Cells()
        for key, counts in cells.items():
            target = totals[_coarser(key, grain)]
            for i, n in enumerate(counts):
                target[i] += n
        for key, counts in totals.items():
            yield (grain.value, *key, *counts)


def _reason_rows(reasons: dict[tuple[Key, str, str], int]) -> Iterator[tuple]:
    """DailyReason rows (as REASON_COLUMNS) of every grain."""
    for grain in Grain:
        totals: dict[tuple[Key, str, str], int] = defaultdict(int)
        for (key, outcome, reason), n in reasons.items():
            totals[(_coarser(key, grain), outcome, reason)] += n
        for (key, outcome, reason), n in totals.items():
            yield (grain.value, *key, outcome, reason, n)


def _copy_rows(model, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    """PostgreSQL: COPY (a day at 20 M presentations writes some 100,000 rows)."""
    written = 0
    statement = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _create_rows(model, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    """Elsewhere: the ORM's bulk insert."""
    made = (model(**dict(zip(columns, row, strict=True))) for row in rows)
    return len(model.objects.bulk_create(made, batch_size=WRITE_BATCH))


def _write(model, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    return store.pick(postgresql=_copy_rows, portable=_create_rows)(model, columns, rows)


def _serialise() -> None:
    """Two refreshes never interleave their deletes and inserts. PostgreSQL: a lock held to the
    end of the transaction; SQLite's transactions here take its one write lock at BEGIN."""
    store.pick(postgresql=_advisory_lock, portable=lambda: None)()


def _advisory_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('campaigns.results.refresh'))")


def refresh_days(*, first: date, last: date, confirmed: dict[Key, int] | None = None) -> int:
    """Rewrite the rollups of ``first`` to ``last`` (both included) from the raw rows, all or
    nothing; returns the rows written. ``confirmed`` (from ``confirmed_cells``) may be given
    by a caller that counted a longer stretch at once."""
    if last < first:
        raise ValueError("The last day comes before the first.")
    start, end = bounds(first, last)
    with transaction.atomic():
        _serialise()
        DailyExecution.objects.filter(day__gte=first, day__lte=last).delete()
        DailyReason.objects.filter(day__gte=first, day__lte=last).delete()
        _record_first_contacts(start, end)
        cells, reasons = _Cells(), defaultdict(int)
        _count_presentations(cells, start, end)
        _count_outcomes(cells, reasons, start, end)
        for key, n in (confirmed_cells(first, last) if confirmed is None else confirmed).items():
            if first <= key[0] <= last:
                cells.add(key, "confirmed", n)
        _count_reach(cells, start, end)
        for key, counters in delivery().outbound_days(first, last).items():
            for name, n in counters.items():
                cells.add(key, name, n)
        written = _write(DailyExecution, EXECUTION_COLUMNS, _execution_rows(cells))
        written += _write(DailyReason, REASON_COLUMNS, _reason_rows(reasons))
    return written


def _chunks(first: date, last: date, days: int) -> Iterator[tuple[date, date]]:
    while first <= last:
        yield first, min(last, first + timedelta(days=days - 1))
        first += timedelta(days=days)


def rebuild(*, since: date, until: date | None = None, progress=None) -> ResultsRefresh:
    """Rewrite every day from ``since`` to ``until`` (default today), a week per transaction,
    oldest first (a first contact found in a week counts before the weeks after it)."""
    started = timezone.now()
    until = until or timezone.localdate(started)
    newest = _newest_conversions_run()
    confirmed = confirmed_cells(since, until)
    written = 0
    for first, last in _chunks(since, until, CHUNK_DAYS):
        written += refresh_days(first=first, last=last, confirmed=confirmed)
        if progress is not None:
            progress(first, last, written)
    return _log(first=since, last=until, started=started, newest=newest, written=written)


# --- the schedule ---------------------------------------------------------------------------


def _newest_conversions_run() -> int | None:
    return LoadRun.objects.filter(kind=LoadKind.CONVERSIONS, status=LoadStatus.SUCCEEDED).aggregate(
        newest=Max("pk")
    )["newest"]


def _first_day_new_conversions_touch(after_run_id: int | None, newest: int | None) -> date | None:
    """The first acceptance day that the conversions loaded after run ``after_run_id`` (up to
    ``newest``) can confirm; None when they confirm nothing new."""
    if newest is None or (after_run_id is not None and newest <= after_run_id):
        return None
    runs = LoadRun.objects.filter(
        kind=LoadKind.CONVERSIONS, status=LoadStatus.SUCCEEDED, pk__lte=newest
    )
    if after_run_id is not None:
        runs = runs.filter(pk__gt=after_run_id)
    earliest = Conversion.objects.filter(load_run__in=runs).aggregate(day=Min("activated_on"))
    if earliest["day"] is None:  # loads whose rows were all known already
        return None
    window = Campaign.objects.aggregate(days=Max("attribution_days"))["days"] or 0
    return earliest["day"] - timedelta(days=window)


def _earliest_activity() -> date | None:
    """The first day with a response: redoing days before it would find nothing."""
    first = Response.objects.aggregate(first=Min("recorded_at"))["first"]
    return timezone.localdate(first) if first else None


def refresh_recent(*, now: datetime | None = None) -> ResultsRefresh:
    """Yesterday and today, and every earlier day that the conversions loaded since the last
    refresh can confirm. Safe to run twice."""
    started = now or timezone.now()
    today = timezone.localdate(started)
    previous = last_refresh()
    newest = _newest_conversions_run()
    first = today - timedelta(days=1)
    touched = _first_day_new_conversions_touch(
        previous.conversions_run_id if previous else None, newest
    )
    if touched is not None and touched < first:
        first = min(first, max(touched, _earliest_activity() or first))
    written = 0
    for chunk_first, chunk_last in _chunks(first, today, CHUNK_DAYS):
        written += refresh_days(first=chunk_first, last=chunk_last)
    ResultsRefresh.objects.filter(finished_at__lt=started - KEEP_REFRESH_LOG).delete()
    return _log(first=first, last=today, started=started, newest=newest, written=written)


def _log(*, first: date, last: date, started: datetime, newest: int | None, written: int):
    return ResultsRefresh.objects.create(
        first_day=first,
        last_day=last,
        started_at=started,
        finished_at=timezone.now(),
        conversions_run_id=newest,
        rows=written,
    )


def last_refresh() -> ResultsRefresh | None:
    return ResultsRefresh.objects.order_by("-finished_at").first()
