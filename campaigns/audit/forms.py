"""Filters of the audit trail: user, action, period, customer."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvm_portal.audit import ACTIONS

from ..models import Customer


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *ACTIONS.items()]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = forms.CharField(
        label=_("Customer id"),
        required=False,
        max_length=64,
        help_text=_("The customer id, not the phone number (filters stay in the address)."),
    )

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("No user has this username."))
        return user

    def clean_customer(self):
        external_id = self.cleaned_data["customer"].strip()
        if not external_id:
            return None
        customer = Customer.objects.filter(external_id=external_id).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this customer id."))
        return customer

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return data

    def filter(self, events: QuerySet) -> QuerySet:
        """``events`` narrowed to the valid filters."""
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(user=data["user"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("since"):
            events = events.filter(at__gte=_start_of(data["since"]))
        if data.get("until"):
            events = events.filter(at__lt=_start_of(data["until"] + timedelta(days=1)))
        if data.get("customer"):
            customer = data["customer"]
            events = events.filter(
                object_type=Customer._meta.label_lower, object_id=str(customer.pk)
            )
        return events

    def describe(self) -> str:
        """The filters in use, for the export's own audit event."""
        data = self.cleaned_data
        parts = [
            f"{name}={value}"
            for name, value in (
                ("user", data["user"].get_username() if data.get("user") else ""),
                ("action", data.get("action") or ""),
                ("since", data.get("since") or ""),
                ("until", data.get("until") or ""),
                ("customer", data["customer"].external_id if data.get("customer") else ""),
            )
            if value
        ]
        return ", ".join(parts) or "everything"


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
