"""The USSD conversation: which screen answers a caller's choices so far, and what it records.

The gateway sends the whole path of choices at every step (``text``: "1*0*2*1"), so a screen is
worked out by replaying the path over the session's offers: on the menu, ``n`` opens offer
``n``; on an offer, ``1`` accepts, ``2`` is "not now" (recorded as *later*: the customer did not
say no, so the offer is not suppressed as a decline would be), ``0`` goes back; anything else
shows the same screen with "Invalid choice". The same session and text always give the same
screen, and an outcome is recorded once however often it is asked (``record_outcome``).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from campaigns.choices import Outcome
from campaigns.models import Customer, Presentation
from campaigns.responses import record_outcome
from cvm_portal.audit import record_access

from . import screens, sessions
from .screens import Screen

ACCEPT, NOT_NOW, BACK = "1", "2", "0"


def answer(
    *, session_id: str, phone: str, text: str, agent, language: str, now: datetime | None = None
) -> Screen:
    """The screen for ``text`` (the caller's choices so far, joined by "*") in the session
    ``session_id`` of the caller ``phone``, the decisions and outcomes recorded under
    ``agent`` (the gateway's service account). ``language``: of a new session's screens."""
    now = now or timezone.now()
    choices = text.split("*") if text else []
    session = sessions.cached(session_id)
    from_cache = session is not None
    if session is None and choices:
        session = sessions.stored(session_id)  # the cache lost it, or Redis is down
        if session is None:  # began before the gateway knew it: nothing to go on
            with translation.override(language):
                return screens.expired()
    if session is None:
        customer = _find(phone)
        if customer is None:
            record_access(user=agent, action="find_failed", detail="ussd")
            with translation.override(language):
                return screens.unknown_number()
        session = sessions.start(
            session_id=session_id,
            customer=customer,
            agent=agent,
            language=language,
            now=now,
            audit=lambda: record_access(user=agent, action="find", obj=customer, detail="ussd"),
        )
    with translation.override(session.language):
        if session.expired(now):
            return screens.expired()
        if not from_cache:
            sessions.remember(session, now)
        return _screen(session, choices, agent)


def _find(phone: str) -> Customer | None:
    """The customer whose number called (the caller audits the look-up, found or not)."""
    try:
        return Customer.objects.by_phone(phone).first()
    except ValidationError:  # not a phone number: nobody has it
        return None


def _screen(session: sessions.Session, choices: list[str], agent) -> Screen:
    if not session.contactable:
        return screens.not_contactable()
    if not session.offers:
        return screens.no_offers()
    numbers = {str(n): n - 1 for n in range(1, len(session.offers) + 1)}
    at: int | None = None  # None: the menu; else the index of the offer shown
    invalid = False
    for choice in choices:
        choice = choice.strip()
        invalid = False
        if at is None:
            if choice in numbers:
                at = numbers[choice]
            else:
                invalid = True
        elif choice in (ACCEPT, NOT_NOW):
            outcome = Outcome.ACCEPTED if choice == ACCEPT else Outcome.LATER
            return _record(session.offers[at], outcome, agent)
        elif choice == BACK:
            at = None
        else:
            invalid = True
    if at is None:
        return screens.menu([o.title for o in session.offers], invalid=invalid)
    return screens.offer(session.offers[at].text, invalid=invalid)


def _record(shown: sessions.Shown, outcome: str, agent) -> Screen:
    """Record the caller's answer to ``shown`` once, and thank them for what is recorded."""
    try:
        response, _created = record_outcome(
            presentation=Presentation(pk=shown.presentation_id), outcome=outcome, agent=agent
        )
    except (ValidationError, Presentation.DoesNotExist):
        return screens.unavailable()
    if response.outcome == Outcome.ACCEPTED:
        return screens.accepted()
    if response.outcome == Outcome.LATER:
        return screens.later()
    return screens.recorded_before()
