"""On PostgreSQL the model report's calibration is one aggregate that stays fast with many
outcomes: 300,000 here (MODEL_REPORT_ROWS=3000000 for the size of a month at scale)."""

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.learning_report import queries
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROWS = int(os.environ.get("MODEL_REPORT_ROWS", "300000"))


def _many_outcomes(n: int) -> None:
    """n decisions, presentations (likelihood spread over 0–1) and outcomes, in the database;
    a customer with likelihood p accepts when a fixed hash of its row falls below p."""
    offer = OfferFactory()
    campaign = CampaignFactory(offers=[offer])
    customer = CustomerFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE many AS SELECT g, gen_random_uuid() AS d,"
            " (g * 7919 %% 1000) / 1000.0 AS p, ((g * 104729) %% 997) / 997.0 AS u"
            " FROM generate_series(1, %s::bigint) g",
            [n],
        )
        cursor.execute(
            "INSERT INTO campaigns_decision (id, customer_id, channel_kind, created_at)"
            " SELECT d, %s, 'store', now() FROM many",
            [customer.pk],
        )
        cursor.execute(
            "INSERT INTO campaigns_presentation"
            " (decision_id, offer_id, campaign_id, rank, score, reason, held_out, propensity)"
            " SELECT d, %s, %s, 1, 1, 't', false, p FROM many",
            [offer.pk, campaign.pk],
        )
        cursor.execute(
            "INSERT INTO campaigns_response (presentation_id, customer_id, offer_id, campaign_id,"
            " channel_kind, outcome, not_presented_reason, recorded_at)"
            " SELECT pr.id, %s, %s, %s, 'store',"
            " CASE WHEN m.u < m.p THEN 'accepted' ELSE 'later' END, '', now()"
            " FROM campaigns_presentation pr JOIN many m ON m.d = pr.decision_id",
            [customer.pk, offer.pk, campaign.pk],
        )
        cursor.execute("ANALYZE campaigns_response; ANALYZE campaigns_presentation")


def test_the_calibration_is_one_query_and_takes_seconds_at_most():
    _many_outcomes(ROWS)
    today = timezone.localdate()

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries_run:
        found = queries.calibration(queries.Filters(start=today, end=today))
    elapsed = time.perf_counter() - started

    print(f"calibration over {ROWS} outcomes: {elapsed:.2f} s")  # noqa: T201 - the timing, with -s
    assert found.outcomes == ROWS
    assert len([q for q in queries_run.captured_queries if "campaigns_response" in q["sql"]]) == 1
    assert found.lift > 1.5  # a likelihood that really ranks: the top decile accepts ~95 %
    assert elapsed < 5
