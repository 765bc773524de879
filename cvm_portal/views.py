"""Project-wide views: the home page that sends each role to its workspace, and health."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET

from campaigns.choices import OUTBOUND_CHANNEL_KINDS
from channels.models import profile_of

from .broker import status as broker_status
from .cache import status as cache_status
from .roles import Role, primary_role


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
        profile = profile_of(user)
        if profile is not None and profile.channel_kind in OUTBOUND_CHANNEL_KINDS:
            return "channels:outbound"
        return "channels:console"
    if role == Role.DIGITAL_TEAM:
        return "training:my_training"  # no console: they build the channels, and are trained
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
    """Who may use it: anyone (load balancers). Says whether the database and cache answer.

    ``ok`` (200) when both do; ``degraded`` (200) when only the cache is down: decisions are
    still served, so the load balancer keeps the instance while monitoring sees which part
    failed; ``error`` (503) when the database is down. With a broker configured, ``queue``
    says whether the task queue answers (down: ``degraded``; loads and call lists wait).
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = f"error: {exc.__class__.__name__}"
    checks["cache"] = cache_status()
    queue = broker_status()  # None: tasks run in-process, there is no queue to lose
    if queue is not None:
        checks["queue"] = queue
    if checks["database"] != "ok":
        return JsonResponse({"status": "error", **checks}, status=503)
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JsonResponse({"status": status, **checks}, status=200)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Who may see it: anyone whose form the CSRF check refused (settings.CSRF_FAILURE_VIEW;
    Django logs the reason). The portal's page, saying what happened and that nothing was
    saved, with a way back to the page the form came from when it is one of the portal's."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(request, "403_csrf.html", {"back": back}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; under /api/ a JSON body, since API clients cannot read an HTML one."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return defaults.server_error(request)
