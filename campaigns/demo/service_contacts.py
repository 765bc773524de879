"""The demo's service contacts file and channel costs: a few thousand contacts of the demo's
customers over the last 90 days, in every channel, so the channel optimisation report, its
what-if and the support-routing policy have something to show.

Customers mostly contact us in their preferred channel; each channel resolves a plausible share
at the first contact and is self-service (no agent) as digital channels are. Two lines the load
rejects (an unknown customer, an unknown channel) give the run quarantined rows to show.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from campaigns import channel_registry
from campaigns.models import ChannelCost, Customer

DAYS = 90
# channel: (first-contact resolution, self-service share, share of contacts of customers
# without a preference)
CHANNELS = {
    "store": (0.86, 0.0, 18),
    "inbound_call": (0.74, 0.0, 34),
    "outbound_call": (0.70, 0.0, 2),
    "field": (0.80, 0.0, 1),
    "web": (0.62, 0.85, 14),
    "app": (0.68, 0.92, 17),
    "chatbot": (0.52, 0.55, 6),
    "ussd": (0.81, 0.97, 3),
    "ivr": (0.58, 0.60, 5),
}
REASONS = [
    "Billing question", "Top-up or payment", "Roaming", "Network or coverage",
    "Device problem", "Change of plan", "Contract end", "SIM or number",
]  # fmt: skip
# Cost per contact (in the portal's currency): the prices the demo's report uses. Inbound calls
# became dearer during the period, so the report shows a price in effect on each day.
COSTS = {
    "store": "18.00", "inbound_call": "12.50", "outbound_call": "9.00", "field": "35.00",
    "web": "0.40", "app": "0.30", "chatbot": "1.10", "ussd": "0.15", "ivr": "0.90",
}  # fmt: skip
INBOUND_RISE = "13.20"
PREFERRED_SHARE = 0.6  # of a customer's contacts, made in their preferred channel
CONTACTS_PER_CUSTOMER = {"prepaid": 1.0, "postpaid": 1.6, "small_business": 2.0, "corporate": 2.4}


def set_channel_costs(*, today: date) -> int:
    """The demo's cost per contact of every channel (kept when already there); returns how many
    prices were added."""
    channel_registry.seed_built_in()  # the prices are the registry's channels'
    start = today - timedelta(days=DAYS * 4)
    added = 0
    prices = [(channel, start, cost) for channel, cost in COSTS.items()]
    prices.append(("inbound_call", today - timedelta(days=DAYS // 3), INBOUND_RISE))
    for channel, since, cost in prices:
        _row, created = ChannelCost.objects.get_or_create(
            channel_kind_id=channel,
            effective_from=since,
            defaults={"cost_per_contact": Decimal(cost), "note": "demo"},
        )
        added += created
    return added


def _channel(rng: random.Random, preferred: str) -> str:
    if preferred in CHANNELS and rng.random() < PREFERRED_SHARE:
        return preferred
    names = list(CHANNELS)
    return rng.choices(names, weights=[CHANNELS[n][2] for n in names])[0]


def write_contacts_file(
    inbox: Path,
    *,
    day: date,
    customers: list[Customer],
    write: Callable[[Path, list[str], list[list[str]]], None],
) -> Path:
    """The service contacts reported on ``day`` (the 90 days up to it) for ``customers``, written
    with ``write`` (path, header, rows) as the demo writes every warehouse file; also sets the
    demo's channel costs, which price them."""
    set_channel_costs(today=day)
    path = inbox / f"contacts__{day:%Y%m%d}.csv.gz"
    if path.exists():
        return path
    rng = random.Random(f"contacts:{day.isoformat()}")
    rows = []
    for customer in customers:
        mean = CONTACTS_PER_CUSTOMER.get(customer.segment, 1.0)
        for _n in range(min(int(rng.expovariate(1 / mean) + 0.5), 8)):
            channel = _channel(rng, customer.preferred_channel)
            fcr, self_service, _weight = CHANNELS[channel]
            rows.append(
                [
                    customer.external_id,
                    channel,
                    rng.choice(REASONS),
                    (day - timedelta(days=rng.randint(0, DAYS - 1))).isoformat(),
                    "yes" if rng.random() < fcr else "no",
                    "yes" if rng.random() < self_service else "no",
                ]
            )
    rows.sort(key=lambda row: (row[3], row[0]))
    rows += [
        ["X0000001", "app", "Roaming", day.isoformat(), "yes", "yes"],
        [customers[0].external_id, "fax", "Billing question", day.isoformat(), "no", "no"],
    ]
    header = [
        "customer_id", "channel", "reason", "contacted_on", "resolved_first_contact",
        "self_service",
    ]  # fmt: skip
    write(path, header, rows)
    return path
