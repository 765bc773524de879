"""What each USSD screen says, fitted to one page when it is built.

A USSD page holds 182 GSM-7 characters, or 80 once any character is outside the GSM alphabet
(a Polish ``ą`` is; ``campaigns.formats.measure`` decides). The fixed words come from the
translation catalogue and the offers' titles and texts from CVM, so neither can be trusted to
be short: every builder shortens the variable parts (offer titles, the offer's text) just
enough, at a word boundary where it can, and only a screen whose fixed words alone are too long
is cut as a whole. No screen leaves this module over the limit.

The builders read the active language (the caller wraps them in ``translation.override``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from campaigns.formats import measure

FORMAT = "ussd"
# Three dots, not "…": the ellipsis is outside the GSM alphabet and would cost a GSM-7 screen
# more than half its room (182 → 80).
ELLIPSIS = "..."


@dataclass(frozen=True)
class Screen:
    """One answer to the gateway: the text the phone shows, and whether the session ends."""

    text: str
    ends: bool

    @property
    def body(self) -> str:
        """The answer as Africa's Talking reads it: ``CON …`` (more to come) or ``END …``."""
        return ("END " if self.ends else "CON ") + self.text


def fits(text: str) -> bool:
    """Whether ``text`` fits one USSD page (182 GSM-7 or 80 UCS-2 characters)."""
    return measure(FORMAT, text).fits


def shorten(text: str, length: int) -> str:
    """``text`` in at most ``length`` characters: cut at a word boundary when that keeps most
    of it, and marked with "..." when anything was cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    if length <= len(ELLIPSIS):
        return text[:length]
    room = length - len(ELLIPSIS)
    cut = text[:room]
    space = cut.rfind(" ")
    if text[room] != " " and space >= room * 0.6:  # a word cut in two: drop what is left of it
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + ELLIPSIS


def fit(build: Callable[[list[str]], str], parts: Sequence[str]) -> str:
    """``build(parts)`` if it fits a page; otherwise ``build`` of the parts each shortened to
    the longest common length that fits (the long parts give up characters, the short ones
    keep theirs). If even empty parts do not fit, the whole screen is cut to fit."""
    whole = build(list(parts))
    if fits(whole):
        return whole
    low, high = 0, max((len(p) for p in parts), default=0)
    best = None
    while low <= high:  # the longest length that fits, by halving
        mid = (low + high) // 2
        text = build([shorten(p, mid) for p in parts])
        if fits(text):
            best, low = text, mid + 1
        else:
            high = mid - 1
    return best if best is not None else cut_to_fit(build(["" for _part in parts]))


def cut_to_fit(text: str) -> str:
    """``text`` cut (with "...") to the longest length that fits a page."""
    if fits(text):
        return text
    low, high, best = 0, len(text), ""
    while low <= high:
        mid = (low + high) // 2
        cut = shorten(text, mid)
        if fits(cut):
            best, low = cut, mid + 1
        else:
            high = mid - 1
    return best


def _lines(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def menu(titles: Sequence[str], *, invalid: bool = False) -> Screen:
    """The first screen: the offers, numbered from 1."""
    head = _("Invalid choice. Offers for you:") if invalid else _("Offers for you:")

    def build(parts: list[str]) -> str:
        return _lines(head, *(f"{n}. {title}" for n, title in enumerate(parts, start=1)))

    return Screen(fit(build, titles), ends=False)


def offer(text: str, *, invalid: bool = False) -> Screen:
    """One offer: its short text and what the caller may answer."""
    head = _("Invalid choice.") if invalid else ""
    actions = _("1 Accept 2 Not now 0 Back")

    def build(parts: list[str]) -> str:
        return _lines(head, parts[0], actions)

    return Screen(fit(build, [text]), ends=False)


def _end(text: str) -> Screen:
    return Screen(cut_to_fit(text), ends=True)


def accepted() -> Screen:
    return _end(_("Thank you! We have noted that you accept the offer."))


def later() -> Screen:
    return _end(_("Thank you. The offer stays open: dial again whenever you like."))


def recorded_before() -> Screen:
    """The offer already has an outcome other than these (recorded in another channel)."""
    return _end(_("Thank you. Your answer to this offer is already noted."))


def unknown_number() -> Screen:
    return _end(
        _("Sorry, we could not find an account for your number. Please contact customer care.")
    )


def no_offers() -> Screen:
    return _end(_("There are no offers for you right now. Thank you for calling."))


def not_contactable() -> Screen:
    """Do-not-contact, or no consent to offers by SMS and USSD: nothing is offered."""
    return _end(_("You chose not to receive offers by SMS and USSD. Thank you for calling."))


def expired() -> Screen:
    return _end(_("Your session has ended. Please dial again."))


def unavailable() -> Screen:
    return _end(_("Sorry, the service is busy. Please try again in a few minutes."))
