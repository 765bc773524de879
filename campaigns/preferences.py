"""Contact preferences outside the snapshot: a customer's withdrawal, recorded by an agent,
in effect at once for every channel, audited, and kept over the nightly snapshots.

Every decision (``campaigns.decisioning``) and every outbound claim reads the customer's row
as it is, so a withdrawal written here applies to the next request; nothing caches it.

The rule for the snapshot (docs/loads.md, section 4): a console change overrides the
snapshot's value of its field until either a snapshot carries the same value (the warehouse
caught up) or the snapshot row's ``consent_changed_at`` is later than the console change (the
warehouse's newer change wins, and is recorded as a change of source "warehouse"). Either
way the override retires. Only withdrawals can be recorded: an agent cannot give a consent
on the customer's word, nor lift do-not-contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cvm_portal.audit import record_access

from .models import (
    ContactPreferenceChange,
    Customer,
    LoadRun,
    PreferenceField,
    PreferenceSource,
)
from .models.preferences import DO_NOT_CONTACT

# Withdrawing sets do-not-contact and takes a consent away.
WITHDRAWN = {field: field == DO_NOT_CONTACT for field in PreferenceField.values}
# A console change that still overrides the snapshot.
_ACTIVE = Q(source=PreferenceSource.CONSOLE, retired_at__isnull=True)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@transaction.atomic
def withdraw(
    *,
    customer: Customer,
    fields: Iterable[str],
    agent,
    site_id: int | None = None,
    now: datetime | None = None,
) -> list[ContactPreferenceChange]:
    """Record that ``customer`` withdraws the consents ``fields`` (``"do_not_contact"``: asks
    not to be contacted at all), told to ``agent``; in effect from the commit, for every channel.

    Returns the changes made: a field already withdrawn changes nothing (a double click records
    once). ValidationError for a field that is not a consent or do-not-contact, or for none."""
    fields = set(fields)
    unknown = fields - set(WITHDRAWN)
    if unknown or not fields:
        raise ValidationError(
            _("Choose which consent the customer withdraws, or “Do not contact at all”.")
        )
    now = now or timezone.now()
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = []
    for field in PreferenceField.values:  # a fixed order: the audit reads the same each time
        if field not in fields or getattr(locked, field) == WITHDRAWN[field]:
            continue
        changes.append(
            ContactPreferenceChange(
                customer=locked,
                field=field,
                old_value=getattr(locked, field),
                new_value=WITHDRAWN[field],
                source=PreferenceSource.CONSOLE,
                agent=agent,
                site_id=site_id,
                at=now,
            )
        )
        setattr(locked, field, WITHDRAWN[field])
    if not changes:
        return []
    changed = [c.field for c in changes]
    # An earlier override of these fields that someone has since undone in the admin.
    retire_overrides(customer=locked, fields=changed, now=now)
    locked.save(update_fields=[*changed, "do_not_contact_since", "updated_at"])
    ContactPreferenceChange.objects.bulk_create(changes)
    record_access(
        user=agent,
        action="contact_preference",
        obj=locked,
        detail="console: "
        + "; ".join(f"{c.field} {_yes_no(c.old_value)}→{_yes_no(c.new_value)}" for c in changes),
    )
    for field in [*changed, "do_not_contact_since", "updated_at"]:
        setattr(customer, field, getattr(locked, field))
    return changes


def retire_overrides(
    *, customer: Customer, fields: Iterable[str], now: datetime | None = None
) -> int:
    """End the console overrides of ``customer``'s ``fields``: someone with the right to (a CVM
    manager in the admin) set those fields by hand, and the next snapshot must not undo it."""
    return ContactPreferenceChange.objects.filter(
        _ACTIVE, customer=customer, field__in=list(fields)
    ).update(retired_at=now or timezone.now())


class SnapshotOverrides:
    """The console's overrides as one customer-snapshot load meets them, batch by batch.

    ``before_write`` puts each live override's value on its (not yet written) snapshot row,
    or retires the override (the row agrees, or carries a newer warehouse change): one query
    reads a batch's overrides. ``after_write`` reads them again once the batch is written, for
    a withdrawal committed while the batch was being written, and writes it back on top."""

    def __init__(self, *, run: LoadRun | None, now: datetime):
        self.run, self.now = run, now
        self.kept = self.caught_up = self.overruled = 0
        self._seen: set[int] = set()

    def _overrides(self, rows: list[Customer]):
        return ContactPreferenceChange.objects.filter(
            _ACTIVE, customer__external_id__in=[row.external_id for row in rows]
        ).values_list("pk", "customer_id", "customer__external_id", "field", "new_value", "at")

    def before_write(self, rows: list[Customer], changed_at: dict[str, datetime]) -> None:
        """Apply the overrides to ``rows``; ``changed_at``: each row's ``consent_changed_at``."""
        by_id = {row.external_id: row for row in rows}
        retire, overruled = [], []
        self._seen = set()
        for pk, customer_id, external_id, field, value, at in self._overrides(rows):
            self._seen.add(pk)
            row = by_id[external_id]
            sent = getattr(row, field)
            newer = changed_at.get(external_id)
            if sent == value:
                retire.append(pk)
                self.caught_up += 1
            elif newer is not None and newer > at:
                retire.append(pk)
                self.overruled += 1
                overruled.append(
                    ContactPreferenceChange(
                        customer_id=customer_id,
                        field=field,
                        old_value=value,
                        new_value=sent,
                        source=PreferenceSource.WAREHOUSE,
                        load_run=self.run,
                        at=newer,
                    )
                )
            else:
                setattr(row, field, value)
                self.kept += 1
        if retire:
            ContactPreferenceChange.objects.filter(pk__in=retire).update(retired_at=self.now)
        ContactPreferenceChange.objects.bulk_create(overruled)

    def after_write(self, rows: list[Customer]) -> None:
        """Write back withdrawals committed between ``before_write`` and the batch's upsert."""
        for pk, customer_id, _ext, field, value, at in self._overrides(rows):
            if pk in self._seen:
                continue
            update = {field: value}
            if field == DO_NOT_CONTACT:
                update["do_not_contact_since"] = at
            Customer.objects.filter(pk=customer_id).update(**update)
            self.kept += 1
