from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    STORE = "store", _("Store")
    INBOUND_CENTRE = "inbound_centre", _("Inbound call centre")
    OUTBOUND_CENTRE = "outbound_centre", _("Outbound call centre")
    AGENCY = "agency", _("Outsourced agency")


class LeadState(models.TextChoices):
    """Where a lead of a call list stands."""

    WAITING = "waiting", _("Waiting")  # may be handed out once due_at has passed
    ASSIGNED = "assigned", _("With an agent")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped by the contact policy")
    EXPIRED = "expired", _("Not called on its day")  # closed when the next day's list was built


class Disposition(models.TextChoices):
    """The result of one outbound call attempt."""

    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REACHED = "reached", _("Reached")
    CALLBACK = "callback", _("Callback requested")
    DO_NOT_CALL = "do_not_call", _("Do not call")


# Dispositions after which the lead is tried again later (until the campaign's attempt limit).
RETRY_DISPOSITIONS = (Disposition.NO_ANSWER, Disposition.BUSY, Disposition.VOICEMAIL)
# Dispositions where somebody answered.
CONTACT_DISPOSITIONS = (Disposition.REACHED, Disposition.CALLBACK, Disposition.DO_NOT_CALL)


class PlanUnit(models.TextChoices):
    MONEY = "money", _("Money")
    POINTS = "points", _("Points")


class StatementStatus(models.TextChoices):
    OPEN = "open", _("Open (recomputed from outcomes)")
    FROZEN = "frozen", _("Frozen (period closed)")


class LineKind(models.TextChoices):
    CONVERSION = "conversion", _("Accepted offer")
    CLAWBACK = "clawback", _("Cancelled within the clawback window")
    ACCELERATOR = "accelerator", _("Tier accelerator")
    GATE = "gate", _("Quality gate not met")
    CAP = "cap", _("Above the cap")
    LATE = "late", _("Adjustment: late outcome of a closed period")
    LATE_CLAWBACK = "late_clawback", _("Adjustment: cancellation after a period was closed")
