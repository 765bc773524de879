"""Customer-need notes for the demo: about 30 notes the demo agents wrote on customers they
served in the demo history, so the console and outbound screens (and the insight page) have
needs to show. Written through ``add_note`` (masking and all), then dated to the contact.
Run after the demo history (``manage.py demo_history`` calls it); deterministic for a seed."""

from __future__ import annotations

import random

from campaigns.models import Decision, NeedTag
from channels.models.insights import CustomerNote
from channels.models.sites import AgentProfile

from .notes import add_note

# What agents write, by need code; some with a number in them, to show it masked.
TEXTS = {
    "cheaper_plan": [
        "Says the bill is too high since the promo ended.",
        "Would stay for a plan under 50 zł.",
        "",
    ],
    "coverage": [
        "No signal in the kitchen, new flat in Gdańsk.",
        "Data very slow on the train to work.",
        "",
    ],
    "competitor_offer": [
        "Has an offer from another operator, 39 zł with 100 GB.",
        "Neighbour switched; asked us to match it. Call back on 601 234 567.",
    ],
    "moving_house": ["Moving in March, wants home internet at the new address.", ""],
    "device_broken": ["Screen cracked, asks about instalments for a new phone.", ""],
    "more_data": ["Runs out of data by the 20th every month.", ""],
    "billing_question": [
        "Did not understand the roaming charge on the last bill.",
        "Paid with card 4111 1111 1111 1111 twice, wants a refund.",
    ],
    "tv_entertainment": ["Asked whether we have sports channels.", ""],
}


def build_need_notes_demo(*, count: int = 30, seed: int = 18) -> int:
    """Write about ``count`` notes on customers the demo agents met in the demo history, unless
    notes exist already; returns how many were written."""
    if CustomerNote.objects.exists():
        return 0
    needs = list(NeedTag.objects.filter(is_active=True))
    profiles = list(AgentProfile.objects.select_related("user", "site"))
    if not needs or not profiles:
        return 0
    rng = random.Random(seed)
    written = 0
    for i in range(count):
        profile = profiles[i % len(profiles)]
        decisions = list(
            Decision.objects.filter(agent=profile.user)
            .select_related("customer")
            .order_by("-created_at")[:40]
        )
        if not decisions:
            continue
        decision = rng.choice(decisions)
        tags = rng.sample(needs, k=rng.choice([1, 1, 2]))
        text = rng.choice(TEXTS.get(tags[0].code, [""]) or [""])
        if not text and len(tags) == 1 and rng.random() < 0.5:
            text = "Customer asked to think it over."
        note = add_note(
            customer=decision.customer,
            author=profile.user,
            tags=tags,
            text=text,
            channel_kind=decision.channel_kind,
            decision=decision,
        )
        CustomerNote.objects.filter(pk=note.pk).update(created_at=decision.created_at)
        written += 1
    return written
