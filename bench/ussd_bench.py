"""The USSD gateway in-process on PostgreSQL: whole caller sessions through Django's test client.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cvm_bench_ussd [REDIS_URL=redis://…]
       .venv/bin/python bench/ussd_bench.py [--sessions N]

Builds (or reuses) N + 50 customers with phone numbers, an always-on campaign with four USSD
offers of four product families, a policy giving digital channels three offers, and the
gateway's API client. Then N callers (default 1,000) each go through a whole session, five
callbacks as Africa's Talking sends them, with the key in the URL: the menu (a decision, the
caller found by phone and audited), an offer, back, another offer, and "accept" (even
sessions) or "not now" (odd ones), each recorded. Every callback goes through the whole
middleware stack, authentication and the view, with DEBUG off; the first 50 sessions warm up
and are not timed. The session cache is Redis when REDIS_URL is set (as in production),
otherwise local memory. Errors: a screen that is not the one expected, is not 200 or does not
fit one USSD page; a session whose outcome or decision is not recorded exactly once.
Outcomes of an earlier run are deleted first (an accepted offer starts the campaign's
cooldown, and a reused caller would get no offers).

Last line: ussd_p95_ms=… screens=… errors=…
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WARM_UP = 50
OFFERS = [  # code, family, value, title, USSD text
    ("USSD-DATA", "data_addon", 40, "20 GB for 15 PLN", "20 GB of data for 15 PLN a month."),
    ("USSD-FIBRE", "broadband", 30, "Fibre 1 Gb/s", "Fibre 1 Gb/s at home, 3 months free."),
    ("USSD-TV", "tv", 20, "TV Family", "120 channels for the family, 25 PLN a month."),
    ("USSD-ROAM", "roaming", 10, "Roaming EU", "Roaming in the EU, 10 GB for 20 PLN."),
]
PATH = ["", "1", "1*0", "1*0*2"]  # then "1*0*2*1" (accept) or "1*0*2*2" (not now)


def phone(n: int) -> str:
    return f"+4851{n:07d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "")

    from bench.common import last_line, pct, production_mode, setup_postgres

    setup_postgres("cvm_bench_ussd")
    from django.conf import settings

    if redis_url:  # setup_postgres leaves Redis out; the gateway's sessions live there
        settings.CACHES = {
            "default": {
                "BACKEND": "cvm_portal.cache.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "cvm-ussd-bench",
            }
        }
    production_mode()
    from django.core.cache import cache
    from django.test import Client

    from campaigns.formats import measure
    from campaigns.models import Decision, Response
    from channels.models import UssdSession

    total = args.sessions + WARM_UP
    gateway, key = _build(total)
    cache.clear()
    print(f"cache: {'redis' if redis_url else 'local memory'}; callers: {total:,}")
    # A clean slate: outcomes, decisions and sessions of the gateway's earlier runs go.
    UssdSession.objects.all().delete()
    Response.objects.filter(agent=gateway.user).delete()
    Decision.objects.filter(agent=gateway.user).delete()

    client = Client()
    url = f"/api/v1/ussd/?key={key}"
    timings: list[float] = []
    by_step: dict[int, list[float]] = {}  # screen number in the session → its timings
    errors = 0
    for n in range(total):
        accept = n % 2 == 0
        texts = [*PATH, "1*0*2*1" if accept else "1*0*2*2"]
        for text in texts:
            form = {
                "sessionId": f"bench-{n}",
                "serviceCode": "*384*1#",
                "phoneNumber": phone(n),
                "text": text,
            }
            started = time.perf_counter()
            response = client.post(url, form)
            took = (time.perf_counter() - started) * 1000
            if n >= WARM_UP:
                timings.append(took)
                by_step.setdefault(texts.index(text), []).append(took)
            errors += not _as_expected(response, text, accept, measure)
    sessions = Decision.objects.filter(agent=gateway.user).count()
    outcomes = Response.objects.filter(agent=gateway.user).count()
    errors += abs(sessions - total) + abs(outcomes - total)
    print(f"decisions: {sessions:,}, outcomes: {outcomes:,} (expected {total:,} each)")
    print(
        f"per screen: p50 {statistics.median(timings):.2f} ms, p95 {pct(timings, 95):.2f} ms, "
        f"p99 {pct(timings, 99):.2f} ms, max {max(timings):.2f} ms over {len(timings):,} screens"
    )
    steps = ", ".join(
        f"{step + 1}: {statistics.median(ms):.1f}/{pct(ms, 95):.1f}"
        for step, ms in sorted(by_step.items())
    )
    print(f"by screen (p50/p95 ms): {steps}; load average: {os.getloadavg()[0]:.1f}")
    last_line(f"ussd_p95_ms={pct(timings, 95):.2f} screens={len(timings)}", errors)


def _as_expected(response, text: str, accept: bool, measure) -> bool:
    if response.status_code != 200:
        return False
    answer = response.content.decode()
    if not measure("ussd", answer[4:]).fits:
        return False
    if text in ("", "1*0"):
        return answer.startswith("CON Offers for you:\n1. 20 GB")
    if text in ("1", "1*0*2"):
        return answer.startswith("CON ") and answer.endswith("1 Accept 2 Not now 0 Back")
    return answer.startswith("END Thank you! We have noted" if accept else "END Thank you. The")


def _build(total: int):
    """The customers, the always-on campaign and the gateway's client (made once, reused)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from campaigns.models import (
        Campaign,
        ContactPolicy,
        Customer,
        EligibilityRule,
        Offer,
        OfferContent,
        Product,
    )
    from channels.api.clients import create_client, issue_key
    from channels.models import ApiClient

    now = timezone.now()
    with transaction.atomic():
        ContactPolicy.objects.update_or_create(pk=1, defaults={"digital_offers": 3})
        have = set(
            Customer.objects.filter(external_id__startswith="USSD-").values_list(
                "external_id", flat=True
            )
        )
        Customer.objects.bulk_create(
            [
                Customer(
                    external_id=f"USSD-{n:07d}",
                    phone=phone(n),
                    name=f"Caller {n}",
                    segment="postpaid",
                    value_tier="silver",
                    customer_since=(now - timedelta(days=800)).date(),
                    consent_sms=True,
                    consent_marketing=True,
                )
                for n in range(total)
                if f"USSD-{n:07d}" not in have
            ],
            batch_size=2000,
        )
        campaign = Campaign.objects.filter(code="BENCH-USSD").first()
        if campaign is None or campaign.ends_at < now + timedelta(days=1):
            Campaign.objects.filter(code="BENCH-USSD").update(code=f"BENCH-USSD-{now:%s}")
            campaign = Campaign.objects.create(
                code="BENCH-USSD",
                name="USSD bench",
                objective="upsell",
                status="live",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=60),
                channel_kinds=["ussd"],
                cooldown_days=1,
                control_share=Decimal(0),
            )
            for code, family, value, title, text in OFFERS:
                product, _ = Product.objects.get_or_create(
                    code=code, defaults={"name": title, "family": family}
                )
                offer, _ = Offer.objects.update_or_create(
                    code=f"{code}-{now:%s}",
                    defaults={
                        "product": product,
                        "title": title,
                        "benefit": text,
                        "value": Decimal(value),
                        "valid_from": now - timedelta(days=1),
                        "valid_until": now + timedelta(days=60),
                        "channel_kinds": ["ussd"],
                    },
                )
                OfferContent.objects.create(offer=offer, channel_kind="ussd", short_text=text)
                campaign.offers.add(offer)
            EligibilityRule.objects.create(campaign=campaign)
        gateway = ApiClient.objects.filter(name="USSD bench gateway").first()
        if gateway is None:
            _row, key = create_client(
                client=ApiClient(name="USSD bench gateway", channel_kinds=["ussd"])
            )
            gateway = ApiClient.objects.get(name="USSD bench gateway")
        else:
            _row, key = issue_key(client=gateway)
    return gateway, key


if __name__ == "__main__":
    main()
