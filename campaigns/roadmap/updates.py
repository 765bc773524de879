"""Every change to a roadmap item made from the board goes through ``update_item``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import RoadmapItem, RoadmapStatus
from .editors import may_update

NOTES_MAX = 2000


@transaction.atomic
def update_item(
    *, item: RoadmapItem, by, status: str, target_date: date | None, notes: str
) -> RoadmapItem:
    """Set the status, target date and notes of ``item`` as ``by``; the history keeps the
    before. Only a user who may update the item's channel may (PermissionDenied otherwise)."""
    if not may_update(by, item):
        raise PermissionDenied(_("Only the channel's team or CVM may update this item."))
    if status not in RoadmapStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if len(notes) > NOTES_MAX:
        raise ValidationError(
            {"notes": _("Keep the notes under %(n)d characters.") % {"n": NOTES_MAX}}
        )
    item = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    item.status = status
    item.target_date = target_date
    item.notes = notes.strip()
    item.updated_by = by
    item._history_user = by  # django-simple-history records who, outside a request too
    item.save(update_fields=["status", "target_date", "notes", "updated_by", "updated_at"])
    return item
