"""Recording who looked at whose personal data."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

# What each action written to the trail means, for the people who read it.
ACTIONS = {
    "find": _("Look-up: customer found"),
    "find_failed": _("Look-up: nobody found"),
    "lookup_burst": _("Look-up burst (rate limit reached)"),
    "view": _("Customer page opened"),
    "list": _("Customer list (admin)"),
    "search": _("Customer search (admin)"),
    "decide": _("Decision requested (API)"),
    "contact_preference": _("Contact preference withdrawn (console)"),
    "bonus_close": _("Bonus period closed"),
    "bonus_payroll_export": _("Payroll exported"),
    "audit_export": _("Audit trail exported"),
    "undo_outcome": _("Outcome undone by its agent"),
    "preview": _("Customer shown in a campaign preview"),
    "research_queue": _("Customer's call shown in the research queue"),
    "need_note": _("Customer-need note written"),
    "kill_switch_stop": _("Campaigns stopped by the kill switch"),
    "kill_switch_resume": _("Campaigns resumed after the kill switch"),
    "revision_propose": _("Campaign revision proposed"),
    "revision_approve": _("Campaign revision approved and applied"),
    "revision_reject": _("Campaign revision rejected"),
    "revision_withdraw": _("Campaign revision withdrawn by its proposer"),
    "campaign_status": _("Campaign status changed (submitted, approved, rejected, live…)"),
}


def record_access(
    *, user, action: str, obj: models.Model | None = None, detail: str = ""
) -> AuditEvent:
    """Write one audit event for ``user`` doing ``action`` (e.g. "view", "search") on ``obj``.

    Write it once the access has happened (the page was built, the file was made): the trail
    says what people saw, not what they tried."""
    return AuditEvent.objects.create(**access(user=user, action=action, obj=obj, detail=detail))


def access(*, user, action: str, obj: models.Model | None = None, detail: str = "") -> dict:
    """The columns of the audit event ``record_access`` would write, for a caller that writes it
    in a statement of its own (an API decision writes it with the decision: ``campaigns.store``)."""
    return {
        "user": user,
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "detail": detail[:300],
    }


def recent_bursts(*, days: int = 7) -> models.QuerySet:
    """Look-up bursts of the last ``days`` days, newest first: for CVM managers to follow up."""
    since = timezone.now() - timedelta(days=days)
    return (
        AuditEvent.objects.filter(action="lookup_burst", at__gte=since)
        .select_related("user")
        .order_by("-at")[:20]
    )
