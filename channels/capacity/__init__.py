"""Capacity planning: rosters and targets per site and channel kind, campaign forecasts,
Erlang C staffing, and the overloads a campaign would cause.

The functions below are what the rest of the portal calls (the pre-live checks, the flood
alerts, the workspaces); their bodies live in this package's modules.
"""

from __future__ import annotations

from datetime import timedelta

from .calendar import BAND_HOURS, compute, overloads
from .forecast import BAND_PROFILE, forecast_for, period_days
from .overload import Overload

# A campaign longer than this is checked over its first year only (the calendar's horizon).
MAX_CHECK_DAYS = 366

__all__ = ["Overload", "expected_contacts_per_hour", "overloads_for_campaign"]


def overloads_for_campaign(campaign) -> list[Overload]:
    """The overloads over ``campaign``'s period that it causes or adds to, soonest first
    (adds to: brings at least ``calendar.NAMED_SHARE`` of the hour band's contacts)."""
    days = period_days(campaign)
    first, last = days[0], min(days[-1], days[0] + timedelta(days=MAX_CHECK_DAYS - 1))
    found = overloads(compute(first, last, extra=campaign))
    return [o for o in found if campaign.code in o.campaign_codes]


def expected_contacts_per_hour(campaign, channel_kind: str) -> float | None:
    """The forecast contacts per hour ``campaign`` brings to ``channel_kind`` (None: no
    forecast); the flood alerts compare contacts tagged with the campaign against it.

    The rate of the busiest hour band (``BAND_PROFILE``), over all sites: a flood is more
    than the campaign should bring even at its busiest."""
    if channel_kind not in (campaign.channel_kinds or []):
        return None
    fc = forecast_for(campaign, channel_kind)
    if fc.audience is None and not fc.saved:
        return None
    return fc.contacts_per_day * max(BAND_PROFILE.values()) / BAND_HOURS
