"""Agents' feedback on offers, and CVM managers' answers: the only writes to OfferFeedback."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import FeedbackReason, FeedbackStatus
from .models import OfferFeedback, Presentation


@transaction.atomic
def send_feedback(
    *,
    presentation: Presentation,
    agent,
    useful: bool,
    reason: str = "",
    comment: str = "",
    site_id=None,
) -> OfferFeedback:
    """Record an agent's feedback on the offer of ``presentation``. The same feedback sent twice
    (a double click, a retry) is recorded once: the second call returns the first."""
    if reason and reason not in FeedbackReason.values:
        raise ValidationError(_("Choose a reason from the list."))
    if not useful and not reason:
        raise ValidationError(_("Say what is wrong with the offer: choose a reason."))
    if reason == FeedbackReason.OTHER and not comment.strip():
        raise ValidationError(_("With “Other”, write a short comment."))
    comment = comment.strip()[:1000]
    # Locking the presentation makes two identical sends queue here (SQLite's immediate
    # transactions queue them already); the second finds the first.
    Presentation.objects.select_for_update().filter(pk=presentation.pk).first()
    same = OfferFeedback.objects.filter(
        presentation=presentation, agent=agent, useful=useful, reason=reason, comment=comment
    ).first()
    if same is not None:
        return same
    return OfferFeedback.objects.create(
        offer_id=presentation.offer_id,
        campaign_id=presentation.campaign_id,
        presentation=presentation,
        agent=agent,
        site_id=site_id,
        useful=useful,
        reason=reason,
        comment=comment,
    )


@transaction.atomic
def answer_feedback(*, feedback: OfferFeedback, status: str, reply: str, by) -> OfferFeedback:
    """A CVM manager moves feedback along and may reply; the agent sees the reply."""
    if status not in FeedbackStatus.values:
        raise ValidationError(_("Unknown status."))
    feedback = OfferFeedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.status = status
    if reply.strip() and reply.strip() != feedback.reply:
        feedback.reply = reply.strip()[:1000]
        feedback.replied_by = by
        feedback.replied_at = timezone.now()
    feedback.save()
    return feedback
