"""Who may call the API: API clients with a key, for the channel kinds their client may ask
for (the rate per client: ``throttles.py``). Agents use the console; a session gets 403 here."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from channels.models import ApiKey
from cvm_portal import formatting as fmt


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``. The caller becomes the client's service account, and
    ``request.auth`` the key (with its client). One query; an unknown, revoked or expired key,
    or a client whose service account is disabled, is refused with 401."""

    keyword = "Api-Key"
    key_parser = KeyParser()

    def authenticate(self, request):
        key = self.key_parser.get(request)
        if key is None:
            return None  # no key: another authenticator (or none) answers
        try:
            api_key = ApiKey.objects.get_from_key(key.strip())
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("This API key is not valid: it is unknown or was revoked.")
            ) from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(
                _("This API key expired on %(when)s. Ask an administrator for a new one.")
                % {"when": fmt.datetime(api_key.expiry_date)}
            )
        user = api_key.client.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This API client is disabled."))
        return user, api_key

    def authenticate_header(self, request) -> str:
        return self.keyword  # makes a call without credentials a 401, not a 403


class IsApiClient(permissions.BasePermission):
    """Only callers that authenticated with an API key: not a signed-in person."""

    message = gettext_lazy(
        "This API is for API clients, with a key (Authorization: Api-Key <key>). "
        "Agents use the console."
    )
    code = "not_an_api_client"

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiKey)


def check_channel_kind(request, kind: str) -> None:
    """403 unless the calling client may ask for channel kind ``kind``."""
    allowed = request.auth.client.channel_kinds
    if kind not in allowed:
        raise exceptions.PermissionDenied(
            _("This API client may not ask for “%(kind)s”; it may ask for: %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(allowed) or "—"},
            code="channel_kind_not_allowed",
        )


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes ApiKeyAuthentication."""

    target_class = "channels.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key <key> (issued by an administrator: admin → API clients)",
        }
