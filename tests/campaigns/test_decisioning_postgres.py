"""On PostgreSQL a decision that is its own transaction is committed without waiting for the disk
flush; a decision inside a caller's transaction leaves that transaction's durability alone."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.choices import CampaignStatus, ChannelKind
from campaigns.decisioning import decide
from campaigns.models import Decision, Presentation
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory, target_group

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ASYNC = "set_config('synchronous_commit', 'off', true)"


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
