"""The audit trail page and its CSV export, for CVM managers and administrators."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cvm_portal.audit import ACTIONS, recent_bursts, record_access
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role, role_required

from ..loads.views import defuse
from ..models import Customer
from .forms import AuditFilterForm

PAGE_SIZE = 50
_CUSTOMER = Customer._meta.label_lower


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.select_related("user").order_by("-at", "-pk")
    if form.is_valid():
        return form, form.filter(events)
    return form, events.none()


def _customer_ids(events: Iterable[AuditEvent]) -> dict[str, str]:
    """Customer external ids of the events that name a customer: one query."""
    pks = {e.object_id for e in events if e.object_type == _CUSTOMER and e.object_id.isdigit()}
    if not pks:
        return {}
    return {
        str(pk): external_id
        for pk, external_id in Customer.objects.filter(pk__in=pks).values_list("pk", "external_id")
    }


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Who looked at which customer, newest
    first, filtered by user, action, period and customer; look-up bursts of the last days."""
    form, events = _filtered(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # No COUNT over a table that grows by millions a day: one row more says there is a next page.
    rows = list(events[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    customers = _customer_ids(rows)
    return render(
        request,
        "campaigns/audit_trail.html",
        {
            "form": form,
            "rows": [
                (e, ACTIONS.get(e.action, e.action), customers.get(e.object_id)) for e in rows
            ],
            "page": page,
            "has_next": has_next,
            "bursts": recent_bursts(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _batched(events, size: int) -> Iterator[list[AuditEvent]]:
    iterator = events.iterator(chunk_size=size)
    while batch := list(islice(iterator, size)):
        yield batch


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def audit_trail_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. The filtered trail as CSV (every row,
    formulas defused); the export is itself written to the trail."""
    form, events = _filtered(request)
    if not form.is_valid():
        return render(
            request,
            "campaigns/audit_trail.html",
            {"form": form, "rows": [], "page": 1, "has_next": False, "bursts": recent_bursts()},
            status=400,
        )
    record_access(user=request.user, action="audit_export", detail=f"CSV: {form.describe()}")
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()

    def lines():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(
            ["at", "user", "name", "action", "meaning", "object_type", "object_id", "customer_id", "detail"]
        )  # fmt: skip
        for batch in _batched(events, 2000):
            customers = _customer_ids(batch)
            for e in batch:
                yield writer.writerow(
                    [
                        e.at.astimezone(zone).isoformat(timespec="seconds"),
                        defuse(e.user.get_username()),
                        defuse(e.user.get_full_name()),
                        e.action,
                        str(ACTIONS.get(e.action, "")),
                        e.object_type,
                        defuse(e.object_id),
                        defuse(customers.get(e.object_id, "")),
                        defuse(e.detail),
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
