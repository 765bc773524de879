"""The demo's training: one published guide with a quiz for a live campaign, assigned to its
channels, so a newcomer sees the feature. Safe to run again (nothing is published twice)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from campaigns.choices import ChannelKind
from campaigns.models import Campaign

from .choices import QuestionKind
from .models import Guide
from .publishing import add_question, publish_guide

TITLE = "Fibre for mobile customers: the pitch"
TITLE_PL = "Światłowód dla klientów komórkowych: jak go proponować"  # training/translation.py
BODY = """\
## Who gets this offer

Mobile customers **without fibre** at an address where fibre is available. The console
only shows it to them: you do not need to check coverage yourself.

## What to say

1. Ask how the household uses the internet at home (streaming, work calls, games).
2. Offer **Fibre switch**: the first three months free, then the usual price.
3. If they already have a home line, offer the **Fibre bundle** with their mobile plan.

## What not to do

- Do not promise an installation date: the installer confirms it by SMS.
- Do not offer it again if the customer declined in the last 45 days.

| Offer | Benefit |
| --- | --- |
| Fibre switch | 3 months free |
| Fibre bundle | 20 % off mobile + fibre |
"""
QUESTIONS = [
    (
        "Who is this offer for?",
        QuestionKind.SINGLE,
        [
            ("Mobile customers without fibre where it is available", True),
            ("Every customer", False),
            ("Customers who already have fibre", False),
        ],
    ),
    (
        "Which of these may you tell the customer?",
        QuestionKind.MULTIPLE,
        [
            ("The first three months are free", True),
            ("The installer confirms the date by SMS", True),
            ("Installation is guaranteed tomorrow", False),
        ],
    ),
]


@transaction.atomic
def build_training() -> dict[str, int]:
    """Publish the demo guide (once) and assign it to store and call-centre agents."""
    campaign = Campaign.objects.filter(code="XS-FIBRE").first()
    trainer = get_user_model().objects.filter(username="trainer1").first()
    guide, created = Guide.objects.get_or_create(
        title_en=TITLE,
        defaults={
            "title_pl": TITLE_PL,
            "body": BODY,
            "channel_kinds": [ChannelKind.STORE, ChannelKind.INBOUND_CALL],
            "due_days": 14,
            "pass_mark": 100,
            "author": trainer,
        },
    )
    if created:
        for text, kind, choices in QUESTIONS:
            add_question(guide=guide, text=text, kind=kind, choices=choices)
    if campaign is not None:
        guide.campaigns.add(campaign)
    if guide.current_version_id is None:
        publish_guide(guide=guide, by=trainer, material=True, note="First version.")
    return {"guides": Guide.objects.published().count(), "assigned": guide.assignments.count()}
