"""Feedback on an offer from the outbound screen, into the CVM inbox the console's goes to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.feedback import send_feedback
from channels.console.forms import FeedbackForm
from channels.outbound.views import call_of
from channels.outcomes import shown_to
from cvm_portal.roles import Role, role_required


@require_POST
@role_required(Role.AGENT)
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use it: the agent the offer was shown to on their call (anyone else: 404). Sends
    their feedback on the offer to CVM; htmx gets the confirmation or the error back."""
    presentation = shown_to(request, pk)
    lead = call_of(presentation)
    form = FeedbackForm(request.POST)
    error = None
    if form.is_valid():
        try:
            send_feedback(
                presentation=presentation,
                agent=request.user,
                useful=form.cleaned_data["useful"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
                site_id=lead.call_list.site_id,
            )
        except ValidationError as exc:
            error = exc.messages[0]
    elif "useful" in form.errors:
        error = _("Say whether the offer was useful.")
    else:
        error = next(iter(form.errors.values()))[0]
    if request.htmx:
        return render(
            request,
            "channels/includes/outbound_feedback_result.html",
            {"error": error, "offer": presentation.offer},
            status=200 if error is None else 422,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _(
                "Thank you — your feedback on “%(offer)s” was sent to CVM. Their reply shows on "
                "this screen between calls."
            )
            % {"offer": presentation.offer.title},
        )
    return redirect("channels:outbound")
