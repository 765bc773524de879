"""Who may call the USSD callback: the gateway's addresses, and an API key for channel kind ussd.

Africa's Talking calls a URL configured in its dashboard and sends no header of ours, so the key
may come in the URL's query (``?key=<API key>``) as well as in ``Authorization: Api-Key <key>``.
A key in a URL can end up in a proxy's access log, so the address list
(``CVM_USSD_ALLOWED_IPS``: the gateway's published addresses) is the second lock, and the key
is an ordinary API key: it expires, rotates with a grace period and is revoked in the admin.
Keys are compared by their SHA-512 hash in constant time (djangorestframework-api-key).
Every refusal is a 403 (no authentication challenge: a gateway cannot answer one; the view
sends none).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions

from campaigns.choices import ChannelKind
from channels.api.auth import ApiKeyAuthentication
from channels.models import ApiKey
from cvm_portal.signin import client_address


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in allowed)


def address_allowed(address: str | None) -> bool:
    """Whether ``address`` is in ``CVM_USSD_ALLOWED_IPS`` (an empty list allows any)."""
    allowed = tuple(settings.CVM_USSD_ALLOWED_IPS)
    if not allowed:
        return True
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(allowed))


def check_address(request) -> None:
    """403 unless the caller's address (past ``CVM_TRUSTED_PROXIES``) is allowed."""
    if not address_allowed(client_address(request)):
        raise exceptions.PermissionDenied(
            _("This address may not call the USSD gateway (CVM_USSD_ALLOWED_IPS).")
        )


class QueryKeyParser:
    """The key in the query (``?key=<key>``); None without one."""

    def get(self, request) -> str | None:
        return request.query_params.get("key") or None


class UssdQueryKey(ApiKeyAuthentication):
    """The key in the callback URL's query: ``?key=<key>``."""

    key_parser = QueryKeyParser()


class IsUssdGateway(permissions.BasePermission):
    """An API key whose client may ask for channel kind ussd."""

    message = gettext_lazy(
        "The USSD gateway needs an API key of a client allowed channel kind ussd "
        "(?key=<key> in the callback URL, or Authorization: Api-Key <key>)."
    )

    def has_permission(self, request, view) -> bool:  # noqa: ARG002 - DRF's signature
        return (
            isinstance(request.auth, ApiKey)
            and ChannelKind.USSD in request.auth.client.channel_kinds
        )


class UssdQueryKeyScheme(OpenApiAuthenticationExtension):
    target_class = "channels.ussd.auth.UssdQueryKey"
    name = "UssdKey"

    def get_security_definition(self, auto_schema):  # noqa: ARG002 - the extension's signature
        return {
            "type": "apiKey",
            "in": "query",
            "name": "key",
            "description": "The API key in the callback URL, for gateways that cannot send "
            "a header (the USSD callback only).",
        }
