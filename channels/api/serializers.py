from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from campaigns import channel_registry, defaults
from campaigns.choices import Exclusion, NotPresentedReason, Outcome
from campaigns.context import ContextSerializer, StringField
from campaigns.models import DeclineReason

MIN_BUDGET_MS, MAX_BUDGET_MS = 10, 5000
CUSTOMER_ID_MAX_LENGTH = 64  # channels.api.fast applies the same rules as this module


class JSONBooleanField(serializers.BooleanField):
    """true or false, as the schema (``type: boolean``) says: DRF's also takes 1, "yes"…"""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class JSONIntegerField(serializers.IntegerField):
    """A JSON number without a fraction, as the schema (``type: integer``) says: DRF's also
    takes "150" as text."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return int(data)


def budget_field(field=serializers.IntegerField, **kwargs) -> serializers.IntegerField:
    return field(
        required=False,
        min_value=MIN_BUDGET_MS,
        max_value=MAX_BUDGET_MS,
        help_text=_(
            "How long the decision may take, in milliseconds (default CVM_DECISION_BUDGET_MS). "
            "When the database cannot answer in time, the answer still comes within it: no "
            "offers, degraded true, nothing recorded."
        ),
        **kwargs,
    )


class ChannelKindField(serializers.ChoiceField):
    """A channel code of the registry's active channels (``campaigns.channel_registry``), read
    when the request comes in: a channel an administrator adds is served at once."""

    default_error_messages = {
        "invalid_choice": _(
            "“{input}” is not a valid choice: no channel has this code. Use one of: {allowed}."
        ),
        "inactive": _("The channel “{input}” is switched off: it gets no decisions now."),
    }

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)

    def _get_choices(self):
        return dict(channel_registry.choices(active_only=True))

    def _set_choices(self, choices):  # the registry's, never the ones given
        pass

    choices = property(_get_choices, _set_choices)
    grouped_choices = property(_get_choices)

    def to_internal_value(self, data):
        code = data if isinstance(data, str) else ""
        if code in channel_registry.active_codes():
            return code
        if code and channel_registry.is_known(code):
            self.fail("inactive", input=code)
        self.fail(
            "invalid_choice",
            input=str(data)[:40],
            allowed=", ".join(sorted(channel_registry.active_codes())),
        )


class DecisionRequestSerializer(serializers.Serializer):
    customer_id = StringField(
        max_length=CUSTOMER_ID_MAX_LENGTH,
        help_text=_("The customer's id (as in the data warehouse)."),
    )
    channel_kind = ChannelKindField()
    explain = JSONBooleanField(
        required=False,
        default=False,
        help_text=_(
            "Also say which offers are not offered now, why, and from when they may be "
            "(not_offered). The same as the query parameter explain=true."
        ),
    )
    budget_ms = budget_field(JSONIntegerField)
    context = ContextSerializer(
        required=False,
        help_text=_(
            "What the customer is doing (page, product, family, intent, device): it can boost, "
            "rule out or make offers eligible, and is kept with the decision. Optional."
        ),
    )


class BudgetHeaderSerializer(serializers.Serializer):
    """The X-Decision-Budget-Ms header, checked as the body field is."""

    budget_ms = budget_field(allow_null=True)


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


class ContentSerializer(serializers.Serializer):
    """What the offer says in the requested channel kind: only the fields of that kind come."""

    short_text = serializers.CharField(
        required=False, allow_blank=True, help_text=_("chatbot, ussd: the short text.")
    )
    sms_text = serializers.CharField(
        required=False, allow_blank=True, help_text=_("ussd: one SMS (160 GSM-7 / 70 UCS-2).")
    )
    push_title = serializers.CharField(
        required=False, allow_blank=True, help_text=_("app: the push title (at most 50).")
    )
    push_body = serializers.CharField(
        required=False, allow_blank=True, help_text=_("app: the push text (at most 150).")
    )
    banner_title = serializers.CharField(
        required=False, allow_blank=True, help_text=_("web, app: the banner title.")
    )
    banner_image_url = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("web, app, chatbot: the banner image's absolute URL; empty without one."),
    )
    banner_alt = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("web, app, chatbot: what the image shows, for screen readers."),
    )
    banner_link = serializers.CharField(
        required=False, allow_blank=True, help_text=_("web, app, chatbot: where a tap leads.")
    )
    ivr_prompt = serializers.CharField(
        required=False, allow_blank=True, help_text=_("ivr: what the voice menu says.")
    )
    agent_script = serializers.CharField(
        required=False, allow_blank=True, help_text=_("assisted kinds: what an agent says.")
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
    content = ContentSerializer(
        help_text=_("The texts of the requested channel kind (per kind: docs/api.md).")
    )
    score = serializers.FloatField()
    reason = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    decision_id = serializers.UUIDField(
        allow_null=True, help_text=_("null when degraded: nothing was recorded.")
    )
    customer_id = serializers.CharField()
    channel_kind = serializers.CharField()
    offers = OfferSerializer(many=True)
    degraded = serializers.BooleanField(
        help_text=_(
            "true: the decision could not be made within the time budget; no offers, nothing "
            "recorded (status 200, not 201)."
        )
    )
    not_offered = NotOfferedSerializer(
        many=True,
        required=False,
        help_text=_(
            "Only when explain=true: the offers not offered now. Offers held out for a control "
            "group are never listed."
        ),
    )


class OutcomeRequestSerializer(serializers.Serializer):
    """What happened to a presented offer. A reason that does not go with the outcome is
    ignored (the schema says so: ``OutcomeRequestScheme``)."""

    presentation_id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    decline_reason = serializers.ChoiceField(
        choices=[],  # the active decline reasons, read when the serializer is made
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": _("Unknown decline reason.")},
        help_text=_(
            "Why the customer declined: the code of an active decline reason. Required when "
            "outcome is declined; ignored with any other outcome."
        ),
    )
    not_presented_reason = serializers.ChoiceField(
        choices=NotPresentedReason.choices,
        required=False,
        allow_blank=True,
        help_text=_(
            "Why the offer was not presented. Required when outcome is not_presented; ignored "
            "with any other outcome."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = DeclineReason.objects.filter(is_active=True).order_by("position", "code")
        try:
            codes = list(active.values_list("code", flat=True))
        except DatabaseError:  # no tables yet (the schema made before the first migrate):
            codes = [code for code, *_rest in defaults.DECLINE_REASONS]  # what it will write
        self.fields["decline_reason"].choices = [(code, code) for code in codes]

    def validate(self, attrs):
        required = {
            Outcome.DECLINED: "decline_reason",
            Outcome.NOT_PRESENTED: "not_presented_reason",
        }
        field = required.get(attrs["outcome"])
        if field and not attrs.get(field):
            message = {
                "decline_reason": _("Choose why the customer declined."),
                "not_presented_reason": _("Choose why the offer was not presented."),
            }[field]
            raise serializers.ValidationError({field: [message]})
        for other in required.values():  # a reason that does not apply is ignored
            if other != field:
                attrs.pop(other, None)
        return attrs


class OutcomeRequestScheme(OpenApiSerializerExtension):
    """The schema of an outcome: which reason each outcome requires, as server validation."""

    target_class = OutcomeRequestSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)

        def outcomes(*values: str) -> dict:
            # A pattern, not an enum: drf-spectacular would merge every "outcome" enum into one.
            return {"type": "string", "pattern": f"^({'|'.join(values)})$"}

        schema["oneOf"] = [
            {"properties": {"outcome": outcomes(Outcome.ACCEPTED, Outcome.LATER)}},
            {
                "properties": {
                    "outcome": outcomes(Outcome.DECLINED),
                    "decline_reason": {"minLength": 1},
                },
                "required": ["decline_reason"],
            },
            {
                "properties": {
                    "outcome": outcomes(Outcome.NOT_PRESENTED),
                    "not_presented_reason": {"minLength": 1},
                },
                "required": ["not_presented_reason"],
            },
        ]
        return schema


class OutcomeSerializer(serializers.Serializer):
    presentation_id = serializers.IntegerField()
    outcome = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    created = serializers.BooleanField(
        help_text=_("False when this outcome had been recorded before.")
    )
