"""The task queue (Celery's broker, Redis) as the portal uses it: hand a task over quickly or
say that it could not be done, see which tasks still wait in it, and whether it answers.

Celery's own ``delay()`` with Redis down retries for about 20 seconds (its result store's
subscription) and then raises, which a web request turns into a 500. ``enqueue`` keeps no
result (the portal never reads one: loads and call lists record their outcome in the
database) and raises ``QueueUnavailable`` instead: at once when Redis refuses connections,
after the broker's socket timeout (``CELERY_BROKER_SOCKET_TIMEOUT``, 2 s) when it hangs. A
connection Redis dropped (it restarted) is tried once more; a timeout is not.
"""

from __future__ import annotations

import json
import logging

import redis
from kombu.exceptions import OperationalError

log = logging.getLogger("cvm.broker")

_UNREACHABLE = (
    OperationalError,  # what Celery raises when the broker cannot be reached
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


class QueueUnavailable(Exception):
    """The task queue did not take the task (Redis down or unreachable)."""


def _app():
    from cvm_portal.celery import app

    return app


def in_process() -> bool:
    """Whether tasks run in the process that queues them (no broker configured)."""
    return bool(_app().conf.task_always_eager)


def _timed_out(exc: BaseException | None) -> bool:
    """Whether the broker did not answer in time (rather than refused or dropped the
    connection): trying again would only wait as long again."""
    while exc is not None:
        if isinstance(exc, redis.exceptions.TimeoutError | TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _twice_unless_timed_out(call):
    """``call()``, once more if it failed on a connection the broker dropped (a pooled
    connection from before Redis restarted), not if the broker hangs."""
    try:
        return call()
    except _UNREACHABLE as exc:
        if _timed_out(exc):
            raise
    return call()


def enqueue(task, *, args=(), kwargs=None, task_id: str | None = None) -> str:
    """Hand ``task`` to the queue (or run it here when tasks run in-process); returns the
    task id. Raises ``QueueUnavailable`` when the queue does not take it."""
    try:
        result = _twice_unless_timed_out(
            lambda: task.apply_async(
                args=args,
                kwargs=kwargs or {},
                task_id=task_id,
                ignore_result=True,
                retry=True,  # with no retries: this also bounds connecting (else ~12 s)
                retry_policy={"max_retries": 0},
            )
        )
    except _UNREACHABLE as exc:
        log.warning("the task queue did not take %s: %s", task.name, exc)
        raise QueueUnavailable(str(exc)) from exc
    return result.id


def waiting_task_ids() -> set[str] | None:
    """Ids of the tasks waiting in the queues for a worker (not yet taken by one); None when
    that cannot be known (the broker is not Redis, or does not answer). Empty when tasks run
    in-process."""
    app = _app()
    if in_process():
        return set()
    try:
        with app.connection_for_read() as conn:
            if conn.transport.driver_type != "redis":
                return None
            # No retries: connecting with kombu's own would take some 12 s with Redis down.
            _twice_unless_timed_out(lambda: conn.ensure_connection(max_retries=0))
            channel = conn.default_channel
            ids: set[str] = set()
            for queue in app.amqp.queues:
                # Kombu keeps a Redis list per queue and priority step.
                keys = {channel._q_for_pri(queue, pri) for pri in channel.priority_steps}
                for key in keys:
                    for raw in channel.client.lrange(key, 0, -1):
                        try:
                            ids.add(json.loads(raw)["headers"]["id"])
                        except (ValueError, KeyError, TypeError):
                            continue  # not a Celery task message
            return ids
    except _UNREACHABLE as exc:
        log.warning("the task queue could not be read: %s", exc)
        return None


def status() -> str | None:
    """``"ok"``, ``"error: <what>"`` when the queue does not answer, or None when tasks run
    in-process (for /health/)."""
    if in_process():
        return None
    try:
        with _app().pool.acquire(block=True, timeout=1) as conn:
            if conn.transport.driver_type == "redis":
                _twice_unless_timed_out(lambda: conn.default_channel.client.ping())
            else:
                conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure means "not answering"
        return f"error: {exc.__class__.__name__}"
    return "ok"
