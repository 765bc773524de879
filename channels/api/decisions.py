"""The decision API's answer, once its request is checked: what both of its paths share.

``DecisionView`` answers most requests on its fast path (``channels.api.fast``) and the rest
through DRF's whole machinery (``channels.api.views``); both check the request their own way
and then call ``answer``, so a decision, its record, its audit row and the JSON that comes back
are the same whichever path served it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from campaigns import catalogue, channel_registry, store
from campaigns.decisioning import decide
from campaigns.governance import stop_signal
from campaigns.models import DegradedDecisions
from campaigns.why_not import why_not
from cvm_portal.audit import access

log = logging.getLogger("cvm.decisions")


def content_for(request, content, kind: str) -> dict:
    """The texts of ``content`` (an OfferContent, or None) that channel kind ``kind`` shows."""
    fields = channel_registry.content_fields(kind)  # from the channel's formats
    found = {}
    for name in fields:
        if name == "banner_image_url":
            image = content.banner_image if content is not None else None
            found[name] = request.build_absolute_uri(image.url) if image else ""
        else:
            found[name] = getattr(content, name) if content is not None else ""
    return found


def count_degraded(kind: str) -> None:
    """One more degraded decision today in ``kind``, counted in the database once the answer has
    gone out (the database was slow a moment ago); a failure is logged, never raised."""
    try:
        with transaction.atomic():
            row, _created = DegradedDecisions.objects.get_or_create(
                day=timezone.localdate(), channel_kind=kind
            )
            DegradedDecisions.objects.filter(pk=row.pk).update(count=F("count") + 1)
    except DatabaseError:
        log.warning("A degraded decision in %s could not be counted", kind, exc_info=True)


def _texts(request, offer, content, kind: str) -> dict:
    """An offer's texts in the answer, in the active language."""
    return {
        "title": str(offer.title),
        "benefit": str(offer.benefit),
        "short_text": content.short_text if content else "",
        "banner_title": content.banner_title if content else "",
        "agent_script": content.agent_script if content else "",
        "content": content_for(request, content, kind),
    }


def answer(
    request,
    *,
    user,
    data: dict,
    explain: bool,
    budget_ms: int,
    started: float,
    watch_stop: bool = False,
) -> tuple[int, dict, Callable[[], None] | None]:
    """(status, body, what to run once the answer has gone out) for a checked decision request
    ``data`` (as DecisionRequestSerializer validates it) of API client ``user``; ``started``:
    ``time.monotonic()`` when the request came in (the budget counts from there).
    ``watch_stop``: no middleware observed the kill switch's stop signal for this request (the
    front door, ``channels.api.front``): it is observed here, before the decision — on
    PostgreSQL from the stop generation read with the customer, in the same statement."""
    kind = data["channel_kind"]
    now = timezone.now()
    snapshot = catalogue.current()
    spent = (time.monotonic() - started) * 1000
    try:
        with store.time_limit(max(1, int(budget_ms - spent))):
            customer = store.find_customer(
                external_id=data["customer_id"],
                version_ids=snapshot.version_ids(kind, now),
                now=now,
                control_codes=snapshot.control_codes(kind, now),
            )
            if customer is None:
                return 404, {"detail": _("No customer has this customer id.")}, None
            if watch_stop:  # a stop since the catalogue was read: decide on the new one
                stop_signal.observe_database(getattr(customer, "cvm_stop_generation", None))
                snapshot = catalogue.current()
            # Recorded under the client's service account; API clients work at no site.
            # The look-up is audited in the decision's own statement: a decision that
            # fails (or runs out of time) gave the client nothing about the customer.
            result = decide(
                customer=customer,
                channel_kind=kind,
                agent=user,
                site_id=None,
                now=now,
                context=data.get("context"),
                audit=access(user=user, action="decide", obj=customer, detail="api"),
            )
    except store.TimedOut:
        body = {
            "decision_id": None,
            "customer_id": data["customer_id"],
            "channel_kind": kind,
            "offers": [],
            "degraded": True,
        }
        if explain:
            body["not_offered"] = []
        return 200, body, lambda: count_degraded(kind)
    language = get_language()
    site = (request.scheme, request.META.get("HTTP_HOST", ""))  # for the images' absolute URLs
    offers = []
    for c in result.offers:
        offers.append(
            {
                "presentation_id": c.presentation.pk,
                "rank": c.presentation.rank,
                "offer_code": c.offer.code,
                "campaign_code": c.campaign.code,
                # The offer's texts change only with the catalogue: made once per language.
                **snapshot.memo(
                    ("channels.api:texts", c.offer.pk, kind, language, site),
                    lambda c=c: _texts(request, c.offer, snapshot.content(c.offer.pk, kind), kind),
                ),
                "score": float(c.score),
                "reason": c.reason,
            }
        )
    body = {
        "decision_id": result.decision.pk,
        "customer_id": customer.external_id,
        "channel_kind": kind,
        "offers": offers,
        "degraded": False,
    }
    if explain:
        body["not_offered"] = [
            {
                "offer_code": w.offer.code,
                "campaign_code": w.campaign.code,
                "code": str(w.code),
                "text": str(w.text),
                "available_from": w.available_from,
            }
            for w in why_not(result)
        ]
    return 201, body, None
