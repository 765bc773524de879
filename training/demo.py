"""The demo's training: one published guide with a quiz for a live campaign, assigned to its
channels, and one for the web and app teams, so a newcomer sees the feature. Safe to run again
(nothing is published twice)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from campaigns.choices import ChannelKind
from campaigns.models import Campaign
from cvm_portal.roles import Role

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


# For the digital teams (digital1 works on web and app): no site, the same reading and quiz.
DIGITAL_TITLE = "Personalised offers on web and app: what the customer sees"
DIGITAL_TITLE_PL = "Spersonalizowane oferty w serwisie i aplikacji: co widzi klient"
DIGITAL_BODY = """\
## Where offers appear

The web shop and the app ask the portal for the **next best offer** while the customer
browses; the answer comes back within the page's time budget, or not at all.

## What to build

- Leave room for **one to three offers**; never a blank box when none comes back.
- Send an **impression** when an offer is really shown, and a **click** when it is chosen:
  the results and the customer's history count them.
- Use the texts the portal returns for your channel kind: they fit its length limits.
"""
DIGITAL_QUESTIONS = [
    (
        "When do you send an impression?",
        QuestionKind.SINGLE,
        [
            ("When the offer is really shown to the customer", True),
            ("When the portal answers", False),
            ("Once a day", False),
        ],
    ),
]


def _digital_guide(trainer) -> Guide:
    """The demo guide for the web and app teams, published once."""
    guide, created = Guide.objects.get_or_create(
        title_en=DIGITAL_TITLE,
        defaults={
            "title_pl": DIGITAL_TITLE_PL,
            "body": DIGITAL_BODY,
            "channel_kinds": [ChannelKind.WEB, ChannelKind.APP],
            "roles": [Role.DIGITAL_TEAM.value],
            "due_days": 21,
            "pass_mark": 100,
            "author": trainer,
        },
    )
    if created:
        for text, kind, choices in DIGITAL_QUESTIONS:
            add_question(guide=guide, text=text, kind=kind, choices=choices)
    if guide.current_version_id is None:
        publish_guide(guide=guide, by=trainer, material=True, note="First version.")
    return guide


@transaction.atomic
def build_training() -> dict[str, int]:
    """Publish the demo guides (once): one for store and call-centre agents, one for the web
    and app teams."""
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
    digital = _digital_guide(trainer)
    return {
        "guides": Guide.objects.published().count(),
        "assigned": guide.assignments.count() + digital.assignments.count(),
    }
