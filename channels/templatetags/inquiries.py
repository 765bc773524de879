"""``{% load inquiries %}{% campaign_inquiry %}``: the console's one-click "calling about…"
buttons, one per campaign live in the agent's channel kind, with a fresh one-time key (a
double click tags the contact once). Read from the in-memory catalogue: no query."""

from __future__ import annotations

import uuid

from django import template
from django.utils import timezone

from campaigns import catalogue
from channels.models.sites import profile_of

register = template.Library()


@register.inclusion_tag("channels/includes/campaign_inquiry.html", takes_context=True)
def campaign_inquiry(context, token: str = "", tagged=None) -> dict:
    """``token``: the customer's page link the contact is about (optional); ``tagged``: the
    inquiry just recorded, to confirm it."""
    request = context["request"]
    profile = profile_of(request.user)
    live = []
    if profile is not None:
        live = sorted(
            (
                lc.campaign
                for lc in catalogue.current().live_campaigns(profile.channel_kind, timezone.now())
            ),
            key=lambda c: (-c.priority_weight, c.code),
        )
    return {
        "campaigns": live,
        "key": uuid.uuid4().hex,
        "token": token,
        "tagged": tagged,
        "csrf_token": context.get("csrf_token"),
    }
