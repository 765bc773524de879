"""The model report's filters: the period of the outcomes, a campaign, a channel kind."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns import channel_registry
from campaigns.models import Campaign
from campaigns.results.forms import DEFAULT_DAYS, MAX_DAYS

from .queries import Filters


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ModelReportFilterForm(forms.Form):
    since = _date_field(_("Outcomes from"))
    until = _date_field(_("To"))
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.order_by("-starts_at", "code"),
        empty_label=_("All campaigns"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=lambda: [("", _("All channels")), *channel_registry.choices()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["since"].help_text = ngettext(
            "Default: the last %(n)d day.", "Default: the last %(n)d days.", DEFAULT_DAYS
        ) % {"n": DEFAULT_DAYS}

    def clean(self):
        data = super().clean()
        if "since" in self.errors or "until" in self.errors:
            return data
        until = data.get("until") or self.today
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            self.add_error("until", _("The end of the period is before its start."))
        elif (until - since).days + 1 > MAX_DAYS:
            self.add_error(
                "since",
                ngettext(
                    "Choose a period of at most %(n)d day.",
                    "Choose a period of at most %(n)d days.",
                    MAX_DAYS,
                )
                % {"n": MAX_DAYS},
            )
        data["since"], data["until"] = since, until
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        campaign = data.get("campaign")
        return Filters(
            start=data["since"],
            end=data["until"],
            campaign_id=campaign.pk if campaign is not None else None,
            channel_kind=data.get("channel") or None,
        )
