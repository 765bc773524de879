"""Bonus amounts in their plan's unit: ``{% load bonus_format %}`` then
``{{ statement.total|plan_amount:plan }}``.

A plan pays money or points (``BonusPlan.unit``), so a bare figure on a bonus page does not say
which; this filter writes it as cvm_portal/formatting.py does ("PLN 12.50", "12,50 zł",
"40 points"). Money that is always money (agency rates, the simulator's cost) uses ``|money``.
"""

from django import template

from cvm_portal import formatting

register = template.Library()


@register.filter
def plan_amount(value, plan):
    """``value`` in ``plan``'s unit; what is not a number renders as it is, None as nothing."""
    if value is None or value == "":
        return ""
    parsed = formatting.parse_number(value)
    if parsed is None:
        return value
    return plan.show_amount(parsed)
