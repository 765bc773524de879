"""Who changed a campaign, and what: read from the before/after history django-simple-history
keeps of campaigns (and their offer sets), offers, offer contents and eligibility rules.

The four-eyes rule asks "who changed it since it was submitted"; the admin's history pages
show the same records with their diffs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist

from ..models import Campaign, EligibilityRule, Offer, OfferContent

# Applying an approved revision writes history records whose change reason starts with this
# (untranslated: it is stored). Their author is the revision's proposer, already subject to
# four eyes on that revision, so they do not make the approver an "editor" of the campaign.
REVISION_REASON_PREFIX = "revision #"

# A change of only these campaign fields is a lifecycle step (submit, approve, pause), not an
# edit of what the campaign says or whom it addresses.
_NOT_EDITS = frozenset({"status", "updated_at"})


def _edited(records) -> set[int]:
    return {
        r.history_user_id
        for r in records
        if r.history_user_id is not None
        and not (r.history_change_reason or "").startswith(REVISION_REASON_PREFIX)
    }


def editors_since(campaign: Campaign, since: datetime) -> set[int]:
    """Ids of the users who changed ``campaign``, its offer set, its offers, their contents or
    its eligibility rule after ``since``. Status-only changes (submit, approve, pause) and the
    application of approved revisions do not count."""
    offer_ids = list(campaign.offers.values_list("pk", flat=True))
    editors: set[int] = set()
    campaign_records = list(
        Campaign.history.filter(id=campaign.pk, history_date__gt=since).order_by(
            "history_date", "history_id"
        )
    )
    for record in campaign_records:
        if record.history_user_id is None or record.history_user_id in editors:
            continue
        if (record.history_change_reason or "").startswith(REVISION_REASON_PREFIX):
            continue
        previous = record.prev_record
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changed = set(delta.changed_fields)
            if changed <= _NOT_EDITS:
                continue
        editors.add(record.history_user_id)
    editors |= _edited(Offer.history.filter(id__in=offer_ids, history_date__gt=since))
    editors |= _edited(OfferContent.history.filter(offer_id__in=offer_ids, history_date__gt=since))
    editors |= _edited(
        EligibilityRule.history.filter(campaign_id=campaign.pk, history_date__gt=since)
    )
    return editors


@dataclass(frozen=True)
class FieldChange:
    """One field of one history record: its label and the value before and after."""

    field: str
    label: str
    before: object
    after: object


def changes_of(record) -> list[FieldChange]:
    """What one history record changed against the record before it (empty for a creation)."""
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous)
    model = record.instance_type
    result = []
    for change in delta.changes:
        try:
            label = str(model._meta.get_field(change.field).verbose_name)
        except FieldDoesNotExist:  # a field that no longer exists
            label = change.field
        result.append(FieldChange(change.field, label, change.old, change.new))
    return result
