"""REST API for digital channels: the same decisions and outcome capture as the console.

DRF views authenticate themselves (DRF marks them exempt from Django's
LoginRequiredMiddleware). Only API clients, with a key, get answers, for the channel kinds
their client may ask for (``channels/api/auth.py``); a signed-in session gets 403.
"""

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import DeclineReason, Presentation
from campaigns.responses import record_outcome
from cvm_portal.api import JSONParser
from cvm_portal.idempotency import HEADER, idempotent

from . import decisions, fast
from .auth import ApiKeyAuthentication, IsApiClient, check_channel_kind
from .errors import errors
from .serializers import (
    MAX_BUDGET_MS,
    MIN_BUDGET_MS,
    BudgetHeaderSerializer,
    DecisionRequestSerializer,
    DecisionSerializer,
    ExplainQuerySerializer,
    OutcomeRequestSerializer,
    OutcomeSerializer,
)
from .throttles import ApiClientThrottle

EXPLAIN = OpenApiParameter(
    "explain", bool, OpenApiParameter.QUERY, required=False,
    description="true: also list the offers not offered now, why, and from when (not_offered); "
    "as the body field explain.",
)  # fmt: skip
LANGUAGE = OpenApiParameter(
    "Accept-Language", str, OpenApiParameter.HEADER, required=False,
    description="pl or en (default en): the language of the offer texts (title, benefit, "
    "short_text, banner_title, agent_script…) and of messages. A text not written in that "
    "language comes in the other one. The answer's Content-Language says which was used.",
)  # fmt: skip
IDEMPOTENCY = OpenApiParameter(
    HEADER, {"type": "string", "maxLength": 200}, OpenApiParameter.HEADER, required=False,
    description="Same key and body: the same answer again. Same key, another body: 422.",
)  # fmt: skip


class ApiClientView(APIView):
    """An API key authenticates; a session is recognised only to be refused with 403 (an agent
    signed in to the console gets a clear answer rather than "no credentials")."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsApiClient]
    throttle_classes = [ApiClientThrottle]
    parser_classes = [JSONParser]  # bodies are JSON; a form is a 415, as the schema says


BUDGET = OpenApiParameter(
    "X-Decision-Budget-Ms",
    {"type": "integer", "minimum": MIN_BUDGET_MS, "maximum": MAX_BUDGET_MS},
    OpenApiParameter.HEADER, required=False,
    description=f"How long the decision may take, in milliseconds ({MIN_BUDGET_MS}–"
    f"{MAX_BUDGET_MS}; default CVM_DECISION_BUDGET_MS, 150). Past it the answer comes anyway, "
    "with no offers and degraded: true. The body field budget_ms wins over this header.",
)  # fmt: skip


class DecisionView(ApiClientView):
    """Who may use it: API clients, for their channel kinds. Next-best-offers for a customer.

    Within the time budget (``budget_ms``, ``X-Decision-Budget-Ms``, CVM_DECISION_BUDGET_MS)
    or degraded: no offers, ``degraded: true``, not recorded, counted (DegradedDecisions).
    On PostgreSQL two round trips: the time limit with the customer, their memberships and
    history; then the decision with its presentations and the audit row of the look-up.
    An ordinary request takes the fast path (``channels.api.fast``: no DRF machinery), any
    other DRF's whole path (``post``); both answer with ``channels.api.decisions.answer``."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            response = fast.respond(self, request)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={
            200: OpenApiResponse(
                DecisionSerializer, description="Degraded: the budget ran out; nothing recorded."
            ),
            201: DecisionSerializer,
            **errors(400, 401, 403, 404, 429),
        },
        parameters=[EXPLAIN, LANGUAGE, BUDGET],
    )
    def post(self, request):
        started = time.monotonic()
        incoming = DecisionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        asked = ExplainQuerySerializer(data=request.query_params)
        asked.is_valid(raise_exception=True)
        header = BudgetHeaderSerializer(
            data={"budget_ms": request.headers.get("X-Decision-Budget-Ms")}
        )
        header.is_valid(raise_exception=True)
        data = incoming.validated_data
        check_channel_kind(request, data["channel_kind"])
        code, body, after = decisions.answer(
            request,
            user=request.user,
            data=data,
            explain=data["explain"] or asked.validated_data["explain"],
            budget_ms=data.get("budget_ms")
            or header.validated_data.get("budget_ms")
            or settings.CVM_DECISION_BUDGET_MS,
            started=started,
        )
        response = Response(body, status=code)
        if after is not None:
            response._resource_closers.append(after)
        return response


class OutcomeView(ApiClientView):
    """Who may use it: the API client the offer was presented to. Records once per presentation."""

    @extend_schema(
        request=OutcomeRequestSerializer,
        responses={200: OutcomeSerializer, 201: OutcomeSerializer, **errors(404, 409, 422)},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request):
        incoming = OutcomeRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        presentation = get_object_or_404(
            Presentation.objects.select_related("decision"),
            pk=data["presentation_id"],
            decision__agent=request.user,
        )
        check_channel_kind(request, presentation.decision.channel_kind)
        reason = None
        if data.get("decline_reason"):
            reason = DeclineReason.objects.filter(
                code=data["decline_reason"], is_active=True
            ).first()
            if reason is None:
                return Response(
                    {"decline_reason": [_("Unknown decline reason.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        try:
            response, created = record_outcome(
                presentation=presentation,
                outcome=data["outcome"],
                agent=request.user,
                decline_reason=reason,
                not_presented_reason=data.get("not_presented_reason", ""),
            )
        except ValidationError as exc:  # the body was valid: the presentation forbids it
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        body = {
            "presentation_id": presentation.pk,
            "outcome": response.outcome,
            "recorded_at": response.recorded_at,
            "created": created,
        }
        return Response(
            OutcomeSerializer(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
