"""Adding a customer-need note from the console and from the outbound screen, in seconds.

Both answer a plain form POST with a redirect back to the page (a message says what happened)
and a script's ``fetch`` (``Accept: application/json``, static/js/need_notes.js) with JSON: the
new note's history entry as HTML, or the errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.choices import ChannelKind
from campaigns.models import Customer, Decision
from channels.console.links import LinkExpired, NotYourLink, customer_id_from, customer_url
from channels.models.outbound import CallAttempt, Lead
from channels.models.sites import profile_of
from cvm_portal.roles import Role, role_required

from .notes import NoteForm, add_note

SAVED = "need-notes-form"  # the form's id: a plain POST comes back to it


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, *, save, form: NoteForm, back: str) -> HttpResponse:
    """Save through ``save`` when the form is valid; answer JSON or redirect to ``back``."""
    errors: list[str] = form.messages() if not form.is_valid() else []
    note = None
    if not errors:
        try:
            note = save(form.cleaned_data)
        except ValidationError as exc:
            errors = exc.messages
    if _wants_json(request):
        if errors:
            return JsonResponse({"errors": errors}, status=422)
        html = render_to_string("channels/includes/need_note.html", {"note": note}, request=request)
        return JsonResponse({"message": _("Note saved."), "html": html, "id": note.pk}, status=201)
    if errors:
        for error in errors:
            messages.error(request, error)
    else:
        messages.success(request, _("Note saved."))
    return redirect(f"{back}#{SAVED}")


def _kind(request: HttpRequest) -> str:
    profile = profile_of(request.user)
    return profile.channel_kind if profile else ChannelKind.STORE


@require_POST
@role_required(Role.AGENT, Role.TEAM_LEAD)
def console_note(request: HttpRequest, token: str) -> HttpResponse:
    """Who may use it: the agent (or team lead) whose look-up made ``token`` (any other: 404),
    while it is fresh; they need a profile at a site. Adds a note on that customer, tied to the
    agent's own contact (decision) with them when the form names one."""
    try:
        customer_id = customer_id_from(user=request.user, token=token)
    except NotYourLink:
        raise Http404 from None
    except LinkExpired:
        messages.info(request, _("The link to this customer has expired. Find them again."))
        return redirect("channels:console")
    customer = get_object_or_404(Customer, pk=customer_id)
    form = NoteForm(request.POST)

    def save(data):
        decision = None
        if data.get("decision"):
            decision = Decision.objects.filter(
                pk=data["decision"], customer=customer, agent=request.user
            ).first()
        return add_note(
            customer=customer,
            author=request.user,
            tags=data["tags"],
            text=data["text"],
            channel_kind=decision.channel_kind if decision else _kind(request),
            decision=decision,
        )

    return _answer(
        request,
        save=save,
        form=form,
        back=customer_url(user=request.user, customer_id=customer.pk),
    )


@require_POST
@role_required(Role.AGENT, Role.TEAM_LEAD)
def outbound_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the outbound agent holding the lead, or one who called it (their site's
    lead; any other: 404). Adds a note on the lead's customer, tied to the call's decision and
    campaign."""
    profile = profile_of(request.user)
    if profile is None:
        raise Http404
    lead = get_object_or_404(
        Lead.objects.select_related("call_list__campaign", "customer", "decision"),
        pk=pk,
        call_list__site_id=profile.site_id,
    )
    if (
        lead.assigned_to_id != request.user.pk
        and not CallAttempt.objects.filter(lead=lead, agent=request.user).exists()
    ):
        raise Http404
    form = NoteForm(request.POST)
    return _answer(
        request,
        save=lambda data: add_note(
            customer=lead.customer,
            author=request.user,
            tags=data["tags"],
            text=data["text"],
            channel_kind=profile.channel_kind,
            decision=lead.decision,
            campaign=lead.call_list.campaign,
        ),
        form=form,
        back=reverse("channels:outbound"),
    )
