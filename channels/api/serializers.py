from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campaigns.choices import ChannelKind, Exclusion, NotPresentedReason, Outcome


class DecisionRequestSerializer(serializers.Serializer):
    customer_id = serializers.CharField(
        max_length=64, help_text=_("The customer's id (as in the data warehouse).")
    )
    channel_kind = serializers.ChoiceField(choices=ChannelKind.choices)
    explain = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Also say which offers are not offered now, why, and from when they may be "
            "(not_offered). The same as the query parameter explain=true."
        ),
    )


class ExplainQuerySerializer(serializers.Serializer):
    explain = serializers.BooleanField(required=False, default=False)


class NotOfferedSerializer(serializers.Serializer):
    offer_code = serializers.CharField()
    campaign_code = serializers.CharField()
    code = serializers.ChoiceField(
        # The control group is never explained: its code never appears.
        choices=[(v, label) for v, label in Exclusion.choices if v != Exclusion.CONTROL_GROUP],
        help_text=_("Which rule keeps the offer back, for programs."),
    )
    text = serializers.CharField(help_text=_("Why, in a sentence for people."))
    available_from = serializers.DateField(
        allow_null=True,
        help_text=_(
            "The day from which the rule no longer keeps the offer back; null when that does "
            "not happen by itself (declined for good, already has it, no consent…)."
        ),
    )


class OfferSerializer(serializers.Serializer):
    presentation_id = serializers.IntegerField()
    rank = serializers.IntegerField()
    offer_code = serializers.CharField()
    campaign_code = serializers.CharField()
    title = serializers.CharField()
    benefit = serializers.CharField()
    short_text = serializers.CharField(allow_blank=True)
    banner_title = serializers.CharField(allow_blank=True)
    agent_script = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()
    reason = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    decision_id = serializers.UUIDField()
    customer_id = serializers.CharField()
    channel_kind = serializers.CharField()
    offers = OfferSerializer(many=True)
    not_offered = NotOfferedSerializer(
        many=True,
        required=False,
        help_text=_(
            "Only when explain=true: the offers not offered now. Offers held out for a control "
            "group are never listed."
        ),
    )


class OutcomeRequestSerializer(serializers.Serializer):
    presentation_id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    decline_reason = serializers.SlugField(
        required=False, allow_blank=True, help_text=_("Code of the decline reason.")
    )
    not_presented_reason = serializers.ChoiceField(
        choices=NotPresentedReason.choices, required=False, allow_blank=True
    )


class OutcomeSerializer(serializers.Serializer):
    presentation_id = serializers.IntegerField()
    outcome = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    created = serializers.BooleanField(
        help_text=_("False when this outcome had been recorded before.")
    )
