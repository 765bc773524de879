"""CVM manager pages (the Django admin holds the editing)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cvm_portal.audit import recent_bursts
from cvm_portal.roles import Role, role_required

from .choices import CampaignStatus, FeedbackStatus, LoadStatus
from .feedback import answer_feedback
from .models import Campaign, Customer, LoadRun, Offer, OfferFeedback


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
            "lookup_bursts": recent_bursts(),
        },
    )


@require_GET
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def feedback_inbox(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Agents' feedback on offers, newest first."""
    status = request.GET.get("status", FeedbackStatus.NEW)
    items = OfferFeedback.objects.select_related("offer", "campaign", "agent", "replied_by")
    if status in FeedbackStatus.values:
        items = items.filter(status=status)
    counts = dict(OfferFeedback.objects.values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "campaigns/feedback_inbox.html",
        {
            "items": items[:100],
            "status": status,
            "statuses": [(s, counts.get(s.value, 0)) for s in FeedbackStatus],
        },
    )


@require_POST
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Set the status and reply to the agent."""
    item = get_object_or_404(OfferFeedback, pk=pk)
    try:
        answer_feedback(
            feedback=item,
            status=request.POST.get("status", ""),
            reply=request.POST.get("reply", "")[:1000],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Saved; the agent sees your reply on their console."))
    return redirect(
        f"{reverse('campaigns:feedback_inbox')}?status={request.POST.get('back', FeedbackStatus.NEW)}"
    )
