"""Shared fixtures, and the rule that CI never passes by skipping.

Tests marked ``postgres`` or ``redis`` need those services; tests marked
``browser`` need Chromium. Outside CI a missing one skips the test with a
message saying how to provide it. With ``CI=true`` a missing one fails the
test, and any skipped test at all fails the run.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return (
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_portal"
        )
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/15"
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        return (
            "needs Chromium: apt-get install chromium (Debian's package; gives /usr/bin/chromium)"
        )
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last: once Playwright runs, its greenlets defeat serialized rollback,
    which the other transactional tests rely on to get migration-made rows (role groups) back."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is not None or "tests/browser/" in str(item.fspath)
        )
    )


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and this test {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and session.exitstatus == 0:
        reporter.write_line(
            f"CI=true: {skipped} test(s) were skipped; CI must not pass by skipping.", red=True
        )
        session.exitstatus = 1


def pytest_configure(config):
    # A fast hasher for every test, including module-scoped data built outside a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests never read or write the real inbox.
    settings.CVM_INBOX = Path(tempfile.mkdtemp(prefix="cvm-test-inbox-"))


@pytest.fixture
def inbox(settings, tmp_path):
    """An empty inbox of this test's own."""
    settings.CVM_INBOX = tmp_path / "inbox"
    settings.CVM_INBOX.mkdir()
    return settings.CVM_INBOX


@pytest.fixture
def make_user(db):
    from tests.factories import user_with_role

    return user_with_role


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process for this test, even when a broker is configured."""
    from cvm_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the catalogue's stamp is kept there, for one)."""
    from django.core.cache import cache

    from campaigns import catalogue

    cache.clear()
    catalogue.recheck()  # the catalogue held in memory follows the cleared stamp
    yield
    cache.clear()
    catalogue.recheck()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test ends in the default language: a request in Polish leaves its language active
    in the thread (LocaleMiddleware never deactivates), and the next test would read Polish."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own (free port, nothing on disk) that it may kill and start
    again; never the shared one. Its cache outage state is forgotten before and after."""
    from cvm_portal import cache as portal_cache
    from tests.services import REDIS_SERVER, OwnRedis

    if not os.path.exists(REDIS_SERVER):
        reason = "needs redis-server: apt-get install redis-server"
        if IN_CI:
            pytest.fail(f"CI=true and this test {reason}", pytrace=False)
        pytest.skip(reason)
    portal_cache._outages.clear()
    server = OwnRedis(tmp_path / "redis.log").start()
    yield server
    server.kill()
    portal_cache._outages.clear()
