"""What a chatbot sends with a hand-over, and what it reads back."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.choices import Outcome
from campaigns.phones import normalise_phone
from channels.models import HandoverOutcome, HandoverStatus

# The pattern is the whole check, in the schema and here (a stricter URL check would refuse
# links the schema allows); ASCII classes only, which Python and ECMAScript read alike.
# NO_NEWLINE refuses the trailing newline Python's "$" lets through.
HTTPS_LINK = r'^https://[^\x00-\x20<>"]+$'
NOT_HTTPS = _("The transcript link must be an https:// address.")
NO_NEWLINE = RegexValidator(r"\n", NOT_HTTPS, inverse_match=True)


@extend_schema_field({"type": "string", "pattern": HTTPS_LINK, "maxLength": 500, "minLength": 9})
class HttpsLinkField(serializers.CharField):
    """An https:// address, checked by the same pattern the schema gives."""

    def __init__(self, **kwargs):
        super().__init__(max_length=500, trim_whitespace=False, **kwargs)
        self.validators += [RegexValidator(HTTPS_LINK, NOT_HTTPS), NO_NEWLINE]


class NewHandoverSerializer(serializers.Serializer):
    customer_id = serializers.CharField(
        max_length=64,
        required=False,
        trim_whitespace=False,
        help_text=_("The customer's id, when the bot knows it. This or phone is required."),
    )
    phone = serializers.CharField(
        max_length=32,
        required=False,
        trim_whitespace=False,
        help_text=_(
            "The caller's number in any common format (+48 501 234 567, 0048…). A number that "
            "belongs to no customer, or cannot be read as a number, is accepted as an unknown "
            "caller: an agent can still help them."
        ),
    )
    intent = serializers.CharField(
        max_length=100,
        trim_whitespace=False,
        help_text=_("What the customer wants, as the bot understood it."),
    )
    summary = serializers.CharField(
        max_length=1000,
        trim_whitespace=False,
        help_text=_("The conversation so far, for the agent to read."),
    )
    transcript_url = HttpsLinkField(
        required=False,
        help_text=_("A link (https) to the whole transcript; agents open it in a new tab."),
    )
    conversation_id = serializers.CharField(
        max_length=100,
        trim_whitespace=False,
        help_text=_(
            "The bot's id of the conversation: the same one again gives the same hand-over."
        ),
    )

    def validate_phone(self, value: str) -> str:
        try:
            return normalise_phone(value)
        except DjangoValidationError:
            return value  # not a number anyone has: an unknown caller, kept as the bot gave it

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("customer_id") and not attrs.get("phone"):
            raise serializers.ValidationError(_("Give the customer's id or their phone number."))
        return attrs


class NewHandoverScheme(OpenApiSerializerExtension):
    """The schema says what validate() checks: customer_id or phone (or both)."""

    target_class = NewHandoverSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "anyOf": [{"required": ["customer_id"]}, {"required": ["phone"]}]}


class ContactOfferSerializer(serializers.Serializer):
    offer_code = serializers.CharField()
    campaign_code = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    recorded_at = serializers.DateTimeField()


class HandoverSerializer(serializers.Serializer):
    handover_id = serializers.UUIDField()
    conversation_id = serializers.CharField()
    customer_id = serializers.CharField(
        allow_null=True, help_text=_("null: the number given belongs to no customer.")
    )
    status = serializers.ChoiceField(
        choices=HandoverStatus.choices,
        help_text=_("waiting: no agent yet; taken: an agent has it; closed: see outcome."),
    )
    created_at = serializers.DateTimeField()
    taken_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(
        choices=HandoverOutcome.choices,
        allow_null=True,
        help_text=_("The agent's outcome; null until the hand-over is closed."),
    )
    offers = ContactOfferSerializer(
        many=True, help_text=_("Offers the agent recorded an outcome for during the contact.")
    )


def handover_body(handover, offers) -> dict:
    return {
        "handover_id": handover.pk,
        "conversation_id": handover.conversation_id,
        "customer_id": handover.customer.external_id if handover.customer else None,
        "status": handover.status,
        "created_at": handover.created_at,
        "taken_at": handover.taken_at,
        "closed_at": handover.closed_at,
        "outcome": handover.outcome or None,
        "offers": [
            {
                "offer_code": r.offer.code,
                "campaign_code": r.campaign.code,
                "outcome": r.outcome,
                "recorded_at": r.recorded_at,
            }
            for r in offers
        ],
    }
