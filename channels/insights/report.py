"""What customers need, read from agents' notes and reviewed call recordings: the figures of the
insight page, its CSV, and the needs section of the weekly sales digest.

Every count is one GROUP BY over the notes–needs link table (a note that names two needs counts
once for each), with the week cut by ``TruncWeek`` in the portal's time zone: no note is read
into Python, so the page stays fast with a hundred thousand notes. A need's *share* is of the
notes written under the same filters, so the shares of one row may add up to more than 100 %.

A note's segment is its customer's segment today (the warehouse's latest view); its site is the
author's site when they wrote it (None for CVM staff), which is also what a team lead may read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateField, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import channel_registry
from campaigns.choices import ChannelKind, Segment
from campaigns.models import Campaign, DeclineReason, NeedTag
from cvm_portal import formatting as fmt
from cvm_portal.roles import Role, roles_of

from ..models import CustomerNote, ResearchItem, Site, profile_of

MANAGERS = {Role.CVM_MANAGER, Role.ADMINISTRATOR}
DEFAULT_WEEKS = 8
MAX_DAYS = 366
TOP_COLUMNS = 5  # needs shown as columns of the breakdowns and lines of the chart
TOP_LIST = 15  # needs in the "top needs" list
BREAKDOWN_ROWS = 15  # campaigns or sites listed; the CSV holds the rest
QUOTES = 8
FINDINGS = 10
DIGEST_NEEDS = 3  # per channel kind

Links = CustomerNote.tags.through  # (customernote, needtag): one row per need a note names


# --- who sees what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightScope:
    """What a user may read here: every site (site_id None), or one site's notes and recordings."""

    site_id: int | None = None

    @property
    def all_sites(self) -> bool:
        return self.site_id is None


def scope_of(user) -> InsightScope:
    """The one place that decides what a user sees on the insight page: CVM managers and
    administrators every site; a team lead the notes written and recordings made at their own
    site; anyone else nothing (PermissionDenied)."""
    held = roles_of(user)
    if held & MANAGERS:
        return InsightScope()
    if Role.TEAM_LEAD in held:
        profile = profile_of(user)
        if profile is None:
            raise PermissionDenied(_("Your account is not attached to a site yet."))
        return InsightScope(site_id=profile.site_id)
    raise PermissionDenied(_("This page is for another role."))


# --- filters ---------------------------------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_period(today: date) -> tuple[date, date]:
    """The last eight weeks: from the Monday seven weeks before this week's, to today."""
    return monday(today) - timedelta(weeks=DEFAULT_WEEKS - 1), today


@dataclass(frozen=True)
class NeedFilters:
    """The valid filters of the page (and of its CSV), with what the scope fixes applied."""

    start: date
    end: date  # inclusive
    segment: str | None = None
    campaign_id: int | None = None
    site_id: int | None = None
    channel_kind: str | None = None
    need_id: int | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """Midnight of the first day and of the day after the last, in the portal's time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def weeks(self) -> list[date]:
        """The Mondays of every week the period touches, oldest first."""
        first, last = monday(self.start), monday(self.end)
        return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def notes(f: NeedFilters, prefix: str = "") -> Q:
    """The notes under the filters (the need filter aside: it picks what is counted, not the
    notes shares are taken of), as a condition on ``prefix`` + the note's fields."""
    lo, hi = f.bounds()
    wanted = {"created_at__gte": lo, "created_at__lt": hi}
    if f.segment:
        wanted["customer__segment"] = f.segment
    if f.campaign_id is not None:
        wanted["campaign_id"] = f.campaign_id
    if f.site_id is not None:
        wanted["site_id"] = f.site_id
    if f.channel_kind:
        wanted["channel_kind"] = f.channel_kind
    return Q(**{prefix + key: value for key, value in wanted.items()})


def _links(f: NeedFilters) -> QuerySet:
    found = Links.objects.filter(notes(f, "customernote__"))
    if f.need_id is not None:
        found = found.filter(needtag_id=f.need_id)
    return found


DIMENSIONS = ("segment", "campaign", "site", "week")


def _dimension(name: str, prefix: str = ""):
    if name == "week":
        return TruncWeek(f"{prefix}created_at", output_field=DateField())
    return F(
        prefix
        + {
            "segment": "customer__segment",
            "campaign": "campaign_id",
            "site": "site_id",
            "channel": "channel_kind",
        }[name]
    )


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def need_counts(f: NeedFilters, by: str | None = None) -> dict[tuple, int]:
    """{(value of ``by`` or None, need id): notes naming the need} under the filters."""
    rows = _links(f)
    if by is None:
        grouped = rows.values_list("needtag_id").annotate(n=Count("pk")).order_by()
        return {(None, need): n for need, n in grouped}
    grouped = (
        rows.annotate(value=_dimension(by, "customernote__"))
        .values_list("value", "needtag_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    key = _day if by == "week" else (lambda v: v)
    return {(key(value), need): n for value, need, n in grouped}


def note_counts(f: NeedFilters, by: str | None = None) -> dict:
    """{value of ``by`` (None: all): notes written} under the filters: the shares' base."""
    found = CustomerNote.objects.filter(notes(f))
    if by is None:
        return {None: found.count()}
    grouped = (
        found.annotate(value=_dimension(by)).values_list("value").annotate(n=Count("pk")).order_by()
    )
    key = _day if by == "week" else (lambda v: v)
    return {key(value): n for value, n in grouped}


# --- the page --------------------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent (one decimal), None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class NeedFigure:
    need: NeedTag
    notes: int
    share: float | None


@dataclass
class BreakdownRow:
    value: object
    label: str
    notes: int
    cells: list[tuple[int, float | None]]  # per column need: (notes naming it, share)


@dataclass
class Breakdown:
    """One table of the page: a row per segment, campaign, site or week; a column per top need."""

    key: str
    title: str
    header: str
    needs: list[NeedTag]
    rows: list[BreakdownRow] = field(default_factory=list)
    more: int = 0  # rows left out (the CSV has them)


@dataclass
class Quote:
    text: str
    written: datetime
    channel: str
    site: str
    needs: list[str]


@dataclass
class Finding:
    item: ResearchItem
    stratum: str
    needs: list[str]


@dataclass
class Report:
    filters: NeedFilters
    notes: int
    top: list[NeedFigure]
    breakdowns: list[Breakdown]
    trend: Breakdown
    chart: dict
    quotes: list[Quote]
    findings: list[Finding]
    need: NeedTag | None = None


def channel_label(kind: str) -> str:
    return channel_registry.label(kind)


def _labels(by: str, values) -> dict:
    values = [v for v in values if v is not None]
    if by == "segment":
        names = dict(Segment.choices)
        return {v: str(names.get(v, v)) for v in values}
    if by == "campaign":
        found = Campaign.objects.filter(pk__in=values).values_list("pk", "code", "name")
        return {pk: f"{name} ({code})" for pk, code, name in found}
    if by == "site":
        return dict(Site.objects.filter(pk__in=values).values_list("pk", "name"))
    if by == "week":
        return {v: fmt.day_month(v) for v in values}
    return {}


NO_VALUE = {"campaign": lambda: _("No campaign"), "site": lambda: _("CVM team (no site)")}


def _breakdown(f: NeedFilters, by: str, columns: list[NeedTag], title: str, header: str):
    counts = need_counts(f, by)
    bases = note_counts(f, by)
    if by == "week":
        values = f.weeks()
    elif by == "segment":
        values = [s for s in Segment.values if s in bases] + [
            v for v in bases if v not in Segment.values
        ]
    else:
        values = sorted(bases, key=lambda v: (-bases[v], str(v)))
    table = Breakdown(key=by, title=title, header=header, needs=columns)
    if by in ("campaign", "site") and len(values) > BREAKDOWN_ROWS:
        table.more = len(values) - BREAKDOWN_ROWS
        values = values[:BREAKDOWN_ROWS]
    names = _labels(by, values)
    for value in values:
        base = bases.get(value, 0)
        cells = [(counts.get((value, n.pk), 0), None) for n in columns]
        cells = [(c, share(c, base)) for c, _none in cells]
        label = names.get(value) or (NO_VALUE[by]() if by in NO_VALUE else str(value))
        table.rows.append(BreakdownRow(value, label, base, cells))
    return table


def _chart(trend: Breakdown) -> dict:
    """Data for static/js/results.js (a line per top need, weekly counts), via json_script."""
    return {
        "type": "line",
        "labels": [row.label for row in trend.rows],
        "series": [
            {"label": need.label, "data": [row.cells[i][0] for row in trend.rows]}
            for i, need in enumerate(trend.needs)
        ],
    }


def quotes(f: NeedFilters, limit: int = QUOTES) -> list[Quote]:
    """The latest masked note texts under the filters (naming the chosen need, if one is):
    when, in which channel, at which site. Never whose: the customer is not even read."""
    found = (
        CustomerNote.objects.filter(notes(f))
        .exclude(text="")
        .select_related("site")
        .prefetch_related("tags")
        .only("text", "created_at", "channel_kind", "site__name")
        .order_by("-created_at", "-pk")
    )
    if f.need_id is not None:
        found = found.filter(tags=f.need_id)
    return [
        Quote(
            text=note.text,
            written=note.created_at,
            channel=channel_label(note.channel_kind),
            site=note.site.name if note.site else _("CVM team"),
            needs=[t.label for t in note.tags.all()],
        )
        for note in found[:limit]
    ]


def _recordings(f: NeedFilters) -> QuerySet:
    found = ResearchItem.objects.filter(
        reviewed_at__isnull=False, week__gte=monday(f.start), week__lte=f.end
    )
    if f.campaign_id is not None:
        found = found.filter(campaign_id=f.campaign_id)
    if f.site_id is not None:
        found = found.filter(recording__site_id=f.site_id)
    if f.segment:
        found = found.filter(recording__customer__segment=f.segment)
    if f.channel_kind:
        kind = Q(recording__decision__channel_kind=f.channel_kind)
        if f.channel_kind == ChannelKind.OUTBOUND_CALL:
            kind |= Q(recording__call_attempt__isnull=False)
        found = found.filter(kind)
    if f.need_id is not None:
        found = found.filter(tags=f.need_id)
    return found


def stratum_label(stratum: str, reasons: dict[str, str]) -> str:
    """ "accepted", "declined:<reason code>", "other" as a person reads them."""
    if stratum == "accepted":
        return _("Accepted")
    if stratum.startswith("declined"):
        code = stratum.partition(":")[2]
        if code:
            return _("Declined: %(reason)s") % {"reason": reasons.get(code, code)}
        return _("Declined")
    return _("Other outcome")


def findings(f: NeedFilters, limit: int = FINDINGS) -> list[Finding]:
    """The latest reviewed research recordings under the filters, with what was found."""
    items = list(
        _recordings(f)
        .select_related("recording", "campaign")
        .prefetch_related("tags")
        .order_by("-reviewed_at", "-pk")[:limit]
    )
    codes = {i.stratum.partition(":")[2] for i in items if i.stratum.startswith("declined:")}
    reasons = (
        {r.code: r.label for r in DeclineReason.objects.filter(code__in=codes)} if codes else {}
    )
    return [
        Finding(
            item=i, stratum=stratum_label(i.stratum, reasons), needs=[t.label for t in i.tags.all()]
        )
        for i in items
    ]


def build(f: NeedFilters, scope: InsightScope) -> Report:
    """Every figure of the insight page under the filters; a fixed number of queries."""
    total = note_counts(f)[None]
    by_need = need_counts(f)
    needs = {n.pk: n for n in NeedTag.objects.filter(pk__in=[k[1] for k in by_need])}
    ranked = sorted(by_need, key=lambda k: (-by_need[k], needs[k[1]].position, needs[k[1]].code))
    top = [NeedFigure(needs[k[1]], by_need[k], share(by_need[k], total)) for k in ranked]
    columns = [figure.need for figure in top[:TOP_COLUMNS]]
    breakdowns = [
        _breakdown(f, "segment", columns, _("By segment"), _("Segment")),
        _breakdown(f, "campaign", columns, _("By campaign"), _("Campaign")),
    ]
    if scope.all_sites:
        breakdowns.append(_breakdown(f, "site", columns, _("By site"), _("Site")))
    trend = _breakdown(f, "week", columns, _("Week by week"), _("Week of"))
    chosen = NeedTag.objects.filter(pk=f.need_id).first() if f.need_id is not None else None
    return Report(
        filters=f,
        notes=total,
        top=top[:TOP_LIST],
        breakdowns=breakdowns,
        trend=trend,
        chart=_chart(trend),
        quotes=quotes(f),
        findings=findings(f),
        need=chosen,
    )


# --- the CSV ---------------------------------------------------------------------------------

CSV_HEADER = ("week", "need", "need_label", "segment", "campaign", "campaign_name", "site",
              "site_name", "notes")  # fmt: skip


def csv_rows(f: NeedFilters) -> Iterator[tuple]:
    """(week Monday, need code, need label, segment, campaign code, campaign name, site code,
    site name, notes naming the need) under the filters: one GROUP BY, streamed."""
    grouped = (
        _links(f)
        .annotate(week=TruncWeek("customernote__created_at", output_field=DateField()))
        .values_list(
            "week",
            "needtag_id",
            "customernote__customer__segment",
            "customernote__campaign_id",
            "customernote__site_id",
        )
        .annotate(n=Count("pk"))
        .order_by("week", "needtag_id", "customernote__customer__segment")
    )
    needs = {n.pk: (n.code, n.label) for n in NeedTag.objects.all()}
    campaigns = {
        pk: (code, name) for pk, code, name in Campaign.objects.values_list("pk", "code", "name")
    }
    sites = {pk: (code, name) for pk, code, name in Site.objects.values_list("pk", "code", "name")}
    for week, need, segment, campaign, site, n in grouped.iterator(chunk_size=2000):
        code, label = needs.get(need, ("", ""))
        campaign_code, campaign_name = campaigns.get(campaign, ("", ""))
        site_code, site_name = sites.get(site, ("", ""))
        yield (_day(week).isoformat(), code, label, segment, campaign_code, campaign_name,
               site_code, site_name, n)  # fmt: skip


# --- the weekly sales digest ------------------------------------------------------------------


def digest_needs(start: datetime, end: datetime) -> list:
    """The needs customers voiced between ``start`` and ``end`` for the sales digest
    (registered with ``training.needs_source``): per channel kind its ``DIGEST_NEEDS`` most
    named needs, each with the notes naming it, the kind's notes, the latest quote and the
    figures per site."""
    from training.needs_source import NeedRow

    window = Q(customernote__created_at__gte=start, customernote__created_at__lt=end)
    mentions = (
        Links.objects.filter(window)
        .values_list("customernote__channel_kind", "customernote__site_id", "needtag_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    written = (
        CustomerNote.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("channel_kind", "site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_need: dict[tuple[str, int], int] = defaultdict(int)
    need_sites: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for kind, site, need, n in mentions:
        per_need[kind, need] += n
        if site is not None:
            need_sites[kind, need][str(site)] = n
    kind_notes: dict[str, int] = defaultdict(int)
    kind_sites: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, site, n in written:
        kind_notes[kind] += n
        if site is not None:
            kind_sites[kind][str(site)] = n
    needs = {n.pk: n for n in NeedTag.objects.filter(pk__in={k[1] for k in per_need})}
    rows = []
    for kind in sorted({k[0] for k in per_need}):
        ranked = sorted(
            (k for k in per_need if k[0] == kind),
            key=lambda k: (-per_need[k], needs[k[1]].position, needs[k[1]].code),
        )
        for key in ranked[:DIGEST_NEEDS]:
            need = needs[key[1]]
            quote = (
                CustomerNote.objects.filter(
                    created_at__gte=start, created_at__lt=end, channel_kind=kind, tags=need
                )
                .exclude(text="")
                .order_by("-created_at", "-pk")
                .values_list("text", flat=True)
                .first()
            )
            rows.append(
                NeedRow(
                    channel_kind=kind,
                    code=need.code,
                    label=need.label,
                    notes=per_need[key],
                    kind_notes=kind_notes[kind],
                    quote=quote or "",
                    sites={
                        site: [n, need_sites[key].get(site, 0)]
                        for site, n in kind_sites[kind].items()
                    },
                )
            )
    return rows
