"""The capacity calendar by week: rows of sites × channel kinds (and digital kinds), a column
a week, each cell its worst hour band; and the short overload summaries the workspaces show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from campaigns import channel_registry

from .calendar import Cell, compute, needed_display


@dataclass
class WeekCell:
    """One week of one row: how many hour bands are over capacity, the worst of them."""

    start: date
    over: int = 0
    worst: Cell | None = None
    campaigns: list[str] = field(default_factory=list)

    @property
    def needed(self) -> str:
        return needed_display(self.worst.needed, self.worst.channel_kind) if self.worst else ""

    @property
    def available(self) -> str:
        if self.worst is None:
            return ""
        return needed_display(self.worst.available, self.worst.channel_kind)


@dataclass
class Row:
    site_name: str
    channel_kind: str
    weeks: list[WeekCell]

    @property
    def kind_label(self) -> str:
        return channel_registry.label(self.channel_kind)

    @property
    def is_digital(self) -> bool:
        return not channel_registry.is_assisted(self.channel_kind)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def grid(first: date, weeks: int) -> tuple[list[date], list[Row], list[Cell]]:
    """Week starts, rows, and the overloaded cells (soonest first) of ``weeks`` weeks from the
    Monday of ``first``."""
    start = monday_of(first)
    starts = [start + timedelta(weeks=i) for i in range(weeks)]
    cells = compute(start, start + timedelta(weeks=weeks, days=-1))
    rows: dict[tuple[str, str, bool], Row] = {}
    for cell in cells:
        key = (cell.site_id is None, cell.site_name, cell.channel_kind)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(cell.site_name, cell.channel_kind, [WeekCell(s) for s in starts])
        week = row.weeks[(cell.day - start).days // 7]
        if cell.overloaded:
            week.over += 1
            for code in cell.codes:
                if code not in week.campaigns:
                    week.campaigns.append(code)
        if week.worst is None or _shortage(cell) > _shortage(week.worst):
            week.worst = cell
    over = sorted(
        (c for c in cells if c.overloaded),
        key=lambda c: (c.day, c.band, c.site_name, c.channel_kind),
    )
    return starts, [rows[k] for k in sorted(rows)], over


def _shortage(cell: Cell) -> float:
    if cell.available:
        return cell.needed / cell.available
    return cell.needed * 1000  # nobody rostered: any need is the worst there is


@dataclass
class Summary:
    """Overloads of one site × channel kind in the coming weeks, for a warning block."""

    site_name: str
    channel_kind: str
    first_day: date
    bands: int
    campaigns: list[str]

    @property
    def kind_label(self) -> str:
        return channel_registry.label(self.channel_kind)


def upcoming(*, site_ids: list[int] | None = None, weeks: int = 4) -> list[Summary]:
    """The overloads of the next ``weeks`` weeks (of ``site_ids`` only, when given: then no
    digital channel), one summary per site × channel kind, soonest first."""
    today = timezone.localdate()
    cells = compute(
        today,
        today + timedelta(weeks=weeks, days=-1),
        site_ids=site_ids,
        digital=site_ids is None,
    )
    grouped: dict[tuple[str, str], Summary] = {}
    codes = defaultdict(list)
    for cell in sorted(cells, key=lambda c: (c.day, c.band)):
        if not cell.overloaded:
            continue
        key = (cell.site_name, cell.channel_kind)
        if key not in grouped:
            grouped[key] = Summary(cell.site_name, cell.channel_kind, cell.day, 0, codes[key])
        grouped[key].bands += 1
        for code in cell.codes:
            if code not in codes[key]:
                codes[key].append(code)
    return sorted(grouped.values(), key=lambda s: (s.first_day, s.site_name, s.channel_kind))
