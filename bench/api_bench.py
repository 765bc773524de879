"""The decision API over HTTP on PostgreSQL: the portal against a bare reference view, with wrk.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_api [REDIS_URL=redis://127.0.0.1:6379/0] .venv/bin/python bench/api_bench.py [--customers N] [--seconds S] [--rounds R] [--port P] [--worker-class sync|gthread] [--without-front]

Builds (or reuses) N customers (default 1,000) by COPY, 10 live web campaigns with 4 offers
each (web content: banner title, image, alt, link), 4 target-group memberships per customer
and a past contact for about one membership in ten, and an API client for web with one key.
Then starts, each on gunicorn with 2 workers (``--worker-class``: gthread, one thread, by
default, which keeps wrk's connections alive as a proxy's would be, each worker taking at most
its half of them (``--worker-connections`` 8 + threads); sync closes each after its answer; both servers
alike) in production mode (DJANGO_DEBUG=false,
CONN_MAX_AGE 60, REDIS_URL as given — production runs with Redis; without it each worker has
its own local-memory cache, which the figures print):

- the portal (``cvm_portal.wsgi``), asked ``POST /api/v1/decisions/`` with
  ``Authorization: Api-Key …`` and ``X-Forwarded-Proto: https`` as a proxy would send;
- the bare reference (``bench.api_bench:bare``): a Django view with no middleware that parses
  the same JSON body and runs one prepared membership query for the customer (the live
  versions' rows, as the decision reads them) and answers JSON.

wrk (Debian's ``wrk``, 16 connections, 2 threads) POSTs a body per request cycling over all the
customers; the two servers take turns for R rounds (default 3) of S seconds (default 10), each
after a warm-up. Afterwards every 2xx answer of the portal must have its decision row and its
audit row (action "decide", detail "api"): ``recorded=… audited=… answered=…``; a non-2xx answer
counts as an error. Then, for each server, the CPU a request cost its gunicorn workers and its
PostgreSQL client backends (medians over the rounds, from /proc; "n/a" for a database on
another host): where a gap between the two comes from. Last line (medians over the rounds):
api_rps=… bare_rps=… ratio=… api_p99_ms=…
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CAMPAIGNS, OFFERS_PER_CAMPAIGN, MEMBERSHIPS = 10, 4, 4
HISTORY_SHARE = 0.1
CLIENT_NAME = "bench-web"
CONNECTIONS, WORKERS = 16, 2  # wrk's connections; gunicorn's workers, for each server
BARE_APPLICATION = "api_bench bare"  # the bare view's application_name in pg_stat_activity

LUA = """
local bodies = {}
local i = 0
local f = io.open("%(bodies)s")
for line in f:lines() do bodies[#bodies + 1] = line end
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Api-Key %(key)s"
wrk.headers["X-Forwarded-Proto"] = "https"
request = function()
  i = i + 1
  return wrk.format(nil, "%(path)s", nil, bodies[(i %% #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%.3f %%.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


# --- the bare reference: one Django view, no middleware, one prepared query -----------------

MEMBERS_SQL = (
    "SELECT m.version_id, m.offer_code, m.propensity FROM unnest(%s::bigint[]) AS v(id)"
    " CROSS JOIN LATERAL (SELECT * FROM campaigns_targetgroupmember t"
    " WHERE t.version_id = v.id AND t.customer_external_id = %s) AS m"
)


def _bare_application():
    import django
    import psycopg
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.http import JsonResponse
    from django.urls import path

    state: dict = {}

    def view(request):
        if "conn" not in state:
            state["conn"] = psycopg.connect(
                os.environ["BENCH_PG"], autocommit=True, application_name=BARE_APPLICATION
            )
            state["conn"].prepare_threshold = 0
            with state["conn"].cursor() as cur:
                cur.execute(
                    "SELECT active_version_id FROM campaigns_targetgroup"
                    " WHERE active_version_id IS NOT NULL"
                )
                state["versions"] = [row[0] for row in cur.fetchall()]
        body = json.loads(request.body)
        with state["conn"].cursor() as cur:
            cur.execute(MEMBERS_SQL, [state["versions"], body["customer_id"]])
            rows = cur.fetchall()
        return JsonResponse(
            {"customer_id": body["customer_id"], "offers": [{"offer_code": r[1]} for r in rows]},
            status=201,
        )

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        SECRET_KEY="bare",  # noqa: S106 - a throwaway reference server
    )
    django.setup()
    global urlpatterns
    urlpatterns = [path("api/v1/decisions/", view)]
    return get_wsgi_application()


urlpatterns: list = []
if os.environ.get("BENCH_BARE") == "1":
    bare = _bare_application()
if os.environ.get("BENCH_WITHOUT_FRONT") == "1":  # --without-front
    from cvm_portal.wsgi import make_application

    portal_without_front = make_application(front=False)


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8210, help="the portal's; the bare's is +1")
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default="gthread",
        help="gunicorn's, the same for both servers: gthread keeps wrk's connections alive "
        "(a sync worker closes each after its answer)",
    )
    parser.add_argument("--threads", type=int, default=1, help="per gthread worker")
    parser.add_argument(
        "--worker-connections",
        type=int,
        default=0,
        help="per gthread worker (default: its share of wrk's connections plus its threads)",
    )
    parser.add_argument(
        "--without-front",
        action="store_true",
        help="serve the portal without its decision front door (channels.api.front): every "
        "decision through Django's handler, to measure what the front door gives",
    )
    args = parser.parse_args()
    from bench.common import setup_postgres

    redis_url = os.environ.get("REDIS_URL", "")
    setup_postgres("cvm_api")  # drops REDIS_URL for this process: the servers get it back
    from django.db import connection
    from django.utils import timezone

    from bench.common import production_mode, refuse_expired, wait_for_portal
    from campaigns.models import Campaign, Customer

    production_mode()
    n = args.customers
    if Customer.objects.count() != n or not Campaign.objects.filter(code="API-0").exists():
        started = time.perf_counter()
        _build(n)
        print(
            f"setup: {n:,} customers, {n * MEMBERSHIPS:,} memberships in {time.perf_counter() - started:.0f} s"
        )
    else:
        refuse_expired(
            Campaign.objects.filter(code__startswith="API-"),
            at=timezone.now(),
            database=connection.settings_dict["NAME"],
        )
        print(f"setup: reusing {n:,} customers")
    key, user_id = _fresh_key()
    url = os.environ["DATABASE_URL"]
    env = dict(
        os.environ,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_CONN_MAX_AGE="60",
        BENCH_PG=url.replace("postgres://", "postgresql://", 1),
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    print(f"Redis: {redis_url or 'none (each worker has its own local-memory cache)'}")
    tmp = Path(tempfile.mkdtemp(prefix="api_bench_"))
    ids = list(Customer.objects.values_list("external_id", flat=True))
    random.Random(3).shuffle(ids)
    (tmp / "bodies").write_text(
        "".join(json.dumps({"customer_id": i, "channel_kind": "web"}) + "\n" for i in ids)
    )
    script = tmp / "post.lua"
    script.write_text(LUA % {"bodies": tmp / "bodies", "key": key, "path": "/api/v1/decisions/"})
    workers = ["--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        # Each worker takes at most about its share of wrk's connections. Without the cap the
        # kernel hands a burst of new connections to whichever worker wakes first: in some
        # rounds all 16 went to one worker (seen with `ss -tnp`), halving either server's
        # throughput. gthread keeps at most (cap − threads) connections alive, closing the
        # rest after their answer: the cap is the share plus the threads.
        share = args.worker_connections or -(-CONNECTIONS // WORKERS) + args.threads
        workers += ["--threads", str(args.threads), "--keep-alive", "5"]
        workers += ["--worker-connections", str(share)]
    print(f"gunicorn: 2 workers, {' '.join(workers)} (both servers)")
    servers = {
        "api": _serve(
            "bench.api_bench:portal_without_front"
            if args.without_front
            else "cvm_portal.wsgi:application",
            args.port,
            dict(env, BENCH_WITHOUT_FRONT="1") if args.without_front else env,
            workers,
        ),
        "bare": _serve("bench.api_bench:bare", args.port + 1, dict(env, BENCH_BARE="1"), workers),
    }
    started_at = timezone.now()
    answered = errors = 0
    figures: dict[str, list] = {"api": [], "bare": []}
    cpu: dict[str, list] = {"api": [], "bare": []}  # (worker, database) CPU µs per request
    try:
        for name, port in (("api", args.port), ("bare", args.port + 1)):
            wait_for_portal(port)
            warm = _wrk(script, port, 2)  # connections opened, catalogues and caches filled
            if name == "api":
                answered += warm[0] - warm[1]
                errors += warm[1]
        for round_ in range(1, args.rounds + 1):
            for name, port in (("bare", args.port + 1), ("api", args.port)):
                before = _cpu(servers[name], bare=name == "bare")
                requests, failed, _status, seconds, p50, p99 = _wrk(script, port, args.seconds)
                after = _cpu(servers[name], bare=name == "bare")
                rps = requests / seconds
                figures[name].append((rps, p99))
                cpu[name].append(
                    tuple(None if b is None or a is None else (a - b) / requests * 1e6
                          for b, a in zip(before, after, strict=True))
                )  # fmt: skip
                if name == "api":
                    answered += requests - failed
                    errors += failed
                print(
                    f"round {round_} {name}: {rps:,.0f} req/s p50 {p50:.1f} ms p99 {p99:.1f} ms"
                    f" errors {failed} (load {os.getloadavg()[0]:.1f})"
                )
    finally:
        for process in servers.values():
            process.terminate()
        for process in servers.values():
            process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)  # the bodies and wrk's script
    recorded, audited = _count(user_id, started_at)
    for name in ("api", "bare"):
        worker, database = (
            None
            if any(c[i] is None for c in cpu[name])
            else statistics.median(c[i] for c in cpu[name])
            for i in (0, 1)
        )
        print(f"cpu per request, {name}: workers {_us(worker)}, database backends {_us(database)}")
    print(f"errors={errors}")
    print(f"recorded={recorded} audited={audited} answered={answered}")
    api_rps = statistics.median(r for r, _p in figures["api"])
    bare_rps = statistics.median(r for r, _p in figures["bare"])
    api_p99 = statistics.median(p for _r, p in figures["api"])
    print(
        f"api_rps={api_rps:.0f} bare_rps={bare_rps:.0f} ratio={api_rps / bare_rps:.2f}"
        f" api_p99_ms={api_p99:.1f}"
    )


def _serve(app: str, port: int, env: dict, workers: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), app, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--no-control-socket", *workers],
        env=env, cwd=ROOT,
    )  # fmt: skip


def _cpu(server: subprocess.Popen, *, bare: bool) -> tuple[float | None, float | None]:
    """CPU seconds used so far by ``server``'s workers and by its PostgreSQL client backends
    (those of the bare view by application_name, the portal's the others; None for a
    database on another host, or where /proc does not show them). A backend that came or went during
    a round would skew it: the connections are kept (CONN_MAX_AGE, the bare's own)."""
    from django.db import connection

    try:  # the master forks its workers from its main thread
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        workers = []
    host = connection.settings_dict["HOST"] or "/"
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
        return _ticks(workers), None  # its backends' pids are another machine's
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND (application_name = %s) = %s",
            [BARE_APPLICATION, bare],
        )
        backends = [str(row[0]) for row in cursor.fetchall()]
    return _ticks(workers), _ticks(backends)


def _ticks(pids: list[str]) -> float | None:
    total = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return total / os.sysconf("SC_CLK_TCK") if pids else None


def _us(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} µs"


def _wrk(script: Path, port: int, seconds: float) -> tuple[int, int, int, float, float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "-s", str(script),
         f"http://127.0.0.1:{port}/api/v1/decisions/"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, failed, status, micros, p50, p99 = line.split()[1:]
    return int(requests), int(failed), int(status), int(micros) / 1e6, float(p50), float(p99)


def _count(user_id: int, since) -> tuple[int, int]:
    from campaigns.models import Decision
    from cvm_portal.models import AuditEvent

    recorded = Decision.objects.filter(agent_id=user_id, created_at__gte=since).count()
    audited = AuditEvent.objects.filter(
        user_id=user_id, action="decide", detail="api", at__gte=since
    ).count()
    return recorded, audited


def _fresh_key() -> tuple[str, int]:
    """The bench client's key: a new one per run (a key is shown only once)."""
    from channels.api.clients import create_client, issue_key
    from channels.models import ApiClient

    client = ApiClient.objects.filter(name=CLIENT_NAME).first()
    if client is None:
        _row, key = create_client(client=ApiClient(name=CLIENT_NAME, channel_kinds=["web"]))
        client = ApiClient.objects.get(name=CLIENT_NAME)
    else:
        _row, key = issue_key(client=client)
    return key, client.user_id


def _build(n: int) -> None:
    """N customers by COPY, 10 live web campaigns with 4 offers and their web content, and one
    partition of members per campaign; about one membership in ten with a past contact."""
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
        OfferContent,
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
        copy_customers(
            cur, n, now=now, external_id=lambda i: f"A{i:08d}", phone=lambda i: f"+4850{i:07d}"
        )
        cur.execute("ANALYZE campaigns_customer")
    campaigns = []
    for c in range(CAMPAIGNS):
        offers = []
        for o in range(OFFERS_PER_CAMPAIGN):
            product, _ = Product.objects.get_or_create(
                code=f"AP-{c}-{o}",
                defaults={"name": f"Product {c}/{o}", "family": families[(c + o) % len(families)]},
            )
            offer, _ = Offer.objects.get_or_create(
                code=f"AO-{c}-{o}",
                defaults={"product": product, "title": f"Offer {c}/{o}", "benefit": "-", "value": 10 + o,
                          "valid_from": now - timedelta(days=10), "channel_kinds": [ChannelKind.WEB]},
            )  # fmt: skip
            OfferContent.objects.update_or_create(
                offer=offer, channel_kind=ChannelKind.WEB,
                defaults={"banner_title": f"Offer {c}/{o}", "banner_alt": "A phone",
                          "banner_link": "https://shop.example.com/o"},
            )  # fmt: skip
            offers.append(offer)
        campaign, _ = Campaign.objects.update_or_create(
            code=f"API-{c}",
            defaults={"name": f"API {c}", "objective": "upsell", "status": CampaignStatus.LIVE,
                      "starts_at": now - timedelta(days=10), "ends_at": now + timedelta(days=365),
                      "channel_kinds": [ChannelKind.WEB]},
        )  # fmt: skip
        campaign.offers.set(offers)
        campaigns.append((campaign, offers))
    per_campaign = n * MEMBERSHIPS // CAMPAIGNS
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM campaigns_customer")
        first_id = cur.fetchone()[0]
    reasons = list(DeclineReason.objects.values_list("pk", flat=True))
    for campaign, offers in campaigns:
        history = []
        group, _ = TargetGroup.objects.get_or_create(campaign=campaign)
        version = TargetGroupVersion.objects.create(
            target_group=group, activated_at=now, member_count=per_campaign,
            control_code=campaign.code, control_share=10,
        )  # fmt: skip
        table = f"campaigns_targetgroupmember_v{version.pk}"
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE TABLE {table} (LIKE campaigns_targetgroupmember INCLUDING DEFAULTS)"
            )
            with cur.copy(
                f"COPY {table} (version_id, customer_external_id, offer_code, propensity, expected_value, rank) FROM STDIN"
            ) as copy:
                for rank, i in enumerate(rng.sample(range(1, n + 1), per_campaign), start=1):
                    offer = rng.choice(offers)
                    copy.write_row((version.pk, f"A{i:08d}", offer.code, rng.random(), 100, rank))
                    if rng.random() < HISTORY_SHARE:
                        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
                        history.append(
                            (first_id + i - 1, campaign.pk, offer.pk,
                             now - timedelta(seconds=rng.randrange(90 * 86400)), outcome,
                             rng.choice(reasons) if outcome == "declined" else None,
                             ChannelKind.WEB, None, None)
                        )  # fmt: skip
            cur.execute(
                f"ALTER TABLE {table} ADD PRIMARY KEY (customer_external_id, version_id),"
                f" ADD CONSTRAINT {table}_v CHECK (version_id = {version.pk})"
            )
            cur.execute(
                f"ALTER TABLE campaigns_targetgroupmember ATTACH PARTITION {table} FOR VALUES IN ({version.pk})"
            )
            cur.execute(f"ANALYZE {table}")
            copy_contact_history(cur, history)
        group.active_version = version
        group.save(update_fields=["active_version"])
    with connection.cursor() as cur:
        analyze_history(cur)


if __name__ == "__main__":
    main()
