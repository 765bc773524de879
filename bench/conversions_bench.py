"""Confirmed conversions and the arms' conversions on PostgreSQL, at production volumes.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_conversions .venv/bin/python bench/conversions_bench.py [--members M] [--conversions C] [--accepted A]
Builds (or reuses) a campaign whose live target-group version holds M members (default
5,000,000; 10 % control group), C product activations of customers among 10,000,000 (default
1,000,000, eight products) and A accepted offers (default 100,000; a third activated within the
window, some after it). Then times, three rounds each, ``campaigns.conversions.arm_conversions``
(one aggregate query: members ⋈ activations, the control rule in SQL) against a bare count of the
version's members (the scan it cannot avoid), and ``confirmed_for_responses`` for every accepted
offer. DEBUG is off. The arms must hold all M members and some conversions, and some offers must
be confirmed: anything else counts as an error.
Last line: arms_s=… bare_scan_s=… confirmed_s=… confirmed=… errors=…
"""

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CODE = "BENCH-CONV"
CUSTOMER_RANGE = 10_000_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5_000_000)
    parser.add_argument("--conversions", type=int, default=1_000_000)
    parser.add_argument("--accepted", type=int, default=100_000)
    args = parser.parse_args()
    from bench.common import setup_postgres

    setup_postgres("cvm_conversions")
    from django.db import connection

    from bench.common import last_line, production_mode
    from campaigns.conversions import arm_conversions, confirmed_for_responses
    from campaigns.models import Campaign, Conversion, Response

    production_mode()
    campaign = Campaign.objects.filter(code=CODE).first()
    built = (
        campaign is not None
        and campaign.target_group.active_version is not None
        and campaign.target_group.active_version.member_count == args.members
        and Conversion.objects.count() >= args.conversions
        and Response.objects.filter(campaign=campaign).count() == args.accepted
    )
    if not built:
        started = time.perf_counter()
        campaign = _build(args.members, args.conversions, args.accepted)
        print(f"setup: {time.perf_counter() - started:.0f} s")
    campaign = Campaign.objects.select_related("target_group__active_version").get(code=CODE)
    version = campaign.target_group.active_version

    errors = 0
    arms_s, bare_s, confirmed_s = [], [], []
    found = {}
    for _round in range(3):
        t = time.perf_counter()
        arms = arm_conversions(campaign)
        arms_s.append(time.perf_counter() - t)
        errors += sum(arm.members for arm in arms.values()) != args.members
        errors += not 0.09 < arms["control"].members / args.members < 0.11  # a 10 % share
        errors += not all(arm.converted for arm in arms.values())
        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute(
                "SELECT count(*) FROM campaigns_targetgroupmember WHERE version_id = %s",
                [version.pk],
            )
            cur.fetchone()
            bare_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        found = confirmed_for_responses(campaign_ids=[campaign.pk])
        confirmed_s.append(time.perf_counter() - t)
        errors += not found
    print(
        f"arms: {arms['treatment']} treatment, {arms['control']} control; "
        f"{len(found):,} of {args.accepted:,} accepted offers confirmed"
    )
    median = statistics.median
    print(
        f"arm_conversions median {median(arms_s):.2f} s (bare scan of the members "
        f"{median(bare_s):.2f} s); confirmed_for_responses median {median(confirmed_s):.2f} s"
    )
    last_line(
        f"arms_s={median(arms_s):.2f} bare_scan_s={median(bare_s):.2f} "
        f"confirmed_s={median(confirmed_s):.2f} confirmed={len(found)}",
        errors,
    )


def _build(members: int, conversions: int, accepted: int):
    from django.db import connection
    from django.utils import timezone
    from psycopg import sql

    from bench.common import copy_contact_history
    from campaigns import store
    from campaigns.choices import LoadKind, LoadStatus, ProductFamily
    from campaigns.loads import postgres as copying
    from campaigns.loads.member_sql import MemberSQL
    from campaigns.models import (
        Campaign,
        Conversion,
        Customer,
        LoadRun,
        Offer,
        Product,
        TargetGroup,
    )
    from tests.factories import copy_customers

    zone = timezone.get_default_timezone()
    start = datetime(2026, 1, 1, tzinfo=zone)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE campaigns_conversion, campaigns_response, campaigns_presentation,"
            " campaigns_decision, campaigns_targetgroup, campaigns_loadreject, campaigns_loadrun,"
            " campaigns_customer CASCADE"
        )
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [copying.PARENT],
        )
        for (table,) in cur.fetchall():
            cur.execute(f'DROP TABLE "{table}"')
    products = [
        Product.objects.update_or_create(
            code=f"BENCH-P{n}", defaults={"name": f"Bench {n}", "family": ProductFamily.TV}
        )[0]
        for n in range(8)
    ]
    offers = [
        Offer.objects.update_or_create(
            code=f"BENCH-O{n}",
            defaults={
                "product": products[n], "title": f"Bench {n}", "benefit": "Bench",
                "value": Decimal("10"), "valid_from": start,
            },
        )[0]
        for n in range(2)
    ]  # fmt: skip
    campaign, _ = Campaign.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "Bench conversions", "objective": "cross_sell", "starts_at": start,
            "ends_at": start + timedelta(days=59), "channel_kinds": ["store"],
            "control_share": Decimal("10"), "attribution_days": 30,
        },
    )  # fmt: skip
    campaign.offers.set(offers)
    group = TargetGroup.objects.create(campaign=campaign)
    version = group.versions.create(
        control_code=campaign.code, control_share=campaign.control_share
    )
    run = LoadRun.objects.create(
        kind=LoadKind.TARGET_GROUP, target_group=group, target=CODE, file_name="bench",
        sha256="bench", status=LoadStatus.RUNNING, started_by="bench", version=version,
    )  # fmt: skip
    table = MemberSQL(
        names=[], extra=[], original=[], campaign=campaign, run=run, version=version,
        stage=copying.stage_table(run.pk), part=copying.partition_table(version.pk),
    )  # fmt: skip
    connection.ensure_connection()
    with connection.connection.cursor() as cur:
        cur.execute(table.create_table())
        cur.execute(
            f'INSERT INTO "{copying.partition_table(version.pk)}" (customer_external_id)'
            " SELECT 'C' || lpad(g::text, 7, '0') FROM generate_series(1, %s) g",
            [members],
        )
        cur.execute(table.primary_key())
        cur.execute(
            sql.SQL("SELECT count(*) FILTER (WHERE {}) FROM {}").format(
                table.in_control(sql.Identifier("customer_external_id")), table.part
            )
        )
        in_control = cur.fetchone()[0]
    with store.load_session(connection.connection) as session:
        store.activate(
            session, run=run, version=version, loaded=members, control=in_control,
            now=timezone.now(),
        )  # fmt: skip
    product_ids = [p.pk for p in products]
    conversions_run = LoadRun.objects.create(
        kind=LoadKind.CONVERSIONS, target="conversions", file_name="bench", sha256="bench",
        status=LoadStatus.SUCCEEDED, started_by="bench",
    )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO campaigns_conversion"
            " (customer_external_id, product_id, activated_on, value, order_ref, load_run_id)"
            " SELECT 'C' || lpad((1 + floor(random() * %s))::int::text, 7, '0'),"
            " (%s::bigint[])[1 + floor(random() * 8)::int], date '2025-12-01' + floor(random() * 150)::int,"
            " 10, 'B' || g, %s FROM generate_series(1, %s) g",
            [CUSTOMER_RANGE - 1, product_ids, conversions_run.pk, conversions],
        )
    copy_customers(accepted)
    rng = random.Random(2026)
    customer_ids = list(Customer.objects.order_by("pk").values_list("pk", "external_id"))
    contacts, activations = [], []
    for pk, external_id in customer_ids:
        offer = rng.choice(offers)
        at = start + timedelta(days=rng.randint(0, 58), hours=rng.randint(8, 19))
        contacts.append((pk, campaign.pk, offer.pk, at, "accepted", None, "store", None, None))
        if rng.random() < 0.4:  # some within the 30 days, some after
            day = at.astimezone(zone).date() + timedelta(days=rng.randint(0, 40))
            activations.append(
                Conversion(
                    customer_id=external_id, product_id=offer.product_id, activated_on=day,
                    order_ref=f"A{pk}", load_run=conversions_run,
                )
            )  # fmt: skip
    with connection.cursor() as cur:
        copy_contact_history(cur, contacts)
    Conversion.objects.bulk_create(activations, batch_size=5_000, ignore_conflicts=True)
    with connection.cursor() as cur:
        for name in ("campaigns_conversion", "campaigns_response", "campaigns_customer"):
            cur.execute(f"ANALYZE {name}")
        cur.execute(f'ANALYZE "{copying.partition_table(version.pk)}"')
    return campaign


if __name__ == "__main__":
    main()
