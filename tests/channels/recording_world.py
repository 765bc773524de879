"""Test data for call recordings: a telephony client, outbound calls and inbound calls with
their outcomes, and recordings attached to them (the research queue samples these)."""

from __future__ import annotations

from datetime import datetime

from rest_framework.test import APIClient

from campaigns.choices import ChannelKind, Outcome
from campaigns.models import Decision, DeclineReason, Presentation, Response
from channels.choices import Disposition
from channels.models import ApiClient, CallAttempt, Lead
from channels.recordings.attach import attach
from cvm_portal.roles import Role
from tests.factories import (
    CustomerFactory,
    SiteFactory,
    build_lists,
    outbound_agent,
    outbound_world,
    user_with_role,
)

INBOUND = ChannelKind.INBOUND_CALL


def telephony(name: str = "Telephony") -> tuple[ApiClient, str]:
    """An API client that may attach recordings (and asks for no decisions); (client, key)."""
    from channels.api.clients import create_client

    client = ApiClient(name=name, channel_kinds=[], attaches_recordings=True)
    _row, key = create_client(client=client)
    return client, key


def keyed(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def reason(code: str = "too_dear") -> DeclineReason:
    return DeclineReason.objects.get_or_create(code=code, defaults={"label": code.title()})[0]


def _respond(decision, offer, campaign, outcome, decline=None) -> Response:
    presentation = Presentation.objects.create(
        decision=decision, offer=offer, campaign=campaign, rank=1, score=1, reason="test"
    )
    if outcome is None:
        return None
    return Response.objects.create(
        presentation=presentation,
        customer=decision.customer,
        offer=offer,
        campaign=campaign,
        channel_kind=decision.channel_kind,
        outcome=outcome,
        decline_reason=reason(decline) if outcome == Outcome.DECLINED else None,
        not_presented_reason="no_time" if outcome == Outcome.NOT_PRESENTED else "",
        agent=decision.agent,
        site_id=decision.site_id,
    )


def call_world(members: int = 3):
    """A live outbound campaign with today's call list at an agency, its agent, and an inbound
    call-centre agent at a site of their own."""
    world = outbound_world(members)
    build_lists()
    world.agent = outbound_agent(world.site)
    world.inbound_site = SiteFactory()
    world.inbound_agent = user_with_role(Role.AGENT, site=world.inbound_site, channel_kind=INBOUND)
    world.leads = list(Lead.objects.order_by("pk"))
    return world


def outbound_call(world, *, lead=None, outcome=Outcome.ACCEPTED, decline="too_dear",
                  disposition=Disposition.REACHED) -> CallAttempt:  # fmt: skip
    """An attempt on ``lead``; when reached, the offer shown and its ``outcome`` (None: none)."""
    lead = lead or world.leads[0]
    if disposition == Disposition.REACHED:
        decision = Decision.objects.create(
            customer=lead.customer,
            channel_kind=ChannelKind.OUTBOUND_CALL,
            agent=world.agent,
            site_id=world.site.pk,
        )
        _respond(decision, world.offer, world.campaign, outcome, decline)
        Lead.objects.filter(pk=lead.pk).update(decision=decision)
    return CallAttempt.objects.create(
        lead=Lead.objects.get(pk=lead.pk), agent=world.agent, site=world.site,
        disposition=disposition,
    )  # fmt: skip


def inbound_call(world, *, outcome=Outcome.DECLINED, decline="too_dear", kind=INBOUND,
                 customer=None) -> Decision:  # fmt: skip
    """A decision an inbound agent's console made during a call, with the offer's outcome."""
    decision = Decision.objects.create(
        customer=customer or CustomerFactory(),
        channel_kind=kind,
        agent=world.inbound_agent,
        site_id=world.inbound_site.pk,
    )
    _respond(decision, world.offer, world.campaign, outcome, decline)
    return decision


def recording(client, *, reference: str, at: datetime, call_attempt=None, decision=None):
    """A recording attached as the API attaches it, made at ``at``."""
    return attach(
        client=client,
        reference=reference,
        url=f"https://pbx.example.com/rec/{reference}",
        duration_s=180,
        call_attempt=call_attempt,
        decision=decision,
        recorded_at=at,
    ).recording
