"""``{% support_options customer %}``: the support options the active support-routing policy
gives a customer, for the console header ("Support: call-back, chat"). Read from the cached
policy (``campaigns.optimisation.policy``): no query once the cache holds it."""

from __future__ import annotations

from django import template

from campaigns.optimisation.policy import option_label, options_for

register = template.Library()


@register.simple_tag
def support_options(customer) -> str:
    """The options' names joined by commas; empty when no policy gives this customer any."""
    _version, options = options_for(customer)
    return ", ".join(option_label(o) for o in options)
