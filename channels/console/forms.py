"""The console's forms: find a customer, record an outcome, send feedback on an offer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.choices import FeedbackReason, NotPresentedReason, Outcome
from campaigns.models import DeclineReason


class FindForm(forms.Form):
    q = forms.CharField(label=_("Phone number or customer id"), max_length=64)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    decline_reason = forms.ModelChoiceField(
        queryset=DeclineReason.objects.filter(is_active=True), required=False
    )
    not_presented_reason = forms.ChoiceField(
        choices=[("", "")] + NotPresentedReason.choices, required=False
    )


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        choices=[("1", _("Useful")), ("0", _("Not useful"))], coerce=lambda v: v == "1"
    )
    reason = forms.ChoiceField(choices=[("", "—")] + FeedbackReason.choices, required=False)
    comment = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
