"""Deterministic demo data of the CVM side: customers, products, offers, campaigns.

Everything is keyed by code or external id and upserted, so running it again
changes nothing. Dates are anchored to the day it runs, so the live campaigns
are live whenever a newcomer starts the demo.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .choices import (
    CONTACT_FLAG_FIELDS,
    CampaignStatus,
    ChannelKind,
    Objective,
    ProductFamily,
    Segment,
    ValueTier,
)
from .defaults import ensure_decline_reasons
from .loads.files import MARKER_SUFFIX
from .models import (
    Campaign,
    Customer,
    DeclineReason,
    EligibilityRule,
    Offer,
    OfferContent,
    Product,
)

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


def demo_holdings(n: int, segment: str) -> list[str]:
    """What the n-th demo customer has, from its own generator (the other attributes stay as they were)."""
    rng = random.Random(n * 7919)
    held = []
    if segment != Segment.PREPAID and rng.random() < 0.4:
        held.append("PLAN-5G-UNL")
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


def write_customer_file(inbox: Path, *, count: int, day: date, seed: int = 2026) -> Path:
    """The demo's customer snapshot, as the warehouse would deliver it."""
    path = inbox / f"customers__{day:%Y%m%d}.csv.gz"
    if path.exists():
        return path
    rng = random.Random(seed)
    today = timezone.localdate()

    def rows():
        for n in range(1, count + 1):
            c = demo_customer(n, rng, today)
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
]


def write_target_group_file(
    inbox: Path, *, code: str, day: date, members: int, unknown_share: float, customer_count: int
) -> Path:
    """A target group as the warehouse would deliver it: members with offer, propensity, value, rank."""
    path = inbox / f"target_group__{code}__{day:%Y%m%d}.csv.gz"
    if path.exists():
        return path
    rng = random.Random(f"{code}:{day.isoformat()}")
    campaign = Campaign.objects.get(code=code)
    offers = list(campaign.offers.order_by("code").values_list("code", "value"))
    chosen = rng.sample(range(1, customer_count + 1), min(members, customer_count))
    scored = []
    for n in chosen:
        offer_code, value = rng.choice(offers)
        propensity = round(rng.betavariate(2, 5), 4)
        external = f"C{n:07d}" if rng.random() >= unknown_share else f"X{n:07d}"
        scored.append((propensity, external, offer_code, round(float(value) * 12 * propensity, 2)))
    scored.sort(reverse=True)
    rows = (
        [
            external,
            offer_code,
            propensity,
            expected,
            rank,
            rng.choice(["tenure", "usage", "churn_score", "lookalike"]),
        ]
        for rank, (propensity, external, offer_code, expected) in enumerate(scored, start=1)
    )
    _write_gzip_csv(
        path,
        ["customer_id", "offer_code", "propensity", "expected_value", "rank", "model_driver"],
        rows,
    )
    return path


def write_demo_inbox(inbox: Path, *, customer_count: int) -> list[Path]:
    """Drop the demo's warehouse files into ``inbox`` (files already there are kept as they are)."""
    inbox.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    written = [write_customer_file(inbox, count=customer_count, day=today - timedelta(days=1))]
    for code, offset, members, unknown in TARGET_GROUP_FILES:
        written.append(
            write_target_group_file(
                inbox, code=code, day=today + timedelta(days=offset), members=members,
                unknown_share=unknown, customer_count=customer_count,
            )
        )  # fmt: skip
    return written


@dataclass(frozen=True)
class DemoOffer:
    code: str
    product: str
    title: str
    benefit: str
    value: str
    kinds: tuple[str, ...]
    script: str
    short_text: str
    banner: str


PRODUCTS = [
    ("PLAN-5G-UNL", "Unlimited 5G plan", ProductFamily.MOBILE_PLAN),
    ("PLAN-FAMILY", "Family plan (up to 4 SIMs)", ProductFamily.MOBILE_PLAN),
    ("DATA-20GB", "20 GB data pack", ProductFamily.DATA_ADDON),
    ("DEV-PHONE", "Smartphone on instalments", ProductFamily.DEVICE),
    ("FIBRE-1G", "Fibre broadband 1 Gb/s", ProductFamily.BROADBAND),
    ("TV-PLUS", "TV Plus (120 channels)", ProductFamily.TV),
    ("INS-DEVICE", "Device insurance", ProductFamily.INSURANCE),
    ("ROAM-EUPLUS", "EU+ roaming pack", ProductFamily.ROAMING),
]

S, IN, OUT, F, W, A, C, U = (
    ChannelKind.STORE,
    ChannelKind.INBOUND_CALL,
    ChannelKind.OUTBOUND_CALL,
    ChannelKind.FIELD,
    ChannelKind.WEB,
    ChannelKind.APP,
    ChannelKind.CHATBOT,
    ChannelKind.USSD,
)

OFFERS = [
    DemoOffer(
        "TV-FIBRE-ADDON",
        "TV-PLUS",
        "TV Plus on your fibre",
        "120 channels on the fibre you already have, 20 PLN a month, no installation visit.",
        "20.00",
        (S, IN, W, A),
        "You already have our fibre, so TV Plus works on it straight away: 120 channels for 20 zloty a month, no technician needed. Shall I switch it on?",
        "",
        "TV Plus on your fibre: 20 PLN",
    ),
    DemoOffer(
        "5G-UPGRADE-10",
        "PLAN-5G-UNL",
        "Upgrade to unlimited 5G",
        "Unlimited 5G data for 10 PLN more a month, first 3 months free.",
        "10.00",
        (S, IN, OUT, W, A),
        "Your current plan runs out of data most months. For 10 zloty more you get unlimited 5G, and the first three months are free. Shall I switch it today?",
        "Unlimited 5G for +10 PLN/month, first 3 months free. Reply 1 to switch.",
        "Unlimited 5G, 3 months free",
    ),
    DemoOffer(
        "5G-RETAIN-20",
        "PLAN-5G-UNL",
        "Stay with 20% off",
        "20% off the monthly fee for 12 months when renewing for 24 months.",
        "8.00",
        (S, IN, OUT),
        "As a thank-you for staying with us, I can take 20 percent off your monthly fee for a year if you renew for two years.",
        "",
        "",
    ),
    DemoOffer(
        "FAMILY-ADD-SIM",
        "PLAN-FAMILY",
        "Add a family SIM",
        "Second SIM for 25 PLN with shared data.",
        "25.00",
        (S, IN, OUT, F, A),
        "You can add a family member for 25 zloty a month; they share your data and get their own number.",
        "",
        "Add a family SIM for 25 PLN",
    ),
    DemoOffer(
        "FAMILY-WINBACK",
        "PLAN-FAMILY",
        "Come back: family plan, 6 months at half price",
        "Family plan at 50% for 6 months for returning customers.",
        "45.00",
        (OUT, F),
        "We'd love to have you back: the family plan is half price for six months, with your old numbers kept.",
        "",
        "",
    ),
    DemoOffer(
        "DATA-20-PACK",
        "DATA-20GB",
        "20 GB extra data",
        "20 GB for 30 days for 15 PLN.",
        "15.00",
        (S, IN, U, A, W, C),
        "You used all your data last month. A 20 gigabyte pack is 15 zloty for 30 days.",
        "Out of data? 20 GB for 30 days, 15 PLN. Dial *100*20# to buy.",
        "20 GB for 15 PLN",
    ),
    DemoOffer(
        "DATA-5-USSD",
        "DATA-20GB",
        "5 GB weekend data",
        "5 GB for the weekend for 5 PLN.",
        "5.00",
        (U, A),
        "",
        "Weekend 5 GB for 5 PLN - reply YES to buy. Valid Fri-Sun.",
        "Weekend 5 GB for 5 PLN",
    ),
    DemoOffer(
        "PHONE-0-DOWN",
        "DEV-PHONE",
        "New phone, nothing down",
        "A new 5G phone in 24 instalments from 49 PLN, nothing to pay now.",
        "49.00",
        (S, IN, OUT, W),
        "Your phone is over three years old. We can give you a new 5G phone today with nothing to pay up front, from 49 zloty a month.",
        "",
        "New 5G phone, 0 PLN today",
    ),
    DemoOffer(
        "FIBRE-SWITCH",
        "FIBRE-1G",
        "Fibre 1 Gb/s at your address",
        "Fibre 1 Gb/s for 59 PLN, installation free.",
        "59.00",
        (S, IN, OUT, F, W),
        "Fibre is now available at your address: one gigabit for 59 zloty, and we install it free of charge.",
        "",
        "Fibre 1 Gb/s is here",
    ),
    DemoOffer(
        "FIBRE-BUNDLE",
        "FIBRE-1G",
        "Mobile + fibre bundle",
        "Fibre for 39 PLN when you also have a postpaid plan.",
        "39.00",
        (S, IN, OUT),
        "Because you already have a postpaid plan with us, fibre is only 39 zloty a month.",
        "",
        "",
    ),
    DemoOffer(
        "TV-XMAS",
        "TV-PLUS",
        "TV Plus free for December",
        "120 channels, December free, then 30 PLN.",
        "30.00",
        (S, IN, W, A),
        "With fibre you can add TV Plus: 120 channels, December is free and then it is 30 zloty a month.",
        "",
        "TV Plus: December free",
    ),
    DemoOffer(
        "INS-NEWPHONE",
        "INS-DEVICE",
        "Protect your new phone",
        "Screen and theft cover for 12 PLN a month.",
        "12.00",
        (S, IN),
        "For 12 zloty a month your new phone is covered for a broken screen and theft.",
        "",
        "",
    ),
    DemoOffer(
        "ROAM-EUPLUS-7",
        "ROAM-EUPLUS",
        "Travel pack: EU+ and UK",
        "7 days of data and calls in the EU, UK, Switzerland and Norway for 19 PLN.",
        "19.00",
        (U, A, W, C, IN),
        "Before your trip: 7 days of calls and data in the EU, UK, Switzerland and Norway for 19 zloty.",
        "Travelling? 7 days in EU+UK+CH+NO for 19 PLN. Dial *100*7#.",
        "Roam EU+ for 19 PLN",
    ),
]

# (code, name, objective, status, start offset months, length months, kinds, offers, weight, control %, cooldown)
CAMPAIGNS = [
    (
        "RET-5G-Q4",
        "Keep our best customers on 5G",
        Objective.RETENTION,
        CampaignStatus.LIVE,
        -1,
        3,
        (S, IN, OUT),
        ["5G-RETAIN-20", "5G-UPGRADE-10"],
        "1.50",
        "10",
        30,
    ),
    (
        "XS-FIBRE",
        "Fibre for mobile customers",
        Objective.CROSS_SELL,
        CampaignStatus.LIVE,
        -2,
        6,
        (S, IN, OUT, F, W),
        ["FIBRE-SWITCH", "FIBRE-BUNDLE"],
        "1.20",
        "5",
        45,
    ),
    (
        "UP-DATA",
        "Data packs for heavy users",
        Objective.UPSELL,
        CampaignStatus.LIVE,
        -1,
        4,
        (S, IN, U, A, W, C),
        ["DATA-20-PACK", "DATA-5-USSD"],
        "1.00",
        "10",
        14,
    ),
    (
        "WB-FAMILY",
        "Win back lost families",
        Objective.WIN_BACK,
        CampaignStatus.PAUSED,
        -1,
        3,
        (OUT, F),
        ["FAMILY-WINBACK"],
        "1.00",
        "15",
        90,
    ),
    (
        "XS-TV-XMAS",
        "TV Plus for Christmas",
        Objective.CROSS_SELL,
        CampaignStatus.IN_REVIEW,
        0,
        2,
        (S, IN, W, A),
        ["TV-XMAS"],
        "0.80",
        "10",
        30,
    ),
    (
        "UP-DEVICE-2027",
        "New phone, nothing down",
        Objective.UPSELL,
        CampaignStatus.DRAFT,
        1,
        3,
        (S, IN, OUT, W),
        ["PHONE-0-DOWN", "INS-NEWPHONE"],
        "1.00",
        "10",
        60,
    ),
]


# Always-on campaigns of the demo: no target group, an eligibility rule instead.
# (campaign code, name, objective, start offset months, length months, kinds, offers, control %, rule)
ALWAYS_ON = [
    (
        "AO-TV-FIBRE",
        "TV Plus for fibre homes",
        Objective.CROSS_SELL,
        -2,
        12,
        (S, IN, W, A),
        ["TV-FIBRE-ADDON"],
        "5",
        {
            "segments": [Segment.POSTPAID, Segment.SMALL_BUSINESS],
            "min_tenure_months": 6,
            "requires_product": "FIBRE-1G",
        },
    ),
]


def _month_start(today: date, offset: int) -> datetime:
    month_index = today.year * 12 + today.month - 1 + offset
    first = date(month_index // 12, month_index % 12 + 1, 1)
    return timezone.make_aware(datetime.combine(first, time.min))


@transaction.atomic
def build_catalogue(*, owner=None) -> dict[str, int]:
    """Upsert the demo products, offers with their channel content, and campaigns."""
    today = timezone.localdate()
    ensure_decline_reasons(DeclineReason)
    products = {}
    for code, name, family in PRODUCTS:
        products[code], _ = Product.objects.update_or_create(
            code=code, defaults={"name": name, "family": family}
        )
    offers = {}
    valid_from = _month_start(today, -3)
    for d in OFFERS:
        offer, _ = Offer.objects.update_or_create(
            code=d.code,
            defaults={
                "product": products[d.product],
                "title": d.title,
                "benefit": d.benefit,
                "value": Decimal(d.value),
                "valid_from": valid_from,
                "valid_until": _month_start(today, 12),
                "channel_kinds": list(d.kinds),
            },
        )
        offer.full_clean()
        offers[d.code] = offer
        for kind in d.kinds:
            content, _ = OfferContent.objects.update_or_create(
                offer=offer,
                channel_kind=kind,
                defaults={
                    "agent_script": d.script
                    if kind in ChannelKind.assisted() or kind == ChannelKind.IVR
                    else "",
                    "short_text": d.short_text if kind == ChannelKind.USSD else "",
                    "banner_title": d.banner if kind in (W, A, C) else "",
                },
            )
            content.full_clean()
        offer.contents.exclude(channel_kind__in=d.kinds).delete()
    for (
        code,
        name,
        objective,
        status,
        start,
        months,
        kinds,
        offer_codes,
        weight,
        control,
        cooldown,
    ) in CAMPAIGNS:
        campaign, _ = Campaign.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "objective": objective,
                "status": status,
                "starts_at": _month_start(today, start),
                "ends_at": _month_start(today, start + months),
                "channel_kinds": list(kinds),
                "priority_weight": Decimal(weight),
                "control_share": Decimal(control),
                "cooldown_days": cooldown,
                "owner": owner,
                "description": "",
            },
        )
        campaign.full_clean()
        campaign.offers.set([offers[c] for c in offer_codes])
    for code, name, objective, start, months, kinds, offer_codes, control, rule in ALWAYS_ON:
        campaign, _ = Campaign.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "objective": objective,
                "status": CampaignStatus.LIVE,
                "starts_at": _month_start(today, start),
                "ends_at": _month_start(today, start + months),
                "channel_kinds": list(kinds),
                "control_share": Decimal(control),
                "owner": owner,
            },
        )
        campaign.full_clean()
        campaign.offers.set([offers[c] for c in offer_codes])
        eligibility, _ = EligibilityRule.objects.update_or_create(
            campaign=campaign,
            defaults={**rule, "requires_product": products[rule["requires_product"]]},
        )
        eligibility.full_clean()
    return {
        "products": len(products),
        "offers": len(offers),
        "campaigns": len(CAMPAIGNS) + len(ALWAYS_ON),
    }
