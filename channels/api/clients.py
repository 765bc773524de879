"""API clients and their keys: create a client, issue, rotate and revoke keys.

A key is returned once, when it is issued, and never stored: the database keeps its prefix
and a SHA-512 hash (djangorestframework-api-key). Every key expires
(``CVM_API_KEY_DAYS``); rotating issues a new key and lets the old ones work for
``CVM_API_KEY_GRACE_HOURS`` more, so the client can switch without an outage.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from channels.models import ApiClient, ApiKey
from cvm_portal.roles import Role, assign_role


def _service_username(name: str) -> str:
    User = get_user_model()
    base = f"api-{slugify(name)[:100] or 'client'}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


@transaction.atomic
def create_client(*, client: ApiClient, now: datetime | None = None) -> tuple[ApiKey, str]:
    """Save a new (unsaved) API client with a service account of its own, which cannot sign
    in, and issue its first key; returns the key row and the key, which is shown once."""
    user = get_user_model()(username=_service_username(client.name), first_name=client.name[:150])
    user.set_unusable_password()
    user.save()
    assign_role(user, Role.DIGITAL_CHANNEL)
    client.user = user
    client.full_clean()
    client.save()
    return issue_key(client=client, now=now)


def issue_key(*, client: ApiClient, now: datetime | None = None) -> tuple[ApiKey, str]:
    """A new key for ``client``, valid for CVM_API_KEY_DAYS; returns the row and the key."""
    now = now or timezone.now()
    return ApiKey.objects.create_key(
        client=client,
        name=f"{client.name[:38]} {timezone.localtime(now):%Y-%m-%d}",
        expiry_date=now + timedelta(days=settings.CVM_API_KEY_DAYS),
    )


@transaction.atomic
def rotate_key(*, client: ApiClient, now: datetime | None = None) -> tuple[ApiKey, str]:
    """Issue a new key for ``client``; its other working keys expire after the grace period
    (CVM_API_KEY_GRACE_HOURS) unless they expire sooner. Returns the new row and key."""
    now = now or timezone.now()
    ApiClient.objects.select_for_update().get(pk=client.pk)  # one rotation of a client at a time
    grace_ends = now + timedelta(hours=settings.CVM_API_KEY_GRACE_HOURS)
    client.keys.filter(revoked=False, expiry_date__gt=grace_ends).update(expiry_date=grace_ends)
    return issue_key(client=client, now=now)


def revoke_keys(*, keys: QuerySet[ApiKey]) -> int:
    """Revoke these keys at once and for good; returns how many were still unrevoked."""
    return keys.filter(revoked=False).update(revoked=True)
