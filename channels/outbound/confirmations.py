"""What the outbound screen tells the agent after each click: what was recorded, for whom, and
what happens next ("Recorded: No answer — Anna K., next attempt from 14:30")."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Customer, Response
from channels.choices import RETRY_DISPOSITIONS, Disposition, LeadState
from channels.models.outbound import CallAttempt, Lead
from channels.models.sites import Site
from cvm_portal import formatting as fmt


def short_name(name: str) -> str:
    """ "Anna Kowalska" → "Anna K.": enough to know whom it was about, across the room."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[0]} {parts[-1][0]}."


def moment(
    site: Site, at: datetime, *, now: datetime | None = None, today_word: bool = True
) -> str:
    """A moment as the site reads it: "today 14:30", "tomorrow 10:00", "Fri, 9 January 10:00"."""
    now = now or timezone.now()
    local = timezone.localtime(at, site.zone)
    today = timezone.localtime(now, site.zone).date()
    time = fmt.time(local.time())
    if local.date() == today:
        return _("today %(time)s") % {"time": time} if today_word else time
    if local.date() == today + timedelta(days=1):
        return _("tomorrow %(time)s") % {"time": time}
    return f"{fmt.day_month(local.date(), weekday=True)} {time}"


def attempt_recorded(attempt: CallAttempt, *, now: datetime | None = None) -> str:
    """The confirmation of one logged call, from what the lead became."""
    lead: Lead = attempt.lead
    site = lead.call_list.site
    who = short_name(lead.customer.name)
    said = attempt.get_disposition_display()
    if attempt.disposition == Disposition.CALLBACK:
        values = {"when": moment(site, attempt.callback_at, now=now), "customer": who}
        if attempt.callback_personal:
            return _("Callback set for %(when)s — %(customer)s; it comes back to you.") % values
        return _(
            "Callback set for %(when)s — %(customer)s; whoever is free at your site calls."
        ) % (values)
    if attempt.disposition == Disposition.REACHED:
        return _("Reached %(customer)s: record what they said to each offer, then wrap up.") % {
            "customer": who
        }
    if attempt.disposition == Disposition.DO_NOT_CALL:
        return _(
            "Recorded: %(disposition)s — %(customer)s is not contacted again, in any channel."
        ) % {
            "disposition": said,
            "customer": who,
        }
    if attempt.disposition in RETRY_DISPOSITIONS and lead.state == LeadState.WAITING:
        return _("Recorded: %(disposition)s — %(customer)s, next attempt from %(when)s.") % {
            "disposition": said,
            "customer": who,
            "when": moment(site, lead.due_at, now=now, today_word=False),
        }
    if attempt.disposition in RETRY_DISPOSITIONS:
        return _(
            "Recorded: %(disposition)s — %(customer)s; that was attempt %(n)d, the last one: "
            "the customer is closed on this list."
        ) % {"disposition": said, "customer": who, "n": lead.attempts}
    return _("Recorded: %(disposition)s — %(customer)s is closed on this list.") % {
        "disposition": said,
        "customer": who,
    }


def outcome_recorded(response: Response, *, offer_title: str, customer: Customer) -> str:
    """The confirmation of an offer's outcome: "Recorded: Accepted — Fibre 1 Gb/s for Anna K"."""
    values = {
        "outcome": response.get_outcome_display(),
        "offer": offer_title,
        "customer": short_name(customer.name),
        "reason": _reason(response),
    }
    if values["reason"]:
        return _("Recorded: %(outcome)s (%(reason)s) — %(offer)s for %(customer)s") % values
    return _("Recorded: %(outcome)s — %(offer)s for %(customer)s") % values


def outcome_undone(outcome_label: str, *, offer_title: str, customer: Customer) -> str:
    """The confirmation of an undo; the offer's outcome buttons are back."""
    return _("Undone: %(outcome)s — %(offer)s for %(customer)s; record what the customer said.") % {
        "outcome": outcome_label,
        "offer": offer_title,
        "customer": short_name(customer.name),
    }


def wrapped_up(lead: Lead, responses: list[Response]) -> str:
    """The confirmation of a wrap-up, with the outcomes the call leaves on record."""
    who = short_name(lead.customer.name)
    if not responses:
        return _("Call with %(customer)s wrapped up; no offer outcome was recorded.") % {
            "customer": who
        }
    said = "; ".join(f"{r.offer.title}: {r.get_outcome_display()}" for r in responses)
    return _("Call with %(customer)s wrapped up — %(outcomes)s.") % {
        "customer": who,
        "outcomes": said,
    }


def _reason(response: Response) -> str:
    if response.decline_reason_id:
        return response.decline_reason.label
    if response.not_presented_reason:
        return response.get_not_presented_reason_display()
    return ""
