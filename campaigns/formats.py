"""The content formats of the channels and their length limits: one table, used by the offer
forms, the per-channel preview and the pre-live checks.

USSD holds 182 GSM-7 characters or 80 UCS-2; an SMS 160 or 70 (a text with any character
outside the GSM alphabet is sent as UCS-2, see ``campaigns.textrules``). App push texts, banner
titles and alt texts and IVR prompts are plain character counts: the app and the speech engine
take any character.

``FormatLimit`` is the model validator of each content field: its message says how far over the
limit a text is and why, so the author knows what to cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .textrules import measure_short_text, non_gsm_characters


@dataclass(frozen=True)
class Format:
    code: str
    label: str
    gsm_limit: int  # the limit for GSM-7 text, or the plain character limit
    ucs_limit: int | None = None  # the limit once the text needs UCS-2; None: plain count


FORMATS: dict[str, Format] = {
    "ussd": Format("ussd", _("USSD screen"), 182, 80),
    "sms": Format("sms", _("SMS"), 160, 70),
    "push_title": Format("push_title", _("App push title"), 50),
    "push_body": Format("push_body", _("App push text"), 150),
    "banner_title": Format("banner_title", _("App and web banner title"), 60),
    "banner_alt": Format("banner_alt", _("Banner image description (alt text)"), 150),
    "ivr_prompt": Format("ivr_prompt", _("IVR prompt"), 400),
}

# Sending rates a person can picture: an SMS beyond one part is split into parts of 153 GSM-7
# or 67 UCS-2 characters (the rest of each part is its joining header).
SMS_PART = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class Measured:
    format: Format
    encoding: str  # "GSM-7", "UCS-2" or "" for a plain count
    used: int
    limit: int

    @property
    def fits(self) -> bool:
        return self.used <= self.limit

    @property
    def over(self) -> int:
        return max(0, self.used - self.limit)


def measure(format_code: str, text: str) -> Measured:
    """How much of ``format_code``'s limit ``text`` takes."""
    fmt = FORMATS[format_code]
    if fmt.ucs_limit is None:
        return Measured(fmt, "", len(text), fmt.gsm_limit)
    length = measure_short_text(text)
    limit = fmt.gsm_limit if length.encoding == "GSM-7" else fmt.ucs_limit
    return Measured(fmt, length.encoding, length.used, limit)


def sms_parts(text: str) -> int:
    """How many SMS parts ``text`` is sent in (0 for no text): one up to 160 GSM-7 / 70 UCS-2
    characters, else ``ceil(used / 153)`` or ``ceil(used / 67)``."""
    if not text:
        return 0
    m = measure("sms", text)
    if m.fits:
        return 1
    part = SMS_PART[m.encoding]
    return -(-m.used // part)


def limit_message(m: Measured, text: str) -> str:
    """Why ``text`` does not fit, in words an author acts on: how far over, and for GSM/UCS
    formats which characters cost the higher limit."""
    params = {"format": m.format.label, "used": m.used, "limit": m.limit, "over": m.over}
    if m.encoding == "UCS-2":
        return gettext(
            "Too long for the %(format)s: %(used)d of %(limit)d characters. The characters "
            "%(chars)s are outside the GSM alphabet, so the limit is %(limit)d instead of "
            "%(gsm)d; shorten it by %(over)d or replace those characters."
        ) % {
            **params,
            "chars": " ".join(non_gsm_characters(text)[:5]),
            "gsm": m.format.gsm_limit,
        }
    if m.encoding == "GSM-7":
        return (
            gettext(
                "Too long for the %(format)s: %(used)d of %(limit)d characters (GSM alphabet; "
                "€ [ ] { } ~ ^ | \\ count twice). Shorten it by %(over)d."
            )
            % params
        )
    return (
        gettext(
            "Too long for the %(format)s: %(used)d of %(limit)d characters. Shorten it by %(over)d."
        )
        % params
    )


@deconstructible
class FormatLimit:
    """Model/form validator: the text fits the limit of format ``code`` (see ``FORMATS``)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __call__(self, text: str) -> None:
        m = measure(self.code, text or "")
        if not m.fits:
            raise ValidationError(limit_message(m, text), code="over_format_limit")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormatLimit) and other.code == self.code


def talk_time_budget(kind: str) -> int | None:
    """Seconds an agent should need to read a script in channel kind ``kind`` (None: no budget);
    from the setting ``CVM_TALK_TIME_BUDGET_SECONDS``."""
    return settings.CVM_TALK_TIME_BUDGET_SECONDS.get(kind)
