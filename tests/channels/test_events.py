"""POST /api/v1/events/: batches of digital events, stored once, refused whole when invalid,
and what impressions and clicks change (presentations seen, interest). Both databases."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.choices import ChannelKind
from campaigns.models import Decision, Presentation
from channels.models import DailyInterest, DigitalEvent, SeenPresentation
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, api_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def shop():
    client, key = api_client("web-shop", kinds=[ChannelKind.WEB, ChannelKind.APP])
    api = keyed(key)
    api.client_row = client
    return api


def event(**fields) -> dict:
    base = {
        "event_id": str(uuid.uuid4()),
        "kind": "view",
        "customer_id": "C0042",
        "channel_kind": "web",
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "context": {"page": "/phones", "device": "mobile"},
    }
    return {**base, **fields}


def send(api, events, **extra):
    return api.post(URL, json.dumps({"events": events}), content_type="application/json", **extra)


def presentation_for(client_row, *, customer_external_id="C0042", kind="web"):
    """A decision the client asked for, with one presentation."""
    offer = OfferFactory(code=f"WEB-{uuid.uuid4().hex[:6]}".upper())
    campaign = CampaignFactory(offers=[offer])
    customer = CustomerFactory(external_id=customer_external_id)
    decision = Decision.objects.create(
        customer=customer, channel_kind=kind, agent=client_row.user, site_id=None
    )
    return Presentation.objects.create(
        decision=decision, offer=offer, campaign=campaign, rank=1, score=0.5, reason="r"
    )


def test_a_batch_is_stored_and_answered_202_with_its_counts(shop):
    # Given three events of different kinds
    events = [event(), event(kind="intent", context={"intent": "cancel"}), event(kind="view")]

    # When the client sends them
    response = send(shop, events)

    # Then all are stored, as sent
    assert response.status_code == 202
    assert response.json() == {"accepted": 3, "duplicates": 0}
    stored = DigitalEvent.objects.get(event_id=events[1]["event_id"])
    assert (stored.kind, stored.customer_id, stored.channel_kind, stored.context) == (
        "intent",
        "C0042",
        "web",
        {"intent": "cancel"},
    )
    assert stored.client_id == shop.client_row.pk


def test_duplicates_in_the_batch_and_across_batches_are_stored_once(shop):
    # Given a batch with one event twice
    first, second = event(), event()
    assert send(shop, [first, second, first]).json() == {"accepted": 2, "duplicates": 1}

    # When the same batch is sent again with a new event
    response = send(shop, [first, second, event()])

    # Then only the new one is stored
    assert response.json() == {"accepted": 1, "duplicates": 2}
    assert DigitalEvent.objects.count() == 3


def test_the_same_event_id_of_another_client_is_another_event(shop):
    # Given an event of the web shop
    shared = event()
    send(shop, [shared])
    _app, key = api_client("app", kinds=[ChannelKind.WEB])

    # When another client sends an event with the same id
    response = send(keyed(key), [shared])

    # Then it is stored too: event ids are the client's own
    assert response.json() == {"accepted": 1, "duplicates": 0}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_id": ""}, "event_id"),
        ({"event_id": "x" * 65}, "event_id"),
        ({"kind": "purchase"}, "kind"),
        ({"customer_id": None}, "customer_id"),
        ({"channel_kind": "store"}, "channel_kind"),
        ({"channel_kind": {}}, "channel_kind"),  # not a string: a 400, never a server error
        ({"kind": ["click"]}, "kind"),
        ({"occurred_at": "2026-05-04T10:15:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"kind": "click"}, "offer_code"),
        ({"presentation_id": "12"}, "presentation_id"),
        ({"context": {"referrer": "x"}}, "context"),
        ({"context": {"page": "p" * 101}}, "context"),
    ],
)
def test_an_invalid_event_refuses_the_whole_batch_naming_its_index_and_field(shop, change, field):
    # Given a batch whose third event is wrong
    events = [event(), event(), event(**change)]

    # When it is sent
    response = send(shop, events)

    # Then nothing is stored, and the answer names the event and the field
    assert response.status_code == 400
    assert response.json()["events"][0]["index"] == 2
    assert response.json()["events"][0]["field"] == field
    assert "nothing of it was stored" in response.json()["detail"]
    assert DigitalEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("at", "ok"),
    [
        (timedelta(days=-29), True),
        (timedelta(days=-31), False),
        (timedelta(seconds=200), True),
        (timedelta(minutes=10), False),
    ],
)
def test_an_event_may_be_30_days_old_and_5_minutes_ahead(shop, at, ok):
    response = send(shop, [event(occurred_at=(timezone.now() + at).isoformat())])

    assert response.status_code == (202 if ok else 400)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"events": []}', b'{"events": {}}', b'{"items": [1]}'],
)
def test_a_body_that_is_not_a_batch_is_a_400(shop, body):
    response = shop.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_batch_of_5000_fits_and_5001_is_refused(shop):
    events = [
        event(context={"page": "/offers/" + "x" * 90, "device": "mobile"}) for _ in range(5001)
    ]

    too_many = send(shop, events)
    fits = send(shop, events[:5000])

    assert too_many.status_code == 400
    assert "at most 5000" in too_many.json()["detail"]
    assert fits.status_code == 202
    assert fits.json()["accepted"] == 5000


def test_a_body_over_the_limit_is_413(shop, settings):
    settings.CVM_EVENTS_MAX_BODY_BYTES = 2000

    response = send(shop, [event() for _ in range(20)])

    assert response.status_code == 413
    assert DigitalEvent.objects.count() == 0


def test_a_body_that_is_not_json_typed_is_415(shop):
    response = shop.post(URL, {"events": "x"}, format="multipart")

    assert response.status_code == 415


def test_a_channel_kind_the_client_may_not_ask_for_is_403(shop):
    response = send(shop, [event(), event(channel_kind="ussd")])

    assert response.status_code == 403
    assert DigitalEvent.objects.count() == 0


def test_no_key_is_401_and_a_signed_in_person_403(client, make_user):
    from cvm_portal.roles import Role

    assert send(APIClient(), [event()]).status_code == 401
    client.force_login(make_user(Role.CVM_MANAGER))
    assert (
        client.post(URL, {"events": [event()]}, content_type="application/json").status_code == 403
    )


def test_get_is_not_allowed(shop):
    assert shop.get(URL).status_code == 405


def test_an_impression_counts_its_presentation_as_presented_once(shop):
    # Given a presentation the shop was given
    presentation = presentation_for(shop.client_row)
    at = timezone.now() - timedelta(minutes=10)  # earlier than the others

    # When two impressions and, in another batch, one more arrive
    send(
        shop,
        [
            event(kind="impression", presentation_id=presentation.pk, occurred_at=at.isoformat()),
            event(kind="impression", presentation_id=presentation.pk),
        ],
    )
    send(shop, [event(kind="impression", presentation_id=presentation.pk)])

    # Then it is seen from the first, and counted once in the day's interest
    seen = SeenPresentation.objects.get(presentation=presentation)
    assert seen.seen_at == at and seen.clicked_at is None
    row = DailyInterest.objects.get(campaign=presentation.campaign)
    assert (row.seen, row.clicked, row.offer_id, row.channel_kind) == (
        1,
        0,
        presentation.offer_id,
        "web",
    )
    # And the stored events carry the presentation's offer
    assert set(DigitalEvent.objects.values_list("offer_code", flat=True)) == {
        presentation.offer.code
    }


def test_a_click_counts_as_interest_once(shop):
    # Given a presentation seen
    presentation = presentation_for(shop.client_row)
    send(shop, [event(kind="impression", presentation_id=presentation.pk)])

    # When it is clicked twice, the second batch sent twice
    click = event(kind="click", presentation_id=presentation.pk)
    send(shop, [click])
    again = event(kind="click", presentation_id=presentation.pk)
    send(shop, [again])
    send(shop, [again])

    # Then it counts as one presentation seen and one clicked
    row = DailyInterest.objects.get(campaign=presentation.campaign)
    assert (row.seen, row.clicked) == (1, 1)
    assert SeenPresentation.objects.get(presentation=presentation).clicked_at is not None


def test_a_click_without_an_impression_counts_as_seen_and_clicked(shop):
    presentation = presentation_for(shop.client_row)

    send(shop, [event(kind="click", presentation_id=presentation.pk)])

    row = DailyInterest.objects.get(campaign=presentation.campaign)
    assert (row.seen, row.clicked) == (1, 1)


def test_a_presentation_of_another_client_or_customer_is_refused(shop):
    # Given a presentation made for another client, and one made for another customer
    other, _key = api_client("chatbot", kinds=[ChannelKind.WEB])
    theirs = presentation_for(other, customer_external_id="C0777")
    mine = presentation_for(shop.client_row, customer_external_id="C0888")

    # When the shop sends events naming them
    foreign = send(shop, [event(kind="impression", presentation_id=theirs.pk, customer_id="C0777")])
    mismatched = send(shop, [event(kind="click", presentation_id=mine.pk, customer_id="C0042")])

    # Then both are refused, naming the field
    assert foreign.status_code == 400
    assert foreign.json()["events"][0]["field"] == "presentation_id"
    assert mismatched.json()["events"][0]["field"] == "customer_id"
    assert not SeenPresentation.objects.exists()


def test_an_unknown_offer_code_is_refused_and_a_known_one_kept(shop):
    offer = OfferFactory(code="DATA-20")

    unknown = send(shop, [event(kind="dismissal", offer_code="NOPE-1")])
    known = send(shop, [event(kind="dismissal", offer_code=offer.code)])

    assert unknown.status_code == 400
    assert unknown.json()["events"][0]["field"] == "offer_code"
    assert known.status_code == 202
