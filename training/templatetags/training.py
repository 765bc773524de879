"""Template helpers of the training app."""

from django import template

register = template.Library()


@register.filter
def guides_for(guides_by_campaign: dict | None, campaign_id: int) -> list:
    """The guides (``training.gating.guides_to_complete``) of one campaign, or none."""
    return (guides_by_campaign or {}).get(campaign_id, [])
