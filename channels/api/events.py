"""``POST /api/v1/events/``: batches of up to 5,000 digital events (impressions, clicks,
dismissals, views, intents), stored once each, answered 202 once committed.

The body is read here, not by DRF's parsers: orjson and one hand-written loop
(``channels/events/validation.py``) keep 5,000 events to a few milliseconds, and this endpoint
may take a larger body (CVM_EVENTS_MAX_BODY_BYTES) than the portal's global limit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from channels.events.references import check_references
from channels.events.store import store_events
from channels.events.validation import (
    CONTEXT_VALUE_MAX,
    CUSTOMER_ID_MAX,
    EVENT_ID_MAX,
    KINDS,
    MAX_EVENTS,
    OFFER_CODE_MAX,
    BatchError,
    read_batch,
)
from channels.models.api import DIGITAL_KINDS
from cvm_portal.api import BodyTooLarge

from .auth import check_channel_kind
from .errors import errors
from .views import ApiClientView


def _context_field() -> serializers.CharField:
    return serializers.CharField(required=False, min_length=1, max_length=CONTEXT_VALUE_MAX)


EVENT = dict(
    name="Event",
    fields={
        "event_id": serializers.CharField(
            min_length=1,
            max_length=EVENT_ID_MAX,
            help_text="Made by the client, unique per client (a UUID will do). With the same "
            "time, the same event: sent again, it is dropped as a duplicate.",
        ),
        "kind": serializers.ChoiceField(choices=sorted(KINDS)),
        "customer_id": serializers.CharField(
            min_length=1, max_length=CUSTOMER_ID_MAX, help_text="The warehouse's customer id."
        ),
        "channel_kind": serializers.ChoiceField(
            choices=DIGITAL_KINDS, help_text="One of the kinds this client may ask for (else 403)."
        ),
        "offer_code": serializers.CharField(
            required=False,
            min_length=1,
            max_length=OFFER_CODE_MAX,
            help_text="Impression, click, dismissal: offer_code or presentation_id is required.",
        ),
        "presentation_id": serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="From a decision this client asked for, for the same customer and kind.",
        ),
        "occurred_at": serializers.DateTimeField(
            help_text="ISO 8601 with its offset; within the last CVM_EVENT_MAX_AGE_DAYS days "
            "(30) and at most CVM_EVENT_MAX_SKEW_SECONDS (300) ahead."
        ),
        "context": inline_serializer(
            name="EventContext",
            fields={
                "page": _context_field(),
                "product": _context_field(),
                "intent": _context_field(),
                "device": _context_field(),
            },
            required=False,
        ),
    },
)

BatchSerializer = inline_serializer(
    name="EventBatch",
    fields={"events": inline_serializer(**EVENT, many=True, min_length=1, max_length=MAX_EVENTS)},
)

StoredSerializer = inline_serializer(
    name="EventsStored",
    fields={
        "accepted": serializers.IntegerField(help_text="Events stored now."),
        "duplicates": serializers.IntegerField(
            help_text="Events dropped: stored before, or repeated in this batch."
        ),
    },
)

BatchRefusedSerializer = inline_serializer(
    name="EventBatchRefused",
    fields={
        "detail": serializers.CharField(),
        "events": inline_serializer(
            name="EventProblem",
            fields={
                "index": serializers.IntegerField(
                    help_text="The event's place in the batch, from 0."
                ),
                "field": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
            required=False,
        ),
    },
)


def _refused(detail: str, problems=()) -> Response:
    body = {"detail": detail}
    if problems:
        body["events"] = [p.as_dict() for p in problems]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class EventBatchView(ApiClientView):
    """Who may use it: API clients, for their channel kinds. Stores a batch of digital events,
    each once; a batch with any invalid event is refused whole (nothing stored)."""

    @extend_schema(
        request=BatchSerializer,
        responses={
            202: StoredSerializer,
            400: OpenApiResponse(
                response=BatchRefusedSerializer,
                description="Nothing of the batch was stored. ``events`` names each invalid "
                "event by its index and field (the first 50); fix them and send the whole "
                "batch again (events already stored are dropped as duplicates).",
            ),
            **errors(401, 403, 413, 415, 429),
        },
    )
    def post(self, request):
        if request.content_type.split(";")[0].strip() != "application/json":
            raise exceptions.UnsupportedMediaType(request.content_type)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CVM_EVENTS_MAX_BODY_BYTES:
            raise BodyTooLarge()
        body = request._request.read(length) if length else b""
        now = timezone.now()
        try:
            events, problems = read_batch(
                body,
                now=now,
                max_age=timedelta(days=settings.CVM_EVENT_MAX_AGE_DAYS),
                max_skew=timedelta(seconds=settings.CVM_EVENT_MAX_SKEW_SECONDS),
            )
        except BatchError as exc:
            return _refused(str(exc))
        refused = _(
            "The batch was refused: nothing of it was stored. Fix the events named and send it again."
        )
        if problems:
            return _refused(refused, problems)
        for kind in {e[4] for e in events}:
            check_channel_kind(request, kind)
        events, problems = check_references(events, user_id=request.user.pk)
        if problems:
            return _refused(refused, problems)
        stored = store_events(client_id=request.auth.client_id, events=events)
        return Response(
            {"accepted": stored.accepted, "duplicates": stored.duplicates},
            status=status.HTTP_202_ACCEPTED,
        )
