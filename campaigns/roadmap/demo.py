"""Demo roadmap: three initiatives over the demo campaigns, items in every status, one overdue.

Call ``build_roadmap_demo()`` after the demo catalogue and people exist (it links campaigns by
code and makes ``cvm1`` the owner); safe to run again.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..choices import ChannelKind as K
from ..models import Campaign, Initiative, RoadmapItem
from ..models import RoadmapStatus as S

# (name, goal, campaign codes, start/end in days from today, items: (channel, work, status,
# target in days from today or None, notes))
INITIATIVES = [
    (
        "5G loyalty programme",
        "Keep our most valuable customers on 5G plans: one retention story in every channel.",
        ["RET-5G-Q4"],
        (-30, 90),
        [
            (K.STORE, "Counter display and tablet slide of the 5G benefits.", S.DONE, -10, ""),
            (K.INBOUND_CALL, "Retention script at the IVR transfer to an agent.", S.IN_PROGRESS, 14, ""),
            (K.APP, "5G benefits banner on the app's home screen.", S.PLANNED, 30, ""),
        ],
    ),
    (
        "Fibre for every mobile household",
        "Cross-sell home fibre to mobile customers where the network reaches them.",
        ["XS-FIBRE"],
        (-45, 120),
        [
            (K.WEB, "Address checker for fibre availability in the web shop.", S.IN_PROGRESS, -5,
             "The network team's availability API is late."),
            (K.OUTBOUND_CALL, "Call-list field with the fibre availability date.", S.DONE, -20, ""),
            (K.FIELD, "Door-to-door leaflet and sign-up form for tablets.", S.PLANNED, 45, ""),
            (K.STORE, "Fibre order form in the store console.", S.IN_PROGRESS, 21, ""),
        ],
    ),
    (
        "Self-service data top-ups",
        "Move data-pack purchases to self-service channels without losing conversion.",
        ["UP-DATA"],
        (-10, 150),
        [
            (K.USSD, "Two-step USSD menu for data packs.", S.IN_PROGRESS, 10, ""),
            (K.CHATBOT, "Top-up intent in the chatbot, with hand-over on payment errors.",
             S.BLOCKED, 25, "Waiting for the payment provider's sandbox."),
            (K.WEB, "One-click data pack in the customer's account page.", S.DONE, -3, ""),
            (K.APP, "Data pack tile in the app.", S.PLANNED, None, ""),
        ],
    ),
]  # fmt: skip


@transaction.atomic
def build_roadmap_demo() -> int:
    """Create or refresh the demo initiatives and their items; returns how many items."""
    User = get_user_model()
    owner = User.objects.filter(username="cvm1").first() or User.objects.order_by("pk").first()
    if owner is None:
        return 0
    today = timezone.localdate()
    count = 0
    for name, goal, codes, (start, end), items in INITIATIVES:
        initiative, _created = Initiative.objects.update_or_create(
            name=name,
            defaults={
                "goal": goal,
                "owner": owner,
                "starts_on": today + timedelta(days=start),
                "ends_on": today + timedelta(days=end),
            },
        )
        initiative.campaigns.set(Campaign.objects.filter(code__in=codes))
        for kind, work, status, target, notes in items:
            RoadmapItem.objects.update_or_create(
                initiative=initiative,
                channel_kind=kind.value,
                defaults={
                    "work": work,
                    "status": status,
                    "target_date": today + timedelta(days=target) if target is not None else None,
                    "notes": notes,
                    "updated_by": owner,
                },
            )
            count += 1
    return count
