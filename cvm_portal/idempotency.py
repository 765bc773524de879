"""Idempotency-Key for API writes: the same key and body get the same answer; another body, 422.

The key's row is written *before* the request runs, in the request's transaction. A second
request with the same key, however close behind, stops at that insert (the database's unique
constraint makes it wait for the first transaction), and then reads the answer the first one
stored: the original status and body, or 422 if its body differs. Without the key first, two
simultaneous requests both ran, and the second answered "200, already recorded" instead of
replaying the first's 201.
"""

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
# The status a claimed key holds until its request has answered; no other transaction sees it.
_RUNNING = 0


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()


def _claim(*, user, key: str, endpoint: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """The key's record and whether this request has just claimed it (it then runs the request).

    Must run inside a transaction. The insert waits while another transaction holds the same key
    uncommitted: if that one commits, this one reads its record; if it rolls back, this one
    claims the key."""
    for _attempt in range(3):
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the transaction usable
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, endpoint=endpoint, request_hash=fingerprint,
                    status=_RUNNING, body={},
                )  # fmt: skip
            return record, True
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.select_for_update().filter(user=user, key=key).first()
        if record is not None:
            return record, False
        # Pruned between the insert and the read: claim it again.
    raise RuntimeError(f"Idempotency-Key {key!r} could be neither claimed nor read")


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        return Response(
            {"detail": _("This Idempotency-Key was used with a different request. Use a new key.")},
            status=422,
        )
    if record.status == _RUNNING:  # not reachable while keys are claimed in a transaction
        return Response(
            {"detail": _("A request with this Idempotency-Key is still running. Try again.")},
            status=409,
        )
    return Response(record.body, status=record.status, headers={"Idempotent-Replayed": "true"})


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
            record, claimed = _claim(
                user=request.user, key=key, endpoint=request.path, fingerprint=fingerprint
            )
            if not claimed:
                return _replay(record, fingerprint)
            # An exception rolls the claim back with everything else: the key stays free.
            response = handler(self, request, *args, **kwargs)
            if response.status_code < 500:
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status=response.status_code, body=response.data
                )
            else:  # a server error is not an answer to replay: a retry runs again
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response

    return wrapper
