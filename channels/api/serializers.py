from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campaigns.choices import ChannelKind, NotPresentedReason, Outcome


class DecisionRequestSerializer(serializers.Serializer):
    customer_id = serializers.CharField(
        max_length=64, help_text=_("The customer's id (as in the data warehouse).")
    )
    channel_kind = serializers.ChoiceField(choices=ChannelKind.choices)


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
