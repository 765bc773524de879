"""Programme results on PostgreSQL: the dashboards over the daily rollups, and every campaign's
uplift, at production volumes.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_results .venv/bin/python bench/results_bench.py [--presentations N] [--members M] [--conversions C] [--rounds R]
Builds (or reuses) 90 days of contacts across 50 campaigns, 30 sites (stores, inbound and
outbound centres, agencies) and 1,000 agents, plus web and app decisions: N presentations
(default 20,000,000), one per decision, each with its outcome unless the control group held it
out; 50 live target groups holding M members in all (default 5,000,000; 10 % control groups),
and C product activations (default 1,000,000): accepted offers activated within the window, and
members of both arms buying on their own. Smaller N scales M and C down in proportion unless
they are given. All of it by INSERT … SELECT over generate_series, in the database.

Then the rollups are rebuilt (``campaigns.results.rollups.rebuild``, timed), the uplift of every
campaign is computed (``campaigns.results.programme.uplift_for_all``, timed: the goal is ≤ 30 s),
and the dashboard pages are fetched R times each (default 20) through Django's test client as a
CVM manager, with DEBUG off: the programme overview, a campaign's drill-down (with its uplift),
a site and an agent, each time another campaign, site or agent (goal: p95 ≤ 100 ms), beside a
reference in the same run: the feedback inbox, a page with no figures (the machine's own pace).
A page that does not answer 200 with its figures counts as an error, as does an uplift without
members.
Last line: dashboard_p95_ms=… uplift_s=… presentations=… (the line before it: errors=…)
"""

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CAMPAIGNS, SITES, AGENTS, DAYS = 50, 30, 1000, 90
PREFIX = "BENCH-R"
# A page whose figures came out empty shows this (its first key figure, the contacts, at 0).
NO_CONTACTS = b'<span class="stat-num">0</span> <span class="stat-label">Contacts'
SITE_KINDS = ["store"] * 15 + ["inbound_centre"] * 7 + ["outbound_centre"] * 5 + ["agency"] * 3
AGENT_KIND = {
    "store": "store", "inbound_centre": "inbound_call",
    "outbound_centre": "outbound_call", "agency": "outbound_call",
}  # fmt: skip
# A decision's channel kind by (g / 50) % 10: four in ten in stores, two inbound, two outbound,
# one web, one app.
KIND_SQL = (
    "(ARRAY['store','store','store','store','inbound_call','inbound_call','outbound_call',"
    "'outbound_call','web','app'])[1 + (g / 50) %% 10]"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presentations", type=int, default=20_000_000)
    parser.add_argument("--members", type=int)
    parser.add_argument("--conversions", type=int)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    scale = args.presentations / 20_000_000
    members = args.members or max(CAMPAIGNS * 200, int(5_000_000 * scale))
    conversions = args.conversions or max(1000, int(1_000_000 * scale))
    from bench.common import setup_postgres

    setup_postgres("cvm_results")
    from django.db import connection

    from bench.common import pct, production_mode
    from campaigns.models import Campaign, DailyExecution, Presentation
    from campaigns.results import programme, rollups

    production_mode()
    built = (
        Campaign.objects.filter(code__startswith=PREFIX).count() == CAMPAIGNS
        and Presentation.objects.count() == args.presentations
        and DailyExecution.objects.exists()
    )
    if built:
        print(f"reusing {connection.settings_dict['NAME']}: {args.presentations:,} presentations")
    else:
        started = time.perf_counter()
        first_day = _build(args.presentations, members, conversions)
        print(f"setup: {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        rollups.rebuild(since=first_day, until=first_day + timedelta(days=DAYS - 1))
        print(
            f"rollups rebuilt (90 days, a week per transaction): {time.perf_counter() - started:.0f} s"
        )
        with connection.cursor() as cur:
            for table in ("dailyexecution", "dailyreason", "firstcontact"):
                cur.execute(f"ANALYZE campaigns_{table}")
    print(f"rollup rows: {DailyExecution.objects.count():,}")

    errors = 0
    started = time.perf_counter()
    found = programme.uplift_for_all(Campaign.objects.filter(code__startswith=PREFIX))
    uplift_s = time.perf_counter() - started
    errors += sum(1 for u in found.values() if not u.intent_to_treat.treatment_members)
    verdicts = {}
    for u in found.values():
        verdicts[u.intent_to_treat.verdict.value] = (
            verdicts.get(u.intent_to_treat.verdict.value, 0) + 1
        )
    print(f"uplift of {len(found)} campaigns: {uplift_s:.2f} s; verdicts {verdicts}")

    samples, per_page = _time_pages(args.rounds)
    errors += per_page.pop("errors")
    for name, times in per_page.items():
        print(f"{name}: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms")
    # The issue fixes the last line's form exactly; the failed calls are counted just above it.
    print(f"errors={errors}")
    print(
        f"dashboard_p95_ms={pct(samples, 95):.1f} uplift_s={uplift_s:.2f} "
        f"presentations={args.presentations}"
    )


def _time_pages(rounds: int) -> tuple[list[float], dict]:
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min
    from django.test import Client

    from campaigns.models import Campaign, DailyExecution
    from channels.models import AgentProfile, Site
    from cvm_portal.roles import Role, assign_role

    manager, _ = get_user_model().objects.get_or_create(username="bench-cvm")
    assign_role(manager, Role.CVM_MANAGER)
    client = Client()
    client.force_login(manager)
    span = DailyExecution.objects.aggregate(first=Min("day"), last=Max("day"))
    last: date = span["last"]
    period = {"since": (last - timedelta(days=29)).isoformat(), "until": last.isoformat()}
    campaigns = list(Campaign.objects.filter(code__startswith=PREFIX).order_by("code"))
    sites = list(Site.objects.filter(code__startswith=PREFIX).order_by("code"))
    agents = list(AgentProfile.objects.filter(site__in=sites).order_by("user_id"))
    pages = {
        "overview": lambda _i: ("/cvm/results/", period),
        "campaign": lambda i: (f"/cvm/results/campaigns/{campaigns[i % len(campaigns)].pk}/", period),
        "site": lambda i: ("/cvm/results/", {**period, "site": sites[i % len(sites)].pk}),
        "agent": lambda i: (
            "/cvm/results/",
            {**period, "site": agents[i * 37 % len(agents)].site_id, "agent": agents[i * 37 % len(agents)].user_id},
        ),
    }  # fmt: skip
    for page in pages.values():  # once each: the connection's prepared statements, the cache
        client.get(*page(0))
    per_page: dict = {name: [] for name in pages}
    per_page["reference: the feedback inbox, a page without figures"] = []
    errors = 0
    samples = []
    for i in range(rounds):
        t = time.perf_counter()
        client.get("/cvm/feedback/")
        per_page["reference: the feedback inbox, a page without figures"].append(
            (time.perf_counter() - t) * 1000
        )
        for name, page in pages.items():
            path, params = page(i)
            t = time.perf_counter()
            response = client.get(path, params)
            elapsed = (time.perf_counter() - t) * 1000
            samples.append(elapsed)
            per_page[name].append(elapsed)
            ok = response.status_code == 200 and NO_CONTACTS not in response.content
            errors += not ok
    per_page["errors"] = errors
    return samples, per_page


def _build(presentations: int, members: int, conversions: int) -> date:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from campaigns import control
    from campaigns.choices import LoadKind, LoadStatus, ProductFamily
    from campaigns.loads import postgres as copying
    from campaigns.models import Campaign, DeclineReason, LoadRun, Offer, Product
    from channels.models import AgentProfile, Site
    from tests.factories import copy_customers

    zone = timezone.get_default_timezone()
    today = timezone.localdate()
    first_day = today - timedelta(days=DAYS)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    customers = max(1000, members // 2)
    print(f"building: {presentations:,} presentations, {members:,} members of {customers:,} customers, {conversions:,} activations")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE campaigns_conversion, campaigns_response, campaigns_presentation,"
            " campaigns_decision, campaigns_targetgroup, campaigns_loadreject, campaigns_loadrun,"
            " campaigns_customer, campaigns_dailyexecution, campaigns_dailyreason,"
            " campaigns_firstcontact, campaigns_resultsrefresh CASCADE"
        )
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [copying.PARENT],
        )
        for (table,) in cur.fetchall():
            cur.execute(f'DROP TABLE "{table}"')
    copy_customers(customers)
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM campaigns_customer")
        low, high = cur.fetchone()
        assert high - low + 1 == customers, "customer ids are not contiguous"

    # Sites and agents.
    User = get_user_model()
    User.objects.filter(username__startswith="bench-agent-").delete()  # their profiles go too
    Site.objects.filter(code__startswith=PREFIX).delete()
    sites = Site.objects.bulk_create(
        Site(code=f"{PREFIX}-S{n:02d}", name=f"Bench site {n:02d}", kind=kind, region="Bench")
        for n, kind in enumerate(SITE_KINDS)
    )
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        User(username=f"bench-agent-{n:04d}", first_name="Agent", last_name=f"{n:04d}", password=password)
        for n in range(AGENTS)
    )  # fmt: skip
    AgentProfile.objects.bulk_create(
        AgentProfile(user=u, site=sites[n % SITES], channel_kind=AGENT_KIND[sites[n % SITES].kind])
        for n, u in enumerate(users)
    )
    agents_of = {kind: [] for kind in ("store", "inbound_call", "outbound_call")}
    for n, u in enumerate(users):
        site = sites[n % SITES]
        agents_of[AGENT_KIND[site.kind]].append((u.pk, site.pk))

    # Products, offers, campaigns and their target groups.
    products = [
        Product.objects.update_or_create(
            code=f"{PREFIX}-P{n}", defaults={"name": f"Bench {n}", "family": ProductFamily.TV}
        )[0]
        for n in range(10)
    ]
    Campaign.objects.filter(code__startswith=PREFIX).delete()
    campaigns, offer_ids, suffixes = [], [], []
    per_campaign = members // CAMPAIGNS
    for i in range(CAMPAIGNS):
        offers = [
            Offer.objects.update_or_create(
                code=f"{PREFIX}-O{i:02d}{k}",
                defaults={
                    "product": products[(2 * i + k) % 10], "title": f"Bench {i} {k}",
                    "benefit": "Bench", "value": Decimal(10 + 5 * k), "valid_from": start,
                    "channel_kinds": ["store", "inbound_call", "outbound_call", "web", "app"],
                },
            )[0]
            for k in range(2)
        ]  # fmt: skip
        campaign = Campaign.objects.create(
            code=f"{PREFIX}{i:02d}", name=f"Bench campaign {i:02d}", objective="cross_sell",
            status="live", starts_at=start, ends_at=start + timedelta(days=DAYS + 30),
            channel_kinds=["store", "inbound_call", "outbound_call", "web", "app"],
            control_share=Decimal("10"), attribution_days=30,
        )  # fmt: skip
        campaign.offers.set(offers)
        campaigns.append(campaign)
        offer_ids.append([o.pk for o in offers])
        suffixes.append(control.key_suffix(campaign.code))
        _target_group(campaign, i, per_campaign, customers)
    reason = DeclineReason.objects.get_or_create(code="too_expensive", defaults={"label": "Too expensive"})[0]  # fmt: skip

    # The contacts: a decision, its presentation and (outside the control group) its outcome.
    print("contacts…")
    t = time.perf_counter()
    campaign_ids = [c.pk for c in campaigns]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_contact")
        params = {
            "n": presentations, "campaigns": campaign_ids, "per": per_campaign,
            "customers": customers, "low": low, "start": start, "days": DAYS,
            "offers1": [o[0] for o in offer_ids], "offers2": [o[1] for o in offer_ids],
            "suffixes": suffixes, "threshold": control.threshold(Decimal("10")),
            "store_agents": [a for a, _s in agents_of["store"]], "store_sites": [s for _a, s in agents_of["store"]],
            "in_agents": [a for a, _s in agents_of["inbound_call"]], "in_sites": [s for _a, s in agents_of["inbound_call"]],
            "out_agents": [a for a, _s in agents_of["outbound_call"]], "out_sites": [s for _a, s in agents_of["outbound_call"]],
        }  # fmt: skip
        bucket = control.BUCKET_SQL.format(
            customer="external_id", suffix="(%(suffixes)s::text[])[1 + ci]"
        )
        cur.execute(
            "CREATE UNLOGGED TABLE bench_contact AS SELECT *, "
            + bucket
            + " < %(threshold)s::bigint AS held_out"
            " FROM (SELECT g, ci, kind, number, 'C' || lpad(number::text, 7, '0') AS external_id,"
            "  %(low)s::bigint + number - 1 AS customer_id,"
            "  CASE WHEN g %% 2 = 0 THEN (%(offers1)s::bigint[])[1 + ci] ELSE (%(offers2)s::bigint[])[1 + ci] END AS offer_id,"
            "  CASE kind WHEN 'store' THEN (%(store_agents)s::bigint[])[1 + (g / 500) %% cardinality(%(store_agents)s::bigint[])]"
            "   WHEN 'inbound_call' THEN (%(in_agents)s::bigint[])[1 + (g / 500) %% cardinality(%(in_agents)s::bigint[])]"
            "   WHEN 'outbound_call' THEN (%(out_agents)s::bigint[])[1 + (g / 500) %% cardinality(%(out_agents)s::bigint[])] END AS agent_id,"
            "  CASE kind WHEN 'store' THEN (%(store_sites)s::bigint[])[1 + (g / 500) %% cardinality(%(store_sites)s::bigint[])]"
            "   WHEN 'inbound_call' THEN (%(in_sites)s::bigint[])[1 + (g / 500) %% cardinality(%(in_sites)s::bigint[])]"
            "   WHEN 'outbound_call' THEN (%(out_sites)s::bigint[])[1 + (g / 500) %% cardinality(%(out_sites)s::bigint[])] END AS site_id,"
            "  %(start)s::timestamptz + ((g * 7) %% %(days)s::bigint) * interval '1 day'"
            "   + interval '7 hours' + (g %% 39600) * interval '1 second' AS created_at,"
            "  (ARRAY['accepted','accepted','accepted','accepted','declined','declined','declined',"
            "   'declined','declined','declined','later','later','later','later','later','later',"
            "   'later','not_presented','not_presented','not_presented'])[1 + (g / 7) %% 20] AS outcome"
            " FROM (SELECT g, g %% 50 AS ci, " + KIND_SQL + " AS kind,"
            "  ((g %% 50) * %(customers)s::bigint / 50 + (g * 2654435761) %% %(per)s::bigint) %% %(customers)s::bigint + 1 AS number"
            "  FROM generate_series(1, %(n)s::bigint) g) base) contacts",
            params,
        )
        dropped = _drop_secondary_indexes(cur, CONTACT_TABLES)
        # The rows are made consistent here; checking each foreign key row by row would take
        # most of the time at 20 M (set-up only: the portal never does this).
        cur.execute("SET session_replication_role = replica")
        cur.execute("SELECT coalesce(max(id), 0) FROM campaigns_presentation")
        base = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO campaigns_decision (id, customer_id, channel_kind, agent_id, site_id, created_at)"
            " SELECT md5('bench' || g)::uuid, customer_id, kind, agent_id, site_id, created_at FROM bench_contact"
        )
        cur.execute(
            "INSERT INTO campaigns_presentation (id, decision_id, offer_id, campaign_id, rank, score, reason, held_out)"
            " SELECT %s::bigint + g, md5('bench' || g)::uuid, offer_id, (%s::bigint[])[1 + ci], 1, 1.0, 'bench', held_out"
            " FROM bench_contact",
            [base, campaign_ids],
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('campaigns_presentation', 'id'), %s)",
            [base + presentations],
        )
        cur.execute(
            "INSERT INTO campaigns_response (presentation_id, customer_id, offer_id, campaign_id,"
            " channel_kind, outcome, decline_reason_id, not_presented_reason, agent_id, site_id, recorded_at)"
            " SELECT %s::bigint + g, customer_id, offer_id, (%s::bigint[])[1 + ci], kind, outcome,"
            "  CASE WHEN outcome = 'declined' THEN %s END,"
            "  CASE WHEN outcome = 'not_presented' THEN (ARRAY['no_time','customer_issue','not_appropriate'])[1 + g %% 3] ELSE '' END,"
            "  agent_id, site_id, created_at + interval '1 minute'"
            " FROM bench_contact WHERE NOT held_out",
            [base, campaign_ids, reason.pk],
        )
        cur.execute("SET session_replication_role = DEFAULT")
        for statement in dropped:
            cur.execute(statement)
    print(f"contacts: {time.perf_counter() - t:.0f} s")

    # Activations: accepted offers confirmed within the window, and members of both arms
    # buying one of their campaign's products on their own.
    run = LoadRun.objects.create(
        kind=LoadKind.CONVERSIONS, target="conversions", file_name="bench", sha256="bench-results",
        status=LoadStatus.SUCCEEDED, started_by="bench",
    )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM bench_contact WHERE outcome = 'accepted' AND NOT held_out"
        )
        accepted = cur.fetchone()[0] or 1
        confirmed_share = min(1.0, 0.6 * conversions / accepted)
        cur.execute(
            "INSERT INTO campaigns_conversion (customer_external_id, product_id, activated_on, value, order_ref, load_run_id)"
            " SELECT c.external_id, o.product_id, (c.created_at AT TIME ZONE %s)::date + (c.g %% 20)::int, 30, 'A' || c.g, %s"
            " FROM bench_contact c JOIN campaigns_offer o ON o.id = c.offer_id"
            " WHERE c.outcome = 'accepted' AND NOT c.held_out AND (c.g %% 1000) < %s::bigint",
            [str(zone), run.pk, int(confirmed_share * 1000)],
        )
        organic = conversions - cur.rowcount
        cur.execute(
            "INSERT INTO campaigns_conversion (customer_external_id, product_id, activated_on, value, order_ref, load_run_id)"
            " SELECT 'C' || lpad(((ci * %(customers)s::bigint / 50 + (g * 40503) %% %(per)s::bigint) %% %(customers)s::bigint + 1)::text, 7, '0'),"
            "  o.product_id, %(first)s::date + (g %% %(days)s::bigint)::int, 30, 'O' || g, %(run)s"
            " FROM (SELECT g, g %% 50 AS ci FROM generate_series(1, %(n)s::bigint) g) s"
            " JOIN campaigns_offer o ON o.id = (%(offers1)s::bigint[])[1 + ci]",
            {**params, "n": max(0, organic), "first": first_day, "run": run.pk},
        )
        cur.execute("DROP TABLE bench_contact")
        for table in ("decision", "presentation", "response", "conversion", "customer"):
            cur.execute(f"ANALYZE campaigns_{table}")
    return first_day


CONTACT_TABLES = ["campaigns_decision", "campaigns_presentation", "campaigns_response"]


def _drop_secondary_indexes(cur, tables: list[str]) -> list[str]:
    """Drop the indexes no constraint owns (a bulk insert then writes the tables alone);
    returns the statements that build them again."""
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.tablename = ANY(%s) AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [tables],
    )
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _target_group(campaign, i: int, per_campaign: int, customers: int) -> None:
    """A live target-group version of ``per_campaign`` members: a window of the customers."""
    from django.db import connection
    from django.utils import timezone
    from psycopg import sql

    from campaigns import store
    from campaigns.choices import LoadKind, LoadStatus
    from campaigns.loads import postgres as copying
    from campaigns.loads.member_sql import MemberSQL
    from campaigns.models import LoadRun, TargetGroup

    group = TargetGroup.objects.create(campaign=campaign)
    version = group.versions.create(
        control_code=campaign.code, control_share=campaign.control_share
    )
    run = LoadRun.objects.create(
        kind=LoadKind.TARGET_GROUP, target_group=group, target=campaign.code, file_name="bench",
        sha256=f"bench-{campaign.code}", status=LoadStatus.RUNNING, started_by="bench", version=version,
    )  # fmt: skip
    table = MemberSQL(
        names=[], extra=[], original=[], campaign=campaign, run=run, version=version,
        stage=copying.stage_table(run.pk), part=copying.partition_table(version.pk),
    )  # fmt: skip
    connection.ensure_connection()
    with connection.connection.cursor() as cur:
        cur.execute(table.create_table())
        cur.execute(
            sql.SQL(
                "INSERT INTO {} (customer_external_id) SELECT 'C' || lpad(((%s::bigint * %s::bigint / 50 + g) %% %s::bigint + 1)::text, 7, '0')"
                " FROM generate_series(0, %s::bigint - 1) g"
            ).format(table.part),
            [i, customers, customers, per_campaign],
        )
        cur.execute(table.primary_key())
        cur.execute(
            sql.SQL("SELECT count(*) FILTER (WHERE {}) FROM {}").format(
                table.in_control(sql.Identifier("customer_external_id")), table.part
            )
        )
        in_control = cur.fetchone()[0]
        cur.execute(sql.SQL("ANALYZE {}").format(table.part))
    with store.load_session(connection.connection) as session:
        store.activate(
            session, run=run, version=version, loaded=per_campaign, control=in_control,
            now=timezone.now(),
        )  # fmt: skip


if __name__ == "__main__":
    main()
