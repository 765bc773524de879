"""Recording an offer's outcome from an agent's screen: the view body the console and the
outbound screen share. Each screen says how the outcome is recorded (the console's service, or
the lead's) and where a plain (non-htmx) POST goes back to."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from campaigns.models import Presentation, Response

from .console.forms import OutcomeForm

# Records the outcome the agent chose: called with ``outcome``, ``decline_reason`` and
# ``not_presented_reason``; returns (response, created) as ``campaigns.responses.record_outcome``.
Recorder = Callable[..., tuple[Response, bool]]


def shown_to(request: HttpRequest, pk: int) -> Presentation:
    """The offer ``pk`` as it was shown (not held out) to the requesting agent; anyone else's is
    a 404, whatever the id."""
    presentation = get_object_or_404(
        Presentation.objects.select_related("decision", "offer"), pk=pk, held_out=False
    )
    if presentation.decision.agent_id != request.user.pk:
        raise Http404
    return presentation


def outcome_view(
    request: HttpRequest,
    *,
    presentation: Presentation,
    record: Recorder,
    back: Callable[[str | None], HttpResponse],
) -> HttpResponse:
    """Read the outcome form and ``record`` it (once, however often it is sent). htmx gets the
    offer's card back (422 with the error); a plain POST gets ``back(error)``."""
    form = OutcomeForm(request.POST)
    response, error = None, None
    if form.is_valid():
        try:
            response, _created = record(
                outcome=form.cleaned_data["outcome"],
                decline_reason=form.cleaned_data["decline_reason"],
                not_presented_reason=form.cleaned_data["not_presented_reason"] or "",
            )
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        error = _("Choose an outcome.")
    if request.htmx:
        return render(
            request,
            "channels/includes/outcome_result.html",
            {"presentation": presentation, "response": response, "error": error},
            status=200 if error is None else 422,
        )
    return back(error)
