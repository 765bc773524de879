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
from .events import (
    INTEREST_KINDS,
    OFFER_EVENT_KINDS,
    DailyInterest,
    DigitalEvent,
    EventKind,
    SeenPresentation,
)
from .handover import Handover, HandoverOutcome, HandoverStatus, handles_handovers
from .insights import NOTE_MAX_LENGTH, CustomerNote, Recording, ResearchItem
from .outbound import (
    OUTBOUND_SITE_KINDS,
    CallAttempt,
    CallList,
    Lead,
    OutboundSettings,
    OutboundShare,
)
from .sites import ASSISTED_KINDS, AgentProfile, Site, profile_of, validate_timezone
from .ussd import UssdSession

__all__ = [
    "BAND_HOURS",
    "CampaignForecast",
    "CapacityPlan",
    "ContactType",
    "DigitalCapacity",
    "ForecastSource",
    "HandleTime",
    "Handover",
    "HandoverOutcome",
    "HandoverStatus",
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
    "CustomerNote",
    "NOTE_MAX_LENGTH",
    "Recording",
    "ResearchItem",
    "DailyInterest",
    "DigitalEvent",
    "EventKind",
    "INTEREST_KINDS",
    "OFFER_EVENT_KINDS",
    "SeenPresentation",
    "CallList",
    "Cancellation",
    "Lead",
    "OutboundSettings",
    "OutboundShare",
    "Site",
    "UssdSession",
    "handles_handovers",
    "profile_of",
    "validate_timezone",
]
