"""The weekly research queue: last week's call recordings sampled per campaign and outcome,
reviewed by CVM managers (needs heard, a rating, a masked finding)."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.choices import Outcome
from campaigns.models import NeedTag, Response
from channels.models import ResearchItem
from channels.recordings.research import draw_queue, last_week
from cvm_portal.models import AuditEvent
from cvm_portal.roles import Role
from tests.channels.recording_world import (
    call_world,
    inbound_call,
    outbound_call,
    recording,
    telephony,
)
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

QUEUE = "/cvm/research/"


@pytest.fixture
def world():
    world = call_world()
    world.pbx, _key = telephony()
    world.week = last_week()
    world.wednesday = datetime.combine(
        world.week + timedelta(days=2), time(12), tzinfo=timezone.get_default_timezone()
    )
    return world


def calls(world, outcome, n, *, decline="too_dear", start=0):
    """``n`` recorded inbound calls of last week with ``outcome``."""
    return [
        recording(
            world.pbx,
            reference=f"{outcome}-{decline}-{start + i}",
            at=world.wednesday + timedelta(minutes=i),
            decision=inbound_call(world, outcome=outcome, decline=decline),
        )
        for i in range(n)
    ]


def drawn(week) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for stratum, recording_id in ResearchItem.objects.filter(week=week).values_list(
        "stratum", "recording_id"
    ):
        out.setdefault(stratum, set()).add(recording_id)
    return out


def test_the_queue_samples_each_outcome_and_decline_reason_separately(world):
    # Given last week's calls: 5 accepted, 4 declined as too dear, 1 for coverage, 2 later
    calls(world, Outcome.ACCEPTED, 5)
    dear = calls(world, Outcome.DECLINED, 4, decline="too_dear")
    coverage = calls(world, Outcome.DECLINED, 1, decline="coverage")
    calls(world, Outcome.LATER, 2)

    # When the queue is drawn, 3 per stratum
    added = draw_queue(week=world.week, per_stratum=3)

    # Then each stratum holds up to 3 of its own calls
    strata = drawn(world.week)
    assert added == 3 + 3 + 1 + 2
    assert {k: len(v) for k, v in strata.items()} == {
        "accepted": 3,
        "declined:too_dear": 3,
        "declined:coverage": 1,
        "other": 2,
    }
    assert strata["declined:too_dear"] <= {r.pk for r in dear}
    assert strata["declined:coverage"] == {coverage[0].pk}
    assert set(ResearchItem.objects.values_list("campaign_id", flat=True)) == {world.campaign.pk}


def test_the_same_week_draws_the_same_calls(world):
    calls(world, Outcome.ACCEPTED, 8)
    draw_queue(week=world.week, per_stratum=3)
    first = drawn(world.week)
    ResearchItem.objects.all().delete()
    draw_queue(week=world.week, per_stratum=3)
    assert drawn(world.week) == first


def test_drawing_twice_adds_nothing(world):
    calls(world, Outcome.ACCEPTED, 5)
    calls(world, Outcome.DECLINED, 5)
    assert draw_queue(week=world.week, per_stratum=3) == 6
    assert draw_queue(week=world.week, per_stratum=3) == 0
    assert ResearchItem.objects.count() == 6


def test_a_late_recording_only_tops_a_stratum_up(world):
    calls(world, Outcome.ACCEPTED, 2)
    draw_queue(week=world.week, per_stratum=3)
    calls(world, Outcome.ACCEPTED, 4, start=10)
    assert draw_queue(week=world.week, per_stratum=3) == 1
    assert len(drawn(world.week)["accepted"]) == 3


def test_only_the_weeks_calls_are_drawn(world):
    inside = calls(world, Outcome.ACCEPTED, 1)[0]
    recording(
        world.pbx,
        reference="this-week",
        at=world.wednesday + timedelta(days=7),
        decision=inbound_call(world, outcome=Outcome.ACCEPTED),
    )
    recording(
        world.pbx,
        reference="before",
        at=world.wednesday - timedelta(days=7),
        decision=inbound_call(world, outcome=Outcome.ACCEPTED),
    )
    draw_queue(week=world.week, per_stratum=3)
    assert drawn(world.week) == {"accepted": {inside.pk}}


def test_an_outcome_recorded_after_the_recording_counts_when_the_queue_is_drawn(world):
    # Given a call recorded before its agent recorded the outcome
    attempt = outbound_call(world, outcome=None)
    early = recording(world.pbx, reference="early", at=world.wednesday, call_attempt=attempt)
    assert early.outcome == ""
    presentation = attempt.lead.decision.presentations.get()
    Response.objects.create(
        presentation=presentation, customer=attempt.lead.customer, offer=world.offer,
        campaign=world.campaign, channel_kind="outbound_call", outcome=Outcome.ACCEPTED,
        agent=world.agent, site_id=world.site.pk,
    )  # fmt: skip

    # When the queue is drawn, it is sampled as accepted
    draw_queue(week=world.week)
    assert drawn(world.week) == {"accepted": {early.pk}}


def test_the_command_draws_last_week_once(world):
    calls(world, Outcome.ACCEPTED, 2)
    out = io.StringIO()
    call_command("draw_research_queue", stdout=out)
    call_command("draw_research_queue", stdout=out)
    assert "2 added" in out.getvalue() and "0 added" in out.getvalue()
    assert ResearchItem.objects.count() == 2


# --- The queue page ----------------------------------------------------------------------------


@pytest.fixture
def queue(world):
    calls(world, Outcome.ACCEPTED, 1)
    calls(world, Outcome.DECLINED, 1)
    draw_queue(week=world.week)
    world.items = list(ResearchItem.objects.order_by("stratum"))
    world.tags = [
        NeedTag.objects.create(code="test-cheaper", label="Wants a cheaper plan (test)"),
        NeedTag.objects.create(code="test-signal", label="Weak signal (test)"),
    ]
    world.manager = user_with_role(Role.CVM_MANAGER)
    return world


def review_post(item, **fields):
    data = {"week": item.week.isoformat()}
    data.update({f"r{item.pk}-{name}": value for name, value in fields.items()})
    return data


def test_a_cvm_manager_sees_the_queue_with_listen_links_and_progress(client, queue):
    client.force_login(queue.manager)
    page = client.get(QUEUE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "0 of 2 reviewed" in html
    item = queue.items[0]
    assert f'href="{item.recording.url}" target="_blank" rel="noopener noreferrer"' in html
    assert item.recording.customer.external_id in html
    assert "Too_Dear" in html  # the decline reason's stratum, by its label
    assert AuditEvent.objects.filter(user=queue.manager, action="research_queue").count() == 2


def test_a_review_saves_needs_rating_and_a_masked_finding(client, queue):
    # Given a CVM manager and an item of the queue
    client.force_login(queue.manager)
    item = queue.items[0]

    # When they tag a need, rate it 4 and write a finding with a phone number in it
    response = client.post(
        f"/cvm/research/items/{item.pk}/review/",
        review_post(
            item, tags=[queue.tags[0].pk], rating="4", note="Call him back on 600 700 800."
        ),
    )

    # Then it is saved, the number masked, and the page says one of two is reviewed
    assert response.status_code == 302
    assert response.url.endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.rating == 4
    assert list(item.tags.all()) == [queue.tags[0]]
    assert "600" not in item.note and "[phone]" in item.note
    assert (item.reviewed_by, item.reviewed_at is not None) == (queue.manager, True)
    assert "1 of 2 reviewed" in client.get(QUEUE).content.decode()


def test_a_review_without_a_rating_is_not_saved_and_says_why(client, queue):
    client.force_login(queue.manager)
    item = queue.items[0]
    response = client.post(
        f"/cvm/research/items/{item.pk}/review/", review_post(item, note="Nice call")
    )
    assert response.status_code == 422
    assert "Rate the call from 1" in response.content.decode()
    assert "Nice call" in response.content.decode()  # what they wrote is kept on the page
    item.refresh_from_db()
    assert item.reviewed_at is None


def test_unreviewed_only_hides_reviewed_items(client, queue):
    client.force_login(queue.manager)
    done, waiting = queue.items
    client.post(f"/cvm/research/items/{done.pk}/review/", review_post(done, rating="3"))
    html = client.get(QUEUE, {"unreviewed": "1"}).content.decode()
    assert f'id="item-{waiting.pk}"' in html
    assert f'id="item-{done.pk}"' not in html
    assert "1 of 2 reviewed" in html


def test_an_empty_queue_explains_how_recordings_arrive(client, db):
    client.force_login(user_with_role(Role.CVM_MANAGER))
    html = client.get(QUEUE).content.decode()
    assert "POST /api/v1/recordings/" in html
    assert "Monday at 05:30" in html


@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD, Role.TRAINER])
def test_other_roles_may_not_see_or_review_the_queue(client, queue, role):
    client.force_login(user_with_role(role))
    item = queue.items[0]
    assert client.get(QUEUE).status_code == 403
    response = client.post(f"/cvm/research/items/{item.pk}/review/", review_post(item, rating="5"))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.rating is None


def test_anonymous_users_are_sent_to_sign_in(client, queue):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/login" in response.url


def test_a_review_is_only_posted(client, queue):
    client.force_login(queue.manager)
    assert client.get(f"/cvm/research/items/{queue.items[0].pk}/review/").status_code == 405


def test_cvm_managers_may_view_recordings_and_change_research_items(queue):
    assert queue.manager.has_perm("channels.view_recording")
    assert queue.manager.has_perm("channels.change_researchitem")
    assert not queue.manager.has_perm("channels.add_recording")


def test_the_page_asks_the_same_number_of_queries_however_many_items(client, queue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(queue.manager)
    client.get(QUEUE)  # the session and role caches warm
    with CaptureQueriesContext(connection) as two:
        client.get(QUEUE)
    calls(queue, Outcome.LATER, 3)
    calls(queue, Outcome.DECLINED, 3, decline="coverage", start=20)
    draw_queue(week=queue.week)
    assert ResearchItem.objects.count() == 8
    with CaptureQueriesContext(connection) as eight:
        client.get(QUEUE)
    assert len(eight) == len(two)
