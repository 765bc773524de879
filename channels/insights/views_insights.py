"""The insight page: what customers need, from agents' notes and reviewed call recordings
(CVM managers and administrators: every site; team leads: their own site), and its CSV."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaigns.loads.views import defuse
from cvm_portal.roles import Role, role_required

from . import report
from .insight_form import NeedFilterForm

READERS = (Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD)


def _form(request: HttpRequest) -> tuple[NeedFilterForm, report.InsightScope]:
    scope = report.scope_of(request.user)
    asked = request.GET.get("site") or ""
    if not scope.all_sites and asked not in ("", str(scope.site_id)):
        raise Http404(_("Another site's notes are not yours to see."))
    data = request.GET.copy()
    if not data.get("since") and not data.get("until"):  # the fields show the period shown
        since, until = report.default_period(timezone.localdate())
        data["since"], data["until"] = since.isoformat(), until.isoformat()
    return NeedFilterForm(data, scope=scope), scope


@require_GET
@role_required(*READERS)
def needs(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators (every site), team leads (the notes
    written and recordings made at their own site; another site is a 404); agents: 403.
    Top needs by segment, campaign, site and week, their trend, quotes and recording findings."""
    form, scope = _form(request)
    page = report.build(form.filters(), scope) if form.is_valid() else None
    query = request.GET.urlencode()
    without_need = request.GET.copy()
    without_need.pop("need", None)
    csv_url = reverse("channels:insights_needs_csv")
    return render(
        request,
        "channels/insights/needs_page.html",
        {
            "form": form,
            "page": page,
            "scope": scope,
            "query": query,
            "need_query": without_need.urlencode(),
            "csv_url": f"{csv_url}?{query}" if query else csv_url,
        },
        status=200 if page is not None else 400,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _lines(rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow(report.CSV_HEADER)
    for row in rows:
        yield writer.writerow([defuse(v) if isinstance(v, str) else v for v in row])


@require_GET
@role_required(*READERS)
def needs_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: as the insight page. The counts (need × segment × campaign × site ×
    week) under the same filters, as CSV; cells that would run as formulas are defused."""
    form, _scope = _form(request)
    if not form.is_valid():
        return HttpResponse(
            _("Correct the filters first: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(
        _lines(report.csv_rows(form.filters())), content_type="text/csv; charset=utf-8"
    )
    day = timezone.localdate().isoformat()  # a machine date in a file name
    response["Content-Disposition"] = f'attachment; filename="customer-needs-{day}.csv"'
    return response
