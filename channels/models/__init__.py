"""The delivery side's data: sites and agents, outbound call lists, bonus plans."""

from .bonus import (
    ZERO,
    BonusLine,
    BonusPlan,
    BonusRule,
    BonusStatement,
    BonusTier,
    Cancellation,
)
from .outbound import (
    OUTBOUND_CHANNEL_KINDS,
    OUTBOUND_SITE_KINDS,
    CallAttempt,
    CallList,
    Lead,
    OutboundSettings,
    OutboundShare,
)
from .sites import ASSISTED_KINDS, AgentProfile, Site, validate_timezone

__all__ = [
    "ASSISTED_KINDS",
    "OUTBOUND_CHANNEL_KINDS",
    "OUTBOUND_SITE_KINDS",
    "ZERO",
    "AgentProfile",
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
    "validate_timezone",
]
