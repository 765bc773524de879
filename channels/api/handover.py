"""Chatbot hand-overs through the API: a bot passes a conversation to inbound agents, then
polls it for the agent's outcome (``channels/handover/`` holds the rest)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from campaigns.choices import ChannelKind
from campaigns.models import Customer
from channels.handover.desk import offers_in_contact, receive
from channels.handover.serializers import (
    HandoverSerializer,
    NewHandoverSerializer,
    handover_body,
)
from channels.models import Handover
from cvm_portal.audit import record_access

from .auth import check_channel_kind
from .errors import errors
from .views import ApiClientView


class HandoverListView(ApiClientView):
    """Who may use it: API clients of channel kind chatbot. Hands a conversation to agents."""

    @extend_schema(
        request=NewHandoverSerializer,
        responses={
            201: HandoverSerializer,
            200: HandoverSerializer,
            **errors(400, 401, 403, 404, 415, 429),
        },
        description="201: a new hand-over. 200: this conversation was handed over already; "
        "the hand-over recorded first comes back unchanged. An unknown customer_id is a 404; "
        "a phone number that belongs to no customer is accepted (customer_id null).",
    )
    def post(self, request):
        check_channel_kind(request, ChannelKind.CHATBOT)
        incoming = NewHandoverSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        client = request.auth.client
        customer = None
        if data.get("customer_id"):
            customer = Customer.objects.filter(external_id=data["customer_id"]).first()
            if customer is None:
                return Response(
                    {"detail": _("No customer has this customer id.")},
                    status=status.HTTP_404_NOT_FOUND,
                )
        elif data.get("phone"):
            customer = Customer.objects.filter(phone=data["phone"]).first()
        received = receive(
            client=client,
            conversation_id=data["conversation_id"],
            customer=customer,
            phone=data.get("phone", ""),
            intent=data["intent"],
            summary=data["summary"],
            transcript_url=data.get("transcript_url", ""),
        )
        if received.created:
            # The bot's look-up of a customer by id or number, audited as the console's are.
            if customer is not None:
                record_access(user=request.user, action="find", obj=customer, detail="handover")
            else:
                record_access(user=request.user, action="find_failed", detail="handover: phone")
        return Response(
            HandoverSerializer(handover_body(received.handover, [])).data,
            status=status.HTTP_201_CREATED if received.created else status.HTTP_200_OK,
        )


class HandoverDetailView(ApiClientView):
    """Who may use it: the API client that made the hand-over (any other: 404). Its status and,
    once closed, the agent's outcome and the offers recorded in the contact: the bot polls this."""

    @extend_schema(responses={200: HandoverSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk):
        check_channel_kind(request, ChannelKind.CHATBOT)
        handover = get_object_or_404(
            Handover.objects.select_related("customer"), pk=pk, client=request.auth.client
        )
        return Response(
            HandoverSerializer(handover_body(handover, offers_in_contact(handover))).data
        )
