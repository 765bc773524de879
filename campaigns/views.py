"""CVM manager pages (the Django admin holds the editing)."""

from datetime import timedelta

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cvm_portal.roles import Role, role_required

from .choices import CampaignStatus, LoadStatus
from .models import Campaign, Customer, LoadRun, Offer


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def manager_home(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Campaigns by status, catalogue size."""
    by_status = dict(Campaign.objects.values_list("status").annotate(n=Count("id")))
    status_counts = [(s, by_status.get(s.value, 0)) for s in CampaignStatus]
    campaigns = Campaign.objects.annotate(offer_count=Count("offers")).order_by(
        "status", "-starts_at"
    )
    return render(
        request,
        "campaigns/manager_home.html",
        {
            "status_counts": status_counts,
            "campaigns": campaigns,
            "customer_count": Customer.objects.count(),
            "offer_count": Offer.objects.count(),
            "failed_loads": LoadRun.objects.filter(
                status=LoadStatus.FAILED, created_at__gte=timezone.now() - timedelta(days=7)
            ).order_by("-created_at")[:5],
        },
    )
