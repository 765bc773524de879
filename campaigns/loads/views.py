"""CVM manager pages for the nightly loads: history per target group, one run, its rejected rows."""

import csv
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaigns.choices import LoadStatus
from campaigns.models import LoadRun, TargetGroup
from cvm_portal.roles import Role, role_required

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; prefix them so they are text."""
    return "'" + value if value.startswith(FORMULA_START) else value


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def load_list(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Target groups and the latest loads."""
    last_run = LoadRun.objects.filter(target_group=OuterRef("pk")).order_by("-created_at")
    groups = (
        TargetGroup.objects.select_related("campaign", "active_version")
        .annotate(
            last_status=Subquery(last_run.values("status")[:1]),
            last_run_id=Subquery(last_run.values("pk")[:1]),
        )
        .order_by("campaign__code")
    )
    labels = dict(LoadStatus.choices)
    groups = list(groups)
    for group in groups:
        group.last_status_label = labels.get(group.last_status, "")
    runs = LoadRun.objects.order_by("-created_at")[:50]
    failed = LoadRun.objects.filter(
        status=LoadStatus.FAILED, created_at__gte=timezone.now() - timedelta(days=7)
    ).order_by("-created_at")
    return render(
        request, "campaigns/load_list.html", {"groups": groups, "runs": runs, "failed": failed[:10]}
    )


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def load_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. One run; polls itself while it runs."""
    run = get_object_or_404(
        LoadRun.objects.select_related("target_group__campaign", "version", "user"), pk=pk
    )
    # A target group's runs; for a snapshot or a conversions file, the runs of that kind.
    same = {"target_group_id": run.target_group_id} if run.target_group_id else {}
    history = LoadRun.objects.filter(**(same or {"kind": run.kind, "target": run.target})).order_by(
        "-created_at"
    )[:20]
    template = (
        "campaigns/includes/load_progress.html" if request.htmx else "campaigns/load_detail.html"
    )
    return render(
        request,
        template,
        {
            "run": run,
            "rejects": run.rejects.order_by("line")[:50],
            "history": history,
            "running": run.status in (LoadStatus.PENDING, LoadStatus.RUNNING),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def load_rejects_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Who may use it: CVM managers and administrators. Every rejected row of a run, as CSV."""
    run = get_object_or_404(LoadRun, pk=pk)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(["line", "reason", "detail", "row"])
        for reject in run.rejects.order_by("line").iterator(chunk_size=5000):
            yield writer.writerow(
                [
                    reject.line,
                    reject.get_reason_display(),
                    defuse(reject.detail),
                    defuse(reject.raw),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rejected-rows-run{run.pk}-{run.file_name}.csv"'
    )
    return response
