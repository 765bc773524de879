"""What the roadmap tells a campaign's pre-live checks: channel work still not done for an
initiative the campaign serves, in a channel the campaign runs in."""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from cvm_portal import formatting as fmt

from ..models import Campaign, RoadmapItem
from .kinds import label


def _board_url(item: RoadmapItem) -> str:
    try:
        return f"{reverse('campaigns:roadmap')}#item-{item.pk}"
    except NoReverseMatch:  # the board is not installed
        return ""


def roadmap_warnings(campaign: Campaign, *, today: date) -> list[tuple[str, str, str]]:
    """(stable code, message, link to the board row) for each open item ``campaign`` relies on."""
    if not campaign.pk or not campaign.channel_kinds:
        return []
    results = []
    for item in RoadmapItem.objects.pending_for(campaign):
        values = {
            "initiative": item.initiative.name,
            "channel": label(item.channel_kind),
            "status": item.get_status_display(),
            "work": item.work if len(item.work) <= 120 else item.work[:119] + "…",
            "date": fmt.date(item.target_date),
        }
        if item.is_overdue(today):
            message = _(
                "%(initiative)s, %(channel)s: the channel's work for this initiative is overdue "
                "(%(status)s, due %(date)s): %(work)s"
            )
        elif item.target_date:
            message = _(
                "%(initiative)s, %(channel)s: the channel's work for this initiative is not done "
                "yet (%(status)s, due %(date)s): %(work)s"
            )
        else:
            message = _(
                "%(initiative)s, %(channel)s: the channel's work for this initiative is not done "
                "yet (%(status)s, no target date): %(work)s"
            )
        results.append((f"roadmap:{item.pk}", message % values, _board_url(item)))
    return results
