"""The content formats of the channels and their length limits: one table, used by the offer
forms, the per-channel preview and the pre-live checks.

USSD holds 182 GSM-7 characters or 80 UCS-2; an SMS 160 or 70 (a text with any character
outside the GSM alphabet is sent as UCS-2, see ``campaigns.textrules``). Banner titles and IVR
prompts are plain character counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .textrules import measure_short_text


@dataclass(frozen=True)
class Format:
    code: str
    label: str
    gsm_limit: int  # the limit for GSM-7 text, or the plain character limit
    ucs_limit: int | None = None  # the limit once the text needs UCS-2; None: plain count


FORMATS: dict[str, Format] = {
    "ussd": Format("ussd", _("USSD screen"), 182, 80),
    "sms": Format("sms", _("SMS"), 160, 70),
    "banner_title": Format("banner_title", _("App and web banner title"), 60),
    "ivr_prompt": Format("ivr_prompt", _("IVR prompt"), 400),
}


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


def talk_time_budget(kind: str) -> int | None:
    """Seconds an agent should need to read a script in channel kind ``kind`` (None: no budget);
    from the setting ``CVM_TALK_TIME_BUDGET_SECONDS``."""
    return settings.CVM_TALK_TIME_BUDGET_SECONDS.get(kind)
