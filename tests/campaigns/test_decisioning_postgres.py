"""On PostgreSQL a decision that is its own transaction is committed without waiting for the disk
flush; a decision inside a caller's transaction leaves that transaction's durability alone."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.choices import CampaignStatus, ChannelKind, Outcome, ProductFamily
from campaigns.decisioning import decide
from campaigns.models import Decision, Presentation
from campaigns.responses import record_outcome
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    target_group,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ASYNC = "set_config('synchronous_commit', 'off'::text, true)"


@pytest.fixture
def customer():
    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE,
        offers=[offer],
        channel_kinds=[ChannelKind.STORE],
        control_share=0,
    )
    customer = CustomerFactory()
    target_group(campaign, [{"customer": customer, "propensity": 0.5}])
    return customer


def test_a_decision_of_its_own_is_committed_asynchronously_and_is_there(customer):
    decide(customer=customer, channel_kind=ChannelKind.STORE)  # builds the catalogue in memory
    with CaptureQueriesContext(connection) as queries:
        result = decide(customer=customer, channel_kind=ChannelKind.STORE)
    assert sum(ASYNC in q["sql"] for q in queries.captured_queries) == 1
    assert len(queries.captured_queries) == 2  # memberships with history, the one write
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # LOCAL: the connection's next work is durable again
    assert Decision.objects.filter(pk=result.decision.pk).exists()
    [stored] = Presentation.objects.filter(decision=result.decision)
    assert result.offers[0].presentation.pk == stored.pk  # the console posts outcomes to this id


def test_a_decision_inside_a_callers_transaction_does_not_change_its_durability(customer):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        decide(customer=customer, channel_kind=ChannelKind.STORE)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    assert not any(ASYNC in q["sql"] for q in queries.captured_queries)


def test_the_one_statement_write_stores_several_offers_and_a_held_out_one(customer):
    """The production write (one statement, asynchronous commit) of a decision with three
    presentations: two shown and one held out for a control group, each where the result says."""
    # Given the customer in two more campaigns: one shown, one holding them in its control group
    more = OfferFactory(
        channel_kinds=[ChannelKind.STORE], product=ProductFactory(family=ProductFamily.TV)
    )
    held = OfferFactory(
        channel_kinds=[ChannelKind.STORE], product=ProductFactory(family=ProductFamily.DEVICE)
    )
    for offer, control in ((more, False), (held, True)):
        campaign = CampaignFactory(
            status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
        )
        target_group(campaign, [{"customer": customer, "propensity": 0.9, "is_control": control}])
    decide(customer=customer, channel_kind=ChannelKind.STORE)  # builds the catalogue in memory

    # When a decision is its own transaction
    with CaptureQueriesContext(connection) as queries:
        result = decide(customer=customer, channel_kind=ChannelKind.STORE)

    # Then one statement wrote the decision and its three presentations, committed
    writes = [q["sql"] for q in queries.captured_queries if ASYNC in q["sql"]]
    assert len(writes) == 1 and not connection.in_atomic_block
    assert (len(result.offers), len(result.held_out)) == (2, 1)
    stored = {
        p.pk: (p.offer_id, p.campaign_id, p.rank, p.held_out, p.reason)
        for p in Presentation.objects.filter(decision_id=result.decision.pk)
    }
    expected = {
        c.presentation.pk: (c.offer.pk, c.campaign.pk, rank, held_out, c.reason)
        for rank, (c, held_out) in enumerate(
            [*((c, False) for c in result.offers), *((c, True) for c in result.held_out)], start=1
        )
    }
    assert stored == expected
    assert stored[result.held_out[0].presentation.pk][0] == held.pk
    assert Decision.objects.get(pk=result.decision.pk).customer_id == customer.pk

    # And an outcome can be recorded on a shown presentation by the id the result carries
    response, created = record_outcome(
        presentation=result.offers[0].presentation, outcome=Outcome.LATER
    )
    assert created and response.presentation_id == result.offers[0].presentation.pk


def test_a_decision_without_offers_is_written_too():
    # Given a customer in no target group
    customer = CustomerFactory()

    # When a decision is its own transaction
    result = decide(customer=customer, channel_kind=ChannelKind.STORE)

    # Then the decision is stored, with no presentation
    assert result.offers == [] and result.held_out == []
    assert Decision.objects.filter(pk=result.decision.pk, customer=customer).exists()
    assert not Presentation.objects.filter(decision_id=result.decision.pk).exists()


def test_the_customer_read_brings_each_membership_s_control_bucket_as_python_works_it_out():
    # Given three campaigns, each holding out a different third of the same six customers
    from django.utils import timezone

    from campaigns import catalogue, store
    from campaigns.control import control_bucket

    campaigns = []
    customers = [CustomerFactory(external_id=f"BK-{i:05d}") for i in range(6)]
    held_out = {}
    for n in range(3):
        offer = OfferFactory(
            channel_kinds=[ChannelKind.WEB], product=ProductFactory(family=list(ProductFamily)[n])
        )
        campaign = CampaignFactory(
            status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.WEB]
        )
        campaigns.append(campaign)
        members = [
            {"customer": c, "propensity": 0.5, "is_control": (i + n) % 3 == 0}
            for i, c in enumerate(customers)
        ]
        held_out[campaign.pk] = {m["customer"].pk for m in members if m["is_control"]}
        target_group(campaign, members)
    now = timezone.now()
    snapshot = catalogue.current()
    codes = {
        lc.version_id: lc.control[0]
        for lc in snapshot.live_campaigns(ChannelKind.WEB, now)
        if lc.version_id
    }
    for customer in customers:
        # When the decision's read brings the memberships with their buckets
        found = store.find_customer(
            external_id=customer.external_id,
            version_ids=snapshot.version_ids(ChannelKind.WEB, now),
            now=now,
            control_codes=snapshot.control_codes(ChannelKind.WEB, now),
        )
        members = found.cvm_decision_facts[2]
        # Then each is PostgreSQL's hash of the customer and the version's code, as Python's
        assert len(members) == 3
        for m in members:
            assert m.bucket == control_bucket(customer.external_id, codes[m.version_id])
        # ...and the decision holds out exactly the campaigns that hold the customer out
        result = decide(customer=found, channel_kind=ChannelKind.WEB, now=now)
        considered = [*result.offers, *result.held_out, *result.excluded]
        assert {c.campaign.pk for c in considered if c.is_control} == {
            pk for pk, held in held_out.items() if customer.pk in held
        }


def test_the_wire_read_gives_the_customer_and_their_history_as_the_orm_reads_them():
    # Given a customer with every kind of value a customer row holds, and a contact history
    from datetime import date

    from django.utils import timezone

    from campaigns import catalogue, store
    from campaigns.models import Customer
    from campaigns.store.postgres import CUSTOMER_FACTS

    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    customer = CustomerFactory(
        external_id="WIRE-1", name='Zażółć "Gęślą" Jaźń \\ 1', customer_since=date(2019, 2, 28),
        holdings=["FIBRE-1G", "TV-PLUS"], do_not_contact=False,
    )  # fmt: skip
    Customer.objects.filter(pk=customer.pk).update(do_not_contact_since=timezone.now())
    target_group(campaign, [{"customer": customer, "propensity": 0.123456789012345}])
    result = decide(customer=Customer.objects.get(pk=customer.pk), channel_kind=ChannelKind.STORE)
    assert result.offers, [(c.excluded, c.explanation) for c in result.excluded]
    record_outcome(presentation=result.offers[0].presentation, outcome=Outcome.ACCEPTED)
    now = timezone.now()
    snapshot = catalogue.current()

    def read():
        return store.find_customer(
            external_id="WIRE-1",
            version_ids=snapshot.version_ids(ChannelKind.STORE, now),
            now=now,
            control_codes=snapshot.control_codes(ChannelKind.STORE, now),
        )

    # When the decision API's read runs on the wire (no query watcher: libpq's own call)
    found = read()
    assert CUSTOMER_FACTS.name in connection.cvm_wire_prepared[1]
    # Then every field is the ORM's value, of the ORM's type
    expected = Customer.objects.get(pk=customer.pk)
    for field in Customer._meta.concrete_fields:
        got, want = getattr(found, field.attname), getattr(expected, field.attname)
        assert (got, type(got)) == (want, type(want)), field.name
    # ...the membership and the history are those the ORM's path reads
    [member] = found.cvm_decision_facts[2]
    assert member.propensity == 0.123456789012345
    assert found.cvm_decision_facts[3] == store.contact_history([customer.pk], now)[customer.pk]
    # ...and an unknown customer is None
    assert (
        store.find_customer(external_id="NOBODY", version_ids=[], now=now, control_codes=[]) is None
    )
    # When the server forgets its prepared statements (a pooler's reset), the next read
    # prepares it again
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert read().pk == customer.pk


def test_an_error_on_the_wire_is_django_s_and_the_connection_goes_on():
    # Given a decision whose write will break a constraint (the same offer twice)
    from django.db import IntegrityError

    from campaigns import store
    from campaigns.models import Decision

    offer = OfferFactory(channel_kinds=[ChannelKind.STORE])
    campaign = CampaignFactory(
        status=CampaignStatus.LIVE, offers=[offer], channel_kinds=[ChannelKind.STORE]
    )
    customer = CustomerFactory()
    decision = Decision.new(customer=customer, channel_kind=ChannelKind.STORE)
    twice = [
        Presentation.new(
            decision=decision, offer=offer, campaign=campaign, rank=rank, score=1.0,
            reason="r", held_out=False, propensity=None,
        )
        for rank in (1, 2)
    ]  # fmt: skip
    # When it is written on the wire, Then Django's IntegrityError says so, and nothing is kept
    with pytest.raises(IntegrityError):
        store.record_decision(decision, twice)
    assert not Decision.objects.filter(pk=decision.pk).exists()
    # ...and the connection serves the next decision
    decision = Decision.new(customer=customer, channel_kind=ChannelKind.STORE)
    once = Presentation.new(
        decision=decision, offer=offer, campaign=campaign, rank=1, score=1.0, reason="r",
        held_out=False, propensity=None,
    )  # fmt: skip
    store.record_decision(decision, [once])
    assert Presentation.objects.filter(decision_id=decision.pk).count() == 1
