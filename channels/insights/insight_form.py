"""The filters of the insight page: period, segment, campaign, site, channel kind and need.

A team lead's site is fixed by the scope, never by the address: the site field is not offered.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns import channel_registry
from campaigns.choices import Segment
from campaigns.models import Campaign, NeedTag

from ..models import Site
from .report import DEFAULT_WEEKS, MAX_DAYS, InsightScope, NeedFilters, default_period


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NeedFilterForm(forms.Form):
    since = _date_field(_("From"))
    until = _date_field(_("To"))
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, choices=[("", _("All segments")), *Segment.choices]
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.order_by("-starts_at", "code"),
        empty_label=_("All campaigns"),
    )
    site = forms.TypedChoiceField(label=_("Site"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=lambda: [("", _("All channels")), *channel_registry.choices()],
    )
    need = forms.ModelChoiceField(
        label=_("Need"),
        required=False,
        queryset=NeedTag.objects.order_by("position", "code"),
        empty_label=_("All needs"),
        help_text=_("Counts, quotes and recordings of this need only."),
    )

    def __init__(self, *args, scope: InsightScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.today = timezone.localdate()
        self.fields["since"].help_text = ngettext(
            "Default: the last %(n)d week.", "Default: the last %(n)d weeks.", DEFAULT_WEEKS
        ) % {"n": DEFAULT_WEEKS}
        if scope.all_sites:
            sites = Site.objects.order_by("name").values_list("pk", "name")
            self.fields["site"].choices = [("", _("All sites")), *sites]
        else:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        if "since" in self.errors or "until" in self.errors:
            return data
        until = data.get("until") or self.today
        since = data.get("since") or default_period(until)[0]
        if since > until:
            self.add_error("until", _("The end of the period is before its start."))
        elif (until - since) + timedelta(days=1) > timedelta(days=MAX_DAYS):
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

    def filters(self) -> NeedFilters:
        """The valid filters, with what the scope fixes."""
        data, scope = self.cleaned_data, self.scope
        campaign, need = data.get("campaign"), data.get("need")
        return NeedFilters(
            start=data["since"],
            end=data["until"],
            segment=data.get("segment") or None,
            campaign_id=campaign.pk if campaign else None,
            site_id=scope.site_id if not scope.all_sites else data.get("site"),
            channel_kind=data.get("channel") or None,
            need_id=need.pk if need else None,
        )
