"""Finding a customer from what an agent types or what telephony sends."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Customer

PHONE_LIKE = re.compile(r"^[\s+()\-./0-9]{6,}$")


def find_customer(query: str) -> Customer:
    """The one customer ``query`` names (a phone number in any common format, or a customer id).

    Raises ValidationError with a message for the agent when there is none.
    """
    text = (query or "").strip()
    if not text:
        raise ValidationError(
            _("Type the customer's phone number or customer id."), code="required"
        )
    by_id = Customer.objects.filter(external_id=text).first()
    if by_id is not None:
        return by_id
    if PHONE_LIKE.match(text):
        found = list(Customer.objects.by_phone(text)[:2])  # normalises, or raises a clear error
        if found:
            return found[0]
        raise ValidationError(_("No customer has this phone number."), code="not_found")
    raise ValidationError(_("No customer has this customer id."), code="not_found")
