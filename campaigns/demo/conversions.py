"""The demo's conversions file: the product activations the warehouse reports the night after,
so the load page, the arms' conversion rates and the uplift have something to show.

Members of each campaign's newest target-group file activate the product of the offer the file
suggests for them: treatment members more often than control members, who were held out and
buy only on their own (so the campaign shows an uplift). Some members activated the product
before the campaign started (outside its window: they do not count), customers outside every
target group buy on their own, and two lines name a customer and a product the portal does
not know, so the run has rejected rows to show. (The demo records no outcomes, so no accepted
offer is confirmed by this file: offers accepted in the demo are confirmed by the activations of
a later night.)
"""

from __future__ import annotations

import csv
import gzip
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from campaigns.choices import LoadKind
from campaigns.control import is_control
from campaigns.loads.files import FileRejected, parse_name
from campaigns.models import Campaign, Customer, Offer, Product

TREATMENT_RATE = 0.10  # members shown the offer who activated its product in the window
CONTROL_RATE = 0.05  # held-out members who activated it on their own
BEFORE_START_RATE = 0.02  # members who had activated it before the campaign started
ORGANIC_RATE = 0.005  # customers outside the target groups who activated some product


def newest_target_groups(paths: list[Path]) -> dict[str, Path]:
    """{campaign code: its newest target-group file} among ``paths``."""
    newest: dict[str, tuple[date, Path]] = {}
    for path in paths:
        try:
            info = parse_name(path)
        except FileRejected:
            continue
        if info.kind == LoadKind.TARGET_GROUP and (
            info.target not in newest or newest[info.target][0] < info.file_date
        ):
            newest[info.target] = (info.file_date, path)
    return {code: path for code, (_day, path) in newest.items()}


def _members(path: Path) -> list[tuple[str, str]]:
    """(customer id, offer code) of each line of a demo target-group file."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return [(row["customer_id"], row.get("offer_code", "")) for row in csv.DictReader(handle)]


def write_conversion_file(
    inbox: Path,
    *,
    day: date,
    target_groups: list[Path],
    customers: list[Customer],
    write: Callable[[Path, list[str], list[list[str]]], None],
) -> Path:
    """The activations reported on ``day`` (up to and including it) for the demo's campaigns,
    from the target-group files ``target_groups`` (the newest of each campaign counts), written
    with ``write`` (path, header, rows) as the demo writes every warehouse file."""
    path = inbox / f"conversions__{day:%Y%m%d}.csv.gz"
    if path.exists():
        return path
    rng = random.Random(f"conversions:{day.isoformat()}")
    products = dict(Offer.objects.values_list("code", "product__code"))
    values = dict(Offer.objects.values_list("code", "value"))
    activations: list[tuple[str, str, date, str]] = []  # customer, product, day, value
    members: set[str] = set()
    for code, file in sorted(newest_target_groups(target_groups).items()):
        campaign = Campaign.objects.get(code=code)
        start = timezone.localdate(campaign.starts_at)
        if start > day:
            continue  # not started yet: nothing to report
        for customer_id, offer_code in _members(file):
            members.add(customer_id)
            if offer_code not in products or customer_id.startswith("X"):
                continue
            bought = rng.random()
            rate = (
                CONTROL_RATE
                if is_control(customer_id, campaign.code, campaign.control_share)
                else TREATMENT_RATE
            )
            if bought < rate:
                on = start + timedelta(days=rng.randint(0, (day - start).days))
            elif bought > 1 - BEFORE_START_RATE:
                on = start - timedelta(days=rng.randint(1, 45))
            else:
                continue
            value = values[offer_code]
            activations.append((customer_id, products[offer_code], on, f"{value:.2f}"))
    catalogue = sorted(Product.objects.values_list("code", flat=True))
    for customer in customers:
        if customer.external_id in members or rng.random() >= ORGANIC_RATE:
            continue
        product = rng.choice([p for p in catalogue if p not in customer.holdings] or catalogue)
        activations.append((customer.external_id, product, day - timedelta(rng.randint(0, 60)), ""))
    activations.sort(key=lambda row: (row[2], row[0], row[1]))
    rows = [
        [customer_id, product, on.isoformat(), value, f"ORD-{on:%y%m%d}-{n:05d}"]
        for n, (customer_id, product, on, value) in enumerate(activations, start=1)
    ]
    # Two lines the load rejects, so its page has quarantined rows to show.
    rows += [
        ["X0000001", catalogue[0], day.isoformat(), "", "ORD-UNKNOWN-CUSTOMER"],
        [customers[0].external_id, "TV-MAXX", day.isoformat(), "", "ORD-UNKNOWN-PRODUCT"],
    ]
    write(path, ["customer_id", "product_code", "activated_on", "value", "order_ref"], rows)
    return path
