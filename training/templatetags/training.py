"""Template helpers of the training app."""

from django import template

from training.digest import card
from training.sites import directory

register = template.Library()


@register.filter
def guides_for(guides_by_campaign: dict | None, campaign_id: int) -> list:
    """The guides (``training.gating.guides_to_complete``) of one campaign, or none."""
    return (guides_by_campaign or {}).get(campaign_id, [])


@register.inclusion_tag("training/includes/digest_card.html", takes_context=True)
def digest_card(context, compact: bool = False) -> dict:
    """The latest published sales digest, for the signed-in agent's channel kind: the card in
    My training and (``compact``) on the console. Two queries (the agent's post is cached)."""
    post = directory().post_of(context["request"].user)
    return {**card(kind=post.channel_kind if post else None), "compact": compact}
