"""Cancellations reported by billing: a conversion cancelled within the clawback window is taken back."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.choices import Outcome
from campaigns.models import Response
from channels.models.bonus import Cancellation


@dataclass
class CancellationReport:
    created: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_day(value: str) -> datetime:
    day = date.fromisoformat(value.strip())
    return datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())


@transaction.atomic
def record_cancellations(*, text: str, user, now: datetime | None = None) -> CancellationReport:
    """Record cancelled conversions from CSV text (``response_id`` or ``presentation_id``, then
    optional ``cancelled_on`` YYYY-MM-DD and ``reason``). Re-sending a file changes nothing; bad
    rows are reported with their line and reason and the good ones are kept."""
    now = now or timezone.now()
    report = CancellationReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(c or "").strip() for c in (reader.fieldnames or [])}
    if not columns & {"response_id", "presentation_id"}:
        report.errors.append(
            _("Line 1: the header must name a response_id or a presentation_id column.")
        )
        return report
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        try:
            if row.get("response_id"):
                response = Response.objects.filter(pk=int(row["response_id"])).first()
            elif row.get("presentation_id"):
                response = Response.objects.filter(
                    presentation_id=int(row["presentation_id"])
                ).first()
            else:
                raise ValueError(_("no response_id or presentation_id"))
            if response is None:
                raise ValueError(_("no such recorded outcome"))
            if response.outcome != Outcome.ACCEPTED:
                raise ValueError(_("that outcome is not a conversion (it was not accepted)"))
            cancelled_at = _parse_day(row["cancelled_on"]) if row.get("cancelled_on") else now
            if cancelled_at < response.recorded_at - timedelta(days=1):
                raise ValueError(_("cancelled before the offer was accepted"))
            if cancelled_at > now + timedelta(days=1):
                raise ValueError(_("cancelled in the future"))
        except (ValueError, InvalidOperation) as exc:
            report.errors.append(_("Line %(n)d: %(why)s.") % {"n": number, "why": exc})
            continue
        _obj, created = Cancellation.objects.get_or_create(
            response=response,
            defaults={
                "cancelled_at": max(cancelled_at, response.recorded_at),
                "reason": row.get("reason", "")[:200],
                "entered_by": user,
            },
        )
        if created:
            report.created += 1
        else:
            report.already += 1
    return report
