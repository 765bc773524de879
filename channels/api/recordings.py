"""Call recordings through the API: a telephony system attaches a recording to an outbound
call attempt or an inbound contact (``channels/recordings/`` holds the rest)."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from campaigns.choices import ChannelKind
from campaigns.models import Decision
from channels.models import CallAttempt, Recording
from channels.recordings.attach import ReferenceTaken, attach
from channels.recordings.serializers import (
    NewRecordingSerializer,
    RecordingSerializer,
    recording_body,
)
from cvm_portal.audit import record_access

from .errors import errors
from .views import ApiClientView

# Calls an agent took in the console: the decisions a recording of an inbound contact names.
CALL_KINDS = (ChannelKind.INBOUND_CALL, ChannelKind.OUTBOUND_CALL)
CLOCK_SKEW = timedelta(minutes=5)


class NotATelephonySystem(exceptions.PermissionDenied):
    default_detail = gettext_lazy(
        "This API client may not attach recordings: an administrator marks the telephony "
        "system's client as one that may (admin → API clients)."
    )
    default_code = "recordings_not_allowed"


def check_attaches_recordings(request) -> None:
    """403 unless the calling client is a telephony system that may attach recordings."""
    if not request.auth.client.attaches_recordings:
        raise NotATelephonySystem()


def _refused(field: str, message: str) -> Response:
    return Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)


def _not_found(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_404_NOT_FOUND)


class RecordingListView(ApiClientView):
    """Who may use it: API clients marked as a telephony system. Attaches a call recording."""

    @extend_schema(
        request=NewRecordingSerializer,
        responses={
            201: RecordingSerializer,
            200: RecordingSerializer,
            **errors(400, 401, 403, 404, 409, 415, 429),
        },
        description="201: attached. 200: this recording id was attached already with the same "
        "details; the recording comes back unchanged. 409: the recording id was attached "
        "already with other details. An unknown call_attempt_id or decision_id is a 404; a "
        "decision that was not an agent's call, or a recorded_at in the future, a 400.",
    )
    def post(self, request):
        check_attaches_recordings(request)
        incoming = NewRecordingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        recorded_at = data.get("recorded_at")
        if recorded_at is not None and recorded_at > timezone.now() + CLOCK_SKEW:
            return _refused("recorded_at", _("The call cannot have started in the future."))
        call_attempt = decision = None
        if "call_attempt_id" in data:
            call_attempt = (
                CallAttempt.objects.select_related("lead__call_list")
                .filter(pk=data["call_attempt_id"])
                .first()
            )
            if call_attempt is None:
                return _not_found(_("No outbound call attempt has this call_attempt_id."))
        else:
            decision = Decision.objects.filter(pk=data["decision_id"]).first()
            if decision is None:
                return _not_found(_("No contact has this decision_id."))
            if decision.channel_kind not in CALL_KINDS or decision.agent_id is None:
                return _refused(
                    "decision_id",
                    _(
                        "This decision was not made by an agent on a call; recordings attach to calls."
                    ),
                )
        try:
            attached = attach(
                client=request.auth.client,
                reference=data["reference"],
                url=data["url"],
                duration_s=data["duration_s"],
                call_attempt=call_attempt,
                decision=decision,
                recorded_at=recorded_at,
            )
        except ReferenceTaken:
            return Response(
                {
                    "detail": _(
                        "This recording id was attached already with other details (link, "
                        "duration, call or time); nothing was changed."
                    )
                },
                status=status.HTTP_409_CONFLICT,
            )
        recording = attached.recording
        if attached.created:
            # The telephony system learns what came of a customer's call: audited as a look-up.
            record_access(
                user=request.user,
                action="find",
                obj=recording.customer,
                detail=f"recording {recording.pk}",
            )
        return Response(
            RecordingSerializer(recording_body(recording)).data,
            status=status.HTTP_201_CREATED if attached.created else status.HTTP_200_OK,
        )


class RecordingDetailView(ApiClientView):
    """Who may use it: the telephony system that attached the recording (any other: 404)."""

    @extend_schema(responses={200: RecordingSerializer, **errors(401, 403, 404, 429)})
    def get(self, request, pk):
        check_attaches_recordings(request)
        recording = get_object_or_404(
            Recording.objects.select_related("campaign", "decline_reason"),
            pk=pk,
            client=request.auth.client,
        )
        return Response(RecordingSerializer(recording_body(recording)).data)
