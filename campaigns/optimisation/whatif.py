"""The what-if: move a share of a segment's contacts from one channel to another, and see the
cost saved, the customers pushed away from their preferred channel and the expected change in
first-contact resolution, each with its arithmetic written out.

Over the report's period, for the segment (and value tier, if chosen):

- moved contacts = contacts in the from-channel × share, rounded to a whole contact;
- cost saved = moved × (price of a from-channel contact − price of a to-channel contact), at the
  prices in effect on the period's last day (what the change would save from now on);
- customers pushed away = customers who prefer the from-channel and contacted us there × share,
  rounded; their share is of the segment's customers;
- first-contact resolution after = (resolved contacts − moved × the from-channel's FCR + moved ×
  the to-channel's FCR in this segment) ÷ all the segment's contacts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from campaigns.models import Customer

from .report import contacts_in, price_on

WHOLE = Decimal("1")


@dataclass(frozen=True)
class Scenario:
    segment: str
    tier: str
    from_channel: str
    to_channel: str
    share: Decimal  # per cent, 0–100
    since: date
    until: date


@dataclass(frozen=True)
class Outcome:
    """The what-if's figures; None where a figure cannot be had (see ``problems``)."""

    contacts: int  # all the segment's contacts in the period
    from_contacts: int
    to_contacts: int
    moved: int
    from_price: Decimal | None
    to_price: Decimal | None
    saved: Decimal | None
    customers: int  # the segment's customers
    preferring_from: int  # who prefer the from-channel and contacted us there
    pushed: int
    pushed_pct: float | None
    resolved: int
    from_fcr: float | None  # per cent
    to_fcr: float | None
    fcr_before: float | None
    fcr_after: float | None
    fcr_change: float | None  # points
    problems: tuple[str, ...]

    def as_json(self) -> dict:
        """The figures as JSON-ready values, for the policy version it may be saved into."""
        return {
            k: (str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(self).items()
        }


def _pct(part: int | Decimal, whole: int) -> float | None:
    return round(100 * float(part) / whole, 1) if whole else None


def run(scenario: Scenario) -> Outcome:
    """The what-if's figures for ``scenario`` (already validated: two channels, 0–100 %)."""
    s = scenario
    contacts = contacts_in(s.since, s.until, segment=s.segment, tier=s.tier)
    by_channel = {
        row["channel_kind"]: row
        for row in contacts.filter(channel_kind__in=[s.from_channel, s.to_channel])
        .values("channel_kind")
        .annotate(n=Count("pk"), resolved=Count("pk", filter=Q(resolved_first_contact=True)))
        .order_by()
    }
    totals = contacts.aggregate(
        n=Count("pk"), resolved=Count("pk", filter=Q(resolved_first_contact=True))
    )
    from_row = by_channel.get(s.from_channel, {"n": 0, "resolved": 0})
    to_row = by_channel.get(s.to_channel, {"n": 0, "resolved": 0})
    share = s.share / 100
    moved = int((from_row["n"] * share).quantize(WHOLE, rounding=ROUND_HALF_UP))
    problems = []
    if not from_row["n"]:
        problems.append(
            _("This segment made no contact in the from-channel in the period: nothing to move.")
        )
    from_price, to_price = price_on(s.from_channel, s.until), price_on(s.to_channel, s.until)
    saved = None
    if from_price is None or to_price is None:
        problems.append(
            _("A channel has no cost per contact in effect: add it under Channel costs.")
        )
    else:
        saved = (moved * (from_price - to_price)).quantize(Decimal("0.01"))

    customers = Customer.objects.filter(segment=s.segment)
    if s.tier:
        customers = customers.filter(value_tier=s.tier)
    customer_count = customers.count()
    preferring = (
        contacts.filter(channel_kind=s.from_channel, customer__preferred_channel=s.from_channel)
        .values("customer")
        .distinct()
        .count()
    )
    pushed = int((preferring * share).quantize(WHOLE, rounding=ROUND_HALF_UP))

    from_fcr = _pct(from_row["resolved"], from_row["n"])
    to_fcr = _pct(to_row["resolved"], to_row["n"])
    fcr_before = _pct(totals["resolved"], totals["n"])
    fcr_after = fcr_change = None
    if moved and not to_row["n"]:
        problems.append(
            _("This segment made no contact in the to-channel in the period: its first-contact "
              "resolution is unknown, so no change is estimated.")
        )  # fmt: skip
    elif totals["n"]:
        # Exact fractions of contacts: the moved contacts resolve at the to-channel's rate.
        after = (
            totals["resolved"]
            - moved * from_row["resolved"] / (from_row["n"] or 1)
            + moved * to_row["resolved"] / (to_row["n"] or 1)
        )
        fcr_after = round(100 * after / totals["n"], 1)
        fcr_change = round(fcr_after - fcr_before, 1)
    return Outcome(
        contacts=totals["n"],
        from_contacts=from_row["n"],
        to_contacts=to_row["n"],
        moved=moved,
        from_price=from_price,
        to_price=to_price,
        saved=saved,
        customers=customer_count,
        preferring_from=preferring,
        pushed=pushed,
        pushed_pct=_pct(pushed, customer_count),
        resolved=totals["resolved"],
        from_fcr=from_fcr,
        to_fcr=to_fcr,
        fcr_before=fcr_before,
        fcr_after=fcr_after,
        fcr_change=fcr_change,
        problems=tuple(str(p) for p in problems),
    )
