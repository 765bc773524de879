"""Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

import os

import pytest

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; the ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser(launch_browser, browser_type_launch_args):
    # Checked here, before Playwright launches anything, so a missing Chromium reads clearly.
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium not found: apt-get install chromium")
    b = launch_browser()
    yield b
    b.close()


@pytest.fixture
def demo_world(transactional_db, inbox):
    """The real demo (with few customers), so the browser signs in with the demo's logins.

    The demo takes 2 s on SQLite and 5 to 8 s on PostgreSQL; most browser tests want it. It is
    built in full once a run (on the day it is used), from tables emptied as a transactional
    test leaves them, and then its rows and inbox files are copied back into the same empty
    tables for each later test (about 0.1 s): the same world, row for row. Whenever the tables
    or the inbox are not as a finished transactional test leaves them, it is built in full."""
    from django.utils import timezone

    held = _demo_copy.get("copy")
    fresh = held and held.day == timezone.localdate()
    if fresh and only_migration_rows(inbox) and held.restore(inbox):
        return
    flushed = only_migration_rows(inbox)
    _build_demo()
    if flushed:
        _demo_copy["copy"] = DemoCopy.take(inbox)


_demo_copy: dict = {}
# What a finished transactional test leaves: these rows, made again by the flush's post_migrate.
_REMADE_BY_FLUSH = {"django_content_type", "auth_permission"}


def only_migration_rows(inbox) -> bool:
    """Every table empty but the content types and permissions a flush makes again, and the
    inbox empty: the state the demo is copied back into."""
    from django.db import connection

    if any(inbox.iterdir()):
        return False
    tables = sorted(set(connection.introspection.django_table_names(only_existing=True)))
    query = " UNION ALL ".join(
        f"SELECT 1 FROM (SELECT 1 FROM {connection.ops.quote_name(t)} LIMIT 1) AS x{i}"  # noqa: S608
        for i, t in enumerate(tables)
        if t not in _REMADE_BY_FLUSH
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone() is None


class DemoCopy:
    """Every row of every table and every inbox file, as the demo left them."""

    def __init__(self, day, rows: dict, files: dict) -> None:
        self.day, self.rows, self.files = day, rows, files

    @classmethod
    def take(cls, inbox) -> "DemoCopy":
        from django.db import connection
        from django.utils import timezone

        rows = {}
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True):
                name = connection.ops.quote_name(table)
                if connection.vendor == "postgresql":  # text COPY: every type comes back as it was
                    with cursor.cursor.copy(f"COPY (SELECT * FROM {name}) TO STDOUT") as copy:  # noqa: S608
                        data = b"".join(bytes(block) for block in copy)
                    cursor.execute(f"SELECT * FROM {name} LIMIT 0")  # noqa: S608
                    rows[table] = ([c.name for c in cursor.description], data)
                else:
                    cursor.execute(f"SELECT * FROM {name} LIMIT 0")  # noqa: S608
                    columns = [c[0] for c in cursor.description]
                    # +column: an expression has no declared type, so the value comes back as
                    # stored (no converter turns it into a time the driver cannot bind again).
                    values = ", ".join(f"+{connection.ops.quote_name(c)}" for c in columns)
                    cursor.execute(f"SELECT {values} FROM {name}")  # noqa: S608
                    rows[table] = (columns, cursor.fetchall())
        files = {p.relative_to(inbox): p.read_bytes() for p in inbox.rglob("*") if p.is_file()}
        return cls(timezone.localdate(), rows, files)

    def restore(self, inbox) -> bool:
        """The demo's rows back in the emptied tables, its files in ``inbox``; False (and
        nothing changed) if the database refuses them."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import DatabaseError, connection, transaction

        from campaigns import catalogue
        from channels.api.auth import forget_verified_keys

        quote = connection.ops.quote_name
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for table in self.rows:
                    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
                for table, (columns, data) in self.rows.items():
                    if not data:
                        continue
                    names = ", ".join(map(quote, columns))
                    if connection.vendor == "postgresql":
                        with cursor.cursor.copy(
                            f"COPY {quote(table)} ({names}) FROM STDIN"
                        ) as copy:
                            copy.write(data)
                        if "id" in columns:  # never hand out an id again: only move forward
                            cursor.execute(
                                "SELECT pg_get_serial_sequence(%s, 'id')", [quote(table)]
                            )
                            (sequence,) = cursor.fetchone()
                            if sequence:
                                cursor.execute(
                                    "SELECT setval(%s, GREATEST(nextval(%s) - 1,"  # noqa: S608
                                    f" (SELECT max(id) FROM {quote(table)})))",
                                    [sequence, sequence],
                                )
                    else:
                        marks = ", ".join(["%s"] * len(columns))
                        cursor.executemany(
                            f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
                            data,
                        )
        except DatabaseError:
            return False
        for path, content in self.files.items():
            (inbox / path).parent.mkdir(parents=True, exist_ok=True)
            (inbox / path).write_bytes(content)
        # What the demo's saves told this process: new ids, a new catalogue, no keys held.
        ContentType.objects.clear_cache()
        catalogue.invalidate()
        forget_verified_keys()
        return True


def _build_demo() -> None:
    from django.core.management import call_command

    from cvm_portal.roles import sync_role_groups

    # Transactional tests empty every table afterwards, migration-made role groups included;
    # Playwright's greenlets defeat serialized rollback, so the groups are rebuilt here.
    sync_role_groups()
    call_command("demo", customers=50, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(username: str, password: str = "demo-password"):
        page.goto(f"{live_server.url}/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    return _sign_in
