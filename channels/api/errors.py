"""The error answers every API endpoint may give, described once for the OpenAPI schema.

Each view lists the statuses it can return with ``errors(...)`` in its ``extend_schema``
``responses``, so the served schema names every status an integrator will meet (schemathesis
checks that in CI: ``tests/channels/test_api_contract.py``)::

    @extend_schema(request=..., responses={201: DecisionSerializer, **errors(400, 401, 403, 404, 429)})

Two shapes come back, as DRF writes them: ``{"detail": "…"}`` for a refusal (401, 403, 404, 409,
413, 422, 429, 503), and ``{"<field>": ["…"], …}`` for a body that fails validation (400).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

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
    409: "The request conflicts with what is already recorded.",
    413: "The request body is too large.",
    415: "The body is not JSON (Content-Type: application/json).",
    422: "The same Idempotency-Key was used with a different request.",
    429: "Too many calls: wait the seconds Retry-After gives.",
    503: "The service cannot answer now: try again later.",
}


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
