"""``{% load need_notes %}``: customer-need notes on the console and the outbound screen.

``{% need_notes_history customer %}`` lists the notes on a customer (a Customer or its id) that
the reader may see (``CustomerNote.objects.visible_to``), inside the customer's history — also
when htmx sends the history again after an outcome. ``{% need_note_form action %}`` is the
compact form to add one: the active needs as toggles, a short text with a counter, Save.
"""

from __future__ import annotations

from django import template

from campaigns.models import NeedTag
from channels.insights.notes import NoteForm, notes_on
from channels.models.insights import NOTE_MAX_LENGTH

register = template.Library()


@register.inclusion_tag("channels/includes/need_notes_list.html", takes_context=True)
def need_notes_history(context, customer) -> dict:
    customer_id = getattr(customer, "pk", customer)
    request = context["request"]
    notes = list(notes_on(customer_id, user=request.user)) if customer_id else []
    return {"notes": notes, "request": request}


@register.inclusion_tag("channels/includes/need_note_form.html", takes_context=True)
def need_note_form(context, action: str, decision=None) -> dict:
    return {
        "action": action,
        "decision": getattr(decision, "pk", decision) or "",
        "needs": list(NeedTag.objects.filter(is_active=True)),
        "max_length": NOTE_MAX_LENGTH,
        "csrf_token": context.get("csrf_token"),
        "form": NoteForm(),
    }
