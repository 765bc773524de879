"""Reading a batch of digital events: JSON parsed by orjson, every event checked by hand in one
tight loop (a DRF serializer per event costs ~50 µs; 5,000 of them would be the whole budget).

The rules here are the ones the OpenAPI schema states (``channels/api/events.py``), plus the
time window, which a schema cannot say. A batch with any invalid event is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from django.utils.translation import gettext as _

from campaigns import channel_registry
from channels.models.events import OFFER_EVENT_KINDS, EventKind

MAX_EVENTS = 5000
MAX_ERRORS = 50  # a batch wrong throughout names its first 50 problems, not 5,000
EVENT_ID_MAX = 64
CUSTOMER_ID_MAX = 64
OFFER_CODE_MAX = 40
CONTEXT_KEYS = ("page", "product", "intent", "device")
CONTEXT_VALUE_MAX = 100
CONTEXT_KEYSET = frozenset(CONTEXT_KEYS)
KINDS = frozenset(k.value for k in EventKind)
OFFER_KINDS = frozenset(k.value for k in OFFER_EVENT_KINDS)


def event_channel_kinds() -> frozenset[str]:
    """The kinds events may be reported for: the registry's active channels without an agent."""
    return channel_registry.active_codes() - frozenset(channel_registry.assisted_codes())


MAX_PRESENTATION_ID = 2**63 - 1


class BatchError(Exception):
    """The body as a whole cannot be read (not JSON, no ``events`` list, too many events)."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with one event: its index in the batch, the field, a sentence."""

    index: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


def read_batch(
    body: bytes, *, now: datetime, max_age: timedelta, max_skew: timedelta
) -> tuple[list[tuple], list[Problem]]:
    """The valid events of ``body``, each a tuple (event_id, occurred_at, kind, customer_id,
    channel_kind, offer_code, presentation_id, context as JSON text, occurred_at as text for
    COPY), and the problems found.
    Raises ``BatchError`` when the body is not a batch at all."""
    if b"\\u0000" in body:  # PostgreSQL keeps no NUL character in text or JSON
        raise BatchError(_("No value may hold the NUL character (\\u0000)."))
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BatchError(_("The body is not valid JSON.")) from None
    if type(data) is not dict or type(data.get("events")) is not list:
        raise BatchError(_('The body must be an object with a list of events: {"events": […]}.'))
    items = data["events"]
    if not items:
        raise BatchError(_("The batch holds no event: send 1 to %(max)s.") % {"max": MAX_EVENTS})
    if len(items) > MAX_EVENTS:
        raise BatchError(
            _("The batch holds %(n)s events; at most %(max)s may be sent at once.")
            % {"n": len(items), "max": MAX_EVENTS}
        )
    earliest, latest = now - max_age, now + max_skew
    fromiso = datetime.fromisoformat
    dumps = orjson.dumps
    kinds, offer_kinds, channel_kinds, context_keys = (
        KINDS,
        OFFER_KINDS,
        event_channel_kinds(),
        CONTEXT_KEYSET,
    )
    events: list[tuple] = []
    problems: list[Problem] = []
    append = events.append
    # The fast path: every rule inline, no call per field. An event that fails any rule is
    # looked at again by _problems, which says which rules it breaks.
    for i, e in enumerate(items):
        if type(e) is not dict:
            problems.extend(_problems(i, e, earliest, latest, max_age))
            if len(problems) >= MAX_ERRORS:
                break
            continue
        get = e.get
        event_id = get("event_id")
        kind = get("kind")
        customer_id = get("customer_id")
        offer_code = get("offer_code")
        presentation_id = get("presentation_id")
        occurred = get("occurred_at")
        context = get("context")
        at = None
        if type(occurred) is str:
            try:
                at = fromiso(occurred)
            except ValueError:
                at = None
        ok = (
            type(event_id) is str
            and 0 < len(event_id) <= EVENT_ID_MAX
            and type(kind) is str
            and kind in kinds
            and type(customer_id) is str
            and 0 < len(customer_id) <= CUSTOMER_ID_MAX
            and type(get("channel_kind")) is str
            and get("channel_kind") in channel_kinds
            and (
                offer_code is None
                or (type(offer_code) is str and 0 < len(offer_code) <= OFFER_CODE_MAX)
            )
            and (
                presentation_id is None
                or (type(presentation_id) is int and 0 < presentation_id <= MAX_PRESENTATION_ID)
            )
            and (offer_code is not None or presentation_id is not None or kind not in offer_kinds)
            and at is not None
            and at.tzinfo is not None
            and earliest <= at <= latest
        )
        if ok:
            if context is None:
                context_json = "{}"
            elif type(context) is dict and context.keys() <= context_keys:
                for v in context.values():
                    if type(v) is not str or not 0 < len(v) <= CONTEXT_VALUE_MAX:
                        ok = False
                        break
                else:
                    context_json = dumps(context).decode() if context else "{}"
            else:
                ok = False
        if ok:
            append(
                (
                    event_id,
                    at,
                    kind,
                    customer_id,
                    e["channel_kind"],
                    offer_code or "",
                    presentation_id,
                    context_json,
                    # As sent, when in the extended form PostgreSQL reads: not formatted again.
                    occurred
                    if len(occurred) > 18
                    and occurred[4] == "-"
                    and occurred[10] == "T"
                    and occurred[13] == ":"
                    else at.isoformat(),
                )
            )
        else:
            problems.extend(_problems(i, e, earliest, latest, max_age))
            if len(problems) >= MAX_ERRORS:
                break
    return events, problems[:MAX_ERRORS]


def _string(value, limit: int) -> bool:
    return type(value) is str and 0 < len(value) <= limit


def _problems(i: int, e, earliest: datetime, latest: datetime, max_age: timedelta) -> list[Problem]:
    """Every rule event ``i`` breaks, in words."""
    if type(e) is not dict:
        return [Problem(i, "", _("An event must be an object."))]
    found = []

    def wrong(field: str, message: str) -> None:
        found.append(Problem(i, field, message))

    kind, offer_code, presentation_id = e.get("kind"), e.get("offer_code"), e.get("presentation_id")
    if not _string(e.get("event_id"), EVENT_ID_MAX):
        wrong("event_id", _("Required: a string of 1 to 64 characters (a UUID will do)."))
    if type(kind) is not str or kind not in KINDS:
        wrong("kind", _("Required: one of %(kinds)s.") % {"kinds": ", ".join(sorted(KINDS))})
    if not _string(e.get("customer_id"), CUSTOMER_ID_MAX):
        wrong("customer_id", _("Required: the customer id, 1 to 64 characters."))
    allowed = event_channel_kinds()
    if type(e.get("channel_kind")) is not str or e.get("channel_kind") not in allowed:
        wrong(
            "channel_kind",
            _("Required: one of %(kinds)s.") % {"kinds": ", ".join(sorted(allowed))},
        )
    if offer_code is not None and not _string(offer_code, OFFER_CODE_MAX):
        wrong("offer_code", _("An offer code is a string of 1 to 40 characters."))
    if presentation_id is not None and (
        type(presentation_id) is not int or not 0 < presentation_id <= MAX_PRESENTATION_ID
    ):
        wrong("presentation_id", _("A presentation id is a positive whole number."))
    if type(kind) is str and kind in OFFER_KINDS and offer_code is None and presentation_id is None:
        wrong(
            "offer_code",
            _("An impression, click or dismissal names its offer_code or presentation_id."),
        )
    occurred, at = e.get("occurred_at"), None
    if type(occurred) is str:
        try:
            at = datetime.fromisoformat(occurred)
        except ValueError:
            at = None
    if at is None or at.tzinfo is None:
        wrong(
            "occurred_at",
            _("Required: a time in ISO 8601 with its offset, e.g. 2026-05-04T10:15:00+02:00."),
        )
    elif not earliest <= at <= latest:
        wrong(
            "occurred_at",
            _("The time must be within the last %(days)s days and not in the future.")
            % {"days": max_age.days},
        )
    context = e.get("context")
    if context is not None and (
        type(context) is not dict
        or any(
            k not in CONTEXT_KEYS or not _string(v, CONTEXT_VALUE_MAX) for k, v in context.items()
        )
    ):
        wrong(
            "context",
            _(
                "The context is an object of page, product, intent and device: strings of 1 to "
                "100 characters."
            ),
        )
    return found
