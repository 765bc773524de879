"""A decision within its time budget: when the database is slow the answer still comes in time,
with no offers, marked degraded, not recorded, and counted."""

import threading
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.models import Decision, DegradedDecisions
from cvm_portal.models import AuditEvent
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, api_client, target_group


def _world():
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()  # a transactional test starts from empty tables
    customer = CustomerFactory(external_id="C0042", consent_digital=True, consent_marketing=True)
    offer = OfferFactory(code="DATA-20", channel_kinds=[ChannelKind.WEB])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.WEB]
    )
    target_group(campaign, [{"customer": customer, "propensity": 0.3}])
    _client, key = api_client()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def ask(api, **extra):
    return api.post(
        "/api/v1/decisions/",
        {"customer_id": "C0042", "channel_kind": "web", **extra.pop("body", {})},
        format="json",
        **extra,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "header"),
    [({"budget_ms": 9}, None), ({"budget_ms": 5001}, None), ({}, "soon"), ({}, "5")],
)
def test_a_budget_out_of_range_is_refused_with_400(body, header):
    api = _world()
    extra = {"HTTP_X_DECISION_BUDGET_MS": header} if header else {}
    response = ask(api, body=body, **extra)
    assert response.status_code == 400
    assert "budget_ms" in response.json()


@pytest.mark.django_db
def test_a_decision_in_time_is_not_degraded():
    api = _world()
    response = ask(api, body={"budget_ms": 2000}, HTTP_X_DECISION_BUDGET_MS="10")
    assert response.status_code == 201 and response.json()["degraded"] is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_database_gives_a_degraded_answer_within_the_budget():
    # Given a decision the database cannot serve: another connection holds a lock on the
    # customers' table that every read of it waits for
    api = _world()
    assert ask(api).status_code == 201  # warm: key, catalogue, connection
    decisions, audits = Decision.objects.count(), AuditEvent.objects.count()
    dsn = connection.get_connection_params()
    holder = psycopg.connect(
        **{k: v for k, v in dsn.items() if k in ("dbname", "user", "host", "port", "password")}
    )
    locked, release = threading.Event(), threading.Event()

    def hold():
        with holder.transaction():
            holder.execute("LOCK TABLE campaigns_customer IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        locked.wait(5)
        # When a client asks with a budget of 200 ms
        started = time.monotonic()
        response = ask(api, HTTP_X_DECISION_BUDGET_MS="200")
        took = (time.monotonic() - started) * 1000
    finally:
        release.set()
        thread.join()
        holder.close()
    # Then the answer comes within the budget (and a small overhead), degraded, with no offers
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["degraded"] is True and body["offers"] == [] and body["decision_id"] is None
    assert took < 200 + 100
    # nothing was recorded or audited (the client was given nothing about the customer)
    assert (Decision.objects.count(), AuditEvent.objects.count()) == (decisions, audits)
    # the degradation is counted for today, in the database
    counted = DegradedDecisions.objects.get(day=timezone.localdate(), channel_kind="web")
    assert counted.count == 1
    # and the next decision is whole
    assert ask(api).status_code == 201
    # Its limit (what was left of the default 150 ms, rounded down to 10 ms) stays set on the
    # connection, so the decisions after it need not send it again...
    assert _timeout() in {f"{ms}ms" for ms in range(10, 150, 10)}
    assert ask(api).status_code == 201
    # ...and any other request gets the connection's own timeout back before it starts
    assert api.get("/health/").status_code == 200
    assert _timeout() == "0"


def _timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]
