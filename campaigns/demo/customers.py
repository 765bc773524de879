"""Demo customers and the warehouse files that carry them (customer snapshot, target groups).

A target group holds a customer only with an offer whose words are true of them
(``DemoOffer.fits``: no "your current plan" to a prepaid customer, no data pack to one with
unlimited data), and the files of some campaigns say why, per member, in a ``reason`` column.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from campaigns.choices import (
    CONTACT_FLAG_FIELDS,
    ChannelKind,
    Segment,
    ValueTier,
)
from campaigns.loads.files import MARKER_SUFFIX
from campaigns.models import (
    Campaign,
    Customer,
)

from .catalogue import DEMO_OFFERS
from .conversions import write_conversion_file
from .service_contacts import write_contacts_file

FIRST_NAMES = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Zofia",
    "Julia",
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Jan",
    "Michał",
    "Marcin",
    "Jakub",
    "Adam",
    "Olivia",
    "Noah",
    "Emma",
    "Liam",
    "Sofia",
    "Lucas",
]
LAST_NAMES = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Smith",
    "Müller",
    "García",
    "Rossi",
]
# Polish mobile prefixes; each customer number is prefix + a 7-digit sequence, so numbers are unique.
MOBILE_PREFIXES = ["50", "51", "53", "57", "60", "66", "69", "72", "79", "88"]

CUSTOMER_FIELDS = [
    "phone",
    "name",
    "segment",
    "value_tier",
    "customer_since",
    "preferred_channel",
    "consent_marketing",
    "consent_calls",
    "consent_sms",
    "consent_app_push",
    "consent_digital",
    "do_not_contact",
]


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_customer(n: int, rng: random.Random, today: date) -> Customer:
    """The n-th demo customer; the same n and seed always give the same person."""
    segment = _weighted(
        rng,
        [
            (Segment.PREPAID, 35),
            (Segment.POSTPAID, 50),
            (Segment.SMALL_BUSINESS, 12),
            (Segment.CORPORATE, 3),
        ],
    )
    tier = _weighted(
        rng,
        [
            (ValueTier.BRONZE, 40),
            (ValueTier.SILVER, 35),
            (ValueTier.GOLD, 20),
            (ValueTier.PLATINUM, 5),
        ],
    )
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if first.endswith("a") and last.endswith(("ski", "cki")):
        last = last[:-1] + "a"  # Polish surnames in -ski/-cki take -ska/-cka for women
    return Customer(
        external_id=f"C{n:07d}",
        phone=f"+48{MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]}{n:07d}",
        name=f"{first} {last}",
        segment=segment,
        value_tier=tier,
        customer_since=today - timedelta(days=rng.randint(20, 15 * 365)),
        preferred_channel=_weighted(
            rng,
            [
                (ChannelKind.STORE, 30),
                (ChannelKind.INBOUND_CALL, 20),
                (ChannelKind.APP, 25),
                (ChannelKind.WEB, 15),
                (ChannelKind.USSD, 5),
                ("", 5),
            ],
        ),
        consent_marketing=rng.random() < 0.85,
        consent_calls=rng.random() < 0.55,
        consent_sms=rng.random() < 0.7,
        consent_app_push=rng.random() < 0.45,
        consent_digital=rng.random() < 0.6,
        do_not_contact=rng.random() < 0.02,
        holdings=demo_holdings(n, segment),
    )


def demo_customers(count: int, *, seed: int = 2026) -> list[Customer]:
    """The demo's first ``count`` customers, unsaved: the same people every time."""
    rng = random.Random(seed)
    today = timezone.localdate()
    return [demo_customer(n, rng, today) for n in range(1, count + 1)]


def demo_holdings(n: int, segment: str) -> list[str]:
    """What the n-th demo customer has, from its own generator (the other attributes stay as they were)."""
    rng = random.Random(n * 7919)
    held = []
    if segment != Segment.PREPAID:  # a monthly bill: the unlimited plan, or the basic one
        held.append("PLAN-5G-UNL" if rng.random() < 0.4 else "PLAN-M")
    if rng.random() < 0.35:
        held.append("FIBRE-1G")
        if rng.random() < 0.25:
            held.append("TV-PLUS")
    if rng.random() < 0.1:
        held.append("INS-DEVICE")
    return sorted(held)


def _write_gzip_csv(path: Path, header: list[str], rows) -> None:
    """Write a gzip CSV deterministically (no timestamp in the gzip header), then its marker."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
        text.flush()
        text.detach()
    tmp.rename(path)
    path.with_name(path.name + MARKER_SUFFIX).write_text("", encoding="utf-8")


def write_customer_file(inbox: Path, *, customers: list[Customer], day: date) -> Path:
    """The demo's customer snapshot, as the warehouse would deliver it."""
    path = inbox / f"customers__{day:%Y%m%d}.csv.gz"
    if path.exists():
        return path

    def rows():
        for c in customers:
            yield [
                c.external_id, c.phone, c.name, c.segment, c.value_tier, c.customer_since.isoformat(),
                c.preferred_channel, *(int(getattr(c, f)) for f in CONSENT_COLUMNS),
                ";".join(c.holdings),
            ]  # fmt: skip

    _write_gzip_csv(
        path,
        [
            "customer_id",
            "phone",
            "name",
            "segment",
            "value_tier",
            "customer_since",
            "preferred_channel",
            *CONSENT_COLUMNS,
            "products",
        ],
        rows(),
    )
    return path


CONSENT_COLUMNS = CONTACT_FLAG_FIELDS

# Target-group files of the demo: (campaign, day offset, members, share of unknown customers).
# XS-FIBRE gets yesterday's and today's file, so it has a replaced version; WB-FAMILY's file
# has too many unknown customers and fails its 1 % threshold, so the failure page has a case.
TARGET_GROUP_FILES = [
    ("XS-FIBRE", -1, 2500, 0.0),
    ("RET-5G-Q4", 0, 3000, 0.002),
    ("XS-FIBRE", 0, 2800, 0.0),
    ("UP-DATA", 0, 4000, 0.001),
    ("WB-FAMILY", 0, 1500, 0.04),
    ("XS-TV-XMAS", 0, 1800, 0.0),  # in review: its audience, for the pre-live checks
]
# What the warehouse knows of a member and says in the file's ``reason`` column, by the offer
# it suggests: files of campaigns with any of these offers carry the column (RET-5G-Q4,
# UP-DATA); the others (XS-FIBRE) leave the reason to the customer's facts. The numbers are
# the customer's own (``_usage``), so two campaigns never tell an agent two stories.
REASONS = {
    "5G-RETAIN-20": [
        "Contract ends in {weeks} weeks",
        "Contract ends in {weeks} weeks; asked about ending it early",
        "Contract ends in {weeks} weeks; {calls} calls to support this quarter",
    ],
    "5G-UPGRADE-10": ["Ran out of data in {months} of the last 3 months"],
    "DATA-20-PACK": [
        "Used all data in {months} of the last 3 months",
        "Used all data in {months} of the last 3 months, {days} days early last time",
    ],
    "DATA-5-USSD": ["Uses most of the month's data at weekends"],
}


def _usage(external_id: str) -> dict[str, int]:
    """What the warehouse knows of one customer's usage and contract: the same every time."""
    rng = random.Random(f"usage:{external_id}")
    return {
        "months": rng.choice([2, 3]),
        "days": rng.randint(3, 12),
        "weeks": rng.randint(3, 10),
        "calls": rng.randint(2, 5),
    }


def _reason(offer_code: str, external_id: str, rng: random.Random) -> str:
    return rng.choice(REASONS.get(offer_code) or [""]).format(**_usage(external_id))


def write_target_group_file(
    inbox: Path,
    *,
    code: str,
    day: date,
    members: int,
    unknown_share: float,
    customers: list[Customer],
) -> Path:
    """A target group as the warehouse would deliver it: members with offer, propensity, value,
    rank (and a reason for some campaigns), each with an offer that fits them."""
    path = inbox / f"target_group__{code}__{day:%Y%m%d}.csv.gz"
    if path.exists():
        return path
    rng = random.Random(f"{code}:{day.isoformat()}")
    campaign = Campaign.objects.get(code=code)
    offers = [
        (offer_code, value)
        for offer_code, value in campaign.offers.order_by("code").values_list("code", "value")
        if offer_code in DEMO_OFFERS
    ]
    candidates = []
    for customer in customers:
        fitting = [(c, v) for c, v in offers if DEMO_OFFERS[c].fits(customer)]
        if fitting:
            candidates.append((customer.external_id, fitting))
    with_reasons = any(offer_code in REASONS for offer_code, _value in offers)
    scored = []
    for external, fitting in rng.sample(candidates, min(members, len(candidates))):
        offer_code, value = rng.choice(fitting)
        propensity = round(rng.betavariate(2, 5), 4)
        if rng.random() < unknown_share:
            external = f"X{external[1:]}"
        expected = round(float(value) * 12 * propensity, 2)
        reason = [_reason(offer_code, external, rng)] if with_reasons else []
        scored.append((propensity, external, offer_code, expected, reason))
    scored.sort(reverse=True)
    rows = (
        [external, offer_code, propensity, expected, rank, *reason,
         rng.choice(["tenure", "usage", "churn_score", "lookalike"])]
        for rank, (propensity, external, offer_code, expected, reason) in enumerate(scored, start=1)
    )  # fmt: skip
    header = ["customer_id", "offer_code", "propensity", "expected_value", "rank"]
    _write_gzip_csv(path, [*header, *(["reason"] if with_reasons else []), "model_driver"], rows)
    return path


def write_demo_inbox(inbox: Path, *, customer_count: int) -> list[Path]:
    """Drop the demo's warehouse files into ``inbox`` (files already there are kept as they are)."""
    inbox.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    customers = demo_customers(customer_count)
    written = [write_customer_file(inbox, customers=customers, day=today - timedelta(days=1))]
    for code, offset, members, unknown in TARGET_GROUP_FILES:
        written.append(
            write_target_group_file(
                inbox, code=code, day=today + timedelta(days=offset), members=members,
                unknown_share=unknown, customers=customers,
            )
        )  # fmt: skip
    written.append(
        write_conversion_file(
            inbox, day=today - timedelta(days=1), target_groups=written, customers=customers,
            write=_write_gzip_csv,
        )
    )  # fmt: skip
    written.append(
        write_contacts_file(
            inbox, day=today - timedelta(days=1), customers=customers, write=_write_gzip_csv
        )
    )
    return written
