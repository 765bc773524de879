"""Project-wide views: the home page that sends each role to its workspace, and health."""

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from campaigns.choices import ChannelKind

from .roles import Role, primary_role

OUTBOUND_KINDS = {ChannelKind.OUTBOUND_CALL, ChannelKind.FIELD}


def workspace_url_name(user) -> str | None:
    """The URL name of the workspace a user lands on, or None if they have no role."""
    role = primary_role(user)
    if role == Role.ADMINISTRATOR:
        return "admin:index"
    if role == Role.CVM_MANAGER:
        return "campaigns:manager_home"
    if role == Role.TRAINER:
        return "training:home"
    if role == Role.TEAM_LEAD:
        return "channels:team"
    if role == Role.AGENT:
        profile = getattr(user, "agent_profile", None)
        if profile is not None and profile.channel_kind in OUTBOUND_KINDS:
            return "channels:outbound"
        return "channels:console"
    return None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Who may use it: any signed-in user. Sends each role to its workspace."""
    name = workspace_url_name(request.user)
    if name is None:
        return render(request, "no_role.html", status=403)
    return redirect(name)


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Who may use it: anyone (load balancers). Says whether the database and cache answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("health-probe", "1", 10)
        checks["cache"] = "ok" if cache.get("health-probe") == "1" else "error: no read-back"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
