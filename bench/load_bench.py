"""Time the nightly target-group load on PostgreSQL and compare it with a bare COPY of the same file.

Usage: DATABASE_URL=postgres://… .venv/bin/python bench/load_bench.py [--rows N]
Uses a fresh PostgreSQL database named ``<name>_loadbench`` beside the one in DATABASE_URL
and a temporary inbox. Set-up (N customers by COPY, the CSV files) is timed but not measured.
Measured: ``register_file`` + ``run_load`` of a file of N rows (the real path), the peak-RSS
growth of this process during a load of N/10 rows and then of N rows, and, as the reference,
a plain COPY of the same file into a table with no checks and no indexes.

The speed of a shared 2-core machine drifts by a factor of two within minutes, so load and
reference take turns (--rounds, default 3; each round loads the same bytes for a campaign of
its own, since a file is never applied twice to one target) and the last line gives the
medians. Two more loads show the slower paths: the same file plus one unknown customer (the
row is checked one by one), and the N/10 file plus one unreadable number (the careful path).
DEBUG is off. A load that does not succeed with the rows and rejects it should have, or a
reference COPY that stores fewer rows, counts as an error.
Last line: load_rows_per_s=… copy_rows_per_s=… ratio=… peak_rss_mib=… errors=…
"""

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The same prefixes as the demo: prefix = i % 10, number = i // 10, so phones stay unique to 10 M.
PREFIXES = ["50", "51", "53", "57", "60", "66", "69", "72", "79", "88"]
SEGMENTS = ["prepaid", "postpaid", "small_business", "corporate"]
TIERS = ["bronze", "silver", "gold", "platinum"]
CHANNELS = ["store", "inbound_call", "app", "web", "ussd", ""]
CUSTOMER_COLUMNS = [
    "external_id", "phone", "name", "segment", "value_tier", "customer_since", "preferred_channel",
    "consent_marketing", "consent_calls", "consent_sms", "consent_app_push", "consent_digital",
    "do_not_contact", "created_at", "updated_at",
]  # fmt: skip
BATCH = 10_000  # rows per write: keeps the set-up's own peak RSS below the loads'
CHUNK = 1 << 20
OFFER_CODE = "BENCH-OFFER"


def fresh_database(url: str) -> str:
    """Drop and create ``<name>_loadbench`` beside the database of ``url``; return its URL."""
    base, name = url.rsplit("/", 1)
    name = f"{name.split('?', 1)[0]}_loadbench"
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return f"{base}/{name}"


def maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def copy_customers(url: str, rows: int) -> None:
    """N customers straight into campaigns_customer by COPY (text format), in batches."""
    import psycopg

    copy_sql = f"COPY campaigns_customer ({', '.join(CUSTOMER_COLUMNS)}) FROM STDIN"
    stamp = "2026-01-01 00:00:00+00"
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        with cur.copy(copy_sql) as copy:
            for start in range(0, rows, BATCH):
                lines = []
                for i in range(start, min(start + BATCH, rows)):
                    flags = "\t".join("t" if (i >> bit) & 1 else "f" for bit in range(5))
                    lines.append(
                        f"C{i:08d}\t+48{PREFIXES[i % 10]}{i // 10:07d}\tBench Customer {i}\t"
                        f"{SEGMENTS[i % 4]}\t{TIERS[i // 4 % 4]}\t"
                        f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}\t{CHANNELS[i % 6]}\t"
                        f"{flags}\t{'t' if i % 50 == 0 else 'f'}\t{stamp}\t{stamp}\n"
                    )
                copy.write("".join(lines))
        # As autovacuum does after a big insert (PostgreSQL 13+): statistics and the
        # visibility map, which lets a load check its customers from the index alone.
        cur.execute("VACUUM ANALYZE campaigns_customer")


def write_target_group(path: Path, rows: int) -> None:
    """A target-group file of ``rows`` members (customers 0..rows-1, in a scrambled order),
    written in batches so the whole file is never in memory; then its marker."""
    stride = 1_000_003  # visits every customer once when coprime with rows
    while math.gcd(stride, rows) != 1:
        stride += 2
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("customer_id,offer_code,propensity,expected_value,rank,segment_hint\n")
        for start in range(0, rows, BATCH):
            lines = []
            for rank in range(start + 1, min(start + BATCH, rows) + 1):
                i = (rank * stride) % rows
                offer = OFFER_CODE if i % 2 == 0 else ""
                lines.append(
                    f"C{i:08d},{offer},{(i * 7919 % 10000) / 10000:.4f},"
                    f"{i * 31 % 500_000 / 100:.2f},{rank},{SEGMENTS[i % 4]}\n"
                )
            handle.write("".join(lines))
    path.with_name(path.name + ".ok").write_text("", encoding="utf-8")


ERRORS: list[str] = []  # what went wrong, printed; their number ends the last line


def timed_load(path: Path, rows: int, rejected: int = 0) -> tuple[float, float, object]:
    """register_file + run_load of one file; returns (seconds, peak-RSS growth in MiB, run).
    A load that did not do its work is noted in ERRORS."""
    from campaigns.choices import LoadStatus
    from campaigns.loads.files import parse_name
    from campaigns.loads.runs import register_file, run_load

    rss_before = maxrss_kib()
    started = time.perf_counter()
    run = register_file(parse_name(path), started_by="bench")
    run = run_load(run_id=run.pk)
    seconds = time.perf_counter() - started
    growth = (maxrss_kib() - rss_before) / 1024
    if run.status != LoadStatus.SUCCEEDED:
        ERRORS.append(f"load of {path.name} ended {run.status}: {run.error}")
    elif (run.rows_loaded, run.rows_rejected) != (rows, rejected):
        ERRORS.append(
            f"load of {path.name}: {run.rows_loaded} rows loaded of {rows}, "
            f"{run.rows_rejected} rejected of {rejected}"
        )
    return seconds, growth, run


def copy_reference(url: str, path: Path) -> tuple[float, int]:
    """Bare COPY of the same file (header skipped) into a table with no checks and no indexes."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy_ref")
        cur.execute(
            "CREATE TABLE bench_copy_ref (customer_id text, offer_code text, propensity float8, "
            "expected_value numeric(12,2), rank int, segment_hint text)"
        )
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cur.copy("COPY bench_copy_ref FROM STDIN (FORMAT csv)") as copy,
        ):
            handle.readline()
            while data := handle.read(CHUNK):
                copy.write(data)
        seconds = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM bench_copy_ref")
        copied = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_copy_ref")
    return seconds, copied


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="load/reference pairs (median)")
    args = parser.parse_args()
    rows = args.rows
    if not 10 <= rows <= 10_000_000:
        sys.exit("--rows must be between 10 and 10000000 (phone numbers are unique up to 10 M).")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/name): this "
            "benchmark measures the PostgreSQL COPY fast path."
        )

    inbox = Path(tempfile.mkdtemp(prefix="cvm_loadbench_"))
    env = dict(
        os.environ,
        DATABASE_URL=fresh_database(url),
        DJANGO_SETTINGS_MODULE="cvm_portal.settings",
        CVM_INBOX=str(inbox),
    )
    os.environ.update(env)
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            check=True,
            env=env,
        )
        import django

        django.setup()
        from datetime import timedelta
        from decimal import Decimal

        from django.db import connection
        from django.utils import timezone

        from bench.common import last_line, production_mode
        from campaigns.models import Campaign, Offer, Product

        production_mode()

        small = max(rows // 10, 1)
        now = timezone.now()
        product = Product.objects.create(code="BENCH-PRODUCT", name="Bench", family="mobile_plan")
        offer = Offer.objects.create(
            code=OFFER_CODE,
            product=product,
            title="Bench offer",
            benefit="For the load benchmark.",
            value=Decimal("10.00"),
            valid_from=now - timedelta(days=1),
            channel_kinds=["store"],
        )
        codes = ["BENCH-LOAD-SMALL", "BENCH-LOAD-REPAIR", "BENCH-LOAD-CAREFUL"]
        codes += [f"BENCH-LOAD-{n}" for n in range(1, args.rounds + 1)]
        for code in codes:
            campaign = Campaign.objects.create(
                code=code,
                name="Load benchmark",
                objective="retention",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                channel_kinds=["store"],
                control_share=Decimal(10),
            )
            campaign.offers.add(offer)

        started = time.perf_counter()
        copy_customers(env["DATABASE_URL"], rows)
        customers_s = time.perf_counter() - started
        stamp = timezone.localdate().strftime("%Y%m%d")
        small_path = inbox / f"target_group__BENCH-LOAD-SMALL__{stamp}.csv"
        big_path = inbox / "big.csv"
        started = time.perf_counter()
        write_target_group(small_path, small)
        write_target_group(big_path, rows)
        files_s = time.perf_counter() - started
        size_mib = big_path.stat().st_size / (1 << 20)
        print(
            f"database={connection.vendor} rows={rows} small_rows={small} file_mib={size_mib:.1f}"
        )
        print(
            f"setup: customers_copy_s={customers_s:.2f} ({rows / customers_s:.0f}/s) csv_write_s={files_s:.2f}"
        )

        print(f"maxrss before the loads: {maxrss_kib() / 1024:.1f} MiB")
        small_s, small_rss, _run = timed_load(small_path, small)
        print(
            f"load small: rows={small} seconds={small_s:.2f} rows_per_s={small / small_s:.0f} "
            f"peak_rss_growth_mib={small_rss:.1f}"
        )
        load_times, copy_times, load_rss = [], [], 0.0
        for n in range(1, args.rounds + 1):
            path = inbox / f"target_group__BENCH-LOAD-{n}__{stamp}.csv"
            os.link(big_path, path)
            path.with_name(path.name + ".ok").write_text("", encoding="utf-8")
            load_s, rss, run = timed_load(path, rows)
            load_rss = max(load_rss, rss)
            copy_s, copied = copy_reference(env["DATABASE_URL"], big_path)
            if copied != rows:
                ERRORS.append(f"reference COPY stored {copied} rows of {rows}")
            load_times.append(load_s)
            copy_times.append(copy_s)
            print(
                f"round {n}: load seconds={load_s:.2f} rows_per_s={rows / load_s:.0f} "
                f"(run {run.duration_seconds:.2f} s, rejected={run.rows_rejected}) | "
                f"reference COPY seconds={copy_s:.2f} rows_per_s={rows / copy_s:.0f} | "
                f"ratio={copy_s / load_s:.2f} peak_rss_growth_mib={rss:.1f}"
            )

        # A file with one row that breaks a rule: COPY takes it, then it is checked one by one.
        repair_path = inbox / f"target_group__BENCH-LOAD-REPAIR__{stamp}.csv"
        shutil.copyfile(big_path, repair_path)
        with repair_path.open("a", encoding="utf-8") as handle:
            handle.write("NOT-A-CUSTOMER,,0.5,1.00,1,prepaid\n")
        repair_path.with_name(repair_path.name + ".ok").write_text("", encoding="utf-8")
        repair_s, _rss, repair_run = timed_load(repair_path, rows, rejected=1)
        print(
            f"one unknown customer in {rows + 1} rows (checked one by one): seconds={repair_s:.2f} "
            f"rows_per_s={(rows + 1) / repair_s:.0f} rejected={repair_run.rows_rejected}"
        )
        # A file with a value COPY cannot read takes the careful path (timed on N/10 rows).
        careful_path = inbox / f"target_group__BENCH-LOAD-CAREFUL__{stamp}.csv"
        shutil.copyfile(small_path, careful_path)
        with careful_path.open("a", encoding="utf-8") as handle:
            handle.write(f"C{rows - 1:08d},,abc,1.00,1,prepaid\n")
        careful_path.with_name(careful_path.name + ".ok").write_text("", encoding="utf-8")
        careful_s, _rss, careful_run = timed_load(careful_path, small, rejected=1)
        print(
            f"one unreadable number in {small + 1} rows (careful path): seconds={careful_s:.2f} "
            f"rows_per_s={(small + 1) / careful_s:.0f} rejected={careful_run.rows_rejected}"
        )

        load_rate = rows / statistics.median(load_times)
        copy_rate = rows / statistics.median(copy_times)
        for error in ERRORS:
            print(f"error: {error}")
        last_line(
            f"load_rows_per_s={load_rate:.0f} copy_rows_per_s={copy_rate:.0f} "
            f"ratio={load_rate / copy_rate:.2f} peak_rss_mib={load_rss:.1f}",
            len(ERRORS),
        )
    finally:
        shutil.rmtree(inbox, ignore_errors=True)


if __name__ == "__main__":
    main()
