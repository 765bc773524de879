"""The length rule of short texts sent by USSD or SMS.

A USSD page holds 182 characters of the GSM 7-bit alphabet; a text with any
character outside it is sent as UCS-2 and then holds only 80. Characters of
the GSM extension table (€, [, ], {, }, ~, ^, |, \\) take two septets.
"""

from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GSM7_LIMIT = 182
UCS2_LIMIT = 80


@dataclass(frozen=True)
class ShortTextLength:
    encoding: str  # "GSM-7" or "UCS-2"
    used: int
    limit: int

    @property
    def fits(self) -> bool:
        return self.used <= self.limit


def measure_short_text(text: str) -> ShortTextLength:
    """How much of a USSD/SMS page ``text`` takes, in its cheapest encoding."""
    try:
        septets = len(text.encode("gsm03.38"))
    except UnicodeEncodeError:
        # UTF-16 code units: an emoji counts as two.
        return ShortTextLength("UCS-2", len(text.encode("utf-16-le")) // 2, UCS2_LIMIT)
    return ShortTextLength("GSM-7", septets, GSM7_LIMIT)


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force ``text`` into UCS-2, in order of appearance."""
    found: list[str] = []
    for char in text:
        try:
            char.encode("gsm03.38")
        except UnicodeEncodeError:
            if char not in found:
                found.append(char)
    return found


def validate_short_text(text: str) -> None:
    """Raise a ValidationError that says how far over the limit ``text`` is and why."""
    length = measure_short_text(text)
    if length.fits:
        return
    if length.encoding == "UCS-2":
        chars = " ".join(non_gsm_characters(text)[:5])
        raise ValidationError(
            _(
                "Too long for USSD/SMS: %(used)d of %(limit)d characters. The characters "
                "%(chars)s are outside the GSM alphabet, so the limit is %(limit)d instead "
                "of %(gsm)d; shorten the text by %(over)d or replace those characters."
            ),
            code="short_text_too_long",
            params={
                "used": length.used,
                "limit": length.limit,
                "chars": chars,
                "gsm": GSM7_LIMIT,
                "over": length.used - length.limit,
            },
        )
    raise ValidationError(
        _(
            "Too long for USSD/SMS: %(used)d of %(limit)d characters (GSM alphabet; "
            "€ [ ] { } ~ ^ | \\ count twice). Shorten it by %(over)d."
        ),
        code="short_text_too_long",
        params={"used": length.used, "limit": length.limit, "over": length.used - length.limit},
    )
