"""The forms of the channel optimisation page: the period, the what-if, saving it as the policy."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.choices import Segment, ValueTier
from campaigns.models import SupportOption

from .channels import channel_choices
from .whatif import Scenario

DEFAULT_DAYS = 90
MAX_DAYS = 731


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PeriodForm(forms.Form):
    since = _date_field(_("From"))
    until = _date_field(_("To"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].help_text = _("Default: the last %(n)d days.") % {"n": DEFAULT_DAYS}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise forms.ValidationError(_("“From” must not be after “To”."))
        if (until - since).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        data["since"], data["until"] = since, until
        return data


class WhatIfForm(forms.Form):
    """Move a share of a segment's contacts from one channel to another."""

    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices)
    tier = forms.ChoiceField(
        label=_("Value tier"),
        required=False,
        choices=[("", _("Every tier")), *ValueTier.choices],
    )
    from_channel = forms.ChoiceField(label=_("From channel"))
    to_channel = forms.ChoiceField(label=_("To channel"))
    share = forms.DecimalField(
        label=_("Share of contacts to move (%)"),
        max_digits=5,
        decimal_places=1,
        help_text=_("From 0 to 100."),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_channel"].choices = channel_choices()
        self.fields["to_channel"].choices = channel_choices()

    def clean_share(self) -> Decimal:
        share = self.cleaned_data["share"]
        if not Decimal(0) <= share <= Decimal(100):
            raise forms.ValidationError(_("The share must be between 0 and 100 %."))
        return share

    def clean(self):
        data = super().clean()
        if data.get("from_channel") and data.get("from_channel") == data.get("to_channel"):
            self.add_error(
                "to_channel", _("Choose another channel than the one the contacts move from.")
            )
        return data

    def scenario(self, *, since, until) -> Scenario:
        d = self.cleaned_data
        return Scenario(
            segment=d["segment"],
            tier=d["tier"],
            from_channel=d["from_channel"],
            to_channel=d["to_channel"],
            share=d["share"],
            since=since,
            until=until,
        )


class SavePolicyForm(WhatIfForm):
    """The what-if again (hidden), with the options to offer the segment and, optionally, an
    exception for the customers who prefer one channel."""

    since = forms.DateField(widget=forms.HiddenInput)
    until = forms.DateField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name of this policy version"), max_length=120)
    options = forms.MultipleChoiceField(
        label=_("Support options for this segment"),
        choices=SupportOption.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    exception_channel = forms.ChoiceField(
        label=_("Exception: customers who prefer"), required=False
    )
    exception_options = forms.MultipleChoiceField(
        label=_("Support options for them"),
        choices=SupportOption.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "save_%s")  # the what-if form beside it has the id_ ones
        super().__init__(*args, **kwargs)
        for name in ("segment", "tier", "from_channel", "to_channel", "share"):
            self.fields[name].widget = forms.HiddenInput()
        self.fields["exception_channel"].choices = [("", _("No exception")), *channel_choices()]

    @staticmethod
    def _check_options(options: list[str]) -> list[str]:
        if SupportOption.SELF_SERVICE in options and len(options) > 1:
            raise forms.ValidationError(
                _("“Self-service only” cannot be combined with other options.")
            )
        return options

    def clean_options(self):
        return self._check_options(self.cleaned_data["options"])

    def clean_exception_options(self):
        return self._check_options(self.cleaned_data["exception_options"])

    def clean(self):
        data = super().clean()
        if data.get("exception_channel") and not data.get("exception_options"):
            self.add_error(
                "exception_options", _("Choose the options for the customers of the exception.")
            )
        if data.get("exception_options") and not data.get("exception_channel"):
            self.add_error("exception_channel", _("Choose whose exception these options are."))
        return data
