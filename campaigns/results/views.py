"""Programme results: execution dashboards (CVM managers: everything; team leads: their site;
agents: their own figures), a campaign's results with its uplift, and the CSV of every table.

Every figure comes from the daily rollups (``queries``), never from raw presentations.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaigns.choices import FeedbackStatus
from campaigns.models import Campaign, OfferFeedback
from cvm_portal.roles import Role, role_required, roles_of

from . import presenting, queries, tables
from .exports import stream_table
from .forms import ResultsFilterForm, Scope, default_period
from .programme import cached_uplift
from .rollups import last_refresh
from .sources import delivery, training

MANAGERS = {Role.CVM_MANAGER, Role.ADMINISTRATOR}
OPEN_FEEDBACK = (FeedbackStatus.NEW, FeedbackStatus.UNDER_REVIEW)


def _scope(request: HttpRequest) -> Scope:
    """Managers see every site; a team lead only their own (another site's rows: 404)."""
    if roles_of(request.user) & MANAGERS:
        return Scope(sees_uplift=True, sees_sites=True)
    site_id = delivery().site_of(request.user)
    if site_id is None:
        raise PermissionDenied(_("Your account is not attached to a site yet."))
    asked = request.GET
    wrong_site = asked.get("site") not in (None, "", str(site_id))
    wrong_team = bool(asked.get("team")) and not asked["team"].startswith(f"{site_id}:")
    agent = asked.get("agent") or ""
    wrong_agent = bool(agent) and (
        not agent.isdigit() or int(agent) not in delivery().agents_at(site_id)
    )
    if wrong_site or wrong_team or wrong_agent:
        raise Http404(_("Another site's results are not yours to see."))
    return Scope(site_id=site_id, levels=("campaign", "channel", "agent"))


def _own(request: HttpRequest) -> Scope:
    return Scope(agent_id=request.user.pk, levels=("campaign", "channel"))


class Links:
    """Addresses of the page with the filters in force, changed: the drill-down and its trail.

    Built from the valid filters rather than the raw address, so a team (site × channel) reads
    as its site and channel, and what the scope fixes (the campaign of a campaign's page, a
    lead's site, an agent's own figures) is never written into a link.
    """

    def __init__(self, request: HttpRequest, filters: queries.Filters, scope: Scope, base: str):
        self.scope, self.base = scope, base
        self.overview = reverse("campaigns:results") if scope.agent_id is None else base
        self.params: dict[str, str] = {
            key: request.GET[key] for key in ("since", "until") if request.GET.get(key)
        }
        fixed = {"site": scope.site_id is not None, "agent": scope.agent_id is not None}
        for lv in queries.LEVELS:
            value = filters.value(lv)
            if value is not None and not fixed.get(lv):
                self.params[lv] = str(value)

    def to(self, base: str, **changes) -> str:
        params = QueryDict(mutable=True)
        params.update(self.params)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"{base}?{params.urlencode()}" if params else base

    def drill(self, level: str, value) -> str:
        if level == "campaign" and self.scope.agent_id is None:
            campaign_page = reverse("campaigns:campaign_results", args=[value])
            return self.to(campaign_page, campaign=None)
        return self.to(self.base, **{level: value})

    def trail(self, filters: queries.Filters, on_campaign_page: bool) -> list[tables.Link]:
        """Where the drill-down stands, each step a link back to it."""
        cleared = dict.fromkeys(queries.LEVELS)
        trail = [tables.Link(_("All campaigns"), self.to(self.overview, **cleared))]
        steps = [lv for lv in self.scope.levels if filters.value(lv) is not None]
        for i, lv in enumerate(steps):
            value = filters.value(lv)
            later = dict.fromkeys(steps[i + 1 :])
            if lv == "campaign" and on_campaign_page:
                later["campaign"] = None
            trail.append(
                tables.Link(
                    tables.labels(lv, [value]).get(value, str(value)), self.to(self.base, **later)
                )
            )
        return trail


def _dashboard(request: HttpRequest, *, scope: Scope, campaign: Campaign | None, base: str):
    """The filter form and, when it is valid, every table and chart of the page."""
    data = request.GET.copy()
    if not data.get("since") and not data.get("until"):  # the fields show the period shown
        data["since"], data["until"] = (d.isoformat() for d in default_period(timezone.localdate()))
    form = ResultsFilterForm(data, scope=scope, campaign=campaign)
    if not form.is_valid():
        return form, None
    filters = form.filters()
    level = filters.level(scope.levels)
    links = Links(request, filters, scope, base)
    days = queries.trend(filters)
    total = queries.summed(f for _day, f in days)
    trend = tables.trend_table(days)
    funnel = tables.funnel_table(total)
    page = {
        "filters": filters,
        "level": level,
        "level_name": tables.level_name(level),
        "total": total,
        "trend": trend,
        "funnel": funnel,
        "reasons": tables.reason_tables(filters),
        "interest": tables.interest_table(filters),
        "reached": queries.reached_to_date(filters, None)[None],
        "reached_in_period": getattr(total, queries.reach_column(filters, None)),
        "trail": links.trail(filters, campaign is not None),
        "refreshed": last_refresh(),
    }
    ranking = tables.Table(key="ranking", title="", columns=[])
    if level is not None:
        execution, outbound, named = tables.execution_table(filters, level, links.drill)
        ranking = tables.ranking_table(level, named)
        page.update(execution=execution, outbound=outbound, ranking=ranking)
    if filters.campaign_id is not None:
        size = queries.group_sizes([filters.campaign_id]).get(filters.campaign_id)
        page["group_size"] = size
        page["reached_share"] = queries.pct(page["reached"], size) if size else None
    page["charts"] = tables.charts(trend, funnel, ranking)
    return form, page


def _render(request, template: str, *, scope: Scope, campaign=None, base: str, extra=None):
    form, page = _dashboard(request, scope=scope, campaign=campaign, base=base)
    context = {"form": form, "page": page, "campaign": campaign, "scope": scope, **(extra or {})}
    context["csv_url"] = base.rstrip("/") + "/export.csv"
    context["query"] = request.GET.urlencode()
    return render(request, template, context, status=200 if page is not None else 400)


def _csv(request, *, scope: Scope, campaign=None, base: str) -> HttpResponse:
    form, page = _dashboard(request, scope=scope, campaign=campaign, base=base)
    if page is None:
        return HttpResponse(
            _("Correct the filters first: %(errors)s") % {"errors": form.errors.as_text()},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    wanted = request.GET.get("table", "")
    found = {t.key: t for t in _page_tables(page)}
    if wanted not in found:
        raise Http404(_("No such table."))
    return stream_table(found[wanted], name=f"results-{wanted}")


def _page_tables(page: dict) -> list[tables.Table]:
    found = [page["trend"], page["funnel"], *page["reasons"], page["interest"]]
    for key in ("execution", "outbound", "ranking"):
        if key in page:
            found.append(page[key])
    return found


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD)
def overview(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators (every campaign, channel, site and
    agent), team leads (their own site only: another site's figures are a 404)."""
    return _render(
        request,
        "campaigns/results/overview.html",
        scope=_scope(request),
        base=reverse("campaigns:results"),
    )


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD)
def overview_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: as the overview. One of its tables as CSV (?table=…), same figures."""
    return _csv(request, scope=_scope(request), base=reverse("campaigns:results"))


def _uplift(campaign: Campaign) -> dict:
    found = cached_uplift(campaign)
    return {
        "result": presenting.view(found.intent_to_treat),
        "contacted": presenting.view(found.contacted),
        "mean_annual_value": presenting.money(found.mean_annual_value),
        "computed_at": found.computed_at,
    }


def _campaign_extra(campaign: Campaign, scope: Scope) -> dict:
    feedback = OfferFeedback.objects.filter(campaign=campaign, status__in=OPEN_FEEDBACK)
    if scope.site_id is not None:
        feedback = feedback.filter(site_id=scope.site_id)
    return {
        "uplift": _uplift(campaign) if scope.sees_uplift else None,
        "completion": training().completion(campaign.pk, site_id=scope.site_id),
        "open_feedback": feedback.count(),
        "latest_feedback": list(feedback.select_related("offer").order_by("-created_at")[:5]),
    }


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD)
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators (with the uplift over the control
    group), team leads (their own site's execution of it, its training and feedback there)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    scope = _scope(request)
    return _render(
        request,
        "campaigns/results/campaign.html",
        scope=scope,
        campaign=campaign,
        base=reverse("campaigns:campaign_results", args=[pk]),
        extra=_campaign_extra(campaign, scope),
    )


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD)
def campaign_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: as the campaign's results. One of its tables as CSV."""
    campaign = get_object_or_404(Campaign, pk=pk)
    return _csv(
        request,
        scope=_scope(request),
        campaign=campaign,
        base=reverse("campaigns:campaign_results", args=[pk]),
    )


@require_GET
@role_required(Role.AGENT)
def mine(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents (and team leads, who also serve customers). Their own figures
    only: no site, team or agent can be chosen."""
    return _render(
        request,
        "campaigns/results/mine.html",
        scope=_own(request),
        base=reverse("campaigns:my_results"),
    )


@require_GET
@role_required(Role.AGENT)
def mine_csv(request: HttpRequest) -> HttpResponse:
    """Who may use it: agents, their own figures. One table of *My results* as CSV."""
    return _csv(request, scope=_own(request), base=reverse("campaigns:my_results"))
