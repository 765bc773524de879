"""Learned propensities on PostgreSQL: a full refresh over N outcomes, then decisions with them.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_learning .venv/bin/python bench/learning_bench.py [--responses N] [--customers C] [--decisions D]

Builds (or reuses, when it holds the same N) C customers (default 1,000,000) spread over the
four segments and four value tiers, 20 always-on live campaigns with 5 offers each scoring with
the learned likelihood, and N outcomes (default 10,000,000) written by one INSERT … SELECT over
generate_series: later / declined / not presented / accepted as the console records them, each
offer with its own acceptance rate, recorded a year ago (so the contact policy reads them but
does not exclude on them). The outcomes are written without their decisions and presentations
(the foreign-key triggers are off during that insert): the refresh reads only outcomes and
customers, and ten million decisions would take longer to build than everything timed here.

Then times ``campaigns.learning.refresh.refresh(full=True)`` (the one set-based statement) and
D decisions (default 2,000) through ``campaigns.decisioning.decide`` for random customers, with
every campaign on the learned source and DEBUG off. A decision with no offer, excluded or held
out counts as an error, as does a learned table that does not hold every group.
Last line: refresh_s=… responses=… decision_p95_ms=…
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CAMPAIGNS, OFFERS_PER_CAMPAIGN = 20, 5
SEGMENTS = ["prepaid", "postpaid", "small_business", "corporate"]
TIERS = ["bronze", "silver", "gold", "platinum"]

OUTCOMES_SQL = """
INSERT INTO campaigns_response (presentation_id, customer_id, offer_id, campaign_id, channel_kind,
    outcome, decline_reason_id, not_presented_reason, agent_id, site_id, recorded_at)
SELECT 1000000000000 + g, %(first)s + (hashint %% %(customers)s), o.offer_id, o.campaign_id, 'store',
    x.outcome, CASE WHEN x.outcome = 'declined' THEN %(reason)s END,
    CASE WHEN x.outcome = 'not_presented' THEN 'no_time' ELSE '' END, NULL, NULL,
    now() - interval '400 days'
FROM generate_series(%(start)s, %(stop)s) AS g
CROSS JOIN LATERAL (SELECT abs(hashtext(g::text)) AS hashint, random() AS r1, random() AS r2) h
JOIN LATERAL (SELECT * FROM bench_offers WHERE n = abs(hashtext(g::text || 'o')) %% %(offers)s) o ON true
CROSS JOIN LATERAL (SELECT CASE
    WHEN r1 < 0.15 THEN 'not_presented'
    WHEN r2 < o.rate THEN 'accepted'
    WHEN r2 < o.rate + (1 - o.rate) * 0.4 THEN 'later'
    ELSE 'declined' END AS outcome) x
"""


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=2_000)
    args = parser.parse_args()

    from bench.common import production_mode, setup_postgres

    setup_postgres("cvm_learning")
    production_mode()
    from django.db import connection

    from campaigns.choices import ChannelKind, PropensitySource
    from campaigns.decisioning import decide
    from campaigns.learning.refresh import refresh
    from campaigns.models import Customer, LearnedPropensity, Response

    n = args.responses
    if Customer.objects.count() != args.customers or Response.objects.count() != n:
        started = time.perf_counter()
        _build(args.customers, n)
        print(
            f"setup: {args.customers:,} customers, {n:,} outcomes in {time.perf_counter() - started:.0f} s"
        )
    else:
        print(f"setup: reusing {args.customers:,} customers and {n:,} outcomes")
    from campaigns.models import Campaign

    Campaign.objects.filter(code__startswith="LEARN-").update(
        propensity_source=PropensitySource.LEARNED
    )
    from campaigns import catalogue

    catalogue.invalidate()
    errors = 0

    started = time.perf_counter()
    run = refresh(full=True)
    refresh_s = time.perf_counter() - started
    groups = LearnedPropensity.objects.count()
    expected = CAMPAIGNS * OFFERS_PER_CAMPAIGN * len(SEGMENTS) * len(TIERS)
    print(
        f"refresh: {run.responses:,} presented outcomes read, {groups:,} groups (of {expected:,})"
    )
    errors += groups != expected

    rng = random.Random(3)
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM campaigns_customer")
        first = cur.fetchone()[0]
    ids = [first + i for i in rng.sample(range(args.customers), args.decisions)]
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids)}
    # A reference first, on customers of its own: the same decisions scoring with the file.
    Campaign.objects.filter(code__startswith="LEARN-").update(
        propensity_source=PropensitySource.FILE
    )
    catalogue.invalidate()
    reference = []
    others = [first + i for i in rng.sample(range(args.customers), args.decisions)]
    for customer in Customer.objects.filter(pk__in=others):
        t = time.perf_counter()
        decide(customer=customer, channel_kind=ChannelKind.STORE)
        reference.append((time.perf_counter() - t) * 1000)
    Campaign.objects.filter(code__startswith="LEARN-").update(
        propensity_source=PropensitySource.LEARNED
    )
    catalogue.invalidate()
    timings = []
    learned_used = 0
    for pk in ids:
        customer = customers[pk]
        t = time.perf_counter()
        result = decide(customer=customer, channel_kind=ChannelKind.STORE)
        timings.append((time.perf_counter() - t) * 1000)
        if not (result.offers or result.excluded or result.held_out):
            errors += 1
        learned_used += sum(c.learned is not None for c in result.offers)
    print(
        f"decisions={args.decisions} decision_p50_ms={statistics.median(timings):.2f}"
        f" offers_with_learned_figure={learned_used:,} errors={errors}"
    )
    print(f"reference (file source): decision_p95_ms={p95(reference):.2f}")
    print(f"refresh_s={refresh_s:.1f} responses={n} decision_p95_ms={p95(timings):.2f}")


def _build(customers: int, n: int) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from bench.common import copy_customers
    from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
    from campaigns.models import (
        Campaign,
        DeclineReason,
        EligibilityRule,
        LearnedPropensity,
        LearningRun,
        Offer,
        Product,
    )

    now = timezone.now()
    rng = random.Random(2)
    families = list(ProductFamily)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE campaigns_response, campaigns_customer CASCADE")
        copy_customers(cur, customers, now=now, external_id=lambda i: f"L{i:08d}",
                       phone=lambda i: f"+4860{i:07d}")  # fmt: skip
        cur.execute(
            "UPDATE campaigns_customer SET segment = (%s::text[])[1 + id %% 4],"
            " value_tier = (%s::text[])[1 + (id / 4) %% 4]",
            [SEGMENTS, TIERS],
        )
        cur.execute("ANALYZE campaigns_customer")
    LearnedPropensity.objects.all().delete()
    LearningRun.objects.all().delete()
    reason, _ = DeclineReason.objects.get_or_create(
        code="bench_dear", defaults={"label": "Too dear (bench)", "suppression_days": 30}
    )
    offers = []
    for c in range(CAMPAIGNS):
        campaign_offers = []
        for o in range(OFFERS_PER_CAMPAIGN):
            product, _ = Product.objects.get_or_create(
                code=f"LP-{c}-{o}",
                defaults={"name": f"Product {c}/{o}", "family": families[o % len(families)]},
            )
            offer, _ = Offer.objects.get_or_create(
                code=f"LO-{c}-{o}",
                defaults={"product": product, "title": f"Offer {c}/{o}", "benefit": "-", "value": 10 + o,
                          "valid_from": now - timedelta(days=10), "channel_kinds": [ChannelKind.STORE]},
            )  # fmt: skip
            campaign_offers.append(offer)
        campaign, _ = Campaign.objects.update_or_create(
            code=f"LEARN-{c}",
            defaults={"name": f"Learning {c}", "objective": "upsell", "status": CampaignStatus.LIVE,
                      "starts_at": now - timedelta(days=10), "ends_at": now + timedelta(days=365),
                      "channel_kinds": [ChannelKind.STORE], "control_share": 5},
        )  # fmt: skip
        campaign.offers.set(campaign_offers)
        EligibilityRule.objects.get_or_create(campaign=campaign)
        offers += [(offer.pk, campaign.pk, rng.uniform(0.02, 0.4)) for offer in campaign_offers]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_offers")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_offers (n int, offer_id bigint, campaign_id bigint, rate float8)"
        )
        cur.executemany(
            "INSERT INTO bench_offers VALUES (%s, %s, %s, %s)",
            [(i, *row) for i, row in enumerate(offers)],
        )
        cur.execute("SELECT min(id) FROM campaigns_customer")
        first = cur.fetchone()[0]
        cur.execute("ALTER TABLE campaigns_response DISABLE TRIGGER ALL")
        step = 2_000_000
        for start in range(1, n + 1, step):
            cur.execute(
                OUTCOMES_SQL,
                {"first": first, "customers": customers, "reason": reason.pk, "offers": len(offers),
                 "start": start, "stop": min(start + step - 1, n)},
            )  # fmt: skip
            print(f"  outcomes: {min(start + step - 1, n):,}")
        cur.execute("ALTER TABLE campaigns_response ENABLE TRIGGER ALL")
        cur.execute("DROP TABLE bench_offers")
        cur.execute("ANALYZE campaigns_response")


if __name__ == "__main__":
    main()
