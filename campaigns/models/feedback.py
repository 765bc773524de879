"""What agents tell CVM about an offer, and CVM's answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import FeedbackReason, FeedbackStatus
from .core import Campaign, Offer
from .decisions import Presentation


class OfferFeedback(models.Model):
    """An agent's note on an offer (useful or not, why), and the CVM manager's status and reply."""

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("offer")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    presentation = models.ForeignKey(
        Presentation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offer_feedback"
    )
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    useful = models.BooleanField(_("useful"))
    reason = models.CharField(
        _("reason"), max_length=20, choices=FeedbackReason.choices, blank=True
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    reply = models.TextField(_("reply"), max_length=1000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("offer feedback")
        verbose_name_plural = _("offer feedback")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FeedbackStatus.values), name="feedback_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason="") | Q(reason__in=FeedbackReason.values),
                name="feedback_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} {'+' if self.useful else '-'} {self.reason}"
