"""REST framework policies for every API view: how bodies are read, throttles, error answers.

Configured once in ``REST_FRAMEWORK`` (settings), so the API's views need not know.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache, caches
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status, throttling
from rest_framework.settings import api_settings

from .cache import UNAVAILABLE, RedisCache
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
            count = _leases.take(key, self.duration + 1, lease_size(self.num_requests))
        except Exception:  # noqa: BLE001 - any cache failure: serve the request unthrottled
            # Not a warning per call: the cache itself reports an outage (cvm_portal/cache.py).
            log.debug("API throttle skipped: the cache is not answering", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return self._window_ends


# A rate of thousands a second is counted in blocks ("leases"): a process adds a block to the
# shared counter in one round trip and hands its numbers out itself, so the counter costs a
# round trip per block, not per call. A block is a hundredth of the rate at most (at most
# LEASE_MAX), so a small rate (a person's, the anonymous one, a test's "2/minute") is counted
# call by call, exactly. The price: numbers a process took and did not hand out before the
# window ended count as used, so a client may be refused up to (block − 1) × processes calls
# before its rate (at the default 5,000/second with 2 workers: 98, 2 %).
LEASE_SHARE = 100
LEASE_MAX = 50


def lease_size(rate: int) -> int:
    return max(1, min(LEASE_MAX, rate // LEASE_SHARE))


class _Leases:
    """This process's blocks of numbers of the shared counters: key → [next, last]."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, list[int]] = {}

    def take(self, key: str, ttl: int, block: int) -> int:
        """The window's count for this call: a number of this process's block for ``key``, or
        the first of a new block (``_count``; raises if the cache fails)."""
        if block > 1:
            with self.lock:
                held = self.held.get(key)
                if held is not None and held[0] <= held[1]:
                    held[0] += 1
                    return held[0] - 1
        last = _count(key, ttl, block)
        if block > 1:
            with self.lock:
                if len(self.held) > 1000:  # keys of windows gone by
                    self.held.clear()
                self.held[key] = [last - block + 2, last]
        return last - block + 1


_leases = _Leases()


# INCRBY, and the key's expiry when this call made it: one command, one round trip (Django's
# incr is two: EXISTS, then INCRBY).
_COUNT_LUA = (
    "local n = redis.call('INCRBY', KEYS[1], ARGV[2])"
    " if n == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
)
_count_scripts: dict[int, object] = {}


def _count(key: str, ttl: int, by: int = 1) -> int:
    """The count of ``key`` after adding ``by``, the key living ``ttl`` seconds from its first
    count. On Redis (``cvm_portal.cache.RedisCache``) one round trip, and while Redis is found
    down it raises at once; elsewhere Django's incr and add."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        if backend._outage.skipping():
            raise ConnectionError("the cache is not answering")
        client = backend._cache.get_client(key, write=True)
        script = _count_scripts.get(id(client))
        if script is None:
            script = _count_scripts.setdefault(id(client), client.register_script(_COUNT_LUA))
        try:
            count = script(keys=[backend.make_and_validate_key(key)], args=[ttl, by])
        except UNAVAILABLE as exc:
            backend._outage.failed(backend._location, exc)
            raise
        backend._outage.answered()
        return int(count)
    try:
        return cache.incr(key, by)
    except ValueError:  # the window's first request (or the key just expired)
        return by if cache.add(key, by, ttl) else cache.incr(key, by)


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
    # Imported here: DRF's views module imports this one (DEFAULT_PARSER_CLASSES) as it loads.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
