"""Finding a customer from what an agent types or what telephony sends: counted, and audited."""

from __future__ import annotations

import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvm_portal.audit import record_access

from .models import Customer

log = logging.getLogger("cvm.audit")

PHONE_LIKE = re.compile(r"^[\s+()\-./0-9]{6,}$")


class LookupRefused(ValidationError):
    """The user has made as many look-ups as the period allows."""


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


def look_up_customer(*, user, query: str, where: str) -> Customer:
    """The customer ``query`` names, looked up by ``user`` in ``where`` (e.g. "console").

    Every look-up counts against the user's rate (``CVM_LOOKUP_LIMIT`` per
    ``CVM_LOOKUP_PERIOD_MINUTES``) and is audited: "find" with the customer, or "find_failed"
    with what was typed, so probing which numbers are customers leaves a trace. Past the rate
    the look-up is refused before it runs (LookupRefused), and the first refusal of a period
    is flagged to CVM managers as a "lookup_burst". Raises ValidationError when nobody matches.
    """
    text = (query or "").strip()
    if not text:
        raise ValidationError(
            _("Type the customer's phone number or customer id."), code="required"
        )
    _count_against_rate(user=user, where=where)
    try:
        customer = find_customer(text)
    except ValidationError:
        record_access(user=user, action="find_failed", detail=f"{where}: {text}")
        raise
    record_access(user=user, action="find", obj=customer, detail=where)
    return customer


def _count_against_rate(*, user, where: str) -> None:
    limit = settings.CVM_LOOKUP_LIMIT
    minutes = settings.CVM_LOOKUP_PERIOD_MINUTES
    counted = _recent_lookups(user.pk, period=minutes * 60)
    if counted is None or counted <= limit:
        return
    window = int(time.time() // (minutes * 60))
    if _first_time(f"lookup-burst:{user.pk}:{window}", timeout=minutes * 60):
        record_access(
            user=user,
            action="lookup_burst",
            detail=f"{where}: more than {limit} look-ups in {minutes} min",
        )
    raise LookupRefused(
        ngettext(
            "You have looked up more than %(limit)d customers in the last %(minutes)d minute. "
            "Wait a few minutes before the next one; if your work needs more, ask your team lead.",
            "You have looked up more than %(limit)d customers in the last %(minutes)d minutes. "
            "Wait a few minutes before the next one; if your work needs more, ask your team lead.",
            minutes,
        )
        % {"limit": limit, "minutes": minutes},
        code="rate_limited",
    )


def _recent_lookups(user_id: int, *, period: int) -> int | None:
    """Look-ups in the last ``period`` seconds, this one included (a sliding window estimated
    from two fixed ones), or None when the cache cannot say: losing Redis must not stop agents."""
    now = time.time()
    window = int(now // period)
    key = f"lookups:{user_id}:{window}"
    try:
        if cache.add(key, 1, timeout=2 * period):
            current = 1
        else:
            try:
                current = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=2 * period)
                current = 1
        previous = cache.get(f"lookups:{user_id}:{window - 1}", 0)
    except Exception:  # noqa: BLE001 - any cache failure: look-ups go on, uncounted
        log.warning("look-up rate of user %s not counted: the cache failed", user_id, exc_info=True)
        return None
    elapsed = (now - window * period) / period
    return current + int(previous * (1 - elapsed))


def _first_time(key: str, *, timeout: int) -> bool:
    try:
        return bool(cache.add(key, 1, timeout=timeout))
    except Exception:  # noqa: BLE001 - flag again rather than not at all
        return True
