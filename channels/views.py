"""Workspaces of the delivery side. Each view says who may use it."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cvm_portal.roles import Role, role_required

from .models import Site, profile_of


@require_GET
@role_required(Role.TEAM_LEAD)
def team(request: HttpRequest) -> HttpResponse:
    """Who may use it: team leads and store managers. Their own site's agents only."""
    from datetime import timedelta

    from campaigns.models import Response

    profile = profile_of(request.user)
    agents, rows = [], []
    if profile is not None:
        agents = profile.site.agents.select_related("user").order_by(
            "-is_team_lead", "user__username"
        )
        figures = Response.objects.execution_by_agent(
            site_id=profile.site_id, since=timezone.now() - timedelta(days=7)
        )
        for agent in agents:
            f = figures.get(agent.user_id, {"recorded": 0, "presented": 0, "accepted": 0})
            rate = f["accepted"] / f["presented"] if f["presented"] else None
            rows.append({"agent": agent, **f, "rate": rate})
    return render(
        request, "channels/team.html", {"profile": profile, "agents": agents, "rows": rows}
    )


@require_GET
@role_required(Role.TEAM_LEAD, Role.CVM_MANAGER, Role.ADMINISTRATOR)
def site_list(request: HttpRequest) -> HttpResponse:
    """Who may use it: team leads (their own site), CVM managers and administrators (all)."""
    sites = (
        Site.objects.visible_to(request.user)
        .annotate(
            agent_count=Count("agents"),
            lead_count=Count("agents", filter=Q(agents__is_team_lead=True)),
        )
        .order_by("kind", "name")
    )
    return render(request, "channels/site_list.html", {"sites": sites})


@require_GET
@role_required(Role.TEAM_LEAD, Role.CVM_MANAGER, Role.ADMINISTRATOR)
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Who may use it: as site_list; another site's page is a 404, not someone else's data."""
    site = get_object_or_404(Site.objects.visible_to(request.user), code=code)
    agents = site.agents.select_related("user").order_by("-is_team_lead", "user__username")
    return render(request, "channels/site_detail.html", {"site": site, "agents": agents})
