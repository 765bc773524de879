"""Buttons pressed twice at once never give an error page: real HTTP requests, both databases.

A double click, a retried request or two tabs send the same outcome twice at the same moment.
The first is recorded; the second gets that outcome back (200, the first outcome shown), never
a 5xx. The same holds for the other buttons an agent can double-fire: find, feedback, log the
call, wrap up. Each pair of requests goes over its own HTTP connection, released together by a
barrier, twenty times over so that the race really happens.

- SQLite (the embedded default): the portal as ``make run`` serves it — runserver on a SQLite
  file, in a process of its own. pytest-django's live server cannot stand in for it: on the
  in-memory SQLite test database every request thread shares one connection, so requests never
  race for SQLite's write lock (where two outcomes at once used to end in "database is locked").
- PostgreSQL: pytest-django's live server, a thread and a connection per request.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from campaigns.choices import CampaignStatus, NotPresentedReason, Outcome
from cvm_portal.roles import Role
from tests.factories import (
    CampaignFactory,
    OfferFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    presented,
    user_with_role,
)

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20
CSRF = "c" * 32  # an unmasked CSRF secret: the cookie and the header carry the same one
LABELS = dict(Outcome.choices)


def seed(rounds: int = ROUNDS) -> dict:
    """A store agent with ``rounds`` offers shown to them, and an outbound agent with
    ``rounds`` customers on today's call list; both signed in (their session keys)."""
    store_agent = user_with_role(Role.AGENT)
    offer = OfferFactory()
    campaign = CampaignFactory(status=CampaignStatus.LIVE, offers=[offer])
    shown = [
        presented(store_agent, [offer], campaign, when=timezone.now())[0]
        for _round in range(rounds)
    ]
    world = outbound_world(rounds)
    build_lists()
    caller = outbound_agent(world.site)
    return {
        "console": _session_of(store_agent),
        "outbound": _session_of(caller),
        "shown": [p.pk for p in shown],
        "customers": [p.decision.customer.external_id for p in shown],
    }


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Portal:
    """A running portal, the world seeded in it, and how to read what it recorded."""

    url: str
    world: dict
    outcomes: Callable[[list[int]], dict[int, list[str]]]  # presentation id -> outcomes stored
    feedback: Callable[[list[int]], dict[int, int]]  # presentation id -> feedback rows stored
    log: Callable[[], str] = lambda: ""  # the server's output, to explain a failure

    def post(self, who: str, path: str, data: dict, *, htmx: bool = False, follow: bool = False):
        """One POST as the browser of agent ``who`` sends it, on a connection of its own."""
        headers = {"X-CSRFToken": CSRF, "Accept-Language": "en"}
        if htmx:
            headers["HX-Request"] = "true"
        with requests.Session() as browser:
            browser.cookies.set(settings.SESSION_COOKIE_NAME, self.world[who])
            browser.cookies.set(settings.CSRF_COOKIE_NAME, CSRF)
            return browser.post(
                self.url + path, data=data, headers=headers, allow_redirects=follow, timeout=60
            )

    def get(self, who: str, path: str) -> str:
        with requests.Session() as browser:
            browser.cookies.set(settings.SESSION_COOKIE_NAME, self.world[who])
            answer = browser.get(self.url + path, headers={"Accept-Language": "en"}, timeout=60)
        assert answer.status_code == 200, self.log()
        return answer.text


def at_once(*presses: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run every press in a thread of its own, released together; their answers, in order."""
    start = threading.Barrier(len(presses))
    answers: list = [None] * len(presses)

    def press(i: int) -> None:
        try:
            start.wait(timeout=30)
            answers[i] = presses[i]()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            answers[i] = exc

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(presses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def statuses(answers: list) -> list:
    return [a.status_code if isinstance(a, requests.Response) else repr(a) for a in answers]


def together(portal: Portal, who: str, path: str, *forms: dict, **how) -> list:
    """``who`` posts each of ``forms`` to ``path`` at the same moment (a double click: the same
    form twice); the answers, in order."""
    return at_once(*[functools.partial(portal.post, who, path, form, **how) for form in forms])


# --- The two portals ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _embedded_env(folder: Path) -> dict:
    """The environment of ``make run``: nothing set but where the SQLite file lives."""
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "cvm_portal.settings",
        "CVM_SQLITE_PATH": str(folder / "portal.sqlite3"),
        "CVM_INBOX": str(folder / "inbox"),
    }


SEED = (
    "import json, sys, django; django.setup(); "
    "from tests.channels.test_concurrent_outcomes import seed; "
    "print(json.dumps(seed(int(sys.argv[1]))))"
)


@pytest.fixture(scope="module")
def embedded_portal(tmp_path_factory):
    """The embedded default, served as ``make run`` serves it, with the world seeded in it."""
    folder = tmp_path_factory.mktemp("embedded")
    env = _embedded_env(folder)

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("manage.py", "migrate", "--noinput")
    world = json.loads(run("-c", SEED, str(ROUNDS)).strip().splitlines()[-1])
    port = _free_port()
    log_path = folder / "runserver.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _try in range(120):
            try:
                if requests.get(url + "/health/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, log_path.read_text()
            time.sleep(0.25)
        else:
            raise AssertionError("runserver did not answer in 30 s:\n" + log_path.read_text())

        def outcomes(ids: list[int]) -> dict[int, list[str]]:
            found: dict[int, list[str]] = {pk: [] for pk in ids}
            db = sqlite3.connect(f"file:{env['CVM_SQLITE_PATH']}?mode=ro", uri=True)
            try:
                marks = ",".join("?" * len(ids))
                for pk, outcome in db.execute(
                    "SELECT presentation_id, outcome FROM campaigns_response "  # noqa: S608 - placeholders only
                    f"WHERE presentation_id IN ({marks})",
                    ids,
                ):
                    found[pk].append(outcome)
            finally:
                db.close()
            return found

        def feedback(ids: list[int]) -> dict[int, int]:
            db = sqlite3.connect(f"file:{env['CVM_SQLITE_PATH']}?mode=ro", uri=True)
            try:
                return {
                    pk: db.execute(
                        "SELECT count(*) FROM campaigns_offerfeedback WHERE presentation_id = ?",
                        [pk],
                    ).fetchone()[0]
                    for pk in ids
                }
            finally:
                db.close()

        yield Portal(
            url=url,
            world=world,
            outcomes=outcomes,
            feedback=feedback,
            log=lambda: log_path.read_text()[-6000:],
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def postgresql_portal(request):
    """pytest-django's live server on the PostgreSQL test database, the world seeded in it."""
    from cvm_portal.roles import sync_role_groups

    assert connection.vendor == "postgresql"
    live_server = request.getfixturevalue("live_server")
    sync_role_groups()  # transactional tests empty every table, migration-made groups included

    def outcomes(ids: list[int]) -> dict[int, list[str]]:
        from campaigns.models import Response

        found: dict[int, list[str]] = {pk: [] for pk in ids}
        for pk, outcome in Response.objects.filter(presentation_id__in=ids).values_list(
            "presentation_id", "outcome"
        ):
            found[pk].append(outcome)
        return found

    def feedback(ids: list[int]) -> dict[int, int]:
        from campaigns.models import OfferFeedback

        return {pk: OfferFeedback.objects.filter(presentation_id=pk).count() for pk in ids}

    yield Portal(url=live_server.url, world=seed(), outcomes=outcomes, feedback=feedback)
    connections.close_all()


@pytest.fixture(
    params=[
        "embedded",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.django_db(transaction=True, serialized_rollback=True),
            ],
        ),
    ]
)
def portal(request) -> Portal:
    return request.getfixturevalue(f"{request.param}_portal")


# --- The console ------------------------------------------------------------------------------


def test_an_outcome_sent_twice_at_once_at_the_console_is_recorded_once_and_shown_to_both(portal):
    # Given offers shown to a store agent
    shown = portal.world["shown"]

    # When, for each offer, "Accepted" and "Later" arrive at the same moment
    answers = [
        together(
            portal,
            "console",
            f"/console/offers/{pk}/outcome/",
            {"outcome": "accepted"},
            {"outcome": "later"},
            htmx=True,
        )
        for pk in shown
    ]

    # Then both requests got the card back, each showing the one outcome that was recorded
    assert [statuses(pair) for pair in answers] == [[200, 200]] * len(shown), portal.log()
    stored = portal.outcomes(shown)
    assert all(len(outcomes) == 1 for outcomes in stored.values()), stored
    for pk, pair in zip(shown, answers, strict=True):
        label = LABELS[stored[pk][0]]
        assert all(f"Recorded: {label}" in answer.text for answer in pair), (pk, label)


def test_find_and_feedback_pressed_twice_at_once_never_give_an_error_page(portal):
    # Given a store agent, and customers with offers shown to them
    customers, shown = portal.world["customers"], portal.world["shown"]

    # When the agent double-clicks "Find" (landing on the customer's page) for each customer
    finds = [
        together(portal, "console", "/console/find/", *[{"q": c}] * 2, follow=True)
        for c in customers
    ]
    # ...and double-clicks "Useful" on each offer
    feedback = [
        together(
            portal, "console", f"/console/offers/{pk}/feedback/", *[{"useful": "1"}] * 2, htmx=True
        )
        for pk in shown
    ]

    # Then every press got its page: the customer's, and the feedback's thanks
    assert [statuses(pair) for pair in finds] == [[200, 200]] * len(customers), portal.log()
    for c, pair in zip(customers, finds, strict=True):
        assert all(c in answer.text for answer in pair)
    assert [statuses(pair) for pair in feedback] == [[200, 200]] * len(shown), portal.log()
    # ...and the same feedback sent twice reached CVM's inbox once
    assert portal.feedback(shown) == dict.fromkeys(shown, 1)


# --- The outbound screen ----------------------------------------------------------------------


def test_every_outbound_button_pressed_twice_at_once_answers_and_records_once(portal):
    # Given an outbound agent with customers on today's list, who takes the first
    first = portal.post("outbound", "/outbound/next/", {})
    assert first.status_code == 302, portal.log()
    calls, shown, after_undo = [], [], []

    for _round in range(ROUNDS):
        lead = re.search(r"/outbound/leads/(\d+)/attempt/", portal.get("outbound", "/outbound/"))
        assert lead, "the agent holds a customer to call"
        lead_url = f"/outbound/leads/{lead.group(1)}"
        # When "Reached" is double-clicked
        reached = together(
            portal, "outbound", f"{lead_url}/attempt/", *[{"disposition": "reached"}] * 2
        )
        offer = re.search(r"/outbound/offers/(\d+)/outcome/", portal.get("outbound", "/outbound/"))
        assert offer, "the reached customer's offer is on the screen"
        pk = int(offer.group(1))
        # ...then "Accepted" and "Later" arrive together for the offer
        outcome = together(
            portal,
            "outbound",
            f"/outbound/offers/{pk}/outcome/",
            {"outcome": "accepted"},
            {"outcome": "later"},
            htmx=True,
        )
        stored = portal.outcomes([pk])[pk]
        shown.append((stored, [LABELS[o] for o in stored], [a.text for a in outcome]))
        # ...then "Undo" and a new outcome arrive together (undone, and at once recorded anew)
        undo = re.search(r"/outbound/outcomes/(\d+)/undo/", outcome[0].text)
        assert undo, "the recorded outcome offers Undo"
        redo = at_once(
            functools.partial(portal.post, "outbound", undo.group(0), {}, htmx=True),
            functools.partial(
                portal.post,
                "outbound",
                f"/outbound/offers/{pk}/outcome/",
                {"outcome": "not_presented", "not_presented_reason": NotPresentedReason.values[0]},
                htmx=True,
            ),
        )
        after_undo.append(portal.outcomes([pk])[pk])
        # ...and "Wrap up" is double-clicked (which hands out the next customer)
        wrapped = together(portal, "outbound", f"{lead_url}/wrap-up/", {}, {})
        calls.append((statuses(reached), statuses(outcome), statuses(redo), statuses(wrapped)))

    # Then every press was answered (the screen again, or the offer's outcome), none failed
    assert calls == [([302, 302], [200, 200], [200, 200], [302, 302])] * ROUNDS, portal.log()
    # ...each offer held one outcome, the one both presses were shown
    for stored, labels, pages in shown:
        assert len(stored) == 1, stored
        assert all(f"Recorded: {labels[0]}" in page for page in pages), labels
    # ...and after the undo, the new outcome or none (the undo came last): never two
    assert all(stored in ([], ["not_presented"]) for stored in after_undo), after_undo
