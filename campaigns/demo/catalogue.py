"""Demo catalogue: products, offers with their channel texts, campaigns and always-on programmes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaigns.choices import (
    CampaignStatus,
    ChannelKind,
    Objective,
    ProductFamily,
    PropensitySource,
    Segment,
)
from campaigns.defaults import ensure_decline_reasons
from campaigns.demo.polish import POLISH
from campaigns.models import (
    ApprovalStep,
    Campaign,
    DeclineReason,
    EligibilityRule,
    Offer,
    OfferContent,
    Product,
)


@dataclass(frozen=True)
class Fit:
    """Whom an offer's texts can be said to: what its title, benefit and script take for
    granted of the customer. The demo's target groups hold a customer in a campaign only with
    an offer that fits them, so no demo offer contradicts its customer."""

    segments: tuple[str, ...] = ()  # the segments its words suit (empty: any)
    holds: tuple[str, ...] = ()  # products it builds on ("the fibre you already have")
    lacks: tuple[str, ...] = ()  # products that make it pointless or wrong (unlimited data)
    min_tenure_months: int = 0  # "as a thank-you for staying with us"


WITH_A_PLAN = (Segment.POSTPAID, Segment.SMALL_BUSINESS, Segment.CORPORATE)  # a monthly bill


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
    fit: Fit = field(default_factory=Fit)

    def fits(self, customer) -> bool:
        """Whether every word of this offer is true of ``customer`` (who never holds its product)."""
        f = self.fit
        held = set(customer.holdings or [])
        return (
            (not f.segments or customer.segment in f.segments)
            and set(f.holds) <= held
            and not held & {self.product, *f.lacks}
            and customer.tenure_months() >= f.min_tenure_months
        )


PRODUCTS = [
    ("PLAN-5G-UNL", "Unlimited 5G plan", ProductFamily.MOBILE_PLAN),
    ("PLAN-M", "Mobile plan M (10 GB)", ProductFamily.MOBILE_PLAN),
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
        Fit(segments=(Segment.POSTPAID, Segment.SMALL_BUSINESS), holds=("FIBRE-1G",)),
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
        Fit(segments=WITH_A_PLAN, holds=("PLAN-M",)),  # "your current plan runs out of data"
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
        Fit(segments=WITH_A_PLAN, min_tenure_months=12),  # a monthly fee; "staying with us"
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
        Fit(segments=WITH_A_PLAN),  # "they share your data"
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
        Fit(segments=(Segment.PREPAID, Segment.POSTPAID)),  # families: consumers
    ),
    DemoOffer(
        "DATA-20-PACK",
        "DATA-20GB",
        "20 GB extra data",
        "20 GB for 30 days for 15 PLN.",
        "15.00",
        (S, IN, U, A, W, C),
        "You have been running out of data. A 20 gigabyte pack is 15 zloty for 30 days.",
        "Out of data? 20 GB for 30 days, 15 PLN. Dial *100*20# to buy.",
        "20 GB for 15 PLN",
        Fit(lacks=("PLAN-5G-UNL",)),  # unlimited data never runs out
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
        Fit(lacks=("PLAN-5G-UNL",)),
    ),
    DemoOffer(
        "PHONE-0-DOWN",
        "DEV-PHONE",
        "New phone, nothing down",
        "A new 5G phone in 24 instalments from 49 PLN, nothing to pay now.",
        "49.00",
        (S, IN, OUT, W),
        "We can give you a new 5G phone today with nothing to pay up front, from 49 zloty a month.",
        "",
        "New 5G phone, 0 PLN today",
        Fit(),  # the phone's age is the file's reason to give, not the script's to assume
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
        Fit(),  # any customer without fibre
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
        Fit(segments=(Segment.POSTPAID, Segment.SMALL_BUSINESS)),  # "a postpaid plan"
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
        Fit(holds=("FIBRE-1G",)),  # "with fibre you can add TV Plus"
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
        Fit(holds=("DEV-PHONE",)),  # "your new phone"
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
        Fit(),
    ),
]

DEMO_OFFERS = {d.code: d for d in OFFERS}

# (code, name, objective, status, start offset months, length months, kinds, offers, weight, control %, cooldown)
LEARNING_CAMPAIGN = "RET-5G-Q4"  # scored with blended file and learned propensities

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
        # English and Polish side by side (campaigns/translation.py)
        title_pl, benefit_pl, script_pl, short_pl, banner_pl = POLISH[d.code]
        offer, _ = Offer.objects.update_or_create(
            code=d.code,
            defaults={
                "product": products[d.product],
                "title_en": d.title,
                "title_pl": title_pl,
                "benefit_en": d.benefit,
                "benefit_pl": benefit_pl,
                "value": Decimal(d.value),
                "valid_from": valid_from,
                "valid_until": _month_start(today, 12),
                "channel_kinds": list(d.kinds),
            },
        )
        offer.full_clean()
        offers[d.code] = offer
        for kind in d.kinds:
            spoken = kind in ChannelKind.assisted() or kind == ChannelKind.IVR
            content, _ = OfferContent.objects.update_or_create(
                offer=offer,
                channel_kind=kind,
                defaults={
                    "agent_script_en": d.script if spoken else "",
                    "agent_script_pl": script_pl if spoken else "",
                    "short_text_en": d.short_text if kind == ChannelKind.USSD else "",
                    "short_text_pl": short_pl if kind == ChannelKind.USSD else "",
                    "banner_title_en": d.banner if kind in (W, A, C) else "",
                    "banner_title_pl": banner_pl if kind in (W, A, C) else "",
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
                # The retention campaign learns from its outcomes (model report has evidence).
                "propensity_source": (
                    PropensitySource.BLENDED if code == LEARNING_CAMPAIGN else PropensitySource.FILE
                ),
            },
        )
        campaign.full_clean()
        campaign.offers.set([offers[c] for c in offer_codes])
        if status == CampaignStatus.IN_REVIEW and owner and not campaign.approvals.exists():
            # Submitted by its owner (cvm1), so another CVM manager (cvm2) approves: four eyes.
            campaign.approvals.create(
                step=ApprovalStep.SUBMITTED,
                from_status=CampaignStatus.DRAFT,
                to_status=CampaignStatus.IN_REVIEW,
                by=owner,
                comment="Christmas TV campaign, ready for review.",
            )
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
