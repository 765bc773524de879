"""Outbound "next customer" on PostgreSQL: 50 agents drawing leads at once from one big list.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_bench_outbound [REDIS_URL=redis://…] .venv/bin/python bench/outbound_bench.py [--leads N] [--agents A] [--procs P] [--seconds S] [--pause T]

Builds (or reuses) N customers (default 1,000,000) and today's call list of N leads for one
agency (by COPY), with past contacts as production has them: a store campaign's offers
presented to one customer in five over the last 60 days, and one in fifty called for this
campaign within its cooldown (the claim skips those). A reused database whose campaign has
ended is refused. Then A agents (default 50) press "next customer" through
``channels.outbound.next_lead`` — the claim with FOR UPDATE SKIP LOCKED and the contact-policy
re-check — and close each lead at once (not timed), in two runs of S seconds each:

1. saturated: every agent presses again the moment it has a lead, with no pause. This is the
   machine's capacity (leads_per_s); its latency is mostly queueing (by Little's law the wait
   is about agents ÷ throughput), not what an agent sees.
2. paced: every agent waits about T seconds (default 1; uniformly 0.5 T–1.5 T, so they do
   not press in lockstep) between presses. A real agent presses once per call, every few
   tens of seconds, so the default is still 20–60 times the real rate of 50 agents; it is the
   run the goal (p95 ≤ 20 ms) is judged on. ``--pause 0`` runs only the saturated run.

The agents run in P worker processes (default: one per agent), each with its own database
connection, as a server's worker processes would; agents in threads of one Python process
would measure the GIL instead. The processes are forked after set-up and run in production
mode (DEBUG off: no query log). A REDIS_URL is used as the cache, as in production; without
one each process has its own local-memory cache.
Each agent presses once before its run starts (its connection opened, the process's caches
filled, as in a running server); that press is not timed. Every handed-out lead id — the
reference, the warm-up presses and both runs — is sent back to the parent, so a lead given
twice is counted. Each invocation starts from a fresh list (leads drawn by an earlier one are
put back and the table vacuumed); the paced run comes second, so like an agent later in the
day it steps over the leads drawn before it (until autovacuum clears them). The machine may
be shared: figures are noisy, the load average is printed with them.
Every press must hand out a lead (the list is far from empty): one that does not, or that
fails, counts as an error.
Last line (the paced run; the saturated one when --pause 0):
next_lead_p95_ms=… leads_per_s=… duplicates=… errors=…
"""

import argparse
import contextlib
import multiprocessing
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
    parser.add_argument(
        "--procs", type=int, default=0, help="worker processes (default: one per agent)"
    )
    parser.add_argument("--seconds", type=float, default=30, help="length of each run")
    parser.add_argument(
        "--pause", type=float, default=1.0, help="mean seconds an agent waits between presses"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/cvm_bench_outbound"
        )
    db = url.rsplit("/", 1)[1]
    # Production mode: no query log, as gunicorn runs it (the bench serves no HTTP).
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cvm_portal.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40),
        DJANGO_ALLOWED_HOSTS="localhost",
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
    from django.conf import settings
    from django.db import connection, connections
    from django.utils import timezone

    from bench.common import last_line, refuse_expired
    from campaigns.models import Campaign, Response
    from channels.models import CallList, Lead
    from channels.outbound.claiming import next_lead

    call_list = CallList.objects.filter(built_by="bench").first()
    if call_list is None or call_list.size != args.leads:
        started = time.perf_counter()
        _build(args.leads)
        print(f"setup: {args.leads:,} customers and leads in {time.perf_counter() - started:.0f} s")
    else:
        refuse_expired(
            Campaign.objects.filter(code__in=["BENCH-OUT", "BENCH-STORE"]),
            at=timezone.now(),
            database=db,
        )
        print(f"setup: reusing a list of {args.leads:,} leads")
    print(f"past contacts: {Response.objects.count():,}")
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
    cache = "redis" if settings.CACHES["default"]["BACKEND"].endswith("RedisCache") else "locmem"

    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"DEBUG={settings.DEBUG} cache={cache} cpus={os.cpu_count()} load_before={load}")

    # Reference: one agent alone, nobody to wait for (the cost of one press on this machine).
    alone = []
    all_ids: list[int] = []
    failed = 0  # presses that handed out no lead, or raised
    for _ in range(200):
        t = time.perf_counter()
        lead = next_lead(agent=agents[0]).lead
        alone.append((time.perf_counter() - t) * 1000)
        if lead is None:
            failed += 1
            continue
        all_ids.append(lead.pk)
        Lead.objects.filter(pk=lead.pk).update(state="done")
    print(
        f"one agent alone: next_lead_p50_ms={statistics.median(alone):.2f} p95_ms={p95(alone):.2f}"
    )
    connections.close_all()  # the workers are forked: none may inherit this connection

    procs = args.procs or len(agents)
    runs = [("saturated", 0.0)] + ([("paced", args.pause)] if args.pause > 0 else [])
    for name, pause in runs:
        samples, ids, warm_ids, errors = _run(agents, procs, args.seconds, pause)
        all_ids.extend(ids + warm_ids)
        rate = len(ids) / args.seconds  # presses begun in the run's S seconds
        failed += len(errors)
        if errors:
            print(f"{name}: errors: {len(errors)}, first: {errors[0]}")
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{name}: agents={len(agents)} procs={procs} pause_s={pause:g} list={args.leads}"
            f" drawn={len(ids)} in {args.seconds:g} s next_lead_p50_ms={statistics.median(samples):.2f}"
            f" p95_ms={p95(samples):.2f} max_ms={max(samples):.1f} leads_per_s={rate:.0f}"
            f" load={load}"
        )
    duplicates = sum(n - 1 for n in Counter(all_ids).values() if n > 1)
    last_line(
        f"next_lead_p95_ms={p95(samples):.2f} leads_per_s={rate:.0f} duplicates={duplicates}",
        failed,
    )


def _run(agents: list, procs: int, seconds: float, pause: float):
    """Run the agents in ``procs`` forked processes for ``seconds``; their latencies and lead ids."""
    ctx = multiprocessing.get_context("fork")
    groups = [agents[i::procs] for i in range(procs) if agents[i::procs]]
    ready, start = ctx.Barrier(len(groups) + 1), ctx.Barrier(len(groups) + 1)
    results = ctx.Queue()
    stop_at = ctx.Value("d", 0.0)
    workers = [
        ctx.Process(target=_worker, args=(group, ready, start, stop_at, pause, results))
        for group in groups
    ]
    for w in workers:
        w.start()
    ready.wait()
    stop_at.value = time.monotonic() + seconds  # CLOCK_MONOTONIC: the same clock in every process
    start.wait()
    samples: list[float] = []
    ids: list[int] = []
    warm_ids: list[int] = []
    errors: list[str] = []
    for _ in workers:
        got_samples, got_ids, got_warm_ids, got_errors = results.get()
        samples += got_samples
        ids += got_ids
        warm_ids += got_warm_ids
        errors += got_errors
    for w in workers:
        w.join()
    return samples, ids, warm_ids, errors


def _worker(group: list, ready, start, stop_at, pause: float, results) -> None:
    """One worker process: its agents (one thread each) press until the run ends."""
    from django.db import connections

    from channels.models import Lead
    from channels.outbound.claiming import next_lead

    samples: list[float] = []
    ids: list[int] = []
    warm_ids: list[int] = []
    errors: list[str] = []
    warm = threading.Barrier(len(group) + 1)
    go = threading.Event()

    def agent_loop(agent) -> None:
        rng = random.Random(agent.pk)
        try:
            # Warm up as a running server is: its connection open, its caches filled. The lead
            # this press draws counts for duplicates; its time does not.
            lead = next_lead(agent=agent).lead
            if lead is None:
                errors.append(f"agent {agent.pk}: the warm-up press handed out no lead")
            else:
                warm_ids.append(lead.pk)
                Lead.objects.filter(pk=lead.pk).update(state="done")
            warm.wait()
            go.wait()
            if pause:
                # Agents are at different points of their calls: first presses are spread over
                # one pause, not all at the same instant.
                time.sleep(pause * rng.random())
            while time.monotonic() < stop_at.value:
                t = time.perf_counter()
                lead = next_lead(agent=agent).lead
                samples.append((time.perf_counter() - t) * 1000)
                if lead is None:  # the list is far from empty: the press did not do its work
                    errors.append(f"agent {agent.pk}: a press handed out no lead")
                    break
                ids.append(lead.pk)
                Lead.objects.filter(pk=lead.pk).update(state="done")
                if pause:
                    time.sleep(pause * (0.5 + rng.random()))  # spread, not in lockstep
        except BaseException as exc:  # noqa: BLE001 - sent back and printed
            errors.append(repr(exc))
            warm.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=agent_loop, args=(agent,)) for agent in group]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        warm.wait()  # broken when an agent failed to warm up; its error is reported
    ready.wait()  # every process warmed up: the parent sets the end of the run...
    start.wait()  # ...and lets them all go at once
    go.set()
    for t in threads:
        t.join()
    results.put((samples, ids, warm_ids, errors))


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

    from bench.common import OUTCOME_WEIGHTS, OUTCOMES, analyze_history, copy_contact_history
    from campaigns.choices import CampaignStatus, ChannelKind, ProductFamily
    from campaigns.models import Campaign, DeclineReason, Offer, OfferContent, Product
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
    campaign, _ = Campaign.objects.update_or_create(  # a rebuild makes it live again
        code="BENCH-OUT",
        defaults={"name": "Bench outbound", "objective": "cross_sell", "status": CampaignStatus.LIVE,
                  "starts_at": now - timedelta(days=10), "ends_at": now + timedelta(days=3650),
                  "channel_kinds": [ChannelKind.OUTBOUND_CALL]},
    )  # fmt: skip
    campaign.offers.set([offer])
    store_product, _ = Product.objects.get_or_create(
        code="BENCH-TV", defaults={"name": "TV", "family": ProductFamily.TV}
    )
    store_offer, _ = Offer.objects.get_or_create(
        code="BENCH-TV-STORE",
        defaults={"product": store_product, "title": "TV", "benefit": "-", "value": 20,
                  "valid_from": now - timedelta(days=10), "channel_kinds": [ChannelKind.STORE]},
    )  # fmt: skip
    store_campaign, _ = Campaign.objects.update_or_create(
        code="BENCH-STORE",
        defaults={"name": "Bench store", "objective": "upsell", "status": CampaignStatus.LIVE,
                  "starts_at": now - timedelta(days=90), "ends_at": now + timedelta(days=3650),
                  "channel_kinds": [ChannelKind.STORE]},
    )  # fmt: skip
    store_campaign.offers.set([store_offer])
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
        reasons = list(DeclineReason.objects.values_list("pk", flat=True))
        history = []
        for i in range(n):
            if rng.random() < 0.2:  # presented a store offer in the last 60 days
                outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
                history.append(
                    (low + i, store_campaign.pk, store_offer.pk,
                     now - timedelta(seconds=rng.randrange(60 * 86400)), outcome,
                     rng.choice(reasons) if outcome == "declined" else None,
                     ChannelKind.STORE, None, None)
                )  # fmt: skip
            if rng.random() < 0.02:  # called for this campaign within its cooldown: skipped
                history.append(
                    (low + i, campaign.pk, offer.pk,
                     now - timedelta(seconds=rng.randrange(campaign.cooldown_days * 86400)),
                     "later", None, ChannelKind.OUTBOUND_CALL, None, site.pk)
                )  # fmt: skip
            if len(history) >= 200_000:
                copy_contact_history(cur, history)
                history = []
        copy_contact_history(cur, history)
        analyze_history(cur)


if __name__ == "__main__":
    main()
