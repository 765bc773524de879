"""Why an offer is not offered now, as an agent or a digital channel's client may be told it.

``why_not`` turns a decision's exclusions (``decisioning.Result.excluded``) into plain
sentences with the day each stops holding by itself: "Declined 12 days ago — too expensive
— may be offered again from 14 Jan 2027." The control group is never told: a held-out offer,
and an offer that only lost its place to a held-out one, are left out altogether, so that
nothing said tells an agent or a client that the customer is in a control group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvm_portal import formatting as fmt

from . import catalogue
from .choices import Exclusion, Outcome
from .decisioning import Candidate, Result
from .models import Campaign, Offer, Response


@dataclass(frozen=True)
class WhyNot:
    """One offer not offered now: the filter's code, a sentence, and the day it may change."""

    offer: Offer
    campaign: Campaign
    code: Exclusion
    text: str
    available_from: date | None  # None: it does not change by itself (or never)


def why_not(result: Result, *, leave_out=(), now=None) -> list[WhyNot]:
    """What may be said about the offers ``result`` does not show, soonest available first,
    without the codes in ``leave_out`` (the console tells of training its own way). One query
    when an offer was declined (for the decline's reason), none otherwise."""
    now = now or timezone.now()
    told = [
        c
        for c in result.excluded
        if not (c.is_control or c.tells_of_control)
        and c.excluded not in (Exclusion.CONTROL_GROUP, *leave_out)
    ]
    labels = _decline_labels(result.decision.customer_id, told)
    found = [
        WhyNot(
            offer=c.offer,
            campaign=c.campaign,
            code=Exclusion(c.excluded),
            text=_sentence(c, labels, now),
            available_from=_day(c.available_from),
        )
        for c in told
    ]
    found.sort(key=lambda w: (w.available_from is None, w.available_from or date.min))
    return found


def _day(at) -> date | None:
    return None if at is None else timezone.localtime(at).date()


def _show(at) -> str:
    return fmt.date(_day(at))


def _decline_labels(customer_id: int, told: list[Candidate]) -> dict[tuple, str]:
    """(offer id, declined at) → the decline reason's label, for the declined offers in ``told``."""
    declined = {c.offer.pk for c in told if c.excluded == Exclusion.DECLINED_RECENTLY}
    if not declined:
        return {}
    rows = Response.objects.filter(
        customer_id=customer_id, offer_id__in=declined, outcome=Outcome.DECLINED
    ).values_list("offer_id", "recorded_at", "decline_reason__label")
    return {(offer_id, at): label for offer_id, at, label in rows}


def _sentence(c: Candidate, labels: dict[tuple, str], now) -> str:
    if c.excluded == Exclusion.DECLINED_RECENTLY:
        days = (timezone.localdate(now) - _day(c.since)).days
        said = (
            _("Declined today")
            if days <= 0
            else ngettext("Declined %(n)d day ago", "Declined %(n)d days ago", days) % {"n": days}
        )
        label = labels.get((c.offer.pk, c.since))
        if label:
            said = _("%(declined)s — %(reason)s") % {"declined": said, "reason": label}
        if c.available_from is None:
            return _("%(declined)s — not offered again.") % {"declined": said}
        return _("%(declined)s — may be offered again from %(date)s.") % {
            "declined": said,
            "date": _show(c.available_from),
        }
    if c.excluded == Exclusion.COOLDOWN:
        return _(
            "Contacted for %(campaign)s on %(date)s; may be contacted again from %(again)s."
        ) % {
            "campaign": c.campaign.name,
            "date": _show(c.since),
            "again": _show(c.available_from),
        }
    if c.excluded == Exclusion.CONTACT_CAP:
        policy = catalogue.current().policy
        return ngettext(
            "The customer's contact limit is reached (%(n)d in %(days)d day); may be "
            "contacted again from %(date)s.",
            "The customer's contact limit is reached (%(n)d in %(days)d days); may be "
            "contacted again from %(date)s.",
            policy.window_days,
        ) % {
            "n": policy.max_contacts,
            "days": policy.window_days,
            "date": _show(c.available_from),
        }
    if c.excluded == Exclusion.NOT_VALID and c.available_from is not None:
        return _("%(offer)s is offered from %(date)s.") % {
            "offer": c.offer.title,
            "date": _show(c.available_from),
        }
    return c.explanation
