"""Hand-overs in the console: the inbound agents' queue, taking one, opening the customer with
the bot's words at the top, closing it with an outcome; and the customer's hand-over history."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from channels.console.links import LinkExpired, NotYourLink, customer_id_from, customer_url
from channels.models import (
    Handover,
    HandoverOutcome,
    HandoverStatus,
    handles_handovers,
)
from cvm_portal.audit import record_access
from cvm_portal.roles import Role, role_required

from . import desk

QUEUE_SHOWN = 50  # waiting hand-overs listed; the count says how many more there are


def _inbound_only(request: HttpRequest) -> None:
    if not handles_handovers(request.user):
        raise PermissionDenied(_("Chatbot hand-overs go to inbound call-centre agents."))


def _queue_context(request: HttpRequest) -> dict:
    waiting = Handover.objects.waiting().select_related("customer")
    return {
        "waiting": list(waiting[:QUEUE_SHOWN]),
        "waiting_count": waiting.count(),
        "mine": list(
            Handover.objects.filter(taken_by=request.user, status=HandoverStatus.TAKEN)
            .select_related("customer")
            .order_by("taken_at")
        ),
    }


@require_GET
@role_required(Role.AGENT)
def queue(request: HttpRequest) -> HttpResponse:
    """Who may use it: inbound agents (others: 403). Waiting hand-overs, oldest first, and the
    ones the agent has taken; htmx (every 15 s) gets the list alone."""
    _inbound_only(request)
    context = _queue_context(request)
    if request.htmx:
        return render(request, "channels/includes/handover_queue.html", context)
    return render(request, "channels/handover_queue.html", context)


@require_POST
@role_required(Role.AGENT)
def take(request: HttpRequest, pk) -> HttpResponse:
    """Who may use it: inbound agents. Claims a waiting hand-over; when two press at once one
    gets it and the other comes back to the queue (409) with a message saying so."""
    _inbound_only(request)
    if desk.take(handover_id=pk, agent=request.user):
        return redirect("channels:handover", pk=pk)
    if not Handover.objects.filter(pk=pk).exists():
        raise Http404
    context = {
        **_queue_context(request),
        "take_error": _("Another agent took this hand-over first. Take the next one."),
    }
    return render(request, "channels/handover_queue.html", context, status=409)


@require_GET
@role_required(Role.AGENT, Role.TEAM_LEAD, Role.CVM_MANAGER, Role.ADMINISTRATOR)
def handover(request: HttpRequest, pk) -> HttpResponse:
    """Who may use it: whoever may see the hand-over (``HandoverQuerySet.visible_to``; others:
    404). Its taker lands on the customer's console page with the bot's words at the top (an
    audited look-up); a waiting one offers "Take"; a closed one, or an unknown caller, is shown
    here. The screen-pop /console/pop/?handover=<id> comes here."""
    item = get_object_or_404(
        Handover.objects.visible_to(request.user).select_related("customer", "client"), pk=pk
    )
    mine = item.taken_by_id == request.user.pk and item.status == HandoverStatus.TAKEN
    if mine and item.customer_id is not None:
        record_access(user=request.user, action="find", obj=item.customer, detail="handover")
        url = customer_url(user=request.user, customer_id=item.customer_id)
        return redirect(f"{url}?{urlencode({'handover': item.pk})}")
    return render(
        request,
        "channels/handover.html",
        {
            "handover": item,
            "mine": mine,
            "can_take": item.status == HandoverStatus.WAITING and handles_handovers(request.user),
        },
    )


@require_POST
@role_required(Role.AGENT)
def close(request: HttpRequest, pk) -> HttpResponse:
    """Who may use it: the agent who took the hand-over (anyone else: 404). Closes it with one
    of the outcomes; the bot reads it from the API. A second press changes nothing."""
    item = get_object_or_404(Handover, pk=pk, taken_by=request.user)
    outcome = request.POST.get("outcome", "")
    if outcome not in HandoverOutcome.values:
        return HttpResponse(_("Choose one of the outcomes."), status=400)
    if desk.close(handover=item, agent=request.user, outcome=outcome):
        messages.success(
            request,
            _("Hand-over closed: %(outcome)s. The chatbot can see it now.")
            % {"outcome": item.get_outcome_display()},
        )
    else:
        messages.info(
            request,
            _("This hand-over was already closed: %(outcome)s.")
            % {"outcome": item.get_outcome_display()},
        )
    return redirect("channels:handover_queue")


def banner_for(request: HttpRequest, customer) -> Handover | None:
    """The hand-over the console's customer page shows at its top: the one named in the page's
    address (?handover=<id>), when this agent holds it for this customer."""
    wanted = request.GET.get("handover")
    if not wanted:
        return None
    try:
        pk = uuid.UUID(wanted)
    except ValueError:
        return None  # not an id: no banner, like any other wrong id
    return (
        Handover.objects.filter(
            pk=pk, customer=customer, taken_by=request.user, status=HandoverStatus.TAKEN
        )
        .select_related("client")
        .first()
    )


@require_GET
@role_required(Role.AGENT)
def history(request: HttpRequest, token: str) -> HttpResponse:
    """Who may use it: the agent whose link ``token`` is (others: 404). The customer's
    hand-overs, loaded by the console page after it shows (htmx)."""
    try:
        customer_id = customer_id_from(user=request.user, token=token)
    except (NotYourLink, LinkExpired):
        raise Http404 from None
    items = Handover.objects.filter(customer_id=customer_id).select_related("client")[:20]
    return render(request, "channels/includes/handover_history.html", {"handovers": items})
