"""What the console answers once an agent records or undoes an outcome: the offer's card (the
outcome, with Undo while it may be undone, or the outcome buttons again) and the customer's
history, which htmx swaps in place; or, for a plain POST, the customer's page again."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaigns import catalogue
from campaigns.choices import NotPresentedReason
from campaigns.models import Presentation, Response
from channels.models.sites import profile_of

from .links import customer_url

HISTORY_ROWS = 20


def described(response: Response) -> str:
    """The outcome in words, with its reason: "Declined — Too expensive"."""
    text = response.get_outcome_display()
    if response.decline_reason_id:
        return f"{text} — {response.decline_reason.label}"
    if response.not_presented_reason:
        return f"{text} — {response.get_not_presented_reason_display()}"
    return text


def history_of(customer_id: int) -> QuerySet:
    """The customer's latest outcomes, newest first, as the console's History table lists them."""
    return (
        Response.objects.filter(customer_id=customer_id)
        .select_related("offer", "campaign", "decline_reason", "agent")
        .order_by("-recorded_at")[:HISTORY_ROWS]
    )


def outcome_card(
    request: HttpRequest,
    *,
    presentation: Presentation,
    response: Response | None,
    error: str | None = None,
    message: str = "",
) -> HttpResponse:
    """For htmx: the outcome part of the offer's card (422 with ``error``), and the customer's
    History table out of band, so a recorded or undone outcome shows there at once."""
    return render(
        request,
        "channels/includes/outcome_result.html",
        {
            "presentation": presentation,
            "response": response,
            "error": error,
            "message": message,
            "decline_reasons": catalogue.current().decline_reasons,
            "not_presented_reasons": NotPresentedReason.choices,
            "history": history_of(presentation.decision.customer_id),
            "history_oob": True,
            "profile": profile_of(request.user),
        },
        status=200 if error is None else 422,
    )


def back_to_customer(
    request: HttpRequest, *, customer_id: int, error: str | None = None, done: str = ""
) -> HttpResponse:
    """For a plain POST: the customer's page again (by a fresh link), saying what happened."""
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(customer_url(user=request.user, customer_id=customer_id))


def recorded_message(response: Response) -> str:
    """What the agent is told once an outcome is recorded: "Recorded: Later"."""
    return _("Recorded: %(outcome)s") % {"outcome": described(response)}


def undone_message(outcome: str) -> str:
    """What the agent is told once ``outcome`` (in words) is undone."""
    return _("Undone: %(outcome)s. Record what happened again.") % {"outcome": outcome}
