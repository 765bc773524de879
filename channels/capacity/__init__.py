"""Capacity planning: rosters and targets per site and channel kind, campaign forecasts,
Erlang C staffing, and the overloads a campaign would cause.

The functions below are what the rest of the portal calls (the pre-live checks, the flood
alerts, the workspaces); their bodies live in this package's modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Overload:
    """Forecast load above capacity in one place and time."""

    day: date
    hour_band: str  # e.g. "09–12"
    site_name: str  # "" for a digital channel (no site)
    channel_kind: str
    needed: float  # agents (or requests per second for a digital channel)
    available: float  # rostered agents (or configured requests per second)
    campaign_codes: list[str] = field(default_factory=list)


def overloads_for_campaign(campaign) -> list[Overload]:
    """The overloads over ``campaign``'s period that it causes or adds to, soonest first."""
    return []  # placeholder until the capacity module lands (issue 16, item 6)


def expected_contacts_per_hour(campaign, channel_kind: str) -> float | None:
    """The forecast contacts per hour ``campaign`` brings to ``channel_kind`` (None: no
    forecast); the flood alerts compare contacts tagged with the campaign against it."""
    return None  # placeholder until the capacity module lands (issue 16, item 6)
