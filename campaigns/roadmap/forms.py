"""The board's filters and the form a channel team updates an item with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import RoadmapStatus
from .kinds import channels
from .updates import NOTES_MAX


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    mine = forms.BooleanField(label=_("Only my channels"), required=False)

    def __init__(self, *args, team: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *RoadmapStatus.choices]
        self.fields["channel"].choices = [("", _("Every channel")), *channels()]
        if not team:
            del self.fields["mine"]

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "channel": data.get("channel", ""),
            "mine": bool(data.get("mine")),
        }


class ItemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RoadmapStatus.choices)
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the channel team expects the work to be done. Empty: not planned yet."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is blocking it, what changed, whom to ask."),
    )
