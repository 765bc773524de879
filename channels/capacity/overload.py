"""What an overload is: forecast load above capacity in one place and hour band."""

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
