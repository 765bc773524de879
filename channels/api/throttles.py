"""The API's rate per client."""

from __future__ import annotations

from channels.models import ApiKey
from cvm_portal.api import _CountingThrottle


class ApiClientThrottle(_CountingThrottle):
    """Calls per API client (all its keys together, so a rotation does not reset the count),
    at ``CVM_API_CHANNEL_RATE``; over it, 429 with Retry-After."""

    scope = "channel"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return f"api-client:{request.auth.client_id}"
