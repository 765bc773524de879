"""The hand-over desk: every write to a hand-over goes through one of these functions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Customer, Response
from channels.models import ApiClient, Handover, HandoverStatus, profile_of


@dataclass(frozen=True)
class Received:
    handover: Handover
    created: bool


def receive(
    *,
    client: ApiClient,
    conversation_id: str,
    customer: Customer | None,
    phone: str,
    intent: str,
    summary: str,
    transcript_url: str = "",
) -> Received:
    """Record a bot's hand-over, once per conversation of ``client``: the same conversation
    again (even at the same moment) gives the hand-over recorded first, unchanged."""
    existing = Handover.objects.filter(client=client, conversation_id=conversation_id).first()
    if existing is not None:
        return Received(existing, created=False)
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                client=client,
                conversation_id=conversation_id,
                customer=customer,
                phone=phone,
                intent=intent,
                summary=summary,
                transcript_url=transcript_url,
            )
    except IntegrityError:  # the same conversation, posted concurrently, won the insert
        return Received(
            Handover.objects.get(client=client, conversation_id=conversation_id), created=False
        )
    return Received(handover, created=True)


def take(*, handover_id, agent) -> bool:
    """Give a waiting hand-over to ``agent``: True for them alone when several press at once
    (one UPDATE that only a still-waiting row matches); False when someone took it first."""
    profile = profile_of(agent)
    taken = Handover.objects.filter(pk=handover_id, status=HandoverStatus.WAITING).update(
        status=HandoverStatus.TAKEN,
        taken_by=agent,
        taken_at=timezone.now(),
        site_id=profile.site_id if profile else None,
    )
    return taken == 1


def close(*, handover: Handover, agent, outcome: str) -> bool:
    """Close ``agent``'s taken hand-over with ``outcome``: True when this call closed it,
    False when it was closed already (the first outcome stands; pressing twice is harmless)."""
    closed = Handover.objects.filter(
        pk=handover.pk, status=HandoverStatus.TAKEN, taken_by=agent
    ).update(status=HandoverStatus.CLOSED, outcome=outcome, closed_at=timezone.now())
    handover.refresh_from_db()
    return closed == 1


def offers_in_contact(handover: Handover) -> list[Response]:
    """The outcomes the taker recorded for the hand-over's customer while it was theirs."""
    if handover.customer_id is None or handover.taken_at is None:
        return []
    responses = Response.objects.filter(
        customer_id=handover.customer_id,
        agent_id=handover.taken_by_id,
        recorded_at__gte=handover.taken_at,
    )
    if handover.closed_at is not None:
        responses = responses.filter(recorded_at__lte=handover.closed_at)
    return list(responses.select_related("offer", "campaign").order_by("recorded_at"))
