"""Outbound "next customer" on PostgreSQL: 50 agents drawing leads at once from one big list.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_bench_outbound .venv/bin/python bench/outbound_bench.py [--leads N] [--agents A] [--seconds S] [--pause P]
Builds (or reuses) N customers (default 1,000,000) and today's call list of N leads for one
agency (by COPY), then runs A threads (default 50), each an agent pressing "next customer"
through ``channels.outbound.next_lead`` — the claim with FOR UPDATE SKIP LOCKED, then the
contact-policy re-check — and closing the lead at once, for S seconds (default 30). Every
handed-out lead id is kept, so a lead given twice is counted. Each run starts from a fresh
list (the leads drawn by an earlier run are put back and the table vacuumed).
First, as a reference, one agent alone draws 200 leads. By default agents press with no pause
between presses, so the concurrent figures are those of a saturated machine (by Little's law
the wait is about agents ÷ throughput), far above real use, where an agent presses once per
call; ``--pause P`` makes each agent wait about P seconds between presses.
Last line: next_lead_p95_ms=… leads_per_s=… duplicates=…
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--pause", type=float, default=0, help="seconds each agent waits between presses"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/cvm_bench_outbound"
        )
    db = url.rsplit("/", 1)[1]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cvm_portal.settings")
    env.pop("REDIS_URL", None)  # tasks in-process; the policy is cached in local memory
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], capture_output=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=env,
    )
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.db import connection, connections

    from channels.models import CallList, Lead
    from channels.outbound import next_lead

    call_list = CallList.objects.filter(built_by="bench").first()
    if call_list is None or call_list.size != args.leads:
        started = time.perf_counter()
        _build(args.leads)
        print(f"setup: {args.leads:,} customers and leads in {time.perf_counter() - started:.0f} s")
    else:
        print(f"setup: reusing a list of {args.leads:,} leads")
    call_list = CallList.objects.get(built_by="bench")
    with connection.cursor() as cur:
        # Put back what an earlier run drew, so every run starts from the same list.
        cur.execute(
            "UPDATE channels_lead SET state = 'waiting', assigned_to_id = NULL, assigned_at = NULL,"
            " closed_at = NULL, due_at = now() - interval '1 minute'"
            " WHERE call_list_id = %s AND state <> 'waiting'",
            [call_list.pk],
        )
        cur.execute("UPDATE channels_calllist SET day = CURRENT_DATE WHERE id = %s", [call_list.pk])
    connection.close()
    with connection.cursor() as cur:
        connection.connection.autocommit = True
        cur.execute("VACUUM ANALYZE channels_lead")
    agents = _agents(call_list.site, args.agents)

    # Reference: one agent alone, nobody to wait for (the cost of one press on this machine).
    alone = []
    for _ in range(200):
        t = time.perf_counter()
        lead = next_lead(agent=agents[0]).lead
        alone.append((time.perf_counter() - t) * 1000)
        Lead.objects.filter(pk=lead.pk).update(state="done")
    print(
        f"one agent alone: next_lead_p50_ms={statistics.median(alone):.2f} p95_ms={p95(alone):.2f}"
    )

    latencies: list[list[float]] = [[] for _ in agents]
    handed: list[list[int]] = [[] for _ in agents]
    errors: list[BaseException] = []
    start = threading.Barrier(len(agents) + 1)
    stop_at = [0.0]

    def work(i: int) -> None:
        rng = random.Random(i)
        try:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                t = time.perf_counter()
                lead = next_lead(agent=agents[i]).lead
                latencies[i].append((time.perf_counter() - t) * 1000)
                if lead is None:
                    break
                handed[i].append(lead.pk)
                Lead.objects.filter(pk=lead.pk).update(state="done")
                if args.pause:
                    time.sleep(args.pause * (0.5 + rng.random()))  # spread, not in lockstep
        except BaseException as exc:  # noqa: BLE001 - counted and printed below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(agents))]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + args.seconds
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    samples = [ms for agent in latencies for ms in agent]
    ids = [pk for agent in handed for pk in agent]
    duplicates = sum(n - 1 for n in Counter(ids).values() if n > 1)
    if errors:
        print(f"errors: {len(errors)}, first: {errors[0]!r}")
    print(
        f"agents={len(agents)} list={args.leads} drawn={len(ids)} in {elapsed:.1f} s"
        f" next_lead_p50_ms={statistics.median(samples):.2f} max_ms={max(samples):.1f}"
    )
    print(
        f"next_lead_p95_ms={p95(samples):.2f} leads_per_s={len(ids) / elapsed:.0f} duplicates={duplicates}"
    )


def _agents(site, n: int) -> list:
    from django.contrib.auth import get_user_model

    from channels.agents import sync_agent_roles
    from channels.models import AgentProfile

    users = []
    for i in range(n):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-outbound-{i:02d}")
        profile, _ = AgentProfile.objects.update_or_create(
            user=user, defaults={"site": site, "channel_kind": "outbound_call"}
        )
        sync_agent_roles(profile)
        users.append(user)
    return users


def _build(n: int) -> None:
    """N customers and a call list of N leads for one agency, by COPY; one live campaign."""
    from datetime import time as clock
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
    from campaigns.models import Campaign, Offer, OfferContent, Product
    from channels.choices import SiteKind
    from channels.models import CallList, OutboundShare, Site

    rng = random.Random(5)
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE channels_calllist, campaigns_customer CASCADE")
        with cur.copy(
            "COPY campaigns_customer (external_id, phone, name, segment, value_tier, customer_since, preferred_channel,"
            " consent_marketing, consent_calls, consent_sms, consent_app_push, consent_digital, do_not_contact,"
            " created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, n + 1):
                copy.write_row((f"B{i:08d}", f"+4879{i:07d}", f"Customer {i}", "postpaid", "silver",
                                "2020-01-01", "", True, True, True, True, True, False, now, now))  # fmt: skip
        cur.execute("ANALYZE campaigns_customer")
    product, _ = Product.objects.get_or_create(
        code="BENCH-FIBRE", defaults={"name": "Fibre", "family": ProductFamily.BROADBAND}
    )
    offer, _ = Offer.objects.get_or_create(
        code="BENCH-FIBRE-OUT",
        defaults={"product": product, "title": "Fibre", "benefit": "-", "value": 50,
                  "valid_from": now - timedelta(days=10),
                  "channel_kinds": [ChannelKind.OUTBOUND_CALL]},
    )  # fmt: skip
    OfferContent.objects.get_or_create(
        offer=offer, channel_kind=ChannelKind.OUTBOUND_CALL, defaults={"agent_script": "Hello."}
    )
    campaign, _ = Campaign.objects.get_or_create(
        code="BENCH-OUT",
        defaults={"name": "Bench outbound", "objective": "cross_sell", "status": CampaignStatus.LIVE,
                  "starts_at": now - timedelta(days=10), "ends_at": now + timedelta(days=3650),
                  "channel_kinds": [ChannelKind.OUTBOUND_CALL]},
    )  # fmt: skip
    campaign.offers.set([offer])
    site, _ = Site.objects.update_or_create(
        code="BENCH-AGENCY",
        defaults={"name": "Bench agency", "kind": SiteKind.AGENCY, "region": "-",
                  "calls_from": clock(0), "calls_until": clock(23, 59, 59)},
    )  # fmt: skip
    OutboundShare.objects.get_or_create(campaign=campaign, site=site)
    call_list = CallList.objects.create(
        campaign=campaign, site=site, day=timezone.localdate(), size=n, built_by="bench"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM campaigns_customer")
        low = cur.fetchone()[0]
        with cur.copy(
            "COPY channels_lead (call_list_id, customer_id, score, state, due_at, is_callback, attempts,"
            " disposition, skip_code, skip_reason) FROM STDIN"
        ) as copy:
            for i in range(n):
                copy.write_row((call_list.pk, low + i, rng.random() * 100, "waiting",
                                now - timedelta(minutes=1), False, 0, "", "", ""))  # fmt: skip
        cur.execute("ANALYZE channels_lead")


if __name__ == "__main__":
    main()
