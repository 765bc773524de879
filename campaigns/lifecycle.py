"""Moving a campaign through its statuses: the one place that decides what is allowed.

Submission and approval pass the pre-live checks (``governance.checks``); approval also passes
the four-eyes rule (``governance.four_eyes``) and needs every warning acknowledged; a rejection
needs a comment. Every change is written to the campaign's governance record
(``ApprovalRecord``) and, when a person made it, to the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvm_portal.audit import record_access

from .choices import CAMPAIGN_TRANSITIONS, CampaignStatus
from .governance.checks import blocking, run_checks, warnings
from .governance.four_eyes import approval_refusal
from .governance.history import editors_since
from .models import ApprovalRecord, ApprovalStep, Campaign

# The record step of each plain move (submission, approval and rejection have their own).
_STEP_FOR = {
    CampaignStatus.LIVE: ApprovalStep.WENT_LIVE,
    CampaignStatus.PAUSED: ApprovalStep.PAUSED,
    CampaignStatus.ENDED: ApprovalStep.ENDED,
    CampaignStatus.DRAFT: ApprovalStep.WITHDRAWN,
}


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refuse_unless_allowed(campaign: Campaign, to: str) -> None:
    if to in CAMPAIGN_TRANSITIONS[campaign.status]:
        return
    allowed = ", ".join(str(CampaignStatus(s).label) for s in CAMPAIGN_TRANSITIONS[campaign.status])
    raise ValidationError(
        _("Campaign %(code)s is %(status)s and cannot become %(to)s. Possible next: %(allowed)s.")
        % {
            "code": campaign.code,
            "status": campaign.get_status_display(),
            "to": CampaignStatus(to).label,
            "allowed": allowed or _("none (ended campaigns stay ended)"),
        }
    )


def _refuse_if_blocked(campaign: Campaign, results) -> None:
    found = blocking(results)
    if found:
        raise ValidationError(
            [
                _("Campaign %(code)s cannot move on until this is fixed:")
                % {"code": campaign.code},
                *[r.message for r in found],
            ]
        )


def _move(
    campaign: Campaign,
    *,
    to: str,
    step: str,
    by,
    comment: str = "",
    acknowledged: list[dict] | None = None,
) -> Campaign:
    """Set the status, write the governance record and, for a person, the audit event."""
    before = campaign.status
    campaign.status = to
    if by is not None and by.is_authenticated:
        campaign._history_user = by  # the history says who, also outside a request
    campaign.save(update_fields=["status", "updated_at"])
    ApprovalRecord.objects.create(
        campaign=campaign,
        step=step,
        from_status=before,
        to_status=to,
        by=by if by is not None and by.is_authenticated else None,
        at=timezone.now(),
        comment=comment,
        acknowledged=acknowledged or [],
    )
    if by is not None and by.is_authenticated:
        record_access(
            user=by,
            action="campaign_status",
            obj=campaign,
            detail=f"{campaign.code}: {before} → {to}" + (f" — {comment}" if comment else ""),
        )
    return campaign


def submission_of(campaign: Campaign) -> ApprovalRecord | None:
    """The submission the campaign's current review answers."""
    return ApprovalRecord.objects.latest_submission(campaign)


def approval_refusal_for(campaign: Campaign, user) -> str | None:
    """Why ``user`` may not approve ``campaign`` now (four eyes); None when they may. Its
    author is whoever submitted it and whoever owns (created) it."""
    submission = submission_of(campaign)
    since = submission.at if submission else campaign.updated_at
    editors = editors_since(campaign, since)
    return approval_refusal(
        user, author_id=submission.by_id if submission else None, editor_ids=editors
    ) or approval_refusal(user, author_id=campaign.owner_id, editor_ids=())


@transaction.atomic
def submit(*, campaign: Campaign, by, comment: str = "") -> Campaign:
    """Draft → in review, unless a blocking check fails."""
    campaign = _locked(campaign)
    _refuse_unless_allowed(campaign, CampaignStatus.IN_REVIEW)
    if by is None or not by.is_authenticated:
        raise ValidationError(_("A campaign is submitted by a person, who is then its author."))
    _refuse_if_blocked(campaign, run_checks(campaign))
    return _move(
        campaign, to=CampaignStatus.IN_REVIEW, step=ApprovalStep.SUBMITTED, by=by, comment=comment
    )


@transaction.atomic
def approve(
    *, campaign: Campaign, by, acknowledged: Iterable[str] = (), comment: str = ""
) -> Campaign:
    """In review → approved, by a CVM manager other than its author and its editors since the
    submission, with no blocking check failing and every warning's code in ``acknowledged``."""
    campaign = _locked(campaign)
    _refuse_unless_allowed(campaign, CampaignStatus.APPROVED)
    if by is None or not by.is_authenticated:
        raise ValidationError(_("Only a CVM manager can approve campaigns."))
    refusal = approval_refusal_for(campaign, by)
    if refusal:
        raise ValidationError(refusal)
    results = run_checks(campaign)
    _refuse_if_blocked(campaign, results)
    ticked = set(acknowledged)
    open_warnings = [w for w in warnings(results) if w.code not in ticked]
    if open_warnings:
        raise ValidationError(
            [
                _("Tick each warning to acknowledge it before approving:"),
                *[w.message for w in open_warnings],
            ]
        )
    return _move(
        campaign,
        to=CampaignStatus.APPROVED,
        step=ApprovalStep.APPROVED,
        by=by,
        comment=comment,
        acknowledged=[w.as_record() for w in warnings(results)],
    )


@transaction.atomic
def reject(*, campaign: Campaign, by, comment: str) -> Campaign:
    """In review → draft, with the comment its author reads to fix it."""
    campaign = _locked(campaign)
    if campaign.status != CampaignStatus.IN_REVIEW:
        raise ValidationError(
            _("Only a campaign in review can be rejected; %(code)s is %(status)s.")
            % {"code": campaign.code, "status": campaign.get_status_display()}
        )
    if by is None or not by.is_authenticated:
        raise ValidationError(_("A campaign is rejected by a person."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say why it is rejected: the author reads it to fix the campaign."))
    return _move(
        campaign, to=CampaignStatus.DRAFT, step=ApprovalStep.REJECTED, by=by, comment=comment
    )


@transaction.atomic
def change_status(
    *,
    campaign: Campaign,
    to: str,
    by=None,
    comment: str = "",
    acknowledged: Iterable[str] = (),
) -> Campaign:
    """Move ``campaign`` to status ``to`` if its lifecycle allows it; raise a clear error if not.
    Submission, approval and rejection go through ``submit``, ``approve`` and ``reject``;
    ``by`` is None only for the portal's own moves (the nightly end)."""
    current = Campaign.objects.only("status").get(pk=campaign.pk).status
    if to == CampaignStatus.IN_REVIEW and current == CampaignStatus.DRAFT:
        return submit(campaign=campaign, by=by, comment=comment)
    if to == CampaignStatus.APPROVED and current == CampaignStatus.IN_REVIEW:
        return approve(campaign=campaign, by=by, acknowledged=acknowledged, comment=comment)
    if to == CampaignStatus.DRAFT and current == CampaignStatus.IN_REVIEW:
        return reject(campaign=campaign, by=by, comment=comment)
    campaign = _locked(campaign)
    _refuse_unless_allowed(campaign, to)
    if to == CampaignStatus.LIVE and not campaign.offers.exists():
        raise ValidationError(
            _("Campaign %(code)s has no offers; add at least one before it goes live.")
            % {"code": campaign.code}
        )
    step = _STEP_FOR[to]
    if to == CampaignStatus.LIVE and campaign.status == CampaignStatus.PAUSED:
        step = ApprovalStep.RESUMED
    return _move(campaign, to=to, step=step, by=by, comment=comment)


def end_expired_campaigns(*, now=None) -> list[str]:
    """End every live or paused campaign whose period is over; returns their codes."""
    now = now or timezone.now()
    ended = []
    expired = Campaign.objects.filter(
        status__in=[CampaignStatus.LIVE, CampaignStatus.PAUSED], ends_at__lte=now
    ).order_by("pk")
    for campaign in expired:
        change_status(campaign=campaign, to=CampaignStatus.ENDED)
        ended.append(campaign.code)
    return ended
