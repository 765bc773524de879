"""A results table as CSV: the same cells the page shows, streamed, formulas defused."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from campaigns.loads.views import defuse

from .tables import Link, Table


class _Echo:
    def write(self, value: str) -> str:
        return value


def cell(value) -> str | int | float:
    """What a CSV cell holds: a name as text, a count or percentage as its number, nothing
    for a figure that does not exist (the page's "—")."""
    if value is None:
        return ""
    if isinstance(value, Link):
        return defuse(value.text)
    return value


def lines(table: Table) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow(
        [f"{c.header} (%)" if c.kind == "pct" else str(c.header) for c in table.columns]
    )
    for row in table.rows:
        yield writer.writerow([cell(value) for value in row])


def stream_table(table: Table, *, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines(table), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
