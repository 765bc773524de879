"""Idempotency-Key for API writes: the same key and body get the same answer; another body, 422."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()


def idempotent(handler: Callable) -> Callable:
    """Wrap a DRF view method. Without the header the call simply runs (the service is idempotent itself)."""

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > 200:
            return Response(
                {"detail": _("The Idempotency-Key is longer than 200 characters.")}, status=400
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record = (
                IdempotencyRecord.objects.select_for_update()
                .filter(user=request.user, key=key)
                .first()
            )
            if record is not None:
                if record.request_hash != fingerprint:
                    return Response(
                        {
                            "detail": _(
                                "This Idempotency-Key was used with a different request. Use a new key."
                            )
                        },
                        status=422,
                    )
                return Response(
                    record.body, status=record.status, headers={"Idempotent-Replayed": "true"}
                )
            response = handler(self, request, *args, **kwargs)
            if response.status_code < 500:
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            user=request.user, key=key, endpoint=request.path, request_hash=fingerprint,
                            status=response.status_code, body=response.data,
                        )  # fmt: skip
                except (
                    IntegrityError
                ):  # the same key raced in from another request; it answered first
                    pass
            return response

    return wrapper
