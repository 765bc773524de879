"""``{% load flood_alerts %}{% flood_alerts %}``: the banner of unacknowledged flood alerts in
the CVM workspace, each with a link to the kill switch (one query; nothing when there is none)."""

from django import template

from campaigns.governance.floods import open_alerts

register = template.Library()


@register.inclusion_tag("campaigns/governance/includes/flood_banner.html")
def flood_alerts() -> dict:
    return {"alerts": list(open_alerts()[:10])}
