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
ROOT = Path(__file__).resolve().parents[1]
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


# Modules whose database-free tests are pure functions of their input (formatting, statistics,
# text rules, code layout, the catalogue) or start their own portal with a cleaned environment:
# they do the same thing whatever DATABASE_URL and REDIS_URL say. Such a test is marked ``once``
# and CI runs it in the SQLite pass only; a test that asks for the database keeps running in both.
ONCE = {
    "tests/test_layout.py",
    "tests/campaigns/test_control.py",
    "tests/campaigns/test_ids.py",
    "tests/campaigns/test_load_messages.py",
    "tests/campaigns/test_reasons.py",
    "tests/campaigns/test_textrules.py",
    "tests/campaigns/test_uplift.py",
    "tests/channels/test_bonus_arithmetic.py",
    "tests/channels/test_bonus_format.py",
    "tests/channels/test_concurrent_outcomes.py",  # the embedded portal: its own SQLite, env cleaned
    "tests/channels/test_console_keys.py",
    "tests/channels/test_erlang.py",
    "tests/cvm_portal/test_catalogue.py",
    "tests/cvm_portal/test_formatting.py",
    "tests/cvm_portal/test_masking.py",
    "tests/cvm_portal/test_no_adhoc_formatting.py",
    "tests/cvm_portal/test_settings.py",  # each check in a fresh interpreter, env cleaned
    "tests/training/test_rendering.py",
}
_DB_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client", "admin_user"}


def _database_free(item) -> bool:
    markers = ("django_db", "postgres", "redis", "browser")
    return not any(item.get_closest_marker(m) for m in markers) and not (
        _DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_itemcollected(item):
    """Database-free tests of the ``ONCE`` modules get the ``once`` marker."""
    if item.path.relative_to(ROOT).as_posix() in ONCE and _database_free(item):
        item.add_marker(pytest.mark.once)


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


BIG_TABLE_BYTES = 16 * 1024 * 1024  # past this, TRUNCATE beats DELETE


def _delete_instead_of_truncate() -> None:
    """On PostgreSQL a transactional test ends with every table emptied by one TRUNCATE, which
    replaces each table's files and forces a synchronous commit: 1.5 to 6 s per test for our
    hundred tables, more than most tests take. DELETE of a test's few rows takes about 0.1 s and
    leaves the same empty tables (sequences are not reset either way); a table past 16 MB (a big
    load's) is still truncated. Should a DELETE be refused
    (a trigger, a key that cannot be deferred), the TRUNCATE runs as before."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no psycopg: no PostgreSQL pass
        return
    from django.db import DatabaseError

    truncate_sql, execute = DatabaseOperations.sql_flush, DatabaseOperations.execute_sql_flush

    class Deletes(list):
        truncate: list[str]

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        truncate = truncate_sql(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if reset_sequences or allow_cascade or not tables:
            return truncate
        deletes = Deletes(self.quote_name(t) for t in tables)
        deletes.truncate = truncate
        return deletes

    def execute_sql_flush(self, sql_list):
        if not isinstance(sql_list, Deletes):
            return execute(self, sql_list)
        with self.connection.cursor() as cursor:  # a table of millions of rows: TRUNCATE it
            cursor.execute(
                "SELECT '\"' || relname || '\"' AS name FROM pg_class WHERE relkind = 'r'"
                " AND '\"' || relname || '\"' = ANY(%s) AND pg_relation_size(oid) > %s",
                [list(sql_list), BIG_TABLE_BYTES],
            )
            big = [name for (name,) in cursor.fetchall()]
        statements = ["SET CONSTRAINTS ALL DEFERRED"]
        if big:  # CASCADE: every table is emptied anyway
            statements.append(f"TRUNCATE {', '.join(big)} CASCADE")
        statements += [f"DELETE FROM {t}" for t in sql_list if t not in big]  # noqa: S608
        try:
            execute(self, statements)  # one transaction: rolled back whole if refused
        except DatabaseError:
            execute(self, sql_list.truncate)

    DatabaseOperations.sql_flush = sql_flush
    DatabaseOperations.execute_sql_flush = execute_sql_flush


def pytest_configure(config):
    # A fast hasher for every test, including module-scoped data built outside a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _delete_instead_of_truncate()
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

    from campaigns import catalogue, channel_registry
    from campaigns.learning import serving as learning

    cache.clear()
    catalogue.recheck()  # the catalogue held in memory follows the cleared stamp
    learning.recheck()  # and so do the learned propensities
    channel_registry.refresh()  # and the channel registry (a test's channels are rolled back)
    yield
    cache.clear()
    catalogue.recheck()
    learning.recheck()
    channel_registry.refresh()


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
