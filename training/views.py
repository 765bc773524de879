from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns.choices import CampaignStatus
from campaigns.models import Campaign
from cvm_portal.roles import Role, role_required


@require_GET
@role_required(Role.TRAINER)
def home(request: HttpRequest) -> HttpResponse:
    """Who may use it: trainers. Campaigns that agents will need to learn, and what is coming."""
    campaigns = Campaign.objects.filter(
        status__in=[CampaignStatus.APPROVED, CampaignStatus.LIVE]
    ).order_by("starts_at")
    return render(request, "training/home.html", {"campaigns": campaigns})
