"""The USSD gateway's callback, in Africa's Talking's format: a form in, plain text out.

Who may call it is decided in ``auth``: the gateway's address (``CVM_USSD_ALLOWED_IPS``) and an
API key of a client allowed channel kind ussd, in the callback URL's query (``?key=…``: what a
gateway that only calls a configured URL can send) or in ``Authorization: Api-Key …``. Every
refusal is a 403 in plain text.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, negotiation, parsers, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from channels.api.auth import ApiKeyAuthentication
from channels.api.errors import DESCRIPTIONS, ContractSchema

from . import gateway, screens
from .auth import IsUssdGateway, UssdQueryKey, check_address

log = logging.getLogger(__name__)


class UssdCallbackSerializer(serializers.Serializer):
    """Africa's Talking's callback fields (others it sends, e.g. networkCode, are ignored)."""

    sessionId = serializers.CharField(  # noqa: N815 - the gateway's field names
        max_length=100, help_text=_("The gateway's id of the caller's session.")
    )
    serviceCode = serializers.CharField(  # noqa: N815
        max_length=40, help_text=_("The USSD code the caller dialled, e.g. *384*1234#.")
    )
    phoneNumber = serializers.CharField(  # noqa: N815
        max_length=32, help_text=_("The caller's number, e.g. +48501234567.")
    )
    text = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_("The caller's choices so far, joined by *; empty on the first screen."),
    )


class PlainTextRenderer(renderers.BaseRenderer):
    """Text as it is; an error body as its sentences, one a line."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:  # noqa: ARG002
        if isinstance(data, dict):
            lines = []
            for name, problems in data.items():
                problems = problems if isinstance(problems, list) else [problems]
                prefix = "" if name in ("detail", "non_field_errors") else f"{name}: "
                lines.extend(f"{prefix}{problem}" for problem in problems)
            data = "\n".join(lines)
        return str(data if data is not None else "").encode(self.charset)


class PlainTextOnly(negotiation.BaseContentNegotiation):
    """The gateway gets plain text whatever its Accept header says (never a 406)."""

    def select_parser(self, request, parsers):
        return negotiation.DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):  # noqa: ARG002
        return renderers[0], renderers[0].media_type


def _text(status: int) -> OpenApiResponse:
    return OpenApiResponse(response=OpenApiTypes.STR, description=DESCRIPTIONS[status])


LANGUAGE = OpenApiParameter(
    "Accept-Language", str, OpenApiParameter.HEADER, required=False,
    description="pl or en: the language of a new session's screens; without it, "
    "CVM_USSD_LANGUAGE.",
)  # fmt: skip


class UssdSchema(ContractSchema):
    """The API's schema, less the statuses this view never answers: no challenge is sent (so
    no 401, nor the 429 of refused credentials), and any Accept gets plain text (no 406)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ("401", "406", "429"):
            responses.pop(code, None)
        return responses


class UssdView(APIView):
    """Who may use it: the USSD gateway (an API client allowed channel kind ussd, calling from
    an address in CVM_USSD_ALLOWED_IPS). One screen of a caller's USSD session."""

    authentication_classes = [ApiKeyAuthentication, UssdQueryKey]
    permission_classes = [IsUssdGateway]
    throttle_classes: list = []  # one trusted caller behind an address list; see docs/api.md
    parser_classes = [parsers.FormParser, parsers.MultiPartParser]  # the schema names the first
    renderer_classes = [PlainTextRenderer]
    content_negotiation_class = PlainTextOnly
    schema = UssdSchema()

    def get_authenticate_header(self, request) -> None:  # noqa: ARG002 - DRF's signature
        return None  # no challenge, so every refusal is a 403: a gateway cannot answer one

    def permission_denied(self, request, message=None, code=None) -> None:  # noqa: ARG002
        # Without a key DRF would say "credentials were not provided"; say which key instead.
        raise exceptions.PermissionDenied(message or IsUssdGateway.message, code=code)

    def initial(self, request, *args, **kwargs) -> None:
        check_address(request)  # before the key is looked up: a stranger costs no query
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"application/x-www-form-urlencoded": UssdCallbackSerializer},
        responses={
            (200, "text/plain"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="The screen: CON <text> (the session goes on) or END <text> (it "
                "ends). At most 182 GSM-7 or 80 UCS-2 characters after CON/END.",
                examples=[
                    OpenApiExample(
                        "menu", value="CON Offers for you:\n1. 20 GB for 15 PLN\n2. Fibre 1 Gb/s"
                    )
                ],
            ),
            (400, "text/plain"): _text(400),
            (403, "text/plain"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="No key, a key that is unknown, revoked or expired or whose client "
                "may not use ussd, or a caller outside CVM_USSD_ALLOWED_IPS.",
            ),
            (415, "text/plain"): _text(415),
        },
        parameters=[LANGUAGE],
    )
    def post(self, request):
        incoming = UssdCallbackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        language = _language(request)
        try:
            screen = gateway.answer(
                session_id=data["sessionId"],
                phone=data["phoneNumber"],
                text=data["text"],
                agent=request.user,
                language=language,
            )
        except DatabaseError:
            # The caller is on a phone, not a browser: a polite end beats the gateway's error.
            log.exception("ussd: the database failed; the caller was asked to try again")
            with translation.override(language):
                screen = screens.unavailable()
        return Response(screen.body)


def _language(request) -> str:
    """The gateway's Accept-Language if it sends one (pl or en), else CVM_USSD_LANGUAGE."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return translation.get_language_from_request(request)
    return settings.CVM_USSD_LANGUAGE
