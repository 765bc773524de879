"""Undoing an outcome recorded at the console, for the few seconds it may be undone."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from campaigns.models import Response
from campaigns.responses import undo_outcome
from channels.models.outbound import Lead
from cvm_portal.audit import record_access
from cvm_portal.roles import Role, role_required

from .result import back_to_customer, described, outcome_card, undone_message


@require_POST
@role_required(Role.AGENT)
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent who recorded the outcome at the console, for
    ``settings.CVM_UNDO_SECONDS`` (anyone else's outcome, one from the API or one recorded on an
    outbound call is a 404). The outcome goes; htmx gets the offer's outcome buttons back (and
    the History without it), a plain POST the customer's page."""
    response = (
        Response.objects.select_related(
            "presentation__decision", "presentation__offer", "decline_reason", "customer"
        )
        .filter(pk=pk, agent=request.user)
        .first()
    )
    # An outcome of an outbound call is undone on the outbound screen, which also un-notes
    # the lead's conversion.
    if (
        response is None
        or Lead.objects.filter(decision_id=response.presentation.decision_id).exists()
    ):
        raise Http404
    presentation, customer = response.presentation, response.customer
    outcome = described(response)
    try:
        undo_outcome(response_id=response.pk, agent=request.user)
    except ValidationError as exc:
        if not request.htmx:
            return back_to_customer(request, customer_id=customer.pk, error=exc.messages[0])
        still = Response.objects.filter(pk=pk).select_related("decline_reason").first()
        return outcome_card(
            request, presentation=presentation, response=still, error=exc.messages[0]
        )
    record_access(user=request.user, action="undo_outcome", obj=customer, detail="console")
    if not request.htmx:
        return back_to_customer(request, customer_id=customer.pk, done=undone_message(outcome))
    return outcome_card(
        request, presentation=presentation, response=None, message=undone_message(outcome)
    )
