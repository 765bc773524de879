"""Time ``manage.py demo`` on a fresh database and compare the customer writes with a raw INSERT.

Usage: .venv/bin/python bench/demo_bench.py [--customers N]
Uses a fresh SQLite file by default; with DATABASE_URL set, a fresh PostgreSQL database
named ``<name>_bench`` beside it. The demo runs with DEBUG off (in its own process, as
``manage.py demo`` would, which refuses production mode: it creates users with a published
password). It must have loaded every customer, through a load run that succeeded: anything
else counts as an error.
Last line: demo_s=… customers_per_s=… raw_insert_per_s=… ratio=… errors=…
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# ``manage.py demo --customers N`` with DEBUG off, as a server runs: the debug cursor would
# format and keep every query. (Production mode is decided by the environment, and the demo
# command refuses it; DEBUG alone is what slows the ORM.)
DEMO_WITHOUT_DEBUG = """
import sys
import django
from django.conf import settings
from django.core.management import call_command
django.setup()
settings.DEBUG = False
call_command("demo", customers=int(sys.argv[1]))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cvm_portal.settings")
    if env.get("DATABASE_URL"):
        base = env["DATABASE_URL"].rsplit("/", 1)
        name = f"{base[1]}_bench"
        subprocess.run(
            ["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = f"{base[0]}/{name}"
    else:
        env["CVM_SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    env["CVM_INBOX"] = str(Path(tempfile.mkdtemp()) / "inbox")
    os.environ.update(env)

    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], check=True, env=env)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", DEMO_WITHOUT_DEBUG, str(args.customers)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    demo_s = time.perf_counter() - started

    import django

    django.setup()
    from django.db import connection

    from bench.common import last_line
    from campaigns.demo import CUSTOMER_FIELDS, demo_customer
    from campaigns.models import Customer, LoadRun

    print("DEBUG=False (the demo's process)")
    # The customer snapshot went through the real load path: its run says how fast.
    snapshot = LoadRun.objects.filter(kind="customers").latest("created_at")
    upsert_s = snapshot.duration_seconds or float("nan")
    errors = (snapshot.status != "succeeded") + (snapshot.rows_loaded != args.customers)
    errors += Customer.objects.count() < args.customers

    # Reference: the same number of rows by a plain executemany INSERT into a bare table.
    from random import Random

    from django.utils import timezone

    rng, today = Random(2026), timezone.localdate()
    rows = []
    for n in range(1, args.customers + 1):
        c = demo_customer(n, rng, today)
        rows.append((c.external_id, *[getattr(c, f) for f in CUSTOMER_FIELDS]))
    columns = ["external_id", *CUSTOMER_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_customer_raw")
        cursor.execute(
            "CREATE TABLE bench_customer_raw ("
            + ", ".join(f"{c} varchar(200)" for c in columns)
            + ")"
        )
        started = time.perf_counter()
        cursor.executemany(
            f"INSERT INTO bench_customer_raw ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            [tuple(str(v) for v in r) for r in rows],
        )
        raw_s = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_customer_raw")

    print(f"database={connection.vendor} customers={args.customers}")
    last_line(
        f"demo_s={demo_s:.2f} customers_per_s={args.customers / upsert_s:.0f} "
        f"raw_insert_per_s={args.customers / raw_s:.0f} ratio={raw_s / upsert_s:.2f}",
        errors,
    )


if __name__ == "__main__":
    main()
