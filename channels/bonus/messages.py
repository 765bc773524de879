"""What a bonus statement line says, stored as a code with parameters and worded when read.

Statements are computed by a scheduled task with no reader, so a line stores
``description_code`` and ``description_params`` (JSON) and ``BonusLine.description`` words
them in the language of the agent (or manager) who opens the statement. This module is the one
place that maps codes to translatable messages.

Parameters are plain JSON values formatted for the reader by ``render``: ``*_pct`` keys as
percentages, ``*_money`` as amounts in the portal's currency, ``*_day`` (ISO dates) as dates,
``*_month`` ("2026-11") as month and year, ``rule`` (see ``rule_params``) as the rule's
description, and a nested ``{"code": …, "params": …}`` worded the same way. Lines stored before
codes existed keep their English text under the ``legacy`` code.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from campaigns.choices import ProductFamily
from cvm_portal import formatting as fmt
from cvm_portal.coded_messages import word

MESSAGES = {
    "award": _("%(offer)s (%(campaign)s), rule: %(rule)s"),
    "accelerator": _("Tier accelerator: earnings above the thresholds × their multipliers"),
    "gate_not_met": _(
        "Quality gate not met: outcomes recorded for %(share_pct)s of contacts, "
        "%(needed_pct)s needed"
    ),
    "cap": _("Cap of %(cap_money)s per period"),
    "untrained": _("Not paid until the training of %(campaign)s is completed: “%(guide)s”"),
    "clawback": _("Cancelled %(cancelled_day)s, within %(days)s days: %(offer)s"),
    "late": _("Late outcome of %(period_month)s: %(what)s"),
    "late_clawback": _("Cancelled %(cancelled_day)s, after %(period_month)s was closed: %(offer)s"),
}


def rule_params(rule) -> dict:
    """What a line keeps of its rule, so it reads the same after the rule changes."""
    return {
        "offer": rule.offer.code if rule.offer_id else "",
        "campaign": rule.campaign.code if rule.campaign_id else "",
        "family": rule.product_family or "",
    }


def _rule(params: dict) -> str:
    parts = []
    if params.get("offer"):
        parts.append(str(_("offer %(code)s")) % {"code": params["offer"]})
    if params.get("campaign"):
        parts.append(str(_("campaign %(code)s")) % {"code": params["campaign"]})
    if params.get("family"):
        family = params["family"]
        parts.append(str(ProductFamily(family).label) if family in ProductFamily.values else family)
    return " · ".join(parts) or str(_("any accepted offer"))


def _value(key: str, value) -> str:
    if key == "rule" and isinstance(value, dict):
        return _rule(value)
    if isinstance(value, dict) and "code" in value:
        return render(value["code"], value.get("params") or {})
    if value is None:
        return ""
    if key.endswith("_pct"):
        return fmt.percent_points(value, 0 if float(value).is_integer() else 1)
    if key.endswith("_money"):
        return fmt.money(value)
    if key.endswith("_day"):
        return fmt.date(dt.date.fromisoformat(value))
    if key.endswith("_month"):
        first = dt.date.fromisoformat(f"{value}-01")
        return formats.date_format(first, "YEAR_MONTH_FORMAT", use_l10n=True)
    return str(value)


def render(code: str, params: dict | None = None) -> str:
    """The line's text in the active language; an unknown code shows itself."""
    return word(MESSAGES, code, params, _value)
