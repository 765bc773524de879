"""One agent never holds two leads, whatever the concurrency: real HTTP requests on PostgreSQL.

"Next customer" pressed twice at once in one session (a double click, a retried request) is
two requests racing each other through the claim; the second must get the lead the first
took, never a second one. The requests go to a live server (a thread per request, each with
its own database connection) and are released together by a barrier.
"""

import http.client
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from channels.choices import LeadState
from channels.models import Lead
from tests.factories import (
    CustomerFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    target_group,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CSRF = "a" * 32  # an unmasked CSRF secret: the cookie and the header carry the same one


@pytest.fixture(autouse=True)
def _role_groups():
    """Transactional tests empty every table afterwards, migration-made role groups included."""
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()


def _session_of(agent) -> str:
    client = Client()
    client.force_login(agent)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _press(url: str, session: str) -> int:
    """One press of "next customer" over HTTP, as the browser sends it; the status code (a 302
    back to the screen is the answer)."""
    address = urlsplit(url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        conn.request(
            "POST",
            "/outbound/next/",
            body=b"",
            headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}",
                "X-CSRFToken": CSRF,
            },
        )
        return conn.getresponse().status
    finally:
        conn.close()


def _all_at_once(presses: list[tuple[str, str]]) -> list:
    """Send every (url, session) press from a thread of its own, released together."""
    start = threading.Barrier(len(presses))
    answers: list = [None] * len(presses)

    def press(i: int) -> None:
        try:
            start.wait(timeout=30)
            answers[i] = _press(*presses[i])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            answers[i] = exc

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(presses))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    connections.close_all()
    return answers


def _held() -> Counter:
    return Counter(
        Lead.objects.filter(state=LeadState.ASSIGNED).values_list("assigned_to_id", flat=True)
    )


def test_one_agent_pressing_next_customer_many_times_at_once_holds_one_lead(live_server):
    # Given an agent signed in, and a list with more leads than presses
    w = outbound_world(30)
    build_lists()
    agent = outbound_agent(w.site)
    session = _session_of(agent)

    # When eight presses of "next customer" in that one session arrive at once, several times
    answers = []
    for _round in range(5):
        answers += _all_at_once([(live_server.url, session)] * 8)

    # Then every press was answered, and the agent holds exactly one lead
    assert answers == [302] * 40
    assert _held() == {agent.pk: 1}


def test_many_agents_double_clicking_at_once_each_hold_one_lead(live_server):
    # Given twenty agents signed in, and more leads than they can draw
    w = outbound_world(0)
    customers = [CustomerFactory(consent_calls=True, consent_marketing=True) for _ in range(60)]
    target_group(
        w.campaign, [{"customer": c, "propensity": 0.5 + i / 200} for i, c in enumerate(customers)]
    )
    build_lists()
    agents = [outbound_agent(w.site) for _ in range(20)]
    sessions = [_session_of(agent) for agent in agents]

    # When every agent double-clicks "next customer" and all the presses arrive at once
    answers = _all_at_once([(live_server.url, s) for s in sessions for _click in range(2)])

    # Then every agent holds exactly one lead, and no lead is with two agents
    assert answers == [302] * 40
    assert _held() == {agent.pk: 1 for agent in agents}
    assert Lead.objects.filter(state=LeadState.ASSIGNED).count() == len(agents)
