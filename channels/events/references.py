"""Checking what a batch of events refers to: the presentations (this client's, this
customer's, this offer's, this channel kind's) and the offer codes. One query each."""

from __future__ import annotations

from django.utils.translation import gettext as _

from campaigns.models import Offer, Presentation

from .validation import MAX_ERRORS, Problem


def check_references(events: list[tuple], *, user_id: int) -> tuple[list[tuple], list[Problem]]:
    """The events (all valid: indexes are the batch's) with each presentation's offer code
    filled in, and the problems: a
    presentation that was not made for this client (or for another customer, offer or channel
    kind), an offer code that names no offer."""
    presentation_ids = {e[6] for e in events if e[6] is not None}
    codes = {e[5] for e in events if e[5] and e[6] is None}
    made = {}
    if presentation_ids:
        made = {
            pk: (customer, code, kind)
            for pk, customer, code, kind in Presentation.objects.filter(
                pk__in=presentation_ids, decision__agent_id=user_id
            ).values_list(
                "pk", "decision__customer__external_id", "offer__code", "decision__channel_kind"
            )
        }
    known = (
        set(Offer.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
    )
    if not presentation_ids and len(known) == len(codes):
        return events, []
    problems: list[Problem] = []
    checked: list[tuple] = []
    for i, e in enumerate(events):
        if len(problems) >= MAX_ERRORS:
            break
        presentation_id, code = e[6], e[5]
        if presentation_id is None:
            if code and code not in known:
                problems.append(Problem(i, "offer_code", _("No offer has this code.")))
            checked.append(e)
            continue
        found = made.get(presentation_id)
        if found is None:
            problems.append(
                Problem(
                    i,
                    "presentation_id",
                    _("No presentation with this id was made for this API client."),
                )
            )
        elif found[0] != e[3]:
            problems.append(
                Problem(i, "customer_id", _("The presentation was made for another customer."))
            )
        elif code and code != found[1]:
            problems.append(
                Problem(
                    i,
                    "offer_code",
                    _("The presentation is of offer %(code)s.") % {"code": found[1]},
                )
            )
        elif found[2] != e[4]:
            problems.append(
                Problem(
                    i,
                    "channel_kind",
                    _("The presentation was made for channel kind %(kind)s.") % {"kind": found[2]},
                )
            )
        else:
            checked.append((*e[:5], found[1], *e[6:]))
    return checked, problems
