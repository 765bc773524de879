"""Next-best-offer decisions on PostgreSQL: the decisioning service against bare prepared SQL.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_bench .venv/bin/python bench/nbo_bench.py [--customers N] [--learning]
(``--learning``: every campaign scores with the learned likelihood, refreshed from the history first)
Builds (or reuses) a database ``<name>_nbo`` with N customers (default 5,000,000), 4 target-group
memberships each (20 M rows at the default) over 50 live campaigns with 200 offers, and a past
contact for about one membership in ten (the last 90 days: later, declined, not presented,
accepted), so the contact policy reads histories as in production. Then times 10,000 random
decisions through ``campaigns.decisioning.decide``, the bare prepared SQL that fetches one
customer's top 5 candidates, and the console customer page through Django's test client —
each on customers of its own, drawn at random, so that none runs on pages another warmed;
DEBUG is off, as in production. A reused database whose campaigns have ended is refused.
The page is timed twice: first opening (a new decision: the page_p95_ms figure), and 500 of
the same customers opened again within the contact window (the decision is shown again:
page_reused_p95_ms).
Every timed call is checked for doing its work: a decision that found no candidate, a bare
query that found no row, a page that did not answer 200 and a second opening that decided
anew instead of showing its decision again count as errors.
Last line: decision_p95_ms=… bare_sql_p95_ms=… ratio=… page_p95_ms=… page_reused_p95_ms=… errors=…
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CAMPAIGNS, OFFERS_PER_CAMPAIGN, MEMBERSHIPS = 50, 4, 4
HISTORY_SHARE = 0.1  # of memberships with a past contact


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=5_000_000)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument(
        "--learning",
        action="store_true",
        help="every campaign scores with the learned likelihood (refreshed from the history first)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/cvm_bench"
        )
    base, name = url.rsplit("/", 1)
    db = f"{name}_nbo"
    env = dict(
        os.environ, DATABASE_URL=f"{base}/{db}", DJANGO_SETTINGS_MODULE="cvm_portal.settings"
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], capture_output=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=env,
    )
    os.environ.update(env)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench.common import last_line, production_mode, refuse_expired
    from campaigns.choices import ChannelKind
    from campaigns.decisioning import decide
    from campaigns.models import (
        Campaign,
        Customer,
        Decision,
        Response,
        TargetGroup,
        TargetGroupMember,
    )

    # Production never runs with DEBUG, whose debug cursors log and format every query (about
    # 1 ms a decision here) and keep them all in memory.
    production_mode()
    n = args.customers
    if Customer.objects.count() != n:
        started = time.perf_counter()
        _build(n)
        print(
            f"setup: {n:,} customers, {n * MEMBERSHIPS:,} memberships in {time.perf_counter() - started:.0f} s"
        )
    else:
        refuse_expired(
            Campaign.objects.filter(code__startswith="BENCH-"), at=timezone.now(), database=db
        )
        print(f"setup: reusing {n:,} customers")
    print(f"past contacts: {Response.objects.count():,}")
    from campaigns.choices import PropensitySource

    source = PropensitySource.LEARNED if args.learning else PropensitySource.FILE
    Campaign.objects.filter(code__startswith="BENCH-").update(propensity_source=source)
    if args.learning:
        from campaigns.learning.refresh import refresh

        t = time.perf_counter()
        run = refresh(full=True)
        print(f"learning: {run.responses:,} outcomes learned in {time.perf_counter() - t:.1f} s")
    from campaigns import catalogue

    catalogue.invalidate()  # the update above went past the ORM's signals
    errors = 0

    # Three disjoint sets of random customers — decisions, bare SQL, pages — so that each is
    # timed on customers none of the others touched: the same cache conditions for all three
    # (an earlier version reused the decisions' customers for the bare SQL, which then ran warm).
    rng = random.Random(1)
    pages = min(args.decisions, 2000)
    drawn = rng.sample(range(1, n + 1), 2 * args.decisions + pages)
    decision_ids = drawn[: args.decisions]
    bare_ids = drawn[args.decisions : 2 * args.decisions]
    page_ids = drawn[2 * args.decisions :]
    by_external = {}
    for start in range(0, len(decision_ids), 5000):
        chunk = [f"C{i:08d}" for i in decision_ids[start : start + 5000]]
        by_external.update(
            (c.external_id, c) for c in Customer.objects.filter(external_id__in=chunk)
        )
    sample = [by_external[f"C{i:08d}"] for i in decision_ids]
    decision_ms = []
    shown = with_offers = 0
    found_nothing = []  # customers a timed call found in no campaign: checked after the timing
    for customer in sample:
        t = time.perf_counter()
        result = decide(customer=customer, channel_kind=ChannelKind.STORE)
        decision_ms.append((time.perf_counter() - t) * 1000)
        if not (result.offers or result.excluded or result.held_out):
            found_nothing.append(customer.external_id)
        shown += len(result.offers)
        with_offers += bool(result.offers)
    print(
        f"decisions with offers: {with_offers / len(sample):.0%}, offers shown: {shown:,}"
        f" (the rest held back by the contact policy or the control group)"
    )

    versions = list(
        TargetGroup.objects.exclude(active_version=None).values_list("active_version_id", flat=True)
    )
    import psycopg

    s = connection.settings_dict
    bare_ms = []
    with psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"] or "postgres",
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    ) as pg:
        query = (  # the fastest form we know: one index descent per live version's partition
            "SELECT m.offer_code, m.propensity FROM unnest(%s::bigint[]) AS v(id) CROSS JOIN LATERAL"
            " (SELECT offer_code, propensity FROM campaigns_targetgroupmember t"
            "  WHERE t.version_id = v.id AND t.customer_external_id = %s) AS m"
            " ORDER BY m.propensity DESC LIMIT 5"
        )
        for i in bare_ids:
            t = time.perf_counter()
            rows = pg.execute(query, [versions, f"C{i:08d}"], prepare=True).fetchall()
            bare_ms.append((time.perf_counter() - t) * 1000)
            if not rows:
                found_nothing.append(f"C{i:08d}")
    # A customer drawn at random may be in no campaign (about 1.5 % at 4 memberships on
    # average); a timed call that found nothing for a customer who is in one did not do its work.
    errors += (
        TargetGroupMember.objects.filter(version_id__in=versions, customer_id__in=found_nothing)
        .values("customer_id")
        .distinct()
        .count()
    )

    from django.contrib.auth import get_user_model
    from django.test import Client

    from channels.agents import sync_agent_roles
    from channels.console.links import customer_url
    from channels.models import AgentProfile, Site

    site, _ = Site.objects.get_or_create(
        code="BENCH-STORE", defaults={"name": "Bench store", "kind": "store", "region": "-"}
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-agent")
    profile, _ = AgentProfile.objects.update_or_create(
        user=user, defaults={"site": site, "channel_kind": "store"}
    )
    sync_agent_roles(profile)
    client = Client()
    client.force_login(user)
    page_ms = []
    page_pks = dict(
        Customer.objects.filter(external_id__in=[f"C{i:08d}" for i in page_ids]).values_list(
            "external_id", "pk"
        )
    )
    for i in page_ids:
        url = customer_url(user=user, customer_id=page_pks[f"C{i:08d}"])  # as a look-up gives it
        t = time.perf_counter()
        response = client.get(url)
        page_ms.append((time.perf_counter() - t) * 1000)
        errors += response.status_code != 200
    # The same customers again, within the contact window: the decision made above is shown
    # again (found, its presentations read, the rules run dry for "not offered now").
    decided = Decision.objects.filter(agent=user).count
    before = decided()
    reuse_ms = []
    for i in page_ids[:500]:
        url = customer_url(user=user, customer_id=page_pks[f"C{i:08d}"])
        t = time.perf_counter()
        response = client.get(url)
        reuse_ms.append((time.perf_counter() - t) * 1000)
        errors += response.status_code != 200
    errors += decided() - before  # each one a decision that should have been shown again
    d, b, p, r = p95(decision_ms), p95(bare_ms), p95(page_ms), p95(reuse_ms)
    print(
        f"decisions={args.decisions} customers={n} decision_p50_ms={statistics.median(decision_ms):.2f} bare_p50_ms={statistics.median(bare_ms):.3f}"
    )
    last_line(
        f"decision_p95_ms={d:.2f} bare_sql_p95_ms={b:.3f} ratio={d / b:.1f} page_p95_ms={p:.2f}"
        f" page_reused_p95_ms={r:.2f}",
        errors,
    )


def _build(n: int) -> None:
    """N customers by COPY, 50 live campaigns with 4 offers each, and one partition of members per campaign."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from bench.common import (
        OUTCOME_WEIGHTS,
        OUTCOMES,
        analyze_history,
        copy_contact_history,
        copy_customers,
    )
    from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
    from campaigns.models import (
        Campaign,
        DeclineReason,
        Offer,
        Product,
        TargetGroup,
        TargetGroupVersion,
    )

    rng = random.Random(2)
    now = timezone.now()
    families = list(ProductFamily)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE campaigns_customer, campaigns_targetgroup, campaigns_targetgroupversion CASCADE"
        )
        prefixes = ["50", "51", "53", "57", "60", "66", "69", "72", "79", "88"]
        copy_customers(
            cur, n, now=now, external_id=lambda i: f"C{i:08d}",
            phone=lambda i: f"+48{prefixes[i % 10]}{i // 10:07d}",
        )  # fmt: skip
        cur.execute("ANALYZE campaigns_customer")
    campaigns = []
    for c in range(CAMPAIGNS):
        offers = []
        for o in range(OFFERS_PER_CAMPAIGN):
            product, _ = Product.objects.get_or_create(
                code=f"P-{c}-{o}",
                defaults={"name": f"Product {c}/{o}", "family": families[(c + o) % len(families)]},
            )
            offer, _ = Offer.objects.get_or_create(
                code=f"O-{c}-{o}",
                defaults={"product": product, "title": f"Offer {c}/{o}", "benefit": "-", "value": 10 + o,
                          "valid_from": now - timedelta(days=10), "channel_kinds": [ChannelKind.STORE]},
            )  # fmt: skip
            offers.append(offer)
        campaign, _ = Campaign.objects.update_or_create(  # a rebuild makes them live again
            code=f"BENCH-{c}",
            defaults={"name": f"Bench {c}", "objective": "upsell", "status": CampaignStatus.LIVE,
                      "starts_at": now - timedelta(days=10), "ends_at": now + timedelta(days=365),
                      "channel_kinds": [ChannelKind.STORE]},
        )  # fmt: skip
        campaign.offers.set(offers)
        campaigns.append((campaign, offers))
    per_campaign = n * MEMBERSHIPS // CAMPAIGNS
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM campaigns_customer")
        first_id = cur.fetchone()[0]  # COPY numbered the customers in order: C00000001 first
    reasons = list(DeclineReason.objects.values_list("pk", flat=True))
    for campaign, offers in campaigns:
        history = []
        group, _ = TargetGroup.objects.get_or_create(campaign=campaign)
        version = TargetGroupVersion.objects.create(
            target_group=group,
            activated_at=now,
            member_count=per_campaign,
            control_code=campaign.code,
            control_share=10,
        )
        table = f"campaigns_targetgroupmember_v{version.pk}"
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE TABLE {table} (LIKE campaigns_targetgroupmember INCLUDING DEFAULTS)"
            )
            chosen = rng.sample(range(1, n + 1), per_campaign)
            with cur.copy(
                f"COPY {table} (version_id, customer_external_id, offer_code, propensity, expected_value, rank) FROM STDIN"
            ) as copy:
                for rank, i in enumerate(chosen, start=1):
                    offer = rng.choice(offers)
                    copy.write_row((version.pk, f"C{i:08d}", offer.code, rng.random(), 100, rank))
                    if rng.random() < HISTORY_SHARE:  # a past contact about this offer
                        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
                        history.append(
                            (first_id + i - 1, campaign.pk, offer.pk,
                             now - timedelta(seconds=rng.randrange(90 * 86400)), outcome,
                             rng.choice(reasons) if outcome == "declined" else None,
                             ChannelKind.STORE, None, None)
                        )  # fmt: skip
            cur.execute(
                f"ALTER TABLE {table} ADD PRIMARY KEY (customer_external_id, version_id), ADD CONSTRAINT {table}_v CHECK (version_id = {version.pk})"
            )
            cur.execute(
                f"ALTER TABLE campaigns_targetgroupmember ATTACH PARTITION {table} FOR VALUES IN ({version.pk})"
            )
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")  # as autovacuum would shortly after a load
            copy_contact_history(cur, history)
        group.active_version = version
        group.save(update_fields=["active_version"])
    with connection.cursor() as cur:
        analyze_history(cur)


if __name__ == "__main__":
    main()
