"""The model report's filters: the period of the outcomes, a campaign, a channel kind."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from campaigns.results.forms import PeriodFilterForm

from .queries import Filters


class ModelReportFilterForm(PeriodFilterForm):
    """The results pages' period, campaign and channel; the period is the outcomes'."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].label = _("Outcomes from")

    def filters(self) -> Filters:
        data = self.cleaned_data
        campaign = data.get("campaign")
        return Filters(
            start=data["since"],
            end=data["until"],
            campaign_id=campaign.pk if campaign is not None else None,
            channel_kind=data.get("channel") or None,
        )
