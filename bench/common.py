"""What every benchmark shares, so that none can flatter the code it times.

- ``production_mode``: DEBUG off, as a server runs (a debug cursor formats and keeps every query).
- ``refuse_expired``: a reused database whose campaigns have ended would time decisions that
  find nothing to decide; refuse it and say how to rebuild.
- ``copy_contact_history``: past contacts (decisions, presentations, outcomes) by COPY, so the
  contact policy reads a history as it would in production, not an empty table.
- ``last_line``: the figures and the error count, on the last line every script prints.
- ``setup_postgres``: the PostgreSQL database of DATABASE_URL made (if new) and migrated, Django
  set up on it, without Redis (a bench times the database, not the cache).
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_postgres(example: str) -> None:
    """Make (if new) and migrate the PostgreSQL database DATABASE_URL names, then set Django up
    on it without Redis. ``example``: a database name for the message when DATABASE_URL is not
    PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            f"Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/{example}"
        )
    db = url.rsplit("/", 1)[1]
    os.environ["DJANGO_SETTINGS_MODULE"] = "cvm_portal.settings"
    os.environ.pop("REDIS_URL", None)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], capture_output=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        check=True,
        env=dict(os.environ),
    )
    import django

    django.setup()


def pct(samples: list[float], n: int) -> float:
    """The n-th percentile of ``samples``."""
    return statistics.quantiles(samples, n=100)[n - 1]


def production_mode() -> None:
    """DEBUG off for this process (after ``django.setup()``), and say so."""
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]  # the test client's "testserver"
    print(f"DEBUG={settings.DEBUG}")


def refuse_expired(campaigns, *, at: datetime, database: str) -> None:
    """Exit with a clear message if any of ``campaigns`` (a queryset) is not live at ``at``, or
    has an offer not valid then: timing decisions against ended campaigns measures nothing."""
    ended = [
        c.code
        for c in campaigns.prefetch_related("offers")
        if c.status != "live"
        or not c.starts_at <= at < c.ends_at
        or any(not o.is_valid_at(at) for o in c.offers.all())
    ]
    if ended:
        sys.exit(
            f"The database {database} holds campaigns that are not live now ({', '.join(ended[:5])}"
            f"{'…' if len(ended) > 5 else ''}): its figures would time calls with nothing to do. "
            f"Drop it (dropdb -h 127.0.0.1 -U postgres {database}) and run again to rebuild."
        )


# One past contact: (customer id, campaign id, offer id, recorded at, outcome, decline reason id
# or None, channel kind, agent id or None, site id or None).
Contact = tuple


def copy_contact_history(cursor, contacts: Iterable[Contact]) -> int:
    """Write ``contacts`` as a decision with one presentation and its response each, by COPY on
    ``cursor`` (PostgreSQL); returns how many. Presentation ids are taken from the table's own
    sequence, so later writes of the portal go on from there."""
    contacts = list(contacts)
    if not contacts:
        return 0
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence('campaigns_presentation', 'id'))"
        " FROM generate_series(1, %s)",
        [len(contacts)],
    )
    presentation_ids = [row[0] for row in cursor.fetchall()]
    decision_ids = [uuid.uuid4() for _ in contacts]
    with cursor.copy(
        "COPY campaigns_decision (id, customer_id, channel_kind, agent_id, site_id, created_at)"
        " FROM STDIN"
    ) as copy:
        for decision, (customer, _c, _o, at, _out, _r, kind, agent, site) in zip(
            decision_ids, contacts, strict=True
        ):
            copy.write_row((decision, customer, kind, agent, site, at))
    with cursor.copy(
        "COPY campaigns_presentation (id, decision_id, offer_id, campaign_id, rank, score, reason,"
        " held_out) FROM STDIN"
    ) as copy:
        for pk, decision, (_cu, campaign, offer, *_rest) in zip(
            presentation_ids, decision_ids, contacts, strict=True
        ):
            copy.write_row((pk, decision, offer, campaign, 1, 1.0, "bench history", False))
    with cursor.copy(
        "COPY campaigns_response (presentation_id, customer_id, offer_id, campaign_id,"
        " channel_kind, outcome, decline_reason_id, not_presented_reason, agent_id, site_id,"
        " recorded_at) FROM STDIN"
    ) as copy:
        for pk, (customer, campaign, offer, at, outcome, reason, kind, agent, site) in zip(
            presentation_ids, contacts, strict=True
        ):
            not_presented = "no_time" if outcome == "not_presented" else ""
            copy.write_row(
                (
                    pk,
                    customer,
                    offer,
                    campaign,
                    kind,
                    outcome,
                    reason,
                    not_presented,
                    agent,
                    site,
                    at,
                )
            )
    return len(contacts)


def analyze_history(cursor) -> None:
    """Statistics of the contact tables after a bulk write, as autovacuum would gather them."""
    for table in ("campaigns_decision", "campaigns_presentation", "campaigns_response"):
        cursor.execute(f"ANALYZE {table}")


# Outcomes of past contacts, roughly as the console records them.
OUTCOMES = ["later", "declined", "not_presented", "accepted"]
OUTCOME_WEIGHTS = [45, 30, 15, 10]


def last_line(figures: str, errors: int) -> None:
    """The script's last line: its figures and how many timed calls failed or did no work."""
    print(f"{figures} errors={errors}")


def wait_for_portal(port: int) -> None:
    """Until the portal (or the bare reference) on ``port`` answers /health/ as a proxy would
    ask (X-Forwarded-Proto: https); exit after 30 s of silence."""
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing answers on port {port}")


CUSTOMERS_COPY = (
    "COPY campaigns_customer (external_id, phone, name, segment, value_tier, customer_since,"
    " preferred_channel, consent_marketing, consent_calls, consent_sms, consent_app_push,"
    " consent_digital, do_not_contact, created_at, updated_at) FROM STDIN"
)


def copy_customers(cursor, n: int, *, now: datetime, external_id, phone) -> None:
    """``n`` postpaid silver customers by COPY, every consent given: customer ``i`` (from 1)
    gets ``external_id(i)`` and ``phone(i)``."""
    with cursor.copy(CUSTOMERS_COPY) as copy:
        for i in range(1, n + 1):
            copy.write_row((external_id(i), phone(i), f"Customer {i}", "postpaid", "silver",
                            "2020-01-01", "", True, True, True, True, True, False, now, now))  # fmt: skip
