"""Recording who looked at whose personal data."""

from django.db import models

from .models import AuditEvent


def record_access(
    *, user, action: str, obj: models.Model | None = None, detail: str = ""
) -> AuditEvent:
    """Write one audit event for ``user`` doing ``action`` (e.g. "view", "search") on ``obj``."""
    return AuditEvent.objects.create(
        user=user,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:300],
    )
