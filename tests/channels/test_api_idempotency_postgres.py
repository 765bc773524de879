"""Idempotency-Key under real concurrency, on PostgreSQL: 20 requests released at once through
a live server, each on its own connection, as a client's retries or a buggy client send them."""

import http.client
import json
import threading
from collections import Counter

import pytest

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.decisioning import decide
from campaigns.models import Response
from cvm_portal.models import IdempotencyRecord
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferContentFactory,
    OfferFactory,
    api_client,
    target_group,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REQUESTS = 20


@pytest.fixture(autouse=True)
def _role_groups():
    """Transactional tests empty every table afterwards, migration-made role groups included."""
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()


@pytest.fixture
def channel():
    """A web shop's API client: its service account, carrying the key it calls with."""
    client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    user = client.user
    user.api_key = key
    return user


def presentations(user, n: int) -> list[int]:
    """One presented offer for each of ``n`` customers, shown to ``user``."""
    offer = OfferFactory(channel_kinds=[ChannelKind.WEB])
    OfferContentFactory(offer=offer, channel_kind=ChannelKind.WEB)
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.WEB]
    )
    customers = [CustomerFactory(consent_marketing=True, consent_digital=True) for _ in range(n)]
    target_group(campaign, [{"customer": c, "propensity": 0.5} for c in customers])
    ids = []
    for customer in customers:
        result = decide(customer=customer, channel_kind=ChannelKind.WEB, agent=user)
        ids.append(result.offers[0].presentation.pk)
    return ids


def post_all_at_once(live_server, user, bodies: list[dict], key: str) -> list[tuple]:
    """POST each body to the outcome API from its own thread, all released together."""
    host, port = live_server.thread.host, live_server.thread.port
    answers: list[tuple | None] = [None] * len(bodies)
    errors: list[BaseException] = []
    start = threading.Barrier(len(bodies))

    def send(i: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.connect()  # connected before the barrier: the POSTs themselves overlap
            start.wait(timeout=30)
            connection.request(
                "POST",
                "/api/v1/outcomes/",
                body=json.dumps(bodies[i]),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Api-Key {user.api_key}",
                    "Idempotency-Key": key,
                },
            )
            reply = connection.getresponse()
            answers[i] = (
                reply.status,
                json.loads(reply.read()),
                reply.getheader("Idempotent-Replayed"),
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return answers


def test_twenty_simultaneous_retries_with_one_key_all_get_the_first_201(live_server, channel):
    # Given one presented offer
    (presentation_id,) = presentations(channel, 1)
    body = {"presentation_id": presentation_id, "outcome": "accepted"}

    # When a client sends the same outcome with the same key twenty times at once
    answers = post_all_at_once(live_server, channel, [body] * REQUESTS, key="retry-1")

    # Then every answer is the same 201 with the same body; one ran, nineteen were replayed
    statuses = Counter(status for status, _body, _replayed in answers)
    assert statuses == {201: REQUESTS}
    bodies = [body for _status, body, _replayed in answers]
    assert all(b == bodies[0] for b in bodies)
    assert bodies[0]["created"] is True and bodies[0]["outcome"] == "accepted"
    assert sum(1 for *_rest, replayed in answers if replayed == "true") == REQUESTS - 1
    assert Response.objects.filter(presentation_id=presentation_id).count() == 1
    assert IdempotencyRecord.objects.get().status == 201


def test_twenty_simultaneous_requests_reusing_a_key_for_other_bodies_get_422_but_one(
    live_server, channel
):
    # Given twenty presented offers
    ids = presentations(channel, REQUESTS)
    bodies = [{"presentation_id": pk, "outcome": "accepted"} for pk in ids]

    # When a client sends twenty different outcomes under one key, all at once
    answers = post_all_at_once(live_server, channel, bodies, key="reused-key")

    # Then one is recorded with 201 and every other one is refused with 422, recording nothing
    statuses = Counter(status for status, _body, _replayed in answers)
    assert statuses == {201: 1, 422: REQUESTS - 1}
    (winner,) = [body for status, body, _replayed in answers if status == 201]
    refused = [body for status, body, _replayed in answers if status == 422]
    assert all("different request" in body["detail"] for body in refused)
    assert list(Response.objects.values_list("presentation_id", flat=True)) == [
        winner["presentation_id"]
    ]
