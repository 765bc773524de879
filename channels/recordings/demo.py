"""Call recordings for the demo: a telephony system's API client, recordings on some of the
demo history's calls (inbound and outbound), and last week's research queue drawn from them.
Run after the demo history exists (``manage.py demo_history``); running it again adds nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.choices import ChannelKind
from campaigns.models import Decision
from channels.choices import Disposition
from channels.models import ApiClient, CallAttempt

from .attach import attach
from .research import draw_queue, last_week

DEMO_TELEPHONY = "Telephony (demo)"
CALL_KINDS = (ChannelKind.INBOUND_CALL, ChannelKind.OUTBOUND_CALL)
DAYS = 14  # recordings on the calls of the last two weeks
INBOUND_CALLS = 120
OUTBOUND_ATTEMPTS = 40


def _telephony_client() -> ApiClient:
    from channels.api.clients import create_client

    client = ApiClient.objects.filter(name=DEMO_TELEPHONY).first()
    if client is None:
        client = ApiClient(name=DEMO_TELEPHONY, channel_kinds=[], attaches_recordings=True)
        create_client(client=client)  # its key is not shown: the demo attaches recordings itself
    return client


def _attach(client: ApiClient, reference: str, **contact) -> bool:
    rng = random.Random(reference)  # noqa: S311 - the same length for the same call, every run
    return attach(
        client=client,
        reference=reference,
        url=f"https://telephony.example.com/recordings/{reference}",
        duration_s=rng.randrange(45, 900),
        **contact,
    ).created


@transaction.atomic
def build_recordings_demo(*, now=None) -> dict[str, int]:
    """Attach demo recordings to recent calls and draw last week's research queue; returns how
    many recordings and queue items this run added."""
    client = _telephony_client()
    since = (now or timezone.now()) - timedelta(days=DAYS)
    decisions = Decision.objects.filter(
        created_at__gte=since, channel_kind__in=CALL_KINDS, agent__isnull=False
    ).order_by("created_at", "pk")[:INBOUND_CALLS]
    attempts = (
        CallAttempt.objects.filter(at__gte=since, disposition=Disposition.REACHED)
        .select_related("lead__call_list")
        .order_by("at", "pk")[:OUTBOUND_ATTEMPTS]
    )
    added = sum(_attach(client, f"demo-in-{d.pk.hex[:12]}", decision=d) for d in decisions)
    added += sum(_attach(client, f"demo-out-{a.pk}", call_attempt=a) for a in attempts)
    return {"recordings": added, "research_items": draw_queue(week=last_week(now))}
