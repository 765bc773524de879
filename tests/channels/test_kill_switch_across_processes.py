"""The kill switch holds in another process on its very next request (PostgreSQL).

A real second process serves the portal: gunicorn with one sync worker, so its catalogue and
its cached call lists stay warm between requests, as in production. This process stops the
campaign; the other one's next "next customer" hands out no lead of it (the leads still
waiting are withdrawn) and its next console page no longer offers it — with Redis up, and
with Redis down (the stop generation is then read from the database).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from campaigns.governance.kill_switch import resume, stop
from campaigns.models import StopScope
from channels.choices import LeadState
from channels.console.links import customer_url
from channels.models import Lead
from channels.outbound.withdrawal import WITHDRAWN
from cvm_portal.roles import Role, sync_role_groups
from tests.factories import build_lists, outbound_agent, outbound_world, user_with_role

ROOT = Path(__file__).resolve().parents[2]
CSRF = "c" * 32
OFFER = "Fibre 1 Gb/s"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Other:
    """The other process, and a browser per user."""

    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log

    def _browser(self, user) -> requests.Session:
        browser = requests.Session()
        browser.cookies.set(settings.SESSION_COOKIE_NAME, _session(user))
        browser.cookies.set(settings.CSRF_COOKIE_NAME, CSRF)
        return browser

    def press_next(self, user) -> int:
        with self._browser(user) as browser:
            answer = browser.post(
                self.url + "/outbound/next/",
                headers={"X-CSRFToken": CSRF},
                allow_redirects=False,
                timeout=60,
            )
        return answer.status_code

    def page(self, user, path: str) -> str:
        with self._browser(user) as browser:
            answer = browser.get(self.url + path, headers={"Accept-Language": "en"}, timeout=60)
        assert answer.status_code == 200, self.log.read_text()[-4000:]
        return answer.text


@pytest.fixture(params=["redis up", "redis down"])
def other_process(request, tmp_path):
    if request.param == "redis up" and not settings.REDIS_URL:
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/15")
    sync_role_groups()  # transactional tests empty every table, migration-made groups included
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "cvm_portal.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        # Down: a port nothing listens on; every cache read is a miss (cvm_portal.cache).
        "REDIS_URL": settings.REDIS_URL if request.param == "redis up" else "redis://127.0.0.1:9/0",
        "CVM_INBOX": str(tmp_path / "inbox"),
    }
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cvm_portal.wsgi:application", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _try in range(480):
            try:
                if requests.get(url + "/health/", timeout=30).status_code in (200, 503):
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert server.poll() is None, log.read_text()
            time.sleep(0.25)
        else:
            raise AssertionError("gunicorn did not answer in 2 minutes:\n" + log.read_text())
        yield Other(url, log)
    finally:
        server.terminate()
        server.wait(timeout=30)
        connections.close_all()


def test_a_stop_holds_in_another_process_on_its_very_next_request(other_process):
    # Given today's call list of a live campaign, worked in the other process (its catalogue
    # and the list ids warm), and a store agent who sees the campaign's offer there
    world = outbound_world(5)
    build_lists()
    first, second = outbound_agent(world.site), outbound_agent(world.site)
    store_agent = user_with_role(Role.AGENT)
    page = customer_url(user=store_agent, customer_id=world.customers[4].pk)
    assert other_process.press_next(first) == 302
    assert Lead.objects.filter(assigned_to=first, state=LeadState.ASSIGNED).count() == 1
    assert OFFER in other_process.page(store_agent, page)

    # When a CVM manager stops the campaign here
    manager = user_with_role(Role.CVM_MANAGER)
    record = stop(
        scope=StopScope.CAMPAIGN, target=world.campaign, reason="Wrong script", by=manager
    )

    # Then the other process's very next "next customer" hands out no lead of it
    assert other_process.press_next(second) == 302
    assert not Lead.objects.filter(assigned_to=second).exists()
    # ...the leads still waiting are withdrawn (the one on a call stays with its agent)
    assert Lead.objects.filter(state=LeadState.WAITING).count() == 0
    assert Lead.objects.filter(skip_code=WITHDRAWN).count() == record.withdrawn_leads == 4
    # ...and its very next console page no longer offers it
    assert OFFER not in other_process.page(store_agent, page)

    # And resuming brings the offer back on the next request, not the withdrawn leads
    resume(stop_record=record, by=manager)
    assert OFFER in other_process.page(store_agent, page)
    assert other_process.press_next(second) == 302
    assert not Lead.objects.filter(assigned_to=second).exists()
