"""Event ingestion over HTTP on PostgreSQL: POST /api/v1/events/ against a bare COPY of the same
rows, in the same run.

Starts the portal on gunicorn with 2 sync workers in production mode (DJANGO_DEBUG=false; every
request carries X-Forwarded-Proto: https, as a proxy would). C client threads (default 4) post
pre-built batches of 5,000 events over keep-alive connections (http.client: sending a prepared
body costs the client almost nothing; its CPU time is printed). About 2% of each batch repeats
events of an earlier batch, one event repeats inside the batch, and every tenth batch is sent
twice whole (a client's retry). One event in ten is an impression or click of a real
presentation, so the effects (presentations seen, daily interest) are in the timing.

After the run: every event of a batch answered 202 must be stored (lost = acknowledged − stored)
and stored once (duplicates_stored = rows − distinct ids). Then the same unique rows are COPYed
bare (text COPY of a prepared buffer, no key, no index) into a scratch table.

Last line: ``events_per_s=<x> copy_rows_per_s=<y> ratio=<x/y> lost=<n>``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_events \
        .venv/bin/python bench/events_bench.py [--events 500000] [--clients 4] [--port 8230]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import setup_postgres, wait_for_portal  # noqa: E402

BATCH = 5000
CLIENT_NAME = "events-bench"
PRESENTATIONS = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8230)
    args = parser.parse_args()
    setup_postgres("cvm_events")

    from django.db import connection
    from django.utils import timezone

    key, client_id, presentations, offer_code = _prepare()
    batches, ids = _batches(args.events, presentations, offer_code, timezone.now())
    sends = [b for i, b in enumerate(batches) for _ in range(2 if i % 10 == 9 else 1)]
    print(f"batches={len(batches)} posts={len(sends)} events_sent={sum(b[1] for b in sends)} "
          f"unique_events={len(ids)} body_mb={len(batches[0][0]) / 1e6:.2f}")  # fmt: skip

    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "cvm_portal.wsgi", "-w", "2", "-b",
         f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout", "120"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        wait_for_portal(args.port)
        # Warm up: connections opened, code loaded, in both workers (events kept: they count).
        warm = [_post(args.port, key, b) for b in sends[:2]]
        acknowledged: set[str] = set()
        for (_body, _n, batch_ids), (status, _a) in zip(sends[:2], warm, strict=True):
            if status == 202:
                acknowledged.update(batch_ids)
        work: queue.Queue = queue.Queue()
        for item in sends[2:]:
            work.put(item)
        results: list[tuple[int, int, list[str], float]] = []
        lock = threading.Lock()

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            while True:
                try:
                    body, n, batch_ids = work.get_nowait()
                except queue.Empty:
                    break
                started = time.perf_counter()
                status, _answer = _post(args.port, key, (body, n, batch_ids), conn)
                with lock:
                    results.append((status, n, batch_ids, time.perf_counter() - started))
            conn.close()

        cpu0, t0 = time.process_time(), time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds, client_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        server.terminate()
        server.wait(10)

    failed = [r for r in results if r[0] != 202]
    sent = sum(r[1] for r in results)
    for status, _n, batch_ids, _s in results:
        if status == 202:
            acknowledged.update(batch_ids)
    latencies = sorted(r[3] for r in results)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_id FROM channels_digitalevent WHERE client_id = %s", [client_id]
        )
        stored_rows = [row[0] for row in cursor.fetchall()]
    stored = set(stored_rows)
    lost = len(acknowledged - stored)
    duplicates_stored = len(stored_rows) - len(stored)
    events_per_s = sent / seconds
    print(f"posts={len(results)} failed={len(failed)} seconds={seconds:.2f} "
          f"batch_p50_ms={latencies[len(latencies) // 2] * 1000:.0f} "
          f"batch_max_ms={latencies[-1] * 1000:.0f} client_cpu_s={client_cpu:.2f} "
          f"acknowledged={len(acknowledged)} stored={len(stored)} "
          f"duplicates_stored={duplicates_stored}")  # fmt: skip
    copy_rows_per_s = _bare_copy(batches, client_id)
    print(
        f"events_per_s={events_per_s:.0f} copy_rows_per_s={copy_rows_per_s:.0f} "
        f"ratio={events_per_s / copy_rows_per_s:.3f} lost={lost}"
    )


def _prepare() -> tuple[str, int, list[tuple[int, str, str]], str]:
    """The bench client (a fresh key), its earlier events removed, and PRESENTATIONS
    presentations of a web decision made for it: [(id, customer external id, offer code)]."""
    from django.db import connection

    from campaigns.models import Offer, Presentation
    from channels.api.clients import create_client, issue_key
    from channels.models import ApiClient

    client = ApiClient.objects.filter(name=CLIENT_NAME).first()
    if client is None:
        _row, key = create_client(client=ApiClient(name=CLIENT_NAME, channel_kinds=["web", "app"]))
        client = ApiClient.objects.get(name=CLIENT_NAME)
    else:
        _row, key = issue_key(client=client)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM channels_digitalevent WHERE client_id = %s", [client.pk])
    offer = Offer.objects.filter(code="BENCH-EVT").first()
    if offer is None:
        _make_presentations(client)
        offer = Offer.objects.get(code="BENCH-EVT")
    presentations = list(
        Presentation.objects.filter(decision__agent=client.user).values_list(
            "pk", "decision__customer__external_id", "offer__code"
        )
    )
    return key, client.pk, presentations, offer.code


def _make_presentations(client) -> None:
    """The bench offer, its campaign, and PRESENTATIONS web presentations made for the client."""
    from django.db import transaction
    from django.utils import timezone

    from campaigns.models import Campaign, Customer, Decision, Offer, Presentation, Product

    with transaction.atomic():
        product = Product.objects.create(
            code="BENCH-EVT-P", name="Bench product", family="mobile_plan"
        )
        offer = Offer.objects.create(
            code="BENCH-EVT", product=product, title="Bench offer", benefit="-", value=1,
            valid_from=timezone.now() - timedelta(days=1),
            valid_until=timezone.now() + timedelta(days=3650), channel_kinds=["web"],
        )  # fmt: skip
        campaign = Campaign.objects.create(
            code="BENCH-EVT-C", name="Bench events", objective="upsell",
            starts_at=timezone.now() - timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=3650), channel_kinds=["web"],
        )  # fmt: skip
        campaign.offers.add(offer)
        for i in range(PRESENTATIONS):
            customer, _ = Customer.objects.get_or_create(
                external_id=f"EB{i:06d}",
                defaults={
                    "phone": f"+4860{i:07d}",
                    "name": f"B {i}",
                    "segment": "postpaid",
                    "value_tier": "silver",
                    "customer_since": date(2020, 1, 1),
                },
            )
            decision = Decision.objects.create(
                customer=customer, channel_kind="web", agent=client.user, site_id=None
            )
            Presentation.objects.create(
                decision=decision, offer=offer, campaign=campaign, rank=1, score=1, reason="b"
            )


def _batches(total: int, presentations, offer_code: str, now):
    """[(body, events in it, event ids)] and every unique id."""
    rng = random.Random(17)
    kinds = ["view"] * 5 + ["impression"] * 3 + ["click", "intent"]
    earlier: list[dict] = []
    ids: set[str] = set()
    out = []
    for _b in range(max(1, total // BATCH)):
        events = []
        for j in range(BATCH):
            if earlier and j < BATCH // 50:  # 2%: events of an earlier batch, sent again
                events.append(rng.choice(earlier))
                continue
            if j == BATCH // 50:  # one event repeated inside the batch
                events.append(
                    events[-1] if events else _event(rng, kinds, presentations, offer_code, now)
                )
                continue
            e = _event(rng, kinds, presentations, offer_code, now)
            events.append(e)
        earlier.extend(rng.sample(events, 50))
        batch_ids = [e["event_id"] for e in events]
        ids.update(batch_ids)
        out.append((json.dumps({"events": events}).encode(), len(events), batch_ids))
    return out, ids


def _event(rng, kinds, presentations, offer_code, now) -> dict:
    kind = rng.choice(kinds)
    at = (now - timedelta(seconds=rng.randint(0, 86400))).isoformat()
    e = {
        "event_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "kind": kind,
        "customer_id": f"C{rng.randint(1, 1_000_000):07d}",
        "channel_kind": "web",
        "occurred_at": at,
        "context": {"page": f"/offers/{rng.randint(1, 500)}", "device": "mobile"},
    }
    if kind in ("impression", "click"):
        if rng.random() < 0.3:
            pk, customer, code = rng.choice(presentations)
            e.update(presentation_id=pk, customer_id=customer)
        else:
            e["offer_code"] = offer_code
    elif kind == "intent":
        e["context"] = {"intent": "upgrade", "product": "phone"}
    return e


def _post(port, key, batch, conn=None):
    body, _n, _ids = batch
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/api/v1/events/", body=body, headers={
        "Content-Type": "application/json", "Authorization": f"Api-Key {key}",
        "X-Forwarded-Proto": "https", "Host": "127.0.0.1",
    })  # fmt: skip
    response = conn.getresponse()
    answer = response.read()
    if own:
        conn.close()
    if response.status != 202:
        print(f"status={response.status} {answer[:300]!r}", file=sys.stderr)
    return response.status, answer


def _bare_copy(batches, client_id: int) -> float:
    """Rows per second of a bare COPY of the same unique rows into a scratch table (same
    columns, no key, no index), the text prepared beforehand."""
    from django.db import connection
    from django.utils import timezone

    received = timezone.now().isoformat()
    seen: set[str] = set()
    buffer = io.StringIO()
    for body, _n, _ids in batches:
        for e in json.loads(body)["events"]:
            if e["event_id"] in seen:
                continue
            seen.add(e["event_id"])
            buffer.write("\t".join((
                str(client_id), e["event_id"], e["occurred_at"], received, e["kind"],
                e["customer_id"], e["channel_kind"], e.get("offer_code", ""),
                str(e.get("presentation_id", "\\N")), json.dumps(e.get("context", {})),
            )) + "\n")  # fmt: skip
    data = buffer.getvalue().encode()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_event_copy")
        cursor.execute(
            "CREATE TABLE bench_event_copy (client_id bigint, event_id varchar(64), "
            "occurred_at timestamptz, received_at timestamptz, kind varchar(12), "
            "customer_id varchar(64), channel_kind varchar(20), offer_code varchar(40), "
            "presentation_id bigint, context jsonb)"
        )
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_event_copy FROM STDIN") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_event_copy")
    return len(seen) / seconds


if __name__ == "__main__":
    main()
