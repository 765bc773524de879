"""Digital events on PostgreSQL: monthly partitions (made ahead, made on demand, dropped past the
retention), COPY-safe values, and concurrent batches with the same events stored once over real
HTTP (pytest-django's live server: a thread and a connection per request)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone

from campaigns.choices import ChannelKind
from channels.events import postgres
from channels.events.store import maintain_partitions
from channels.models import DigitalEvent
from tests.factories import api_client

from .test_events import event, keyed, send

pytestmark = [pytest.mark.postgres]


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'channels_digitalevent'::regclass ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_events_land_in_the_partition_of_their_month():
    # Given a client
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    at = timezone.now() - timedelta(minutes=1)

    # When it sends an event
    assert send(keyed(key), [event(occurred_at=at.isoformat())]).status_code == 202

    # Then the event is in this month's partition
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM channels_digitalevent")
        assert cursor.fetchone()[0] == f"channels_digitalevent_p{at.astimezone(UTC):%Y%m}"


@pytest.mark.django_db
def test_a_batch_across_two_months_lands_in_each_months_partition(settings):
    # Given a client and a batch with an event of this month and one of the month before
    settings.CVM_EVENT_MAX_AGE_DAYS = 40
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    now = timezone.now()
    last_month = postgres.month_start(now) - timedelta(hours=1)
    events = [event(occurred_at=last_month.isoformat()), event(occurred_at=now.isoformat())]

    # When it sends the batch, twice
    first, again = send(keyed(key), events), send(keyed(key), events)

    # Then each event is in its month's partition, once
    assert first.json() == {"accepted": 2, "duplicates": 0}
    assert again.json() == {"accepted": 0, "duplicates": 2}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM channels_digitalevent ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == [
            postgres.partition_name(postgres.month_start(last_month)),
            postgres.partition_name(postgres.month_start(now)),
        ]


@pytest.mark.django_db
def test_a_month_without_a_partition_gets_one_on_demand():
    # Given no partition for this month (the nightly task has not run; this process believed it
    # was there)
    this_month = postgres.month_start(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {postgres.partition_name(this_month)}")
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])

    # When an event of this month arrives
    response = send(keyed(key), [event()])

    # Then its partition is made and the event stored in it
    assert response.status_code == 202
    assert postgres.partition_name(this_month) in partitions()
    assert DigitalEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_partition_dropped_behind_this_processs_back_is_made_again():
    # Given this process believes this month's partition exists, but it was dropped
    this_month = postgres.month_start(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {postgres.partition_name(this_month)}")
    postgres._known.add(this_month)
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])

    # When a batch of this month arrives (written straight into that partition)
    response = send(keyed(key), [event()])

    # Then the write is retried once the partition is made: stored, not an error
    assert response.status_code == 202
    assert DigitalEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_nightly_task_makes_months_ahead_and_drops_those_past_the_retention(settings):
    # Given 13 months of retention, and events of a month long past
    settings.CVM_EVENT_RETENTION_MONTHS = 13
    settings.CVM_EVENT_PARTITIONS_AHEAD = 2
    now = timezone.now()
    old = postgres.month_start(now, -14)
    postgres.create_partitions({old, postgres.month_start(now, -13)})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO channels_digitalevent (client_id, event_id, occurred_at, received_at, "
            "kind, customer_id, channel_kind) VALUES (1, 'old', %s, %s, 'view', 'C1', 'web')",
            [old + timedelta(days=3), now],
        )

    # When the task runs, twice
    made, dropped = maintain_partitions(now=now)
    assert maintain_partitions(now=now) == ([], [])

    # Then the month past the retention is gone with its events; the 13 months kept stay; the
    # next two months exist
    assert dropped == [postgres.partition_name(old)]
    assert postgres.partition_name(postgres.month_start(now, -13)) in partitions()
    for plus in (0, 1, 2):
        assert postgres.partition_name(postgres.month_start(now, plus)) in partitions()
    assert not DigitalEvent.objects.filter(event_id="old").exists()
    assert isinstance(made, list)


@pytest.mark.django_db
def test_values_copy_would_misread_are_stored_exactly():
    # Given values with a tab, a newline, a backslash and non-Latin letters
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    tricky = event(
        event_id="a\tb\\c\nd",
        customer_id="Zażółć\\N",
        context={"page": "/szukaj?q=a\tb", "intent": "\\N"},
    )

    # When it is sent
    assert send(keyed(key), [tricky]).status_code == 202

    # Then it is stored as sent
    stored = DigitalEvent.objects.get()
    assert (stored.event_id, stored.customer_id, stored.context) == (
        "a\tb\\c\nd",
        "Zażółć\\N",
        {"page": "/szukaj?q=a\tb", "intent": "\\N"},
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_batches_with_the_same_events_store_each_once(live_server):
    # Given 6 batches of 300 events, each sharing 100 events with every other
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    shared = [event() for _ in range(100)]
    batches = [shared + [event() for _ in range(200)] for _ in range(6)]
    for batch in batches:
        batch.reverse()  # orders differ: the key order of the insert must prevent deadlocks
    barrier = threading.Barrier(len(batches))
    answers: list = [None] * len(batches)

    def post(i: int) -> None:
        session = requests.Session()
        body = json.dumps({"events": batches[i]})
        barrier.wait()
        answers[i] = session.post(
            f"{live_server.url}/api/v1/events/",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Api-Key {key}"},
            timeout=60,
        )

    # When they are posted at the same moment
    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then every request is acknowledged, the shared events are counted as accepted once,
    # and every event is stored once
    assert [a.status_code for a in answers] == [202] * len(batches)
    accepted = sum(a.json()["accepted"] for a in answers)
    assert accepted == 100 + 6 * 200
    assert sum(a.json()["duplicates"] for a in answers) == 5 * 100
    assert DigitalEvent.objects.count() == 100 + 6 * 200
    assert DigitalEvent.objects.values("event_id").distinct().count() == 100 + 6 * 200


def test_month_start_counts_months_across_years():
    at = datetime(2026, 12, 15, tzinfo=UTC)

    assert postgres.month_start(at, 1) == datetime(2027, 1, 1, tzinfo=UTC)
    assert postgres.month_start(at, -13) == datetime(2025, 11, 1, tzinfo=UTC)
