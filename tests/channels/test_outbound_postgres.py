"""Next customer under real concurrency, on PostgreSQL: row locks that skip locked rows."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from campaigns.models import Customer
from channels.choices import LeadState
from channels.models import Lead
from channels.outbound.claiming import next_lead
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

AGENTS = 50
LEADS = 10_000


@pytest.fixture(autouse=True)
def _role_groups():
    """Transactional tests empty every table afterwards, migration-made role groups included."""
    from cvm_portal.roles import sync_role_groups

    sync_role_groups()


def _many_customers(n: int) -> list[Customer]:
    template = CustomerFactory.build(consent_calls=True, consent_marketing=True)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Customer._meta.concrete_fields
        if f.attname not in ("id", "external_id", "phone")
    }
    return Customer.objects.bulk_create(
        Customer(**fields, external_id=f"P{i:07d}", phone=f"+4869{i:07d}") for i in range(n)
    )


def test_fifty_agents_drawing_ten_thousand_leads_never_share_one_and_lose_none():
    # Given a list of 10,000 leads and 50 agents of the site
    w = outbound_world(0)
    customers = _many_customers(LEADS)
    target_group(
        w.campaign,
        [{"customer": c, "propensity": (i % 997) / 997} for i, c in enumerate(customers)],
    )
    build_lists()
    assert Lead.objects.count() == LEADS
    agents = [outbound_agent(w.site) for _ in range(AGENTS)]
    handed: list[list[int]] = [[] for _ in agents]
    errors: list[BaseException] = []
    start = threading.Barrier(AGENTS)

    def work(i: int) -> None:
        try:
            start.wait()
            while True:
                lead = next_lead(agent=agents[i]).lead
                if lead is None:
                    return
                handed[i].append(lead.pk)
                Lead.objects.filter(pk=lead.pk).update(state=LeadState.DONE)
        except BaseException as exc:  # noqa: BLE001 - reported below, with the deadlock if any
            errors.append(exc)
        finally:
            connections.close_all()

    # When they all press "next customer" as fast as they can, at once
    threads = [threading.Thread(target=work, args=(i,)) for i in range(AGENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)

    # Then every lead went to exactly one agent, none is left over, and nothing deadlocked
    assert errors == []
    all_handed = [pk for ids in handed for pk in ids]
    twice = [pk for pk, n in Counter(all_handed).items() if n > 1]
    assert twice == []
    assert len(all_handed) == LEADS
    assert not Lead.objects.exclude(state=LeadState.DONE).exists()
    assert sum(1 for ids in handed if ids) > AGENTS // 2  # the work was really shared


def test_a_lead_locked_by_one_agent_is_skipped_by_the_next_without_waiting():
    w = outbound_world(2)
    build_lists()
    best = Lead.objects.order_by("-score").first()
    locked, release = threading.Event(), threading.Event()

    def hold_the_best_lead():
        with transaction.atomic():
            Lead.objects.select_for_update().get(pk=best.pk)
            locked.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_best_lead)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '2s'")  # waiting on the lock would fail
        lead = next_lead(agent=outbound_agent(w.site)).lead
        assert lead.pk != best.pk
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def test_the_claim_is_prepared_once_per_connection_not_planned_on_every_press():
    # Given a list and an agent who has pressed a few times
    w = outbound_world(10)
    build_lists()
    agent = outbound_agent(w.site)
    for _ in range(7):
        lead = next_lead(agent=agent).lead
        Lead.objects.filter(pk=lead.pk).update(state=LeadState.DONE)
    # Then the connection holds the claim as a prepared statement, run from its plan
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%WITH claimed AS%%'"
        )
        (runs,) = cursor.fetchone()
    assert runs >= 2
