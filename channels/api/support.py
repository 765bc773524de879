"""``GET /api/v1/support-options/?customer_id=…``: which support options the active
support-routing policy gives a customer (a direct line to an agent, a call-back, chat,
self-service only), for the IVR, the app and the web site to offer them
(``campaigns.optimisation.policy``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from campaigns.models import Customer, SupportOption
from campaigns.optimisation.policy import option_label, options_for
from cvm_portal.audit import record_access

from .errors import NO_NUL, errors
from .serializers import CUSTOMER_ID_MAX_LENGTH
from .views import ApiClientView


class SupportQuerySerializer(serializers.Serializer):
    customer_id = serializers.CharField(max_length=CUSTOMER_ID_MAX_LENGTH, trim_whitespace=False)


SupportOptionsSerializer = inline_serializer(
    name="SupportOptions",
    fields={
        "customer_id": serializers.CharField(),
        "policy_version": serializers.IntegerField(
            allow_null=True,
            help_text="The support-routing policy version that answered; null: no policy yet.",
        ),
        "options": inline_serializer(
            name="SupportOptionItem",
            many=True,
            fields={
                "code": serializers.ChoiceField(choices=SupportOption.choices),
                "label": serializers.CharField(help_text="For people, in the request's language."),
            },
        ),
    },
)

CUSTOMER_ID = OpenApiParameter(
    "customer_id",
    {"type": "string", "minLength": 1, "maxLength": CUSTOMER_ID_MAX_LENGTH, "pattern": NO_NUL},
    OpenApiParameter.QUERY,
    required=True,
    description="The warehouse's customer id.",
)


class SupportOptionsView(ApiClientView):
    """Who may use it: API clients (any channel kind). The support options for one customer:
    the active policy's exception for their preferred channel first, then their segment and
    tier's rule. An empty list: no policy, or no rule for their segment. The look-up is audited."""

    @extend_schema(
        parameters=[CUSTOMER_ID],
        responses={200: SupportOptionsSerializer, **errors(400, 404)},
    )
    def get(self, request):
        asked = SupportQuerySerializer(data=request.query_params)
        asked.is_valid(raise_exception=True)
        customer = Customer.objects.filter(external_id=asked.validated_data["customer_id"]).first()
        if customer is None:
            record_access(user=request.user, action="find_failed", detail="support-options")
            return Response(
                {"detail": _("No customer has this customer id.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        version, options = options_for(customer)
        record_access(user=request.user, action="find", obj=customer, detail="support-options")
        return Response(
            {
                "customer_id": customer.external_id,
                "policy_version": version,
                "options": [{"code": o, "label": option_label(o)} for o in options],
            }
        )
