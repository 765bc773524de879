"""The USSD gateway under real concurrency, on PostgreSQL: copies of one request released at
once through a live server, each on its own connection, as a gateway's retries send them."""

import http.client
import threading
from urllib.parse import urlencode

import pytest

from campaigns.models import Decision, Response
from channels.models import UssdSession
from tests.channels.test_ussd import PHONE, ussd_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COPIES = 8
ROUNDS = 5  # sessions per test, so that the race really happens


@pytest.fixture(autouse=True)
def _role_groups():
    """Transactional tests empty every table afterwards, migration-made role groups included."""
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()


def all_at_once(
    live_server, key: str, session: str, text: str, phone: str = PHONE
) -> list[tuple[int, str]]:
    """``COPIES`` identical callbacks, each from its own thread and connection, released together."""
    host, port = live_server.thread.host, live_server.thread.port
    form = urlencode(
        {"sessionId": session, "serviceCode": "*384#", "phoneNumber": phone, "text": text}
    )
    answers: list[tuple[int, str] | None] = [None] * COPIES
    errors: list[BaseException] = []
    start = threading.Barrier(COPIES)

    def send(i: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.connect()  # connected before the barrier: the POSTs themselves overlap
            start.wait(timeout=30)
            connection.request(
                "POST",
                f"/api/v1/ussd/?key={key}",
                body=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            reply = connection.getresponse()
            answers[i] = (reply.status, reply.read().decode())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(COPIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return answers


def test_copies_of_a_first_screen_at_the_same_moment_decide_once_and_agree(live_server):
    world = ussd_world()
    for n in range(ROUNDS):
        answers = all_at_once(live_server, world["key"], f"race-{n}", "")
        assert {status for status, _text in answers} == {200}
        assert len({text for _status, text in answers}) == 1, answers
        assert answers[0][1].startswith("CON Offers for you:\n1. 20 GB for 15 PLN")
    assert Decision.objects.count() == ROUNDS
    assert UssdSession.objects.count() == ROUNDS


def test_copies_of_an_accept_at_the_same_moment_record_once(live_server):
    world = ussd_world(others=ROUNDS)  # a caller per session: an accept starts a cooldown
    for n, phone in enumerate(world["phones"]):
        all_at_once(live_server, world["key"], f"accept-{n}", "", phone)
        answers = all_at_once(live_server, world["key"], f"accept-{n}", "1*1", phone)
        assert set(answers) == {(200, "END Thank you! We have noted that you accept the offer.")}
    assert Response.objects.count() == ROUNDS  # one per session's presentation, not per copy
