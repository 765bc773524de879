"""Recording what happened to a presented offer: once per presentation, whoever asks twice."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import NotPresentedReason, Outcome
from .models import DeclineReason, Presentation, Response, UndoneOutcome


@transaction.atomic
def record_outcome(
    *,
    presentation: Presentation,
    outcome: str,
    agent=None,
    site_id: int | None = None,
    decline_reason: DeclineReason | None = None,
    not_presented_reason: str = "",
) -> tuple[Response, bool]:
    """Record the outcome of ``presentation``; safe to call twice (a double click, a retry, two tabs).

    Returns (response, created). The first outcome recorded wins: a second call returns it
    unchanged, whatever it asked for.
    """
    if outcome not in Outcome.values:
        raise ValidationError(_("Unknown outcome “%(outcome)s”.") % {"outcome": outcome})
    if presentation.held_out:
        raise ValidationError(_("This offer was held out for the control group and was not shown."))
    if outcome == Outcome.DECLINED and decline_reason is None:
        raise ValidationError(_("Choose why the customer declined."))
    if outcome == Outcome.NOT_PRESENTED and not_presented_reason not in NotPresentedReason.values:
        raise ValidationError(_("Choose why the offer was not presented."))
    # One outcome at a time per presentation: its row lock on PostgreSQL; on SQLite this
    # transaction holds the database's write lock from BEGIN (settings: transaction_mode), so a
    # second request waits here and then finds the first one's outcome below.
    presentation = (
        Presentation.objects.select_for_update().select_related("decision").get(pk=presentation.pk)
    )
    existing = Response.objects.filter(presentation=presentation).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            response = Response.objects.create(
                presentation=presentation,
                customer_id=presentation.decision.customer_id,
                offer_id=presentation.offer_id,
                campaign_id=presentation.campaign_id,
                channel_kind=presentation.decision.channel_kind,
                outcome=outcome,
                decline_reason=decline_reason if outcome == Outcome.DECLINED else None,
                not_presented_reason=not_presented_reason
                if outcome == Outcome.NOT_PRESENTED
                else "",
                agent=agent,
                site_id=site_id,
            )
    except IntegrityError:  # another request won the race between our check and insert
        return Response.objects.get(presentation=presentation), False
    return response, True


def undo_deadline(response: Response):
    """Until when the agent who recorded ``response`` may undo it."""
    return response.recorded_at + timedelta(seconds=settings.CVM_UNDO_SECONDS)


def seconds_to_undo(response: Response | None, agent, now=None) -> int:
    """Whole seconds left for ``agent`` to undo ``response``: 0 when it is not theirs or too old."""
    if response is None or response.agent_id is None or response.agent_id != agent.pk:
        return 0
    left = (undo_deadline(response) - (now or timezone.now())).total_seconds()
    return max(0, math.floor(left))


@transaction.atomic
def undo_outcome(*, response_id: int, agent, now=None) -> UndoneOutcome:
    """Undo an outcome its ``agent`` recorded less than ``CVM_UNDO_SECONDS`` ago.

    The outcome row goes (so it counts nowhere: reports, bonus, contact policy) and an
    ``UndoneOutcome`` keeps what it said for the audit; the presentation is open again.
    Raises ValidationError when the outcome is someone else's, already undone or too old."""
    now = now or timezone.now()
    response = (
        Response.objects.select_for_update().filter(pk=response_id, agent=agent).first()
        if agent is not None
        else None
    )
    if response is None:
        raise ValidationError(_("This outcome cannot be undone: it is not yours or was undone."))
    if now > undo_deadline(response):
        raise ValidationError(
            ngettext(
                "Too late to undo: an outcome can be undone for %(s)d second.",
                "Too late to undo: an outcome can be undone for %(s)d seconds.",
                settings.CVM_UNDO_SECONDS,
            )
            % {"s": settings.CVM_UNDO_SECONDS}
        )
    undone = UndoneOutcome.objects.create(
        presentation_id=response.presentation_id,
        customer_id=response.customer_id,
        offer_id=response.offer_id,
        campaign_id=response.campaign_id,
        channel_kind=response.channel_kind,
        outcome=response.outcome,
        decline_reason_id=response.decline_reason_id,
        not_presented_reason=response.not_presented_reason,
        agent=response.agent,
        site_id=response.site_id,
        recorded_at=response.recorded_at,
    )
    response.delete()
    return undone
