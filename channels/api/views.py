"""REST API for digital channels: the same decisions and outcome capture as the console.

DRF views authenticate themselves (DRF marks them exempt from Django's
LoginRequiredMiddleware). Only API clients, with a key, get answers, for the channel kinds
their client may ask for (``channels/api/auth.py``); a signed-in session gets 403.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.decisioning import decide
from campaigns.models import Customer, DeclineReason, OfferContent, Presentation
from campaigns.responses import record_outcome
from campaigns.why_not import why_not
from cvm_portal.audit import record_access
from cvm_portal.idempotency import HEADER, idempotent

from .auth import ApiKeyAuthentication, IsApiClient, check_channel_kind
from .serializers import (
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
    HEADER, str, OpenApiParameter.HEADER, required=False,
    description="Same key and body: the same answer again. Same key, another body: 422.",
)  # fmt: skip


class ApiClientView(APIView):
    """An API key authenticates; a session is recognised only to be refused with 403 (an agent
    signed in to the console gets a clear answer rather than "no credentials")."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsApiClient]
    throttle_classes = [ApiClientThrottle]


class DecisionView(ApiClientView):
    """Who may use it: API clients, for their channel kinds. Next-best-offers for a customer."""

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={201: DecisionSerializer},
        parameters=[EXPLAIN, LANGUAGE],
    )
    def post(self, request):
        incoming = DecisionRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        asked = ExplainQuerySerializer(data=request.query_params)
        asked.is_valid(raise_exception=True)
        explain = incoming.validated_data["explain"] or asked.validated_data["explain"]
        kind = incoming.validated_data["channel_kind"]
        check_channel_kind(request, kind)
        customer = Customer.objects.filter(
            external_id=incoming.validated_data["customer_id"]
        ).first()
        if customer is None:
            return Response(
                {"detail": _("No customer has this customer id.")}, status=status.HTTP_404_NOT_FOUND
            )
        # Recorded under the client's service account; API clients work at no site.
        result = decide(customer=customer, channel_kind=kind, agent=request.user, site_id=None)
        # Audited once decided: a decision that fails gave the client nothing about the customer.
        record_access(user=request.user, action="decide", obj=customer, detail="api")
        contents = {
            content.offer_id: content
            for content in OfferContent.objects.filter(
                offer__in=[c.offer for c in result.offers], channel_kind=kind
            )
        }
        offers = []
        for c in result.offers:
            content = contents.get(c.offer.pk)
            offers.append(
                {
                    "presentation_id": c.presentation.pk,
                    "rank": c.presentation.rank,
                    "offer_code": c.offer.code,
                    "campaign_code": c.campaign.code,
                    "title": c.offer.title,
                    "benefit": c.offer.benefit,
                    "short_text": content.short_text if content else "",
                    "banner_title": content.banner_title if content else "",
                    "agent_script": content.agent_script if content else "",
                    "score": c.score,
                    "reason": c.reason,
                }
            )
        body = {
            "decision_id": result.decision.pk,
            "customer_id": customer.external_id,
            "channel_kind": kind,
            "offers": offers,
        }
        if explain:
            body["not_offered"] = [
                {
                    "offer_code": w.offer.code,
                    "campaign_code": w.campaign.code,
                    "code": w.code,
                    "text": w.text,
                    "available_from": w.available_from,
                }
                for w in why_not(result)
            ]
        return Response(DecisionSerializer(body).data, status=status.HTTP_201_CREATED)


class OutcomeView(ApiClientView):
    """Who may use it: the API client the offer was presented to. Records once per presentation."""

    @extend_schema(
        request=OutcomeRequestSerializer,
        responses={200: OutcomeSerializer, 201: OutcomeSerializer},
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
        except ValidationError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
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
