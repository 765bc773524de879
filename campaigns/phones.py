"""Phone numbers: everything stored and compared in E.164 (``+48501234567``)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """Return ``raw`` in E.164, reading national numbers in ``region``; raise a clear error."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    region = region or settings.CVM_DEFAULT_PHONE_REGION
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _(
                "“%(raw)s” is not a phone number. Type it with its country code, e.g. +48 501 234 567."
            ),
            code="invalid_phone",
            params={"raw": raw},
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(raw)s” is not a valid number for %(region)s. Check the digits and the country code."
            ),
            code="invalid_phone",
            params={"raw": raw, "region": phonenumbers.region_code_for_number(number) or region},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """A stored number as people read it (international format)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
