"""The admin of decision contexts: the stated intents CVM managers keep, and the always-on
rule's form, whose intents are ticked from that list."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from cvm_portal.translated import side_by_side

from .models import EligibilityRule, Intent
from .translation import INTENT_FIELDS


@admin.register(Intent)
class IntentAdmin(TranslationAdmin):
    """The codes channels may send as ``context.intent``, and what each rules out."""

    list_display = ["name", "code", "excluded_objectives", "excluded_families", "position", "is_active"]  # fmt: skip
    list_editable = ["position", "is_active"]
    search_fields = ["name_en", "name_pl", "code"]
    filter_horizontal = ["excluded_campaigns"]
    fieldsets = side_by_side(
        [
            (None, {"fields": ["code", "name", "position", "is_active"]}),
            (
                _("Offers not made to a customer who states it"),
                {"fields": ["excluded_objectives", "excluded_families", "excluded_campaigns"]},
            ),
        ],
        INTENT_FIELDS,
    )


def _intent_choices():
    return [(intent.code, str(intent)) for intent in Intent.objects.order_by("position", "code")]


class EligibilityRuleForm(forms.ModelForm):
    """The always-on rule, with the intents it may require ticked from the managers' list."""

    intents = forms.MultipleChoiceField(
        label=_("stated intents"),
        choices=_intent_choices,  # read when the form is shown: a new intent appears at once
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only when the customer states one of these intents; none ticked: any."),
    )

    class Meta:
        model = EligibilityRule
        fields = [
            "segments",
            "value_tiers",
            "min_tenure_months",
            "max_tenure_months",
            "requires_product",
            "intents",
            "browsed_families",
            "devices",
        ]
