"""Undoing an offer's outcome from the outbound screen, for the few seconds it may be undone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from campaigns.models import Response
from channels.outbound import confirmations
from channels.outbound.dialling import undo_lead_outcome
from channels.outbound.views import call_of, offer_outcome
from cvm_portal.audit import record_access
from cvm_portal.roles import Role, role_required


@require_POST
@role_required(Role.AGENT)
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent who recorded the outcome on their call, for
    ``settings.CVM_UNDO_SECONDS`` (anyone else's outcome, or one recorded at the console, is a
    404). The outcome goes (a conversion with it); htmx gets the offer's outcome buttons back."""
    response = (
        Response.objects.select_related("presentation__decision", "presentation__offer")
        .filter(pk=pk, agent=request.user)
        .first()
    )
    if response is None:
        raise Http404
    presentation = response.presentation
    lead = call_of(presentation)
    label = response.get_outcome_display()
    try:
        undo_lead_outcome(lead=lead, response_id=response.pk, agent=request.user)
    except ValidationError as exc:
        if request.htmx:
            still = Response.objects.filter(pk=pk).select_related("decline_reason").first()
            return offer_outcome(
                request,
                presentation=presentation,
                response=still,
                error=exc.messages[0],
                message=confirmations.outcome_recorded(
                    still, offer_title=presentation.offer.title, customer=lead.customer
                )
                if still
                else "",
            )
        messages.error(request, exc.messages[0])
        return redirect("channels:outbound")
    record_access(user=request.user, action="undo_outcome", obj=lead.customer, detail="outbound")
    said = confirmations.outcome_undone(
        label, offer_title=presentation.offer.title, customer=lead.customer
    )
    if request.htmx:
        return offer_outcome(request, presentation=presentation, message=said)
    messages.success(request, said)
    return redirect("channels:outbound")
