"""Confirmed conversions, and each arm's conversions for the uplift, from the warehouse's product
activations (``Conversion``, loaded by ``campaigns.loads.conversions``).

- A **confirmed conversion** is an accepted offer (a Response with outcome *accepted*) whose
  product the customer activated on the day of the acceptance or within the campaign's
  ``attribution_days`` after it (days in the portal's time zone): ``confirmed_for_responses``.
- **Arm conversions** count, for each arm of a campaign's target-group version (intent to treat:
  every member, contacted or not), the members who activated one of the campaign's offered
  products from the campaign's first day to ``attribution_days`` after its last:
  ``arm_conversions``. On PostgreSQL one aggregate query joins the version's members with the
  activations and puts each converted member in an arm with the control rule in SQL
  (``campaigns.control.BUCKET_SQL``); elsewhere the same join runs in SQL and the rule in
  Python (``TargetGroupVersion.in_control``). ``campaigns.store.pick`` chooses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from campaigns import control, store
from campaigns.choices import Outcome
from campaigns.models import (
    Campaign,
    Conversion,
    Response,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)
from campaigns.store.base import BATCH

TREATMENT, CONTROL = "treatment", "control"


@dataclass(frozen=True)
class Confirmation:
    """The activation that confirms an accepted offer: the first one on or after its day."""

    conversion_id: int
    accepted_on: date
    activated_on: date
    value: Decimal | None


class Arm(NamedTuple):
    """One arm of a campaign's target group: its members and how many of them converted."""

    members: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.members if self.members else None


# --- confirmed conversions of accepted offers ---------------------------------------------


def confirmed_for_responses(
    *, campaign_ids: Iterable[int] | None = None, since: datetime | None = None
) -> dict[int, Confirmation]:
    """{response id: its Confirmation} for every accepted offer (of ``campaign_ids``, recorded
    at or after ``since``, when given) that the warehouse's activations confirm.

    One query: per accepted offer the first activation of its product by its customer on or
    after the day of acceptance (an index descent on the conversions' unique key); the window's
    end (that day + the campaign's ``attribution_days``) is applied to the answers. The same
    activation may confirm offers of two campaigns: each campaign counts its own."""
    accepted = Response.objects.filter(outcome=Outcome.ACCEPTED)
    if campaign_ids is not None:
        accepted = accepted.filter(campaign_id__in=list(campaign_ids))
    if since is not None:
        accepted = accepted.filter(recorded_at__gte=since)
    first = Conversion.objects.filter(
        customer_id=OuterRef("customer__external_id"),
        product_id=OuterRef("offer__product_id"),
        activated_on__gte=OuterRef("accepted_on"),
    ).order_by("activated_on", "order_ref")[:1]  # the unique index's order: no sort
    rows = (
        accepted.annotate(
            accepted_on=TruncDate("recorded_at", tzinfo=timezone.get_default_timezone())
        )
        .annotate(
            conversion_id=Subquery(first.values("pk")),
            activated_on=Subquery(first.values("activated_on")),
            conversion_value=Subquery(first.values("value")),
        )
        .filter(conversion_id__isnull=False)
        .values_list(
            "pk",
            "accepted_on",
            "campaign__attribution_days",
            "conversion_id",
            "activated_on",
            "conversion_value",
        )
    )
    found = {}
    for pk, accepted_on, days, conversion_id, activated_on, value in rows.iterator(
        chunk_size=BATCH
    ):
        if activated_on <= accepted_on + timedelta(days=days):
            found[pk] = Confirmation(conversion_id, accepted_on, activated_on, value)
    return found


# --- conversions per arm (uplift, intent to treat) ------------------------------------------


def conversion_window(campaign: Campaign) -> tuple[date, date]:
    """The days on which an activation counts for ``campaign``'s arms, both included: its first
    day to ``attribution_days`` after its last (in the portal's time zone)."""
    first = timezone.localdate(campaign.starts_at)
    last = timezone.localdate(campaign.ends_at - timedelta(microseconds=1))  # ends_at excluded
    return first, last + timedelta(days=campaign.attribution_days)


def arm_conversions(
    campaign: Campaign, *, version: TargetGroupVersion | None = None
) -> dict[str, Arm]:
    """{"treatment": Arm, "control": Arm} of ``version`` (default: the campaign's live target-
    group version): every member counts in its arm, contacted or not; converted: activated one
    of the campaign's offered products within ``conversion_window``. No version: empty arms.

    The arms' sizes are the version's own counts, made by its load with the same control rule;
    the query reads only the members who converted."""
    if version is None:
        live = (
            TargetGroup.objects.filter(campaign=campaign)
            .values_list("active_version_id", flat=True)
            .first()
        )
        version = TargetGroupVersion.objects.filter(pk=live).first() if live else None
    if version is None:
        return {TREATMENT: Arm(0, 0), CONTROL: Arm(0, 0)}
    products = sorted(set(campaign.offers.values_list("product_id", flat=True)))
    start, end = conversion_window(campaign)
    count = store.pick(postgresql=_converted_in_sql, portable=_converted_with_python_rule)
    converted = dict(count(version, products, start, end))
    return {
        TREATMENT: Arm(version.member_count - version.control_count, converted.get(False, 0)),
        CONTROL: Arm(version.control_count, converted.get(True, 0)),
    }


# The converted members of both arms in one statement: the customers who activated an offered
# product in the window (a scan of the activations), joined with the version's partition, the
# control rule on each of them.
CONVERTED_SQL = (
    "SELECT "  # noqa: S608 - constant SQL; every value is a parameter
    + control.BUCKET_SQL.format(customer="m.customer_external_id", suffix="%(suffix)s")
    + " < %(threshold)s AS in_control, count(*)"
    " FROM (SELECT DISTINCT customer_external_id FROM campaigns_conversion"
    " WHERE product_id = ANY(%(products)s) AND activated_on BETWEEN %(start)s AND %(end)s) c"
    " JOIN campaigns_targetgroupmember m"
    " ON m.customer_external_id = c.customer_external_id AND m.version_id = %(version)s"
    " GROUP BY 1"
)


def _converted_in_sql(version, products: list[int], start: date, end: date) -> list[tuple]:
    """PostgreSQL: (in control, converted members) per arm, all in the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            CONVERTED_SQL,
            {
                "suffix": control.key_suffix(version.control_code),
                "threshold": control.threshold(version.control_share),
                "products": products,
                "start": start,
                "end": end,
                "version": version.pk,
            },
        )
        return cursor.fetchall()


def _converted_with_python_rule(
    version, products: list[int], start: date, end: date
) -> list[tuple]:
    """Elsewhere: the converted members in SQL, the control rule on each in Python."""
    activated = Conversion.objects.filter(
        product_id__in=products, activated_on__range=(start, end)
    ).values("customer_id")
    members = TargetGroupMember.objects.filter(version=version, customer_id__in=activated)
    counts = {False: 0, True: 0}
    for customer_id in members.values_list("customer_id", flat=True).iterator(chunk_size=BATCH):
        counts[version.in_control(customer_id)] += 1
    return [(in_control, n) for in_control, n in counts.items() if n]
