"""Links to a customer's console page: made by an agent's own look-up, good for that agent only,
for ``CVM_CUSTOMER_LINK_MINUTES``.

The page's address carries a signed, timestamped reference bound to the agent's user id
instead of the customer's database id, so counting through ids, or reusing a colleague's
link, shows nobody: the only way to a customer's page is a look-up, which is counted and
audited (``campaigns.lookup.look_up_customer``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "channels.console.customer"


class LinkExpired(Exception):
    """A link this agent was given, older than the links' lifetime."""


class NotYourLink(Exception):
    """A link that was not made for this agent, or was altered."""


def _signer(user) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{_SALT}:{user.pk}")


def customer_url(*, user, customer_id: int) -> str:
    """The address of customer ``customer_id``'s console page, for ``user`` alone."""
    token = _signer(user).sign_object(customer_id)
    return reverse("channels:console_customer", kwargs={"token": token})


def customer_id_from(*, user, token: str) -> int:
    """The customer a link of ``user``'s names. Raises LinkExpired or NotYourLink."""
    max_age = timedelta(minutes=settings.CVM_CUSTOMER_LINK_MINUTES)
    try:
        customer_id = _signer(user).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError) as exc:
        raise NotYourLink from exc
    if type(customer_id) is not int:
        raise NotYourLink
    return customer_id
