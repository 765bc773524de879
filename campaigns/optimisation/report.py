"""The channel optimisation report's figures, per segment and value tier, from SQL aggregates:
contacts by channel, cost-to-serve (each contact at the price in effect on its day), the share
of contacts made in the customer's preferred channel, first-contact resolution, self-service,
and the segment's value.

The value of a segment: the portal holds no annual value or ARPU per customer, so it is the
number of customers and the value of the product activations the warehouse reported for them in
the period (``Conversion.value``, the conversions file); an activation without a value adds
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Q,
    Sum,
    Value,
    When,
)

from campaigns.choices import Segment, ValueTier
from campaigns.models import ChannelCost, Conversion, Customer, ServiceContact

from .channels import channel_codes

MONEY = DecimalField(max_digits=18, decimal_places=2)


def price_periods() -> dict[str, list[tuple[date, date | None, Decimal]]]:
    """{channel: [(from, until (exclusive) or None, cost per contact)]}, oldest first."""
    periods: dict[str, list[tuple[date, date | None, Decimal]]] = {}
    rows = ChannelCost.objects.order_by("channel_kind_id", "effective_from").values_list(
        "channel_kind", "effective_from", "cost_per_contact"
    )
    for channel, since, cost in rows:
        found = periods.setdefault(channel, [])
        if found:
            found[-1] = (found[-1][0], since, found[-1][2])
        found.append((since, None, cost))
    return periods


def price_on(channel: str, day: date) -> Decimal | None:
    """The cost of one contact in ``channel`` in effect on ``day`` (None: no price yet)."""
    cost = (
        ChannelCost.objects.filter(channel_kind=channel, effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("cost_per_contact", flat=True)
        .first()
    )
    return cost


def cost_expression() -> Case:
    """Per contact row: the price in effect on its day, in SQL (NULL when none was in effect)."""
    whens = []
    for channel, periods in price_periods().items():
        for since, until, cost in periods:
            condition = Q(channel_kind=channel, contacted_on__gte=since)
            if until is not None:
                condition &= Q(contacted_on__lt=until)
            whens.append(When(condition, then=Value(cost, output_field=MONEY)))
    return Case(*whens, default=None, output_field=MONEY)


@dataclass
class Group:
    """The figures of one segment and value tier (or of every one: the total row)."""

    segment: str
    tier: str
    customers: int = 0
    contacts: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    cost: Decimal = Decimal("0")
    unpriced: int = 0  # contacts on a day their channel had no price
    preferred: int = 0  # contacts made in the customer's preferred channel
    with_preference: int = 0  # contacts of customers who have a preferred channel
    resolved: int = 0
    self_served: int = 0
    value: Decimal = Decimal("0")

    def add(self, other: Group) -> None:
        self.customers += other.customers
        self.contacts += other.contacts
        for channel, n in other.by_channel.items():
            self.by_channel[channel] = self.by_channel.get(channel, 0) + n
        for name in ("cost", "unpriced", "preferred", "with_preference", "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.self_served += other.self_served
        self.value += other.value

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def preferred_pct(self) -> float | None:
        return self.share(self.preferred, self.with_preference)

    @property
    def fcr_pct(self) -> float | None:
        return self.share(self.resolved, self.contacts)

    @property
    def self_service_pct(self) -> float | None:
        return self.share(self.self_served, self.contacts)

    @property
    def cost_per_contact(self) -> Decimal | None:
        priced = self.contacts - self.unpriced
        return (self.cost / priced).quantize(Decimal("0.01")) if priced else None


@dataclass
class Report:
    since: date
    until: date
    groups: list[Group]
    total: Group
    channels: list[str]  # the channels with contacts in the period, in the registry's order

    @property
    def is_empty(self) -> bool:
        return self.total.contacts == 0


def contacts_in(since: date, until: date, *, segment: str = "", tier: str = ""):
    """The service contacts of the period (both days included), of a segment and tier if given."""
    found = ServiceContact.objects.filter(contacted_on__gte=since, contacted_on__lte=until)
    if segment:
        found = found.filter(customer__segment=segment)
    if tier:
        found = found.filter(customer__value_tier=tier)
    return found


def channel_rows(since: date, until: date, *, segment: str = "", tier: str = "") -> list[dict]:
    """One aggregate row per (segment, tier, channel): contacts, cost, preferred, FCR, self-service."""
    return list(
        contacts_in(since, until, segment=segment, tier=tier)
        .values("customer__segment", "customer__value_tier", "channel_kind")
        .annotate(
            contacts=Count("pk"),
            cost=Sum(cost_expression()),
            unpriced=Count("pk") - Count(cost_expression()),
            preferred=Count("pk", filter=Q(customer__preferred_channel=F("channel_kind"))),
            with_preference=Count("pk", filter=~Q(customer__preferred_channel="")),
            resolved=Count("pk", filter=Q(resolved_first_contact=True)),
            self_served=Count("pk", filter=Q(self_service=True)),
        )
        .order_by()
    )


def build(since: date, until: date) -> Report:
    """The report of the period: a row per segment and tier with contacts or customers."""
    groups: dict[tuple[str, str], Group] = {}

    def group(segment: str, tier: str) -> Group:
        return groups.setdefault((segment, tier), Group(segment, tier))

    for row in Customer.objects.values("segment", "value_tier").annotate(n=Count("pk")).order_by():
        group(row["segment"], row["value_tier"]).customers = row["n"]
    for row in channel_rows(since, until):
        g = group(row["customer__segment"], row["customer__value_tier"])
        g.contacts += row["contacts"]
        g.by_channel[row["channel_kind"]] = row["contacts"]
        g.cost += row["cost"] or Decimal("0")
        g.unpriced += row["unpriced"]
        g.preferred += row["preferred"]
        g.with_preference += row["with_preference"]
        g.resolved += row["resolved"]
        g.self_served += row["self_served"]
    for row in (
        Conversion.objects.filter(activated_on__gte=since, activated_on__lte=until)
        .values("customer__segment", "customer__value_tier")
        .annotate(value=Sum("value"))
        .order_by()
    ):
        if row["customer__segment"] is None:
            continue  # an activation of a customer no longer in the snapshot
        group(row["customer__segment"], row["customer__value_tier"]).value += row[
            "value"
        ] or Decimal("0")
    order = {
        (s, t): (i, j) for i, s in enumerate(Segment.values) for j, t in enumerate(ValueTier.values)
    }
    ordered = sorted(groups.values(), key=lambda g: order.get((g.segment, g.tier), (99, 99)))
    total = Group("", "")
    for g in ordered:
        total.add(g)
    used = [c for c in channel_codes() if total.by_channel.get(c)]
    used += sorted(c for c in total.by_channel if c not in used)  # codes no longer listed
    return Report(since=since, until=until, groups=ordered, total=total, channels=used)
