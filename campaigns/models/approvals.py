"""The governance record of a campaign: who submitted, approved, rejected or otherwise moved it,
when, with what comment, and which pre-live warnings the approver acknowledged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import CampaignStatus
from .core import Campaign


class ApprovalStep(models.TextChoices):
    """What one record says happened. Submission, approval and rejection are the four-eyes
    steps; the others keep the rest of the lifecycle on the same record."""

    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Sent back to draft")
    WENT_LIVE = "went_live", _("Went live")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    ENDED = "ended", _("Ended")


class ApprovalRecordQuerySet(models.QuerySet):
    def latest_submission(self, campaign: Campaign) -> ApprovalRecord | None:
        """The submission the campaign's current review answers (None: never submitted)."""
        return (
            self.filter(campaign=campaign, step=ApprovalStep.SUBMITTED)
            .order_by("-at", "-pk")
            .first()
        )


class ApprovalRecord(models.Model):
    """One step of a campaign's governance, never changed once written."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("campaign")
    )
    step = models.CharField(_("step"), max_length=20, choices=ApprovalStep.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=CampaignStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=CampaignStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: done by the portal itself (e.g. the nightly end of campaigns)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    # [{"code": …, "message": …}] of each warning the approver ticked, as worded at the time.
    acknowledged = models.JSONField(
        _("warnings acknowledged"),
        default=list,
        blank=True,
        db_default=models.Value([], output_field=models.JSONField()),
    )

    objects = ApprovalRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval record")
        verbose_name_plural = _("approval records")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=ApprovalStep.values), name="approval_record_step_valid"
            ),
            # A rejection always says why: the author reads it to fix the campaign.
            models.CheckConstraint(
                condition=~Q(step=ApprovalStep.REJECTED) | ~Q(comment=""),
                name="approval_record_rejection_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "at"], name="approval_campaign_at_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.step} {self.at:%Y-%m-%d %H:%M}"

    @property
    def acknowledged_messages(self) -> list[str]:
        return [str(item.get("message", "")) for item in self.acknowledged or []]
