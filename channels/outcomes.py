"""Recording an offer's outcome from an agent's screen: the view body a screen's outcome view
calls. Each screen says how the outcome is recorded (the console's service, or the lead's), what
htmx gets back (the screen's own card) and where a plain (non-htmx) POST goes back to."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from campaigns.models import Presentation, Response

from .console.forms import OutcomeForm

# Records the outcome the agent chose: called with ``outcome``, ``decline_reason`` and
# ``not_presented_reason``; returns (response, created) as ``campaigns.responses.record_outcome``.
Recorder = Callable[..., tuple[Response, bool]]
# What the screen answers with: called with the response recorded (None when nothing was) and
# the error to show (None when it went well).
Answer = Callable[[Response | None, str | None], HttpResponse]


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
    record: Recorder,
    card: Answer,
    back: Answer,
) -> HttpResponse:
    """Read the outcome form and ``record`` it (once, however often it is sent). htmx gets
    ``card(response, error)`` (the offer's card); a plain POST gets ``back(response, error)``."""
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
    return (card if request.htmx else back)(response, error)
