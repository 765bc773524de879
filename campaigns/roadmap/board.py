"""The board: initiatives as rows, channels as columns, each cell the items of that pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ..models import Initiative, RoadmapItem, RoadmapStatus
from .kinds import channels


@dataclass
class Cell:
    channel: str
    label: str
    items: list[RoadmapItem] = field(default_factory=list)


@dataclass
class Row:
    initiative: Initiative
    cells: list[Cell]

    @property
    def items(self) -> list[RoadmapItem]:
        return [item for cell in self.cells for item in cell.items]


@dataclass
class Board:
    columns: list[tuple[str, str]]  # (code, label)
    rows: list[Row]
    hidden_empty_columns: bool

    @property
    def is_empty(self) -> bool:
        return not any(row.items for row in self.rows)

    def counts(self) -> list[tuple[str, str, int]]:
        """(status, label, items) for each status, then the overdue ones ("overdue")."""
        items = [item for row in self.rows for item in row.items]
        counts = [
            (s.value, str(s.label), sum(1 for i in items if i.status == s)) for s in RoadmapStatus
        ]
        counts.append(("overdue", str(_("Overdue")), sum(1 for i in items if i.overdue)))
        return counts


def _initiatives(status: str, channel_codes: set[str] | None):
    items = RoadmapItem.objects.select_related("updated_by").order_by("channel_kind", "pk")
    if status:
        items = items.filter(status=status)
    if channel_codes is not None:
        items = items.filter(channel_kind__in=channel_codes)
    return Initiative.objects.select_related("owner").prefetch_related(
        Prefetch("items", queryset=items), Prefetch("campaigns")
    )


def build_board(
    *, today: date, status: str = "", channel: str = "", only: set[str] | None = None
) -> Board:
    """The board filtered by ``status`` and ``channel`` (codes; "" for all), limited to the
    channels in ``only`` when given. Each item is marked ``overdue`` against ``today``.

    Without a channel filter, channels with no item are left out so the grid fits a tablet."""
    known = channels()
    codes = {code for code, _label in known}
    if status not in RoadmapStatus.values:
        status = ""
    if channel:
        codes &= {channel}
    if only is not None:
        codes &= only
    initiatives = list(_initiatives(status, codes))
    used = {item.channel_kind for i in initiatives for item in i.items.all()}
    hide_empty = not channel
    columns = [(c, label) for c, label in known if c in codes and (c in used or not hide_empty)]
    rows = []
    for initiative in initiatives:
        by_channel: dict[str, list[RoadmapItem]] = {}
        for item in initiative.items.all():
            item.overdue = item.is_overdue(today)
            by_channel.setdefault(item.channel_kind, []).append(item)
        if (status or channel or only is not None) and not by_channel:
            continue  # a filtered board lists only the initiatives with matching items
        cells = [Cell(code, name, by_channel.get(code, [])) for code, name in columns]
        rows.append(Row(initiative, cells))
    return Board(columns=columns, rows=rows, hidden_empty_columns=hide_empty)
