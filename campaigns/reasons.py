"""The sentence an agent reads under "Why" for an offer: about this customer, never against the facts."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .choices import Objective


def reason_for(c) -> str:
    """The reason shown for candidate ``c`` (a ``decisioning.Candidate``), at most 300 characters."""
    parts = [
        _("%(campaign)s (%(objective)s)")
        % {
            "campaign": c.campaign.name,
            "objective": str(Objective(c.campaign.objective).label).lower(),
        }
    ]
    if c.rule is not None:
        parts.append(_("always on: %(why)s") % {"why": c.rule.reason_for(c.customer)})
    if c.propensity is not None:
        parts.append(_("likely to accept: %(p)d %%") % {"p": round(c.propensity * 100)})
    parts.append(
        _("worth about %(value)s %(currency)s a year")
        % {"value": f"{c.value:,.0f}", "currency": settings.CVM_CURRENCY}
    )
    return " · ".join(parts)[:300]
