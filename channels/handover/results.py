"""Hand-over results: how many hand-overs each site and agent closed, by outcome, in a period."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from channels.models import Handover, HandoverOutcome, HandoverStatus, Site, profile_of
from cvm_portal.roles import Role, role_required, roles_of

PERIODS = (7, 30, 90)  # days


def counts(*, since, site_id: int | None = None) -> list[dict]:
    """One row per (site, agent) that took hand-overs since ``since``: closed per outcome,
    still open, total. ``site_id`` limits it to one site. One grouped query."""
    taken = Handover.objects.filter(taken_at__gte=since).exclude(taken_by=None)
    if site_id is not None:
        taken = taken.filter(site_id=site_id)
    grouped = (
        taken.values_list("site_id", "taken_by_id", "status", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for site, agent, status, outcome, n in grouped:
        cells[(site, agent)][outcome if status == HandoverStatus.CLOSED else "open"] += n
    sites = dict(Site.objects.values_list("pk", "name"))
    users = {
        u.pk: u.get_full_name() or u.get_username()
        for u in get_user_model().objects.filter(pk__in={agent for _s, agent in cells})
    }
    rows = [
        {
            "site": sites.get(site, "—"),
            "agent": users.get(agent, "—"),
            "by_outcome": [c[value] for value in HandoverOutcome.values],
            "open": c["open"],
            "total": sum(c.values()),
        }
        for (site, agent), c in cells.items()
    ]
    return sorted(rows, key=lambda r: (r["site"], r["agent"]))


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD)
def results(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers (every site) and team leads (their own site). Hand-overs
    taken in the last 7, 30 or 90 days, per site and agent, by outcome; and how many wait."""
    site_id = None
    if not roles_of(request.user) & {Role.CVM_MANAGER, Role.ADMINISTRATOR}:
        profile = profile_of(request.user)
        if profile is None:
            raise PermissionDenied(_("Your account is not attached to a site yet."))
        site_id = profile.site_id
    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and int(days) in PERIODS else 30
    rows = counts(since=timezone.now() - timedelta(days=days), site_id=site_id)
    totals = [sum(col) for col in zip(*(r["by_outcome"] for r in rows), strict=True)] or [
        0 for _v in HandoverOutcome.values
    ]
    return render(
        request,
        "channels/handover_results.html",
        {
            "rows": rows,
            "outcomes": HandoverOutcome.choices,
            "totals": totals,
            "open_total": sum(r["open"] for r in rows),
            "grand_total": sum(r["total"] for r in rows),
            "waiting": Handover.objects.filter(status=HandoverStatus.WAITING).count(),
            "days": days,
            "periods": PERIODS,
        },
    )
