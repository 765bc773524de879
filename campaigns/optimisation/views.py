"""The channel optimisation page (CVM managers and administrators): the report for a period, its
CSV, the what-if, and saving the what-if as the support-routing policy."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import SupportRoutingPolicy
from campaigns.results.exports import stream_table
from cvm_portal import formatting as fmt
from cvm_portal.roles import Role, role_required

from . import report, tables, whatif
from .channels import channel_label
from .forms import PeriodForm, SavePolicyForm, WhatIfForm
from .policy import RuleChange, option_label, save_policy, suggested_options

MANAGERS = (Role.CVM_MANAGER, Role.ADMINISTRATOR)
WHATIF_FIELDS = ("segment", "tier", "from_channel", "to_channel", "share")


def _period(request: HttpRequest) -> PeriodForm:
    return PeriodForm({k: request.GET.get(k, "") for k in ("since", "until")})


def _whatif(request: HttpRequest, period) -> tuple[WhatIfForm, dict | None]:
    """The what-if form, bound when the address asks for one, and its figures when valid."""
    if not any(request.GET.get(k) for k in WHATIF_FIELDS):
        return WhatIfForm(), None
    form = WhatIfForm(request.GET)
    if not form.is_valid() or period is None:
        return form, None
    scenario = form.scenario(since=period["since"], until=period["until"])
    outcome = whatif.run(scenario)
    initial = {
        **{k: request.GET.get(k) for k in WHATIF_FIELDS},
        "since": scenario.since,
        "until": scenario.until,
        "options": suggested_options(scenario.to_channel),
        "name": _("Move %(share)s of %(from)s to %(to)s")
        % {
            "share": fmt.percent_points(scenario.share, 1),
            "from": channel_label(scenario.from_channel),
            "to": channel_label(scenario.to_channel),
        },
    }
    return form, {
        "scenario": scenario,
        "outcome": outcome,
        "from_label": channel_label(scenario.from_channel),
        "to_label": channel_label(scenario.to_channel),
        "save_form": SavePolicyForm(initial=initial),
    }


@require_GET
@role_required(*MANAGERS)
def optimisation(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. The report, the what-if and the policy."""
    period_form = _period(request)
    period = period_form.cleaned_data if period_form.is_valid() else None
    page = None
    if period is not None:
        built = report.build(period["since"], period["until"])
        made = tables.tables(built)
        page = {"report": built, **made, "charts": tables.charts(made["segments"])}
    whatif_form, result = _whatif(request, period)
    query = QueryDict(mutable=True)
    if period is not None:
        query.update({k: period[k].isoformat() for k in ("since", "until")})
    return render(
        request,
        "campaigns/optimisation/report.html",
        {
            "form": period_form,
            "page": page,
            "whatif_form": whatif_form,
            "result": result,
            "policy": _active_policy(),
            "query": query.urlencode(),
            "csv_url": reverse("campaigns:optimisation_csv"),
        },
    )


def _active_policy() -> dict | None:
    policy = SupportRoutingPolicy.objects.active()
    if policy is None:
        return None
    rules = [
        {
            "rule": r,
            "preferred": channel_label(r.preferred_channel) if r.preferred_channel else "",
            "options": ", ".join(option_label(o) for o in r.options),
        }
        for r in policy.rules.all()
    ]
    return {"policy": policy, "rules": rules}


@require_GET
@role_required(*MANAGERS)
def optimisation_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. One table of the report as CSV."""
    period_form = _period(request)
    if not period_form.is_valid():
        raise Http404(_("Correct the period to download the figures."))
    period = period_form.cleaned_data
    made = tables.tables(report.build(period["since"], period["until"]))
    table = made.get(request.GET.get("table", ""))
    if table is None:
        raise Http404(_("No such table."))
    return stream_table(table, name=f"channel-optimisation-{table.key}")


@require_POST
@role_required(*MANAGERS)
def save_routing_policy(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. The what-if saved as the active policy."""
    form = SavePolicyForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "campaigns/optimisation/save_policy.html",
            {"save_form": form},
            status=400,
        )
    d = form.cleaned_data
    scenario = form.scenario(since=d["since"], until=d["until"])
    outcome = whatif.run(scenario)
    changes = [RuleChange(d["segment"], d["tier"], "", d["options"])]
    if d["exception_channel"]:
        changes.append(
            RuleChange(d["segment"], d["tier"], d["exception_channel"], d["exception_options"])
        )
    policy = save_policy(
        user=request.user,
        name=d["name"],
        changes=changes,
        scenario={
            **{k: str(v) for k, v in d.items() if k in (*WHATIF_FIELDS, "since", "until")},
            "figures": outcome.as_json(),
        },
    )
    messages.success(
        request,
        _("Support-routing policy version %(version)d is now active.")
        % {"version": policy.version},
    )
    return redirect(f"{reverse('campaigns:optimisation')}#policy-h")
