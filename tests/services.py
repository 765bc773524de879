"""Services a test owns and may break: a Redis of its own, the task queue pointed at it, a
Celery worker in a process group of its own (so it can be killed whole, as an OOM kill or a
lost host would). Never the shared Redis on 6379."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, every: float = 0.05):
    """``predicate()``'s first true value within ``timeout`` seconds; AssertionError if none."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class OwnRedis:
    """A ``redis-server`` of the test's own on a free port, keeping nothing on disk."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> OwnRedis:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)

        def answers():
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_for(answers, 10, f"redis-server on port {self.port}")
        return self

    def kill(self) -> None:
        """Gone at once, as a crashed Redis or a lost host: no shutdown, nothing kept."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


class Unanswering:
    """A port that accepts connections and never answers: a Redis that hangs."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"redis://127.0.0.1:{self.socket.getsockname()[1]}/0"

    def close(self) -> None:
        self.socket.close()


def _forget_broker_pools(app) -> None:
    """The app builds its pools again for the broker URL it has next. Kombu keeps one pool per
    URL for the whole process, so they are let go of, never closed (closing the default one
    would break every later publish)."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """The Celery app of this process publishes to ``url`` (and not in-process) meanwhile."""
    from cvm_portal.celery import app

    before = app.conf.broker_url, app.conf.task_always_eager
    _forget_broker_pools(app)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        _forget_broker_pools(app)
        app.conf.broker_url, app.conf.task_always_eager = before


def start_worker(*, database_url: str, redis_url: str, log: Path, env: dict | None = None,
                 args: tuple[str, ...] = ()) -> subprocess.Popen:  # fmt: skip
    """``celery -A cvm_portal worker -c 1`` (prefork: a main process and a pool child) in a
    process group of its own, on ``database_url`` and ``redis_url``."""
    with log.open("a") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cvm_portal", "worker", "-c", "1",
             "--without-gossip", "--without-mingle", "--loglevel=INFO", *args],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                 "DJANGO_SETTINGS_MODULE": "cvm_portal.settings", **(env or {})},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def kill_whole(process: subprocess.Popen) -> None:
    """SIGKILL to the process and every child in its group, as an OOM kill or a lost host."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    else:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # children it left behind
