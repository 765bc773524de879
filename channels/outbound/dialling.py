"""Attempts and dispositions on a claimed lead, its outcomes, and the agent's counters for today."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import OUTBOUND_CHANNEL_KINDS, Exclusion, Outcome
from campaigns.decisioning import (
    decide,
)
from campaigns.models import Customer, Presentation, Response, UndoneOutcome
from campaigns.preferences import withdraw
from campaigns.responses import record_outcome, undo_outcome
from channels.choices import RETRY_DISPOSITIONS, Disposition, LeadState
from channels.models.outbound import CallAttempt, Lead, OutboundSettings
from channels.models.sites import AgentProfile, Site
from channels.outbound.hours import local_day, local_moment, next_calling_moment


def _lead_of(agent, lead_id: int) -> Lead:
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("customer", "call_list__campaign", "call_list__site")
        .get(pk=lead_id)
    )
    if lead.state != LeadState.ASSIGNED or lead.assigned_to_id != agent.pk:
        raise ValidationError(_("This customer is no longer on your screen."))
    return lead


@transaction.atomic
def record_attempt(
    *,
    lead: Lead,
    agent,
    disposition: str,
    callback_at: datetime | None = None,
    callback_personal: bool = False,
    now: datetime | None = None,
) -> CallAttempt:
    """Log one call to ``lead`` and act on its disposition; a repeated click changes nothing."""
    if disposition not in Disposition.values:
        raise ValidationError(_("Choose what happened on the call."))
    now = now or timezone.now()
    current = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    last = CallAttempt.objects.filter(lead=current).order_by("-at", "-pk").first()
    if (
        last is not None
        and last.agent_id == agent.pk
        and last.disposition == disposition
        and (current.assigned_to_id != agent.pk or disposition == Disposition.REACHED)
        and timezone.now() - last.at < timedelta(minutes=1)
    ):
        return last  # a double click or a retried request: already recorded
    lead = _lead_of(agent, lead.pk)
    if lead.disposition == Disposition.REACHED and disposition not in (
        Disposition.CALLBACK,
        Disposition.DO_NOT_CALL,
    ):
        raise ValidationError(_("The customer was reached: record the outcomes, then wrap up."))
    if disposition == Disposition.CALLBACK and callback_at is None:
        raise ValidationError(_("Choose when to call back."))
    site = lead.call_list.site
    attempt = CallAttempt.objects.create(
        lead=lead,
        agent=agent,
        site=site,
        disposition=disposition,
        callback_at=callback_at if disposition == Disposition.CALLBACK else None,
        callback_personal=callback_personal and disposition == Disposition.CALLBACK,
    )
    lead.disposition = disposition
    release = True
    if disposition in RETRY_DISPOSITIONS:
        lead.attempts += 1
        rules = OutboundSettings.for_campaign(lead.call_list.campaign_id)
        if lead.attempts >= rules.max_attempts:
            lead.state = LeadState.DONE
        else:
            minutes = (
                rules.busy_retry_minutes
                if disposition == Disposition.BUSY
                else rules.no_answer_retry_minutes
            )
            lead.state = LeadState.WAITING
            lead.is_callback, lead.callback_agent = False, None
            lead.due_at = next_calling_moment(site, now + timedelta(minutes=minutes))
    elif disposition == Disposition.CALLBACK:
        lead.state, lead.due_at, lead.is_callback = LeadState.WAITING, callback_at, True
        lead.callback_agent = agent if callback_personal else None
    elif disposition == Disposition.REACHED:
        release = False  # the agent keeps the lead for the offers, then wraps up
        profile = AgentProfile.objects.get(user=agent)
        lead.decision = decide(
            customer=lead.customer,
            channel_kind=profile.channel_kind,
            agent=agent,
            site_id=site.pk,
            now=now,
        ).decision
    elif disposition == Disposition.DO_NOT_CALL:
        lead.state = LeadState.DONE
        _do_not_contact(lead.customer, agent=agent, site_id=site.pk, now=now)
    else:  # wrong number
        lead.state = LeadState.DONE
    if release:
        if lead.state == LeadState.DONE:
            lead.closed_at = now
        else:
            lead.assigned_to, lead.assigned_at = None, None
    lead.save()
    return attempt


def _do_not_contact(customer: Customer, *, agent, site_id: int, now: datetime) -> None:
    """Do not call holds in every channel at once: the customer's own flag (recorded as the
    console's withdrawals are: audited, and kept over the next snapshot), and their other leads."""
    withdraw(customer=customer, fields=["do_not_contact"], agent=agent, site_id=site_id, now=now)
    Lead.objects.filter(customer=customer, state=LeadState.WAITING).update(
        state=LeadState.SKIPPED,
        skip_code=Exclusion.DO_NOT_CONTACT,
        skip_reason=_("The customer asked not to be contacted."),
        closed_at=now,
    )


@transaction.atomic
def wrap_up(*, lead: Lead, agent, now: datetime | None = None) -> Lead:
    """Close a reached lead once its outcomes are recorded; the agent's screen is free again."""
    lead = _lead_of(agent, lead.pk)
    if lead.disposition != Disposition.REACHED:
        raise ValidationError(_("Record what happened on the call first."))
    lead.state, lead.closed_at = LeadState.DONE, now or timezone.now()
    lead.save(update_fields=["state", "closed_at"])
    return lead


@transaction.atomic
def record_lead_outcome(
    *, lead: Lead, presentation: Presentation, agent, outcome: str, **reasons
) -> tuple[Response, bool]:
    """The console's outcome service for an offer shown on a call; the lead notes a conversion."""
    if presentation.decision_id is None or presentation.decision_id != lead.decision_id:
        raise ValidationError(_("This offer was not shown on this call."))
    response, created = record_outcome(
        presentation=presentation,
        outcome=outcome,
        agent=agent,
        site_id=lead.call_list.site_id,
        **reasons,
    )
    if response.outcome == Outcome.ACCEPTED and lead.converted_at is None:
        Lead.objects.filter(pk=lead.pk, converted_at__isnull=True).update(
            converted_at=response.recorded_at
        )
    return response, created


@transaction.atomic
def undo_lead_outcome(
    *, lead: Lead, response_id: int, agent, now: datetime | None = None
) -> UndoneOutcome:
    """Undo an outcome recorded on a call (``campaigns.responses.undo_outcome``: its agent, within
    the undo period); the lead's conversion goes with the last accepted outcome of the call."""
    presentation_id = (
        Response.objects.filter(pk=response_id, presentation__decision_id=lead.decision_id)
        .values_list("presentation_id", flat=True)
        .first()
    )
    if presentation_id is None:
        raise ValidationError(_("This outcome cannot be undone: it is not yours or was undone."))
    # Row locks in record_lead_outcome's order: the presentation, then the lead.
    Presentation.objects.select_for_update().filter(pk=presentation_id).first()
    Lead.objects.select_for_update(of=("self",)).filter(pk=lead.pk).first()
    undone = undo_outcome(response_id=response_id, agent=agent, now=now)
    if undone.outcome == Outcome.ACCEPTED:
        still = Response.objects.filter(
            presentation__decision_id=lead.decision_id, outcome=Outcome.ACCEPTED
        ).aggregate(first=Min("recorded_at"))["first"]
        Lead.objects.filter(pk=lead.pk).update(converted_at=still)
    return undone


# --- Counters ----------------------------------------------------------------------------------


def todays_counters(*, agent, site: Site, now: datetime | None = None) -> dict[str, int]:
    """The agent's calls, reached customers and conversions since local midnight at their site."""
    now = now or timezone.now()
    midnight = local_moment(local_day(site, now), time.min, site.zone)
    calls = CallAttempt.objects.filter(agent=agent, at__gte=midnight).aggregate(
        calls=Count("id"), reached=Count("id", filter=Q(disposition=Disposition.REACHED))
    )
    conversions = Response.objects.filter(
        agent=agent,
        outcome=Outcome.ACCEPTED,
        channel_kind__in=OUTBOUND_CHANNEL_KINDS,
        recorded_at__gte=midnight,
    ).count()
    return {**calls, "conversions": conversions}
