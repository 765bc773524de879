"""The customer's digital interest on the console: their latest clicks, intents and dismissals
(offer, channel kind, time), loaded by the page after it shows (htmx), so the page itself costs
no query more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaigns import channel_registry
from campaigns.models import Customer, Offer
from channels.console.links import LinkExpired, NotYourLink, customer_id_from
from channels.models.events import INTEREST_KINDS, DigitalEvent, EventKind
from cvm_portal.audit import record_access
from cvm_portal.roles import Role, role_required

SHOWN = 20  # the latest events listed


@dataclass(frozen=True)
class Interest:
    """One event of the customer's digital interest, as the console shows it."""

    occurred_at: datetime
    kind: str
    channel_kind: str
    offer: Offer | None
    context: dict

    @property
    def kind_label(self) -> str:
        return EventKind(self.kind).label

    @property
    def channel_label(self) -> str:
        return channel_registry.label(self.channel_kind)

    @property
    def topic(self) -> str:
        """What an intent or a click without an offer was about: the stated intent, the product
        or the page, as the channel sent it."""
        c = self.context or {}
        return " · ".join(v for v in (c.get("intent"), c.get("product"), c.get("page")) if v)


def recent_interest(*, external_id: str, limit: int = SHOWN) -> list[Interest]:
    """The customer's latest clicks, intents and dismissals, newest first (two queries: the
    events, by the partial index on the customer, and their offers)."""
    rows = list(
        DigitalEvent.objects.filter(customer_id=external_id, kind__in=INTEREST_KINDS)
        .order_by("-occurred_at")
        .values_list("occurred_at", "kind", "channel_kind", "offer_code", "context")[:limit]
    )
    codes = {code for _at, _kind, _channel, code, _context in rows if code}
    offers = {o.code: o for o in Offer.objects.filter(code__in=codes)} if codes else {}
    return [
        Interest(at, kind, channel, offers.get(code), context or {})
        for at, kind, channel, code, context in rows
    ]


@require_GET
@role_required(Role.AGENT)
def interest(request: HttpRequest, token: str) -> HttpResponse:
    """Who may use it: the agent whose link ``token`` is, while it is fresh (others: 404), as
    the customer's page. The customer's digital interest; audited as the page is."""
    try:
        customer_id = customer_id_from(user=request.user, token=token)
    except (NotYourLink, LinkExpired):
        raise Http404 from None
    customer = Customer.objects.filter(pk=customer_id).only("pk", "external_id").first()
    if customer is None:
        raise Http404
    page = render(
        request,
        "channels/includes/interest.html",
        {"interest": recent_interest(external_id=customer.external_id)},
    )
    record_access(user=request.user, action="view", obj=customer, detail="console: interest")
    return page
