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
    """The real demo (with few customers), so the browser signs in with the demo's logins."""
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
