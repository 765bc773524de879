"""The model report pages: per offer and channel, the evidence, learned against prior and the
calibration of the likelihood used; one offer's learned groups; the CSV of each table.

Who may use them: CVM managers and administrators. No customer is named on them (every figure
is a count or a rate over many outcomes), so nothing is audit-logged.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaigns import channel_registry
from campaigns.models import Campaign, LearnedPropensity, LearningRun, Offer
from campaigns.results.exports import stream_table
from campaigns.results.forms import default_period
from cvm_portal.roles import Role, role_required

from . import queries, tables
from .forms import ModelReportFilterForm

MANAGERS = (Role.CVM_MANAGER, Role.ADMINISTRATOR)


def _form(request: HttpRequest) -> ModelReportFilterForm:
    data = request.GET.copy()
    if not data.get("since") and not data.get("until"):  # the fields show the period shown
        data["since"], data["until"] = (d.isoformat() for d in default_period(timezone.localdate()))
    return ModelReportFilterForm(data)


def _query(request: HttpRequest, **changes) -> str:
    params = QueryDict(mutable=True)
    for key in ("since", "until", "campaign", "channel"):
        if request.GET.get(key):
            params[key] = request.GET[key]
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


def _last_run():
    return LearningRun.objects.filter(finished_at__isnull=False, error="").first()


def _report(request: HttpRequest, filters: queries.Filters) -> dict:
    """Every table, chart and warning of the report page."""

    def drill(offer_id: int, kind: str) -> str:
        url = reverse("campaigns:model_report_offer", args=[offer_id])
        return f"{url}?{_query(request, channel=kind, campaign=None)}"

    evidence = queries.evidence(filters)
    learned = queries.learned(filters)
    calibration = queries.calibration(filters)
    offers = tables.offers_table(filters, evidence, learned, drill)
    deciles = tables.calibration_table(calibration)
    total = queries.learned_total(filters)
    verdicts = [lp.verdict for lp in learned.values()]
    return {
        "filters": filters,
        "offers": offers,
        "calibration": calibration,
        "deciles": deciles,
        "total": total,
        "total_skill": tables.skill(total),
        "no_better": verdicts.count(queries.NO_BETTER),
        "too_little": verdicts.count(queries.TOO_LITTLE),
        "rows_learned": len(verdicts),
        "charts": tables.charts(deciles, offers),
        "learned_any": LearnedPropensity.objects.exists(),
        "last_run": _last_run(),
        "min_evidence": queries.MIN_EVIDENCE,
        "min_lift": queries.MIN_LIFT,
        "campaign": Campaign.objects.filter(pk=filters.campaign_id).first()
        if filters.campaign_id is not None
        else None,
    }


@require_GET
@role_required(*MANAGERS)
def report(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. The model report, filtered by period,
    campaign and channel kind."""
    form = _form(request)
    page = _report(request, form.filters()) if form.is_valid() else None
    context = {
        "form": form,
        "page": page,
        "csv_url": reverse("campaigns:model_report_csv"),
        "query": _query(request),
    }
    return render(
        request, "campaigns/learning_report/report.html", context, status=200 if page else 400
    )


@require_GET
@role_required(*MANAGERS)
def report_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: as the report. One of its tables (?table=offers|calibration) as CSV."""
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(
            _("Correct the filters first: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    page = _report(request, form.filters())
    found = {"offers": page["offers"], "calibration": page["deciles"]}
    wanted = request.GET.get("table", "offers")
    if wanted not in found:
        raise Http404(_("No such table."))
    return stream_table(found[wanted], name=f"model-report-{wanted}")


def _channel(request: HttpRequest) -> str | None:
    kind = request.GET.get("channel") or None
    if kind is not None and not channel_registry.is_known(kind):
        raise Http404(_("No such channel."))
    return kind


@require_GET
@role_required(*MANAGERS)
def offer_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. One offer's learned groups (segment ×
    value tier) in one channel kind (?channel=) or all."""
    offer = get_object_or_404(Offer, pk=pk)
    kind = _channel(request)
    groups = queries.groups(offer.pk, kind)
    table = tables.groups_table(groups)
    context = {
        "offer": offer,
        "channel": tables.channel_name(kind) if kind else None,
        "groups": table,
        "learned_any": bool(groups),
        "back": f"{reverse('campaigns:model_report')}?{_query(request, channel=None)}",
        "csv_url": reverse("campaigns:model_report_offer_csv", args=[offer.pk]),
        "query": _query(request),
        "last_run": _last_run(),
    }
    return render(request, "campaigns/learning_report/offer.html", context)


@require_GET
@role_required(*MANAGERS)
def offer_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: as the offer's groups. Its table as CSV."""
    offer = get_object_or_404(Offer, pk=pk)
    table = tables.groups_table(queries.groups(offer.pk, _channel(request)))
    return stream_table(table, name=f"model-report-{offer.code}")
