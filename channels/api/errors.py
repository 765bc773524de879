"""The error answers every API endpoint may give, described once for the OpenAPI schema.

Each view lists the statuses of its own logic with ``errors(...)`` in its ``extend_schema``
``responses``::

    @extend_schema(request=..., responses={201: DecisionSerializer, **errors(404)})

and ``ContractSchema`` (the schema class of every API view) adds the statuses that the
framework around the view can answer, read from the view's own classes: 401 and 429 when it
authenticates, 403 when it has permissions, 400, 413 and 415 when it takes a body, 406 always.
So the served schema names every status an integrator will meet; schemathesis checks that in
CI (``tests/channels/test_api_contract.py``).

Two shapes come back, as DRF writes them: ``{"detail": "…"}`` for a refusal (401, 403, 404, 406,
409, 413, 415, 422, 429, 503), and ``{"<field>": ["…"], …}`` for a body that fails validation
(400; a body that is not JSON at all: ``{"detail": "…"}``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from .auth import IsApiClient

DetailSerializer = inline_serializer(
    name="ErrorDetail",
    fields={
        "detail": serializers.CharField(help_text="What went wrong, in a sentence for people.")
    },
)

ValidationErrorSerializer = inline_serializer(
    name="ValidationError",
    fields={
        "non_field_errors": serializers.ListField(
            child=serializers.CharField(), required=False, help_text="Errors about the whole body."
        ),
        "detail": serializers.CharField(required=False, help_text="A body that is not JSON."),
    },
)

DESCRIPTIONS = {
    400: "The body or a parameter is not valid: each field names its problem.",
    401: "No API key, or a key that is unknown, revoked or expired (Authorization: Api-Key <key>).",
    403: "The key's client may not ask for this channel kind, or the caller is not an API client.",
    404: "No such customer, presentation or hand-over for this client.",
    406: "The Accept header asks for something other than JSON.",
    409: "The request conflicts with what is already recorded.",
    413: "The request body is too large.",
    415: "The body is not JSON (Content-Type: application/json).",
    422: "The same Idempotency-Key was used with a different request.",
    429: "Too many calls: wait the seconds Retry-After gives.",
    503: "The service cannot answer now: try again later.",
}

BODY_METHODS = {"POST", "PUT", "PATCH"}
NO_NUL = "^[^\\x00]*$"  # any text without the NUL character


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """``{status: OpenApiResponse}`` for ``extend_schema(responses=...)``: 400 with the field
    errors' shape, every other status with ``{"detail": …}``."""
    return {
        code: OpenApiResponse(
            response=ValidationErrorSerializer if code == 400 else DetailSerializer,
            description=DESCRIPTIONS[code],
        )
        for code in statuses
    }


def framework_statuses(view, method: str) -> list[int]:
    """The statuses DRF itself may answer for ``view`` before or around its handler."""
    found = {406}  # content negotiation: every view renders JSON only
    authenticators = view.get_authenticators()
    # DRF answers 401 to a missing or wrong credential when the first authenticator names a
    # WWW-Authenticate scheme, 403 otherwise.
    if authenticators and authenticators[0].authenticate_header(None):
        found.add(401)
    if any(not isinstance(p, permissions.AllowAny) for p in view.get_permissions()):
        found.add(403)
    # Throttled calls, and refused credentials (they count against the anonymous rate).
    if view.get_throttles() or 401 in found:
        found.add(429)
    if method.upper() in BODY_METHODS:
        found |= {400, 413, 415}  # not valid / over DATA_UPLOAD_MAX_MEMORY_SIZE / not a parser's
    return sorted(found)


class ContractSchema(AutoSchema):
    """drf-spectacular's schema, naming every status the view can answer (see the module's
    docstring), and leaving out the session a view accepts only to refuse it."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in errors(*framework_statuses(self.view, self.method)).items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF's CharField refuses the NUL character (400); say so, or a client is surprised.
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & schema.keys()
        ):
            schema["pattern"] = NO_NUL
        return schema

    def get_auth(self):
        auth = super().get_auth()
        if not _session_only_refused(self.view):
            return auth
        return [req for req in auth if "cookieAuth" not in req]


def _session_only_refused(view) -> bool:
    """Whether the view recognises a session only to answer 403 (API-key views)."""
    return any(isinstance(a, SessionAuthentication) for a in view.get_authenticators()) and any(
        isinstance(p, IsApiClient) for p in view.get_permissions()
    )


@extend_schema(exclude=True)
class NoSuchOperation(APIView):
    """Who may use it: anyone. An address under the API that names no operation (a malformed
    id in a path, too): 404 in JSON, like every other API answer, not the site's HTML page."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def options(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()
