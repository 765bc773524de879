"""The governance pages of the CVM workspace: campaigns with what waits for the reader's
approval, and one campaign's checks, record and lifecycle buttons.

Who may use them: CVM managers and administrators (campaigns are run centrally, not per site).
Only a CVM manager other than the author and the editors since submission can approve; the
pages show why a button is missing rather than hiding the rule.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cvm_portal.roles import Role, role_required, roles_of

from .. import lifecycle
from ..choices import CAMPAIGN_TRANSITIONS, CampaignStatus
from ..models import ApprovalRecord, ApprovalStep, Campaign
from .checks import blocking, run_checks, warnings

CVM = (Role.CVM_MANAGER, Role.ADMINISTRATOR)
COMMENT_MAX = 2000


def _latest_submitter():
    return Subquery(
        ApprovalRecord.objects.filter(campaign=OuterRef("pk"), step=ApprovalStep.SUBMITTED)
        .order_by("-at", "-pk")
        .values("by_id")[:1]
    )


@require_GET
@role_required(*CVM)
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Every campaign with its status, and
    first the campaigns in review that the reader may approve."""
    status = request.GET.get("status", "")
    campaigns = Campaign.objects.annotate(
        offer_count=Count("offers"), submitted_by=_latest_submitter()
    ).order_by("status", "-starts_at", "code")
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    else:
        status = ""
    in_review = Campaign.objects.filter(status=CampaignStatus.IN_REVIEW).order_by("starts_at")
    waiting = []
    if Role.CVM_MANAGER in roles_of(request.user):
        # In review is a short list; the four-eyes rule is asked per campaign, as approve() will.
        waiting = [c for c in in_review if lifecycle.approval_refusal_for(c, request.user) is None]
    counts = dict(Campaign.objects.values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "campaigns/governance/campaign_list.html",
        {
            "campaigns": campaigns,
            "waiting": waiting,
            "status": status,
            "statuses": [(s, counts.get(s.value, 0)) for s in CampaignStatus],
        },
    )


def _preview_url(campaign: Campaign) -> str:
    try:
        return reverse("campaigns:campaign_preview", args=[campaign.pk])
    except NoReverseMatch:  # the preview page is not installed
        return ""


def _page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    errors: list[str] | None = None,
    ticked: set[str] | frozenset = frozenset(),
    comment: str = "",
    status: int = 200,
) -> HttpResponse:
    results = run_checks(campaign)
    is_manager = Role.CVM_MANAGER in roles_of(request.user)
    approval_refusal = None
    if campaign.status == CampaignStatus.IN_REVIEW:
        approval_refusal = lifecycle.approval_refusal_for(campaign, request.user)
    nexts = CAMPAIGN_TRANSITIONS[campaign.status]
    can_approve = is_manager and approval_refusal is None
    revisions = select_template(
        ["campaigns/governance/_revisions.html", "campaigns/governance/_no_revisions.html"]
    )
    return render(
        request,
        "campaigns/governance/campaign_detail.html",
        {
            "campaign": campaign,
            "blocking": blocking(results),
            "warnings": warnings(results),
            # The approver ticks the warnings in the approval form; everyone else reads them.
            "ack_in_form": can_approve
            and campaign.status == CampaignStatus.IN_REVIEW
            and not blocking(results),
            "ticked": ticked,
            "records": campaign.approvals.select_related("by"),
            "submission": lifecycle.submission_of(campaign),
            "can_submit": campaign.status == CampaignStatus.DRAFT,
            "can_review": campaign.status == CampaignStatus.IN_REVIEW,
            "can_approve": can_approve,
            "approval_refusal": approval_refusal,
            "can_go_live": CampaignStatus.LIVE in nexts,
            "preview_url": _preview_url(campaign),
            "revisions_template": revisions.template.name,
            "errors": errors or [],
            "comment": comment,
            "comment_max": COMMENT_MAX,
        },
        status=status,
    )


@require_GET
@role_required(*CVM)
def campaign_governance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Status, pre-live checks, the record of
    submissions, approvals and rejections, and the buttons the reader may use."""
    return _page(request, get_object_or_404(Campaign, pk=pk))


def _act(request: HttpRequest, pk: int, do, done: str) -> HttpResponse:
    """Run one lifecycle step; on refusal show the page again with the reasons and the ticks."""
    campaign = get_object_or_404(Campaign, pk=pk)
    comment = request.POST.get("comment", "").strip()
    ticked = set(request.POST.getlist("acknowledge"))
    if len(comment) > COMMENT_MAX:
        return _page(
            request,
            campaign,
            errors=[_("Keep the comment under %(n)d characters.") % {"n": COMMENT_MAX}],
            ticked=ticked,
            comment=comment,
            status=422,
        )
    try:
        do(campaign, request.user, comment, ticked)
    except ValidationError as exc:
        campaign.refresh_from_db()
        return _page(
            request, campaign, errors=exc.messages, ticked=ticked, comment=comment, status=422
        )
    messages.success(request, done % {"code": campaign.code})
    return redirect("campaigns:campaign_governance", pk=campaign.pk)


@require_POST
@role_required(*CVM)
def campaign_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Draft → in review."""
    return _act(
        request,
        pk,
        lambda campaign, by, comment, _ticked: lifecycle.submit(
            campaign=campaign, by=by, comment=comment
        ),
        _("%(code)s is submitted: another CVM manager reviews and approves it."),
    )


@require_POST
@role_required(*CVM)
def campaign_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers other than the author and the editors since submission
    (the lifecycle refuses the others). In review → approved."""
    return _act(
        request,
        pk,
        lambda campaign, by, comment, ticked: lifecycle.approve(
            campaign=campaign, by=by, acknowledged=ticked, comment=comment
        ),
        _("%(code)s is approved. It goes live when someone presses “Go live”."),
    )


@require_POST
@role_required(*CVM)
def campaign_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. In review → draft, with a comment."""
    return _act(
        request,
        pk,
        lambda campaign, by, comment, _ticked: lifecycle.reject(
            campaign=campaign, by=by, comment=comment
        ),
        _("%(code)s is back in draft; its author sees your comment on this page."),
    )


@require_POST
@role_required(*CVM)
def campaign_go_live(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers and administrators. Approved (or paused) → live."""
    return _act(
        request,
        pk,
        lambda campaign, by, comment, _ticked: lifecycle.change_status(
            campaign=campaign, to=CampaignStatus.LIVE, by=by, comment=comment
        ),
        _("%(code)s is live: the channels offer it from their next request."),
    )
