"""Revisions of approved campaigns: a change proposed while the approved version keeps serving.

Once a campaign is approved (and while it is live or paused) what it offers, says, whom it
addresses and when it runs is not edited in place: an edit is stored here as a *pending
revision*, and only another CVM manager's approval applies it (campaigns.governance.revisions).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .core import Campaign


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CampaignRevisionQuerySet(models.QuerySet):
    def pending(self) -> CampaignRevisionQuerySet:
        return self.filter(status=RevisionStatus.PENDING)


class CampaignRevision(models.Model):
    """A proposed change of an approved, live or paused campaign, its offers' texts or its
    eligibility rule, waiting for (or decided by) a second CVM manager.

    ``changes`` holds only what differs from the approved version, keyed by what it changes::

        {"campaign": {"name": "…", "starts_at": "2026-…", "offers": [3, 5]},
         "offers": {"3": {"title": "…", "benefit": "…"}},
         "contents": {"3/inbound_call": {"agent_script": "…"}},
         "rule": {"segments": ["consumer"], "requires_product": null}}

    ``before`` holds the approved values those keys replace (taken when proposed and again
    when applied), so a decided revision still shows what it changed. A campaign has at most
    one pending revision: later edits before the decision are merged into it.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("campaign")
    )
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
    )
    changes = models.JSONField(_("proposed changes"), default=dict)
    before = models.JSONField(_("approved values replaced"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    editor_ids = models.JSONField(
        _("also edited by"),
        default=list,
        blank=True,
        help_text=_("Users other than the proposer who added changes before the decision."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = CampaignRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign revision")
        verbose_name_plural = _("campaign revisions")
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="campaign_revision_number_unique"
            ),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(status="pending"),
                name="campaign_revision_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RevisionStatus.values), name="campaign_revision_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} #{self.number}"

    @property
    def is_pending(self) -> bool:
        return self.status == RevisionStatus.PENDING
