"""The delivery side's data: sites and agents, outbound call lists, bonus plans, API clients."""

from .api import DIGITAL_KINDS, ApiClient, ApiKey
from .bonus import (
    ZERO,
    BonusLine,
    BonusPlan,
    BonusRule,
    BonusStatement,
    BonusTier,
    Cancellation,
)
from .capacity import (
    BAND_HOURS,
    CampaignForecast,
    CapacityPlan,
    ContactType,
    DigitalCapacity,
    ForecastSource,
    HandleTime,
    HandleTimeSource,
    HourBand,
    RosterEntry,
)
from .outbound import (
    OUTBOUND_SITE_KINDS,
    CallAttempt,
    CallList,
    Lead,
    OutboundSettings,
    OutboundShare,
)
from .sites import ASSISTED_KINDS, AgentProfile, Site, profile_of, validate_timezone

__all__ = [
    "BAND_HOURS",
    "CampaignForecast",
    "CapacityPlan",
    "ContactType",
    "DigitalCapacity",
    "ForecastSource",
    "HandleTime",
    "HandleTimeSource",
    "HourBand",
    "RosterEntry",
    "ASSISTED_KINDS",
    "DIGITAL_KINDS",
    "OUTBOUND_SITE_KINDS",
    "ZERO",
    "AgentProfile",
    "ApiClient",
    "ApiKey",
    "BonusLine",
    "BonusPlan",
    "BonusRule",
    "BonusStatement",
    "BonusTier",
    "CallAttempt",
    "CallList",
    "Cancellation",
    "Lead",
    "OutboundSettings",
    "OutboundShare",
    "Site",
    "profile_of",
    "validate_timezone",
]
