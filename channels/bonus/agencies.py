"""What an outsourced agency has earned in a month."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db.models import Count, Q

from campaigns.choices import Outcome
from campaigns.models import Response
from channels.bonus.periods import CENT, month_bounds
from channels.choices import Disposition
from channels.models.outbound import CallAttempt, OutboundShare
from channels.models.sites import Site
from channels.outbound.hours import local_moment


def agency_statement(*, site: Site, month: date) -> list[dict]:
    """One agency's month, per campaign: conversions (less those cancelled) and reached contacts
    × the rates agreed on the campaign's outbound share (``OutboundShare``)."""

    first, last = month_bounds(month)
    start = local_moment(first, time.min, site.zone)
    end = local_moment(last + timedelta(days=1), time.min, site.zone)
    rows = []
    for share in OutboundShare.objects.filter(site=site).select_related("campaign"):
        accepted = Response.objects.filter(
            site_id=site.pk,
            campaign=share.campaign,
            outcome=Outcome.ACCEPTED,
            recorded_at__gte=start,
            recorded_at__lt=end,
        ).aggregate(
            conversions=Count("pk"),
            cancelled=Count("pk", filter=Q(cancellation__isnull=False)),
        )
        reached = (
            CallAttempt.objects.filter(
                site=site,
                lead__call_list__campaign=share.campaign,
                disposition=Disposition.REACHED,
                at__gte=start,
                at__lt=end,
            )
            .values("lead")
            .distinct()
            .count()
        )
        paid = accepted["conversions"] - accepted["cancelled"]
        earned = share.rate_per_conversion * paid + share.rate_per_reached * reached
        rows.append(
            {
                "campaign": share.campaign,
                "share": share,
                "conversions": accepted["conversions"],
                "cancelled": accepted["cancelled"],
                "reached": reached,
                "earned": earned.quantize(CENT),
            }
        )
    return rows
