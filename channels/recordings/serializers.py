"""What a telephony system sends when it attaches a recording, and what it reads back."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.choices import Outcome
from channels.handover.serializers import HTTPS_LINK
from cvm_portal.converters import MAX_ID

MAX_DURATION_S = 4 * 60 * 60  # four hours: longer is a stuck line, not a conversation
NOT_HTTPS = _("The recording's link must be an https:// address.")


@extend_schema_field({"type": "string", "pattern": HTTPS_LINK, "maxLength": 500, "minLength": 9})
class RecordingLinkField(serializers.CharField):
    """An https:// address, checked by the same pattern the schema gives."""

    def __init__(self, **kwargs):
        super().__init__(max_length=500, trim_whitespace=False, **kwargs)
        self.validators += [
            RegexValidator(HTTPS_LINK, NOT_HTTPS),
            RegexValidator(r"\n", NOT_HTTPS, inverse_match=True),  # "$" lets "\n" through
        ]


class TextField(serializers.CharField):
    """Text only: a number or a boolean is refused (400), as the schema's "string" says, rather
    than turned into text."""

    default_error_messages = {"invalid": _("Not a valid string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class NewRecordingSerializer(serializers.Serializer):
    reference = TextField(
        min_length=1,
        max_length=200,
        trim_whitespace=False,
        help_text=_(
            "The telephony system's id of the recording: the same id again gives the same "
            "recording; with other details, 409."
        ),
    )
    url = RecordingLinkField(
        help_text=_("Where to listen to it (https), in the telephony system; opened in a new tab.")
    )
    duration_s = serializers.IntegerField(
        min_value=1, max_value=MAX_DURATION_S, help_text=_("Its length in seconds (1–14400).")
    )
    call_attempt_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("An outbound call: the call attempt's id. This or decision_id, not both."),
    )
    decision_id = serializers.UUIDField(
        required=False,
        help_text=_(
            "An inbound call: the id of the decision the agent's console made during it "
            "(inbound or outbound call kinds only). This or call_attempt_id, not both."
        ),
    )
    recorded_at = serializers.DateTimeField(
        required=False,
        help_text=_(
            "When the call started (ISO 8601 with its offset); default: the contact's time."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        both = "call_attempt_id" in attrs and "decision_id" in attrs
        if both or ("call_attempt_id" not in attrs and "decision_id" not in attrs):
            message = (
                _("Give call_attempt_id or decision_id, not both: a recording is of one call.")
                if both
                else _("Give call_attempt_id (an outbound call) or decision_id (an inbound call).")
            )
            raise serializers.ValidationError(
                {"call_attempt_id": [message], "decision_id": [message]}
            )
        return attrs


class NewRecordingScheme(OpenApiSerializerExtension):
    """The schema says what validate() checks: exactly one of call_attempt_id and decision_id."""

    target_class = NewRecordingSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {
            **schema,
            "oneOf": [{"required": ["call_attempt_id"]}, {"required": ["decision_id"]}],
        }


class RecordingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The portal's id of the recording."))
    reference = serializers.CharField()
    url = serializers.CharField()
    duration_s = serializers.IntegerField()
    call_attempt_id = serializers.IntegerField(allow_null=True)
    decision_id = serializers.UUIDField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    campaign_code = serializers.CharField(
        allow_null=True, help_text=_("The campaign the call was about; null: none.")
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        allow_null=True,
        help_text=_("What the agent recorded for the call's offer; null: nothing (yet)."),
    )
    decline_reason = serializers.CharField(
        allow_null=True, help_text=_("The decline reason's code, when declined.")
    )
    created_at = serializers.DateTimeField()


def recording_body(recording) -> dict:
    return {
        "id": recording.pk,
        "reference": recording.reference,
        "url": recording.url,
        "duration_s": recording.duration_s,
        "call_attempt_id": recording.call_attempt_id,
        "decision_id": recording.decision_id,
        "recorded_at": recording.recorded_at,
        "campaign_code": recording.campaign.code if recording.campaign else None,
        "outcome": recording.outcome or None,
        "decline_reason": recording.decline_reason.code if recording.decline_reason else None,
        "created_at": recording.created_at,
    }
