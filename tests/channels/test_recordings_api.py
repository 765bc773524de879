"""A telephony system attaches call recordings through the API: POST /api/v1/recordings/."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.choices import ChannelKind, Outcome
from channels.choices import Disposition
from channels.models import ApiClient, Recording
from cvm_portal.models import AuditEvent
from tests.channels.recording_world import (
    call_world,
    inbound_call,
    keyed,
    outbound_call,
    telephony,
)
from tests.factories import api_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/recordings/"


@pytest.fixture
def world():
    return call_world()


@pytest.fixture
def pbx():
    client, key = telephony()
    api = keyed(key)
    api.client = client
    return api


def body(**changes):
    data = {
        "reference": "rec-1",
        "url": "https://pbx.example.com/rec/1",
        "duration_s": 245,
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_a_telephony_system_attaches_a_recording_to_an_outbound_call(pbx, world):
    # Given a reached outbound call where the customer accepted
    attempt = outbound_call(world, outcome=Outcome.ACCEPTED)

    # When the telephony system attaches its recording
    response = pbx.post(URL, body(call_attempt_id=attempt.pk), format="json")

    # Then it is kept with whose call it was and what came of it
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["outcome"] == "accepted"
    assert answer["campaign_code"] == world.campaign.code
    assert answer["call_attempt_id"] == attempt.pk and answer["decision_id"] is None
    recording = Recording.objects.get(pk=answer["id"])
    assert recording.customer == attempt.lead.customer
    assert recording.site == world.site
    assert recording.recorded_at == attempt.at  # no recorded_at given: the call's time
    assert AuditEvent.objects.filter(user=pbx.client.user, action="find").count() == 1


def test_an_inbound_call_keeps_the_decline_reason(pbx, world):
    decision = inbound_call(world, outcome=Outcome.DECLINED, decline="coverage")
    response = pbx.post(URL, body(decision_id=str(decision.pk)), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "declined"
    assert response.json()["decline_reason"] == "coverage"
    recording = Recording.objects.get()
    assert (recording.site, recording.campaign) == (world.inbound_site, world.campaign)


def test_an_unanswered_call_has_no_outcome(pbx, world):
    attempt = outbound_call(world, disposition=Disposition.NO_ANSWER)
    response = pbx.post(URL, body(call_attempt_id=attempt.pk), format="json")
    assert response.status_code == 201
    assert response.json()["outcome"] is None
    assert response.json()["campaign_code"] == world.campaign.code


def test_the_same_recording_again_gives_the_same_id(pbx, world):
    attempt = outbound_call(world)
    first = pbx.post(URL, body(call_attempt_id=attempt.pk), format="json")
    again = pbx.post(URL, body(call_attempt_id=attempt.pk), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Recording.objects.count() == 1


def test_the_same_recording_id_with_other_details_is_a_conflict(pbx, world):
    attempt = outbound_call(world)
    pbx.post(URL, body(call_attempt_id=attempt.pk), format="json")
    response = pbx.post(URL, body(call_attempt_id=attempt.pk, duration_s=999), format="json")
    assert response.status_code == 409
    assert "other details" in response.json()["detail"]
    assert Recording.objects.get().duration_s == 245


def test_another_telephony_system_may_use_the_same_recording_id(pbx, world):
    attempt = outbound_call(world)
    _client, key = telephony("Second PBX")
    assert pbx.post(URL, body(call_attempt_id=attempt.pk), format="json").status_code == 201
    other = keyed(key).post(URL, body(call_attempt_id=attempt.pk), format="json")
    assert other.status_code == 201
    assert Recording.objects.count() == 2


def test_a_digital_channel_client_may_not_attach_recordings(world):
    attempt = outbound_call(world)
    _client, key = api_client("web-shop", kinds=[ChannelKind.WEB])
    response = keyed(key).post(URL, body(call_attempt_id=attempt.pk), format="json")
    assert response.status_code == 403
    assert "telephony" in response.json()["detail"]
    assert not Recording.objects.exists()


def test_without_a_key_it_is_401_and_a_signed_in_person_gets_403(client, world, admin_user):
    from rest_framework.test import APIClient

    assert APIClient().post(URL, body(), format="json").status_code == 401
    person = APIClient()
    person.force_login(admin_user)
    assert person.post(URL, body(), format="json").status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "http://pbx.example.com/rec/1"}, "url"),
        ({"url": "https://pbx.example.com/a b"}, "url"),
        ({"duration_s": 0}, "duration_s"),
        ({"duration_s": 14401}, "duration_s"),
        ({"reference": ""}, "reference"),
        ({"recorded_at": "yesterday"}, "recorded_at"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(pbx, world, changes, field):
    attempt = outbound_call(world)
    response = pbx.post(URL, body(call_attempt_id=attempt.pk, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_recording_is_of_exactly_one_call(pbx, world):
    attempt = outbound_call(world)
    decision = inbound_call(world)
    neither = pbx.post(URL, body(), format="json")
    both = pbx.post(
        URL, body(call_attempt_id=attempt.pk, decision_id=str(decision.pk)), format="json"
    )
    assert (neither.status_code, both.status_code) == (400, 400)
    assert {"call_attempt_id", "decision_id"} <= neither.json().keys()
    assert "not both" in both.json()["decision_id"][0]


def test_unknown_calls_are_404(pbx, world):
    assert pbx.post(URL, body(call_attempt_id=987654), format="json").status_code == 404
    response = pbx.post(URL, body(decision_id=str(uuid.uuid4())), format="json")
    assert response.status_code == 404
    assert not Recording.objects.exists()


def test_a_decision_that_was_not_a_call_is_refused(pbx, world):
    decision = inbound_call(world, kind=ChannelKind.STORE)
    response = pbx.post(URL, body(decision_id=str(decision.pk)), format="json")
    assert response.status_code == 400
    assert "decision_id" in response.json()


def test_a_call_in_the_future_is_refused(pbx, world):
    attempt = outbound_call(world)
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    response = pbx.post(URL, body(call_attempt_id=attempt.pk, recorded_at=later), format="json")
    assert response.status_code == 400
    assert "recorded_at" in response.json()


def test_the_telephony_system_reads_back_its_own_recording_only(pbx, world):
    attempt = outbound_call(world)
    created = pbx.post(URL, body(call_attempt_id=attempt.pk), format="json").json()
    mine = pbx.get(f"{URL}{created['id']}/")
    assert mine.status_code == 200
    assert mine.json()["reference"] == "rec-1"
    _client, key = telephony("Second PBX")
    assert keyed(key).get(f"{URL}{created['id']}/").status_code == 404


def test_a_client_needs_channel_kinds_or_to_be_a_telephony_system():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        ApiClient(name="nothing", channel_kinds=[]).clean()
    assert "channel_kinds" in caught.value.message_dict


def test_a_number_is_not_a_recording_id(pbx, world):
    attempt = outbound_call(world)
    response = pbx.post(URL, body(call_attempt_id=attempt.pk, reference=0), format="json")
    assert response.status_code == 400
    assert "reference" in response.json()
