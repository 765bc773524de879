"""The review form of one research item: needs heard, a 1–5 rating, a short finding."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import NeedTag
from channels.models import NOTE_MAX_LENGTH

RATINGS = [(n, str(n)) for n in range(1, 6)]


class ReviewForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        queryset=NeedTag.objects.filter(is_active=True),
        required=False,
        label=_("Needs heard"),
        error_messages={"invalid_choice": _("Choose needs from the list.")},
    )
    rating = forms.TypedChoiceField(
        choices=RATINGS,
        coerce=int,
        label=_("How useful is this call as research?"),
        error_messages={"required": _("Rate the call from 1 (not useful) to 5 (very useful).")},
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        label=_("Finding"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
