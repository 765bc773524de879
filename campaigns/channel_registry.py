"""The one place code asks about channels: which exist, their names, whether an agent presents
the offer, the content formats they show and the consent they need (``campaigns.models.Channel``,
kept by administrators in the admin).

Every process holds the registry in memory, so a decision never asks the database or the shared
cache about its channel. A save or delete of a channel gives the registry a new *stamp* in the
shared cache; a process reads the stamp at most every ``STAMP_CHECK_EVERY`` seconds (at once
after a change of its own) and reloads when it changed. Without the shared cache (Redis down) a
process reloads when its copy is older than ``UNSHARED_MAX_AGE``.

Before the registry's table exists (``migrate`` on a fresh database) or while it is empty (a
test database flushed between transactional tests) the registry is the nine built-in channels
of ``campaigns.choices.ChannelKind``, with the attributes the data migration gives them.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import ChannelKind, Consent

STAMP_KEY = "cvm:channel-registry-stamp"
STAMP_CHECK_EVERY = 5.0  # seconds: an edit made in another process is seen within this time
UNSHARED_MAX_AGE = 5.0  # seconds, without the shared cache

# The fields of an offer's content each format fills (``campaigns.models.OfferContent``), in the
# order the decision API gives them. An assisted channel, or one with no format, gets the script.
FORMAT_FIELDS: dict[str, tuple[str, ...]] = {
    "ussd": ("short_text",),
    "sms": ("sms_text",),
    "push_title": ("push_title",),
    "push_body": ("push_body",),
    "banner_title": ("banner_title",),
    "banner_alt": ("banner_image_url", "banner_alt", "banner_link"),
    "ivr_prompt": ("ivr_prompt",),
}
SCRIPT_FIELDS = ("agent_script",)


@dataclass(frozen=True)
class ChannelInfo:
    """A channel as the registry holds it (plain values: safe to share between threads)."""

    code: str
    names: dict[str, str]  # language code → name; a built-in channel's name is translated
    assisted: bool
    formats: tuple[str, ...]
    consent: str  # a Consent value: the Customer field that must be true
    active: bool = True
    position: int = 0
    limits: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The name in the active language (the other language when it has none)."""
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES.get(language, ())
        for lang in (language, *fallbacks, *self.names):
            if self.names.get(lang):
                return str(self.names[lang])
        return self.code

    @property
    def content_fields(self) -> tuple[str, ...]:
        """The fields of an offer's content this channel shows."""
        if self.assisted or not self.formats:
            return SCRIPT_FIELDS
        fields: list[str] = []
        for code in self.formats:
            fields += [f for f in FORMAT_FIELDS.get(code, ()) if f not in fields]
        return tuple(fields)


def _built_in(kind: ChannelKind, assisted: bool, formats: tuple[str, ...], consent: Consent):
    return ChannelInfo(
        code=kind.value,
        names={"en": kind.label},  # lazy: translated when read
        assisted=assisted,
        formats=formats,
        consent=consent.value,
        position=list(ChannelKind).index(kind) * 10,
    )


# The nine channels the portal started with, as the data migration seeded them.
BUILT_IN: tuple[ChannelInfo, ...] = (
    _built_in(ChannelKind.STORE, True, (), Consent.MARKETING),
    _built_in(ChannelKind.INBOUND_CALL, True, (), Consent.MARKETING),
    _built_in(ChannelKind.OUTBOUND_CALL, True, (), Consent.CALLS),
    _built_in(ChannelKind.FIELD, True, (), Consent.CALLS),
    _built_in(ChannelKind.WEB, False, ("banner_title", "banner_alt"), Consent.DIGITAL),
    _built_in(
        ChannelKind.APP,
        False,
        ("push_title", "push_body", "banner_title", "banner_alt"),
        Consent.APP_PUSH,
    ),
    _built_in(ChannelKind.CHATBOT, False, ("ussd", "banner_alt"), Consent.DIGITAL),
    _built_in(ChannelKind.USSD, False, ("ussd", "sms"), Consent.SMS),
    _built_in(ChannelKind.IVR, False, ("ivr_prompt",), Consent.MARKETING),
)


class _Held(NamedTuple):
    channels: dict[str, ChannelInfo]  # in the registry's order
    active: frozenset[str]
    stamp: str | None
    loaded_at: float
    checked_at: float
    generation: int


_held: list[_Held | None] = [None]
_lock = threading.Lock()
_generation = [0]  # bumped by every change made in this process: it reloads at once


def _stamp() -> str | None:
    stamp = cache.get(STAMP_KEY)
    if stamp is None:  # first use, the cache was cleared, or it is not answering
        cache.add(STAMP_KEY, uuid.uuid4().hex, None)
        stamp = cache.get(STAMP_KEY)
    return stamp


def _new_stamp() -> None:
    _generation[0] += 1
    cache.set(STAMP_KEY, uuid.uuid4().hex, None)


def invalidate(**_kwargs) -> None:
    """Make every process reload the registry (a channel was saved or deleted); the catalogue
    too, as it keeps texts made for each channel's formats."""
    from . import catalogue

    _new_stamp()
    transaction.on_commit(_new_stamp)
    catalogue.invalidate()


def refresh() -> None:
    """Make this process reload the registry on its next question (tests, after a rollback)."""
    _generation[0] += 1


def _read() -> dict[str, ChannelInfo] | None:
    """The registry's rows, or None when its table cannot be read (not migrated yet)."""
    from .models import Channel

    languages = [code for code, _name in settings.LANGUAGES]
    name_fields = [f"name_{lang}" for lang in languages]

    def rows():
        return list(
            Channel.objects.order_by("position", "code").values(
                "code", "assisted", "formats", "limits", "consent", "active", "position",
                *name_fields,
            )
        )  # fmt: skip

    try:
        if connection.in_atomic_block:  # a failed read must not break the caller's transaction
            with transaction.atomic():
                found = rows()
        else:
            found = rows()
    except (DatabaseError, RuntimeError):  # RuntimeError: a test without database access
        return None
    return {
        row["code"]: ChannelInfo(
            code=row["code"],
            names={lang: row[f"name_{lang}"] for lang in languages if row[f"name_{lang}"]},
            assisted=row["assisted"],
            formats=tuple(row["formats"] or ()),
            consent=row["consent"],
            active=row["active"],
            position=row["position"],
            limits=dict(row["limits"] or {}),
        )
        for row in found
    }


def _current() -> _Held:
    now = time.monotonic()
    held = _held[0]
    generation = _generation[0]
    if (
        held is not None
        and held.generation == generation
        and now - held.checked_at
        < (STAMP_CHECK_EVERY if held.stamp is not None else UNSHARED_MAX_AGE)
    ):
        return held
    with _lock:
        stamp = _stamp()
        held = _held[0]
        if (
            held is not None
            and held.generation == generation
            and held.stamp == stamp
            and (stamp is not None or now - held.loaded_at < UNSHARED_MAX_AGE)
        ):
            held = held._replace(checked_at=now)
        else:
            read = _read()
            if read is None:  # unreadable (not migrated yet): what it held, else the nine
                return held if held is not None else _make(BUILT_IN, None, now, -1)
            held = _make(read.values() or BUILT_IN, stamp, now, generation)
        _held[0] = held
        return held


def _make(channels, stamp, now, generation) -> _Held:
    by_code = {c.code: c for c in channels}
    active = frozenset(code for code, c in by_code.items() if c.active)
    return _Held(by_code, active, stamp, now, now, generation)


# --- what code asks ---------------------------------------------------------------------------


def channels(*, active_only: bool = False) -> list[ChannelInfo]:
    """Every channel (or only the active ones), in the registry's order."""
    held = _current()
    return [c for c in held.channels.values() if c.active or not active_only]


def get(code: str) -> ChannelInfo | None:
    """Channel ``code``, or None when no channel has that code."""
    return _current().channels.get(code)


def codes(*, active_only: bool = False) -> list[str]:
    """The codes of every channel (or the active ones), in the registry's order."""
    return [c.code for c in channels(active_only=active_only)]


def active_codes() -> frozenset[str]:
    """The codes of the channels that get decisions (a set: for the decision API's check)."""
    return _current().active


def is_known(code: str) -> bool:
    return code in _current().channels


def assisted_codes() -> list[str]:
    """Channels where an agent presents the offer."""
    return [c.code for c in channels() if c.assisted]


def digital_codes() -> list[str]:
    """Channels without an agent: the offer's texts are shown in the channel's formats."""
    return [c.code for c in channels() if not c.assisted]


def is_assisted(code: str) -> bool:
    found = get(code)
    return found is not None and found.assisted


def label(code: str) -> str:
    """The channel's name for people; an unknown code is shown as it is (never an error)."""
    found = get(code)
    return found.label if found is not None else code


def consent_for(code: str) -> str:
    """The Customer field (a ``Consent`` value) that must be true to reach a customer in
    ``code``; KeyError for an unknown channel."""
    found = get(code)
    if found is None:
        raise KeyError(code)
    return found.consent


def formats_for(code: str) -> tuple[str, ...]:
    """The content formats channel ``code`` shows (none for an unknown one)."""
    found = get(code)
    return found.formats if found is not None else ()


def limit_for(code: str, format_code: str) -> int | None:
    """A tighter limit of ``format_code`` in channel ``code``, if its administrator set one."""
    found = get(code)
    return found.limits.get(format_code) if found is not None else None


def content_fields(code: str) -> tuple[str, ...]:
    """The fields of an offer's content channel ``code`` shows (the script when unknown)."""
    found = get(code)
    return found.content_fields if found is not None else SCRIPT_FIELDS


def choices(*, active_only: bool = False, mark_inactive: bool = False) -> list[tuple[str, str]]:
    """(code, name) of the channels, for a select or a model field's ``choices``."""
    inactive = _("%(name)s (inactive)")
    return [
        (c.code, str(inactive % {"name": c.label}) if mark_inactive and not c.active else c.label)
        for c in channels(active_only=active_only)
    ]


def channel_choices() -> list[tuple[str, str]]:
    """Every channel's (code, name): the ``choices`` of the models' ``channel_kind`` fields
    (a callable, so adding a channel needs no migration)."""
    return choices()


def seed_built_in() -> int:
    """Add any of the nine built-in channels missing from the registry, as the data migration
    seeded them (a database emptied by a test's flush, a demo on it); returns how many."""
    from django.utils import translation

    from .models import Channel

    have = set(Channel.objects.values_list("code", flat=True))
    added = 0
    for c in BUILT_IN:
        if c.code in have:
            continue
        names = {}
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                names[f"name_{lang}"] = str(c.names["en"])
        Channel.objects.create(
            code=c.code,
            name=names.get("name_en", c.code),
            **names,
            assisted=c.assisted,
            formats=list(c.formats),
            consent=c.consent,
            position=c.position,
        )
        added += 1
    return added


def channel_in_use(code: str) -> list[str]:
    """What uses channel ``code`` (names of the kinds of rows): a channel in use is deactivated,
    never deleted, so its decisions and results keep their meaning."""
    from .models import Campaign, ChannelCost, Customer, Decision, Offer, OfferContent

    lookup = {"channel_kinds__icontains": f'"{code}"'}  # as fields.channel_kind_lookup
    checks = [
        (_("campaigns"), Campaign.objects.filter(**lookup)),
        (_("offers"), Offer.objects.filter(**lookup)),
        (_("offer content"), OfferContent.objects.filter(channel_kind=code)),
        (_("decisions"), Decision.objects.filter(channel_kind=code)),
        (_("customers' preferred channel"), Customer.objects.filter(preferred_channel=code)),
        (_("costs per contact"), ChannelCost.objects.filter(channel_kind_id=code)),
    ]
    return [str(name) for name, queryset in checks if queryset.exists()]


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import Channel

    post_save.connect(invalidate, sender=Channel, dispatch_uid="channel-registry-save")
    post_delete.connect(invalidate, sender=Channel, dispatch_uid="channel-registry-delete")
