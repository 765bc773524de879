"""REST framework policies for every API view: how bodies are read, throttles, error answers.

Configured once in ``REST_FRAMEWORK`` (settings), so the API's views need not know.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status, throttling
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .roles import Role, roles_of

log = logging.getLogger(__name__)

# API bodies are flat (a decision request, an outcome); deeper nesting is an attack or a bug.
MAX_JSON_DEPTH = 32


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


def _depth_exceeds(data, limit: int) -> bool:
    """Whether parsed JSON nests deeper than ``limit``; iterative, so any depth is safe to ask."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 (never 500) to JSON nested too deeply.

    Python's parser raises RecursionError, not ValueError, on deep nesting (``[`` × 100,000),
    which DRF lets through as a server error; a body that parses just below that limit would
    fail later, wherever the data is walked again (the idempotency fingerprint).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(_("JSON parse error - nested too deeply."))
        return data


class CountingThrottle(throttling.SimpleRateThrottle):
    """A fixed-window counter in the shared cache, allowing the request if the cache is down.

    DRF's own throttles keep the time of every request in one cache value (a list as long as
    the rate, read and rewritten whole each time); a channel allowed thousands a second needs a
    counter instead. A cache outage turns throttling off, never the API (the design's rule:
    losing Redis degrades, never stops).
    """

    def get_rate(self):
        # Read on each request, not once at import as DRF's do, so a settings change applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(getattr(self, "scope", None))

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self._window_ends = (window + 1) * self.duration - now
        key = f"throttle:{ident}:{window}"
        try:
            try:
                count = cache.incr(key)
            except ValueError:  # the window's first request (or the key just expired)
                count = 1 if cache.add(key, 1, self.duration + 1) else cache.incr(key)
        except Exception:  # noqa: BLE001 - any cache failure: serve the request unthrottled
            # Not a warning per call: the cache itself reports an outage (cvm_portal/cache.py).
            log.debug("API throttle skipped: the cache is not answering", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return self._window_ends


_CountingThrottle = CountingThrottle  # its first name, still imported by channels/api/throttles.py


class AnonymousThrottle(CountingThrottle):
    """Calls without valid credentials, per client address (``CVM_API_ANON_RATE``)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"{self.scope}:{self.get_ident(request)}"


class UserThrottle(CountingThrottle):
    """Signed-in callers, per user: people (the API's docs page) at ``CVM_API_USER_RATE``, a
    digital channel's service account at ``CVM_API_CHANNEL_RATE`` on views without a throttle
    of their own."""

    def allow_request(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return True
        self.scope = "channel" if Role.DIGITAL_CHANNEL in roles_of(request.user) else "user"
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"{self.scope}:{request.user.pk}"


def exception_handler(exc, context):
    """DRF's handler, with two additions.

    Calls refused for missing or wrong credentials count against the anonymous rate: DRF checks
    throttles only after authentication and permissions, so a client trying keys, or calling
    without one, would never be throttled. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413
    in JSON, not Django's HTML 400 page.
    """
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        throttle = AnonymousThrottle()
        if not throttle.allow_request(context["request"], context["view"]):
            exc = exceptions.Throttled(wait=throttle.wait())
    return drf_exception_handler(exc, context)
