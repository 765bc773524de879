"""Who may call the API: API clients with a key, for the channel kinds their client may ask
for (the rate per client: ``throttles.py``). Agents use the console; a session gets 403 here."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.permissions import KeyParser

from channels.models import ApiClient, ApiKey
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
        api_key = verified_key(key.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                _("This API key is not valid: it is unknown or was revoked.")
            )
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


# Keys this process verified lately: {SHA-256 of the key: (when verified, the key with its
# client and service account)}. A call within CVM_API_KEY_CACHE_SECONDS of the verification
# asks the database nothing; a revocation, a client or account change made in this process
# empties it at once (signals below), one made elsewhere holds within that time. Expiry is
# checked on every call against the key's expiry date. Only the API's own front (the lean
# handler of cvm_portal/wsgi.py, under gunicorn) remembers keys: elsewhere (the dev server,
# the test client) every call is verified in the database.
_verified: dict[str, tuple[float, ApiKey]] = {}
_remember = [False]


def remember_keys(on: bool = True) -> None:
    """Let this process remember verified keys for CVM_API_KEY_CACHE_SECONDS."""
    _remember[0] = on
    _verified.clear()


def verified_key(key: str) -> ApiKey | None:
    """The usable key ``key`` (not revoked), or None: from this process's memory when it was
    verified within CVM_API_KEY_CACHE_SECONDS, else from the database (one query)."""
    if not _remember[0]:
        return _from_database(key)
    digest = hashlib.sha256(key.encode()).hexdigest()
    now = time.monotonic()
    held = _verified.get(digest)
    if held is not None and now - held[0] < settings.CVM_API_KEY_CACHE_SECONDS:
        return held[1]
    api_key = _from_database(key)
    if api_key is None:
        _verified.pop(digest, None)
        return None
    if len(_verified) > 1000:  # keys are few; never grow without bound
        _verified.clear()
    _verified[digest] = (now, api_key)
    return api_key


_verified_key = verified_key  # its first name


def _from_database(key: str) -> ApiKey | None:
    try:
        return ApiKey.objects.get_from_key(key)
    except ApiKey.DoesNotExist:
        return None


def forget_verified_keys(**_kwargs) -> None:
    """Make this process verify every key again on its next call (a key, client or account
    changed)."""
    _verified.clear()


for _model in (ApiKey, ApiClient, get_user_model()):
    post_save.connect(
        forget_verified_keys, sender=_model, dispatch_uid=f"api-keys-{_model.__name__}"
    )
    post_delete.connect(
        forget_verified_keys, sender=_model, dispatch_uid=f"api-keys-del-{_model.__name__}"
    )


class IsApiClient(permissions.BasePermission):
    """Only callers that authenticated with an API key: not a signed-in person."""

    message = gettext_lazy(
        "This API is for API clients, with a key (Authorization: Api-Key <key>). "
        "Agents use the console."
    )
    code = "not_an_api_client"

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiKey)


class IsStaffOrApiClient(permissions.BasePermission):
    """The API's contract (the OpenAPI schema, its documentation page): signed-in staff, and
    the API clients it is written for, with their key."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiKey) or bool(request.user and request.user.is_staff)


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
