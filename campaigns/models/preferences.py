"""Changes to a customer's consents and do-not-contact made outside the nightly snapshot.

An agent records a customer's withdrawal in the console; it applies at once and stays over
the next snapshots until the warehouse catches up or sends a newer change of its own
(``campaigns.preferences``; the rule is stated in docs/loads.md, section 4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import Consent
from .core import Customer
from .targeting import LoadRun

DO_NOT_CONTACT = "do_not_contact"


class PreferenceField(models.TextChoices):
    """What a change is about: one consent, or do-not-contact (the snapshot's yes/no columns)."""

    MARKETING = Consent.MARKETING.value, Consent.MARKETING.label
    CALLS = Consent.CALLS.value, Consent.CALLS.label
    SMS = Consent.SMS.value, Consent.SMS.label
    APP_PUSH = Consent.APP_PUSH.value, Consent.APP_PUSH.label
    DIGITAL = Consent.DIGITAL.value, Consent.DIGITAL.label
    DO_NOT_CONTACT = DO_NOT_CONTACT, _("Do not contact at all")


class PreferenceSource(models.TextChoices):
    """Who made a change: an agent in the console, or the warehouse overruling such a change."""

    CONSOLE = "console", _("Console (agent)")
    WAREHOUSE = "warehouse", _("Warehouse (newer change)")


# Only a withdrawal can be recorded in the console: a consent given up, or do-not-contact set.
_WITHDRAWAL = Q(field=DO_NOT_CONTACT, new_value=True) | (
    ~Q(field=DO_NOT_CONTACT) & Q(new_value=False)
)
_ACTIVE_OVERRIDE = Q(source=PreferenceSource.CONSOLE, retired_at__isnull=True)


class ContactPreferenceChange(models.Model):
    """One change to one of a customer's consents or do-not-contact, made outside the snapshot.

    A console change is an *override* while ``retired_at`` is empty: each snapshot load keeps
    its value on the customer until a snapshot carries the same value or a newer warehouse
    change (``consent_changed_at``); then it retires, and a newer warehouse change is recorded
    as a change of its own (source "warehouse")."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="preference_changes",
        verbose_name=_("customer"),
    )
    field = models.CharField(_("preference"), max_length=20, choices=PreferenceField.choices)
    old_value = models.BooleanField(_("before"))
    new_value = models.BooleanField(_("after"))
    source = models.CharField(_("source"), max_length=10, choices=PreferenceSource.choices)
    # Kept while the user exists, like the audit trail: who recorded it must stay known.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    site_id = models.BigIntegerField(_("site"), null=True, blank=True)
    load_run = models.ForeignKey(
        LoadRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("snapshot load"),
        help_text=_("For a warehouse change: the load that brought it."),
    )
    at = models.DateTimeField(_("at"))
    retired_at = models.DateTimeField(
        _("override retired"),
        null=True,
        blank=True,
        help_text=_(
            "When the snapshot stopped being overruled by this console change: it carried the "
            "same value, or a newer change of the warehouse's."
        ),
    )

    class Meta:
        verbose_name = _("contact preference change")
        verbose_name_plural = _("contact preference changes")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=PreferenceField.values), name="preference_field_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=PreferenceSource.values), name="preference_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(source=PreferenceSource.CONSOLE) | _WITHDRAWAL,
                name="preference_console_only_withdraws",
            ),
            models.CheckConstraint(
                condition=~Q(source=PreferenceSource.CONSOLE) | Q(agent__isnull=False),
                name="preference_console_has_agent",
            ),
            # One live override per customer and field; also the index the snapshot load
            # reads a batch's overrides by.
            models.UniqueConstraint(
                fields=["customer", "field"],
                condition=_ACTIVE_OVERRIDE,
                name="preference_one_override",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.field} {self.old_value}→{self.new_value} ({self.source})"

    @property
    def is_override(self) -> bool:
        return self.source == PreferenceSource.CONSOLE and self.retired_at is None
