"""Attaching a call recording to the contact it records: every write of a recording goes
through ``attach``; ``contact_facts`` says whose call it was and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from campaigns.choices import Outcome
from campaigns.models import Decision, Presentation, Response
from channels.choices import Disposition
from channels.models import ApiClient, CallAttempt, Recording, Site

# Which outcome of a contact tells the most about it, when several offers were recorded.
TELLING = {Outcome.ACCEPTED: 0, Outcome.DECLINED: 1, Outcome.LATER: 2, Outcome.NOT_PRESENTED: 3}


@dataclass(frozen=True)
class Attached:
    recording: Recording
    created: bool


class ReferenceTaken(Exception):
    """The client attached this reference before, with other facts: nothing was changed."""

    def __init__(self, recording: Recording) -> None:
        super().__init__(recording.reference)
        self.recording = recording


def _most_telling(responses, campaign_id: int | None = None) -> Response | None:
    """The response that says most about the contact: of ``campaign_id`` first (an outbound
    call is about its list's campaign), then accepted before declined, later, not presented."""
    ranked = sorted(
        responses,
        key=lambda r: (r.campaign_id != campaign_id, TELLING.get(r.outcome, 9), r.pk),
    )
    return ranked[0] if ranked else None


def contact_facts(
    *, call_attempt: CallAttempt | None = None, decision: Decision | None = None
) -> dict:
    """Customer, site, campaign, outcome and decline reason of one contact, as a recording keeps
    them: an outbound attempt's from its lead and, when the customer was reached, the outcomes
    recorded for the offers shown on that call; an inbound contact's from its decision's
    presentations and their outcomes. Empty outcome: nothing was recorded (yet)."""
    if call_attempt is not None:
        lead = call_attempt.lead
        campaign_id = lead.call_list.campaign_id
        facts = {
            "customer_id": lead.customer_id,
            "site_id": call_attempt.site_id,
            "campaign_id": campaign_id,
        }
        # Only a reached call shows offers; the lead keeps the decision of its last such call.
        shown = lead.decision_id if call_attempt.disposition == Disposition.REACHED else None
        responses = list(Response.objects.filter(presentation__decision_id=shown)) if shown else []
        best = _most_telling(responses, campaign_id)
    else:
        site_id = decision.site_id
        if site_id is not None and not Site.objects.filter(pk=site_id).exists():
            site_id = None
        facts = {"customer_id": decision.customer_id, "site_id": site_id, "campaign_id": None}
        best = _most_telling(Response.objects.filter(presentation__decision_id=decision.pk))
        if best is not None:
            facts["campaign_id"] = best.campaign_id
        else:  # nothing recorded: the campaign of the first offer the agent saw
            facts["campaign_id"] = (
                Presentation.objects.filter(decision_id=decision.pk, held_out=False)
                .order_by("rank")
                .values_list("campaign_id", flat=True)
                .first()
            )
    facts["outcome"] = best.outcome if best is not None else ""
    facts["decline_reason_id"] = best.decline_reason_id if best is not None else None
    return facts


def _same(recording: Recording, wanted: dict) -> bool:
    return all(getattr(recording, field) == value for field, value in wanted.items())


def attach(
    *,
    client: ApiClient,
    reference: str,
    url: str,
    duration_s: int,
    call_attempt: CallAttempt | None = None,
    decision: Decision | None = None,
    recorded_at: datetime | None = None,
) -> Attached:
    """Attach ``client``'s recording ``reference`` to one contact (an outbound ``call_attempt``
    or an inbound ``decision``), once: the same reference again with the same facts gives the
    recording attached first; with other facts it raises ``ReferenceTaken``. ``recorded_at``
    defaults to the contact's time."""
    if (call_attempt is None) == (decision is None):
        raise ValueError("a recording belongs to exactly one contact")
    wanted = {
        "url": url,
        "duration_s": duration_s,
        "call_attempt_id": call_attempt.pk if call_attempt else None,
        "decision_id": decision.pk if decision else None,
    }
    if recorded_at is not None:
        wanted["recorded_at"] = recorded_at
    existing = Recording.objects.filter(client=client, reference=reference).first()
    if existing is None:
        try:
            with transaction.atomic():
                created = Recording.objects.create(
                    client=client,
                    reference=reference,
                    **wanted,
                    **(
                        {}
                        if recorded_at
                        else {"recorded_at": _contact_time(call_attempt, decision)}
                    ),
                    **contact_facts(call_attempt=call_attempt, decision=decision),
                )
            return Attached(created, created=True)
        except IntegrityError:  # the same reference, posted at the same moment, won the insert
            existing = Recording.objects.get(client=client, reference=reference)
    if not _same(existing, wanted):
        raise ReferenceTaken(existing)
    return Attached(existing, created=False)


def _contact_time(call_attempt: CallAttempt | None, decision: Decision | None) -> datetime:
    return call_attempt.at if call_attempt is not None else decision.created_at


def refresh_outcomes(recordings) -> int:
    """Fill in the outcome of recordings attached before their contact's outcome was recorded
    (the telephony system may be quicker than the agent); returns how many changed."""
    changed = 0
    for recording in recordings.filter(outcome="").select_related(
        "call_attempt__lead__call_list", "decision"
    ):
        facts = contact_facts(call_attempt=recording.call_attempt, decision=recording.decision)
        if facts["outcome"]:
            Recording.objects.filter(pk=recording.pk).update(
                campaign_id=facts["campaign_id"],
                outcome=facts["outcome"],
                decline_reason_id=facts["decline_reason_id"],
            )
            changed += 1
    return changed
