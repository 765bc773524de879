"""USSD sessions: the offers a caller's session shows, decided once per session.

A session's first screen records one decision (``campaigns.decisioning.decide``, channel kind
ussd), the look-up's audit event and a ``UssdSession`` row naming the decision, in one
transaction: the row's unique session id makes a second first screen of the same session (the
gateway retrying, or two copies at the same moment) roll its own decision back and show the
first one's, so a session records one decision. The session's
offers (presentation ids, titles and texts in the session's language) are then kept in the
cache for ``CVM_USSD_SESSION_SECONDS``, so the next screens ask the database nothing; a session
the cache has lost (Redis down or restarted) is read back from its row, at the cost of two
queries.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from campaigns.choices import ChannelKind
from campaigns.decisioning import decide
from campaigns.models import Customer, OfferContent, Presentation
from channels.models import UssdSession

# A phone shows three offers and their numbers comfortably; the decision may give fewer (the
# contact policy's "offers for digital channels").
MENU_OFFERS = 3


@dataclass
class Shown:
    """One offer of the session's menu."""

    presentation_id: int
    title: str
    text: str  # the USSD short text, or the title and benefit when CVM wrote none


@dataclass
class Session:
    """What a session shows: its offers, in its language, from when it started."""

    session_id: str
    language: str
    started_at: float  # seconds since the epoch
    contactable: bool  # False: do-not-contact or no consent for USSD, so nothing is offered
    offers: list[Shown] = field(default_factory=list)

    def expired(self, now: datetime) -> bool:
        return now.timestamp() - self.started_at > settings.CVM_USSD_SESSION_SECONDS


def _key(session_id: str) -> str:
    # Hashed: a session id is the gateway's text, of any characters and length.
    return "ussd:" + hashlib.sha256(session_id.encode()).hexdigest()[:40]


def cached(session_id: str) -> Session | None:
    """The session as the cache keeps it; None if the cache does not (or does not answer)."""
    raw = cache.get(_key(session_id))
    if not isinstance(raw, dict):
        return None
    try:
        return Session(**{**raw, "offers": [Shown(**o) for o in raw["offers"]]})
    except (KeyError, TypeError):  # written by another version of this module
        return None


def remember(session: Session, now: datetime) -> None:
    """Keep ``session`` in the cache until its time limit."""
    left = settings.CVM_USSD_SESSION_SECONDS - (now.timestamp() - session.started_at)
    if left > 0:
        cache.set(_key(session.session_id), asdict(session), timeout=math.ceil(left))


def stored(session_id: str) -> Session | None:
    """The session as its database row and decision say; None if it never started."""
    row = (
        UssdSession.objects.select_related("decision__customer")
        .filter(session_id=session_id)
        .first()
    )
    if row is None:
        return None
    presentations = list(
        Presentation.objects.filter(decision_id=row.decision_id, held_out=False)
        .select_related("offer")
        .order_by("rank")
    )
    return _session(
        session_id,
        row.language,
        row.started_at,
        row.decision.customer,
        [(p.pk, p.offer) for p in presentations[:MENU_OFFERS]],
    )


def start(
    *, session_id: str, customer: Customer, agent, language: str, now: datetime, audit=None
) -> Session:
    """Decide the offers of a new session for ``customer``, once: a session already started
    (another copy of its first request) is answered with its own decision. ``audit``: a
    callable that writes the look-up's audit event, run in the same transaction (one commit
    for the look-up and the decision), or again on its own when another copy won."""
    try:
        with transaction.atomic():
            if audit is not None:
                audit()
            result = decide(
                customer=customer, channel_kind=ChannelKind.USSD, agent=agent, site_id=None, now=now
            )
            # Last, so that the first copy to get here wins: a second one waits on the unique
            # session id until the first commits (PostgreSQL's index; SQLite's write lock),
            # then fails, and its decision is rolled back with its transaction.
            UssdSession.objects.create(
                session_id=session_id, decision=result.decision, language=language, started_at=now
            )
    except IntegrityError:
        if audit is not None:
            audit()  # the look-up happened all the same
        existing = stored(session_id)
        if existing is None:
            raise
        return existing
    return _session(
        session_id,
        language,
        now,
        customer,
        [(c.presentation.pk, c.offer) for c in result.offers[:MENU_OFFERS]],
    )


def _session(session_id, language, started_at, customer, shown) -> Session:
    """The session's menu, in ``language``: one query for the offers' USSD texts."""
    contents = {
        content.offer_id: content
        for content in OfferContent.objects.filter(
            offer_id__in=[offer.pk for _pk, offer in shown], channel_kind=ChannelKind.USSD
        )
    } if shown else {}  # fmt: skip
    offers = []
    with translation.override(language):
        for presentation_id, offer in shown:
            content = contents.get(offer.pk)
            text = content.short_text if content is not None else ""
            if not text.strip():
                text = f"{offer.title}: {offer.benefit}" if offer.benefit else offer.title
            offers.append(Shown(presentation_id=presentation_id, title=offer.title, text=text))
    return Session(
        session_id=session_id,
        language=language,
        started_at=started_at.timestamp(),
        contactable=customer.may_be_contacted_in(ChannelKind.USSD),
        offers=offers,
    )


def prune(*, before: datetime | None = None) -> int:
    """Delete the session rows started before ``before`` (default: a day ago); how many went."""
    before = before or timezone.now() - timedelta(days=1)
    deleted, _by_model = UssdSession.objects.filter(started_at__lt=before).delete()
    return deleted
