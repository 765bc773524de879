"""Approve or reject a pending revision of a campaign, from its governance page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cvm_portal.roles import Role, role_required

from ..models import CampaignRevision
from . import revisions

COMMENT_MAX = 2000


def _decide(request: HttpRequest, pk: int, do, done: str) -> HttpResponse:
    revision = get_object_or_404(CampaignRevision.objects.select_related("campaign"), pk=pk)
    comment = request.POST.get("comment", "").strip()
    try:
        if len(comment) > COMMENT_MAX:
            raise ValidationError(
                _("Keep the comment under %(n)d characters.") % {"n": COMMENT_MAX}
            )
        do(revision=revision, by=request.user, comment=comment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        revision.refresh_from_db()
        messages.success(
            request,
            done
            % {
                "n": revision.number,
                "code": revision.campaign.code,
                "status": revision.get_status_display().lower(),
            },
        )
    return redirect("campaigns:campaign_governance", pk=revision.campaign_id)


@require_POST
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def revision_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers (four eyes: not the revision's proposer or editors).
    Applies the revision: every channel serves it from the next request."""
    return _decide(
        request,
        pk,
        revisions.approve,
        _("Revision #%(n)s of %(code)s is approved: every channel now serves it."),
    )


@require_POST
@role_required(Role.CVM_MANAGER, Role.ADMINISTRATOR)
def revision_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: CVM managers; its proposer withdraws it. The approved version stays."""
    return _decide(
        request,
        pk,
        revisions.reject,
        _("Revision #%(n)s of %(code)s is %(status)s; the approved version stays."),
    )
