"""Django's Redis cache, made to degrade instead of fail, with one redis-py client per server.

**Redis down is a miss, never an error.** The portal keeps only derived data in the cache
(the catalogue stamp, the contact policy, today's call lists, throttle counters): everything
can be read again from the database. So when Redis cannot be reached, reads answer as a
miss, writes and deletes do nothing, ``add`` answers "not added" and ``incr`` "no such key"
(``ValueError``, Django's contract). A warning is logged at most once per
``WARN_EVERY`` seconds per process. After a failure the cache does not try Redis again for
``RETRY_AFTER`` seconds, so a Redis that hangs (a lost host: each try waits for the connect
timeout) costs one request a short wait, not every request. Connect and socket timeouts are
short (``CONNECT_TIMEOUT``, ``SOCKET_TIMEOUT``; override them in ``CACHES`` ``OPTIONS``).

**One client per server.** Django's ``RedisCacheClient`` builds a new ``redis.Redis`` around
its connection pool for every get and set; with redis-py 8 building one costs about 0.4 ms of
CPU (it fills a table of ~170 response callbacks), more than the round trip to Redis itself.
The client is only a thin wrapper around the pool, safe to share between threads, and the pool
reconnects after a fork, so one per server is kept and reused.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends import redis as django_redis

log = logging.getLogger("cvm.cache")

CONNECT_TIMEOUT = 0.25  # seconds: Redis answers in ~0.15 ms; a connect that takes longer is lost
SOCKET_TIMEOUT = 0.5  # seconds for a command's answer
RETRY_AFTER = 2.0  # seconds without trying Redis after it failed
WARN_EVERY = 60.0  # seconds between two warnings about the same outage

# What an unreachable or unwell Redis looks like: redis-py wraps socket errors in the first
# two (a Redis still loading its data raises a subclass of ConnectionError); something else
# answering on its port, or a replica after a failover, gives the next two. Other errors (a
# wrong type of value, say) are bugs and are raised as before.
UNAVAILABLE = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.InvalidResponse,
    redis.exceptions.ReadOnlyError,
    OSError,
)


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):  # noqa: ARG002 - Django's signature
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class _Outage:
    """Whether a Redis server was found unreachable lately; shared by a process's threads
    (Django keeps one cache object per thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.warned_at = -WARN_EVERY
        self.error = ""

    def skipping(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, location: str, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until = now + RETRY_AFTER
            self.error = f"{exc.__class__.__name__}: {exc}"
            warn = now - self.warned_at >= WARN_EVERY
            if warn:
                self.warned_at = now
        if warn:
            log.warning(
                "cache: Redis at %s is not answering (%s); serving without the cache",
                location,
                self.error,
            )

    def answered(self) -> None:
        if self.down_until:
            with self.lock:
                self.down_until = 0.0
                self.error = ""


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _tolerant(default):
    """Run a cache operation; if Redis cannot be reached, answer ``default(*args)`` instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            outage = self._outage
            if outage.skipping():
                return default(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                outage.failed(self._location, exc)
                return default(*args, **kwargs)
            outage.answered()
            return result

        return wrapper

    return decorate


def _none(*_args, **_kwargs):
    return None


def _false(*_args, **_kwargs):
    return False


def _missing(*_args, **_kwargs):
    raise ValueError("the cache is not available, so the key is not there")


def _get_default(*args, **kwargs):
    """What ``get(key, default=None, version=None)`` answers on a miss: its ``default``."""
    return args[1] if len(args) > 1 else kwargs.get("default")


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that treats an unreachable Redis as a
    miss (see the module's docstring), with short timeouts and a reused client per server."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._options = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            **self._options,
        }
        self._location = ",".join(self._servers)
        self._outage = _outage_of(self._location)

    get = _tolerant(_get_default)(django_redis.RedisCache.get)
    get_many = _tolerant(lambda *a, **k: {})(django_redis.RedisCache.get_many)
    has_key = _tolerant(_false)(django_redis.RedisCache.has_key)
    add = _tolerant(_false)(django_redis.RedisCache.add)
    set = _tolerant(_none)(django_redis.RedisCache.set)
    set_many = _tolerant(lambda data, *a, **k: list(data))(django_redis.RedisCache.set_many)
    touch = _tolerant(_false)(django_redis.RedisCache.touch)
    delete = _tolerant(_false)(django_redis.RedisCache.delete)
    delete_many = _tolerant(_none)(django_redis.RedisCache.delete_many)
    incr = _tolerant(_missing)(django_redis.RedisCache.incr)
    clear = _tolerant(_false)(django_redis.RedisCache.clear)

    def ping(self) -> None:
        """Ask Redis directly (past the outage pause); raises what redis-py raises."""
        try:
            self._cache.get_client(write=True).ping()
        except UNAVAILABLE as exc:
            self._outage.failed(self._location, exc)
            raise
        self._outage.answered()


def status(alias: str = "default") -> str:
    """``"ok"``, or ``"error: <what>"`` when the cache does not answer (for /health/)."""
    backend = caches[alias]
    try:
        if isinstance(backend, RedisCache):
            backend.ping()
        else:
            backend.set("cvm:health-probe", "1", 10)
            if backend.get("cvm:health-probe") != "1":
                return "error: no read-back"
    except Exception as exc:  # noqa: BLE001 - any failure means "not answering"
        return f"error: {exc.__class__.__name__}"
    return "ok"
