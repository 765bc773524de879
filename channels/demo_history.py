"""Past contacts for the demo, so the programme results have weeks to show.

For each of the last ``days`` days every demo agent serves a few members of the live campaigns'
target groups in their channel kind (control members are held out, as decisioning holds them
out), records an outcome with the mix agents record, and outbound agents dial: no answer,
busy, reached, callbacks set and mostly kept. Digital channels make their own decisions. The
rows are written directly (``bulk_create``), then dated into the past, then the rollups are
rebuilt — the real decisioning would refuse most of these contacts for its cooldowns.
Deterministic for a seed.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from campaigns.choices import CampaignStatus, ChannelKind, NotPresentedReason, Outcome
from campaigns.models import (
    Campaign,
    Decision,
    DeclineReason,
    Presentation,
    Response,
    TargetGroupMember,
    TargetGroupVersion,
)
from campaigns.results import programme, rollups

from .choices import Disposition
from .models import AgentProfile, CallAttempt, Lead

OUTCOMES = [Outcome.ACCEPTED, Outcome.DECLINED, Outcome.LATER, Outcome.NOT_PRESENTED]
OUTCOME_WEIGHTS = [22, 30, 33, 15]
DISPOSITIONS = [Disposition.NO_ANSWER, Disposition.BUSY, Disposition.REACHED, Disposition.CALLBACK]
DISPOSITION_WEIGHTS = [40, 10, 40, 10]
DIGITAL = [ChannelKind.WEB, ChannelKind.APP]
MEMBERS_PER_CAMPAIGN = 5000


class _Writer:
    """Collects the rows and their moments, then writes and dates them."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []
        self.presentations: list[Presentation] = []
        self.responses: list[tuple[Response, Presentation]] = []
        self.attempts: list[CallAttempt] = []
        self.at: dict[str, list[tuple[datetime, object]]] = {
            "decision": [], "response": [], "attempt": [],
        }  # fmt: skip

    def write(self) -> None:
        # bulk_create's auto_now_add overwrites created_at on the objects: keep each moment.
        decided = [(d.created_at, d.pk) for d in self.decisions]
        Decision.objects.bulk_create(self.decisions, batch_size=500)
        Presentation.objects.bulk_create(self.presentations, batch_size=500)
        for response, presentation in self.responses:
            response.presentation_id = presentation.pk
        Response.objects.bulk_create([r for r, _p in self.responses], batch_size=500)
        CallAttempt.objects.bulk_create(self.attempts, batch_size=500)
        # auto_now_add dated every row now: move each to its moment.
        adapt = connection.ops.adapt_datetimefield_value
        uuid_field = Decision._meta.pk

        def key(pk):
            return uuid_field.get_db_prep_value(pk, connection) if isinstance(pk, uuid.UUID) else pk

        with connection.cursor() as cursor:
            for table, column, rows in (
                (
                    "campaigns_decision",
                    "created_at",
                    decided,
                ),
                ("campaigns_response", "recorded_at", [(m, r.pk) for m, r in self.at["response"]]),
                ("channels_callattempt", "at", [(m, a.pk) for m, a in self.at["attempt"]]),
            ):
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608 - constant names
                    [(adapt(moment), key(pk)) for moment, pk in rows],
                )


def _moment(day: date, rng: random.Random) -> datetime:
    minutes = rng.randrange(9 * 60, 19 * 60)
    return datetime.combine(
        day, time(minutes // 60, minutes % 60), tzinfo=timezone.get_default_timezone()
    )


def _contact(
    w: _Writer, rng, *, campaign, member, offers, kind, at, agent_id, site_id, reasons
) -> Presentation:
    version, customer_id, external_id, suggested = member
    offer = suggested if suggested in offers else rng.choice(offers)
    decision = Decision(
        id=uuid.uuid4(), customer_id=customer_id, channel_kind=kind, agent_id=agent_id,
        site_id=site_id, created_at=at,
    )  # fmt: skip
    held_out = version.in_control(external_id)
    presentation = Presentation(
        decision=decision, offer_id=offer, campaign=campaign, rank=1, score=1.0,
        reason="demo history", held_out=held_out,
    )  # fmt: skip
    w.decisions.append(decision)
    w.presentations.append(presentation)
    if held_out:
        return presentation
    outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
    response = Response(
        customer_id=customer_id, offer_id=offer, campaign=campaign, channel_kind=kind,
        outcome=outcome, agent_id=agent_id, site_id=site_id,
        decline_reason=rng.choice(reasons) if outcome == Outcome.DECLINED else None,
        not_presented_reason=rng.choice(NotPresentedReason.values)
        if outcome == Outcome.NOT_PRESENTED else "",
    )  # fmt: skip
    w.responses.append((response, presentation))
    w.at["response"].append((at + timedelta(minutes=2), response))
    return presentation


def _dial(w: _Writer, rng, *, leads, at, agent_id, site_id) -> bool:
    """One call attempt (and a kept callback after a request); True when someone answered."""
    lead = rng.choice(leads)
    disposition = rng.choices(DISPOSITIONS, DISPOSITION_WEIGHTS)[0]
    callback_at = at + timedelta(hours=2) if disposition == Disposition.CALLBACK else None
    attempt = CallAttempt(
        lead=lead, agent_id=agent_id, site_id=site_id, disposition=disposition,
        callback_at=callback_at,
    )  # fmt: skip
    w.attempts.append(attempt)
    w.at["attempt"].append((at, attempt))
    if callback_at is not None and rng.random() < 0.7:
        kept = CallAttempt(
            lead=lead, agent_id=agent_id, site_id=site_id, disposition=Disposition.REACHED
        )
        w.attempts.append(kept)
        w.at["attempt"].append((callback_at + timedelta(minutes=rng.randrange(0, 25)), kept))
    return disposition == Disposition.REACHED


# The first demo customers stay uncontacted, for hands-on walks (the README's examples).
UNTOUCHED = "C0000020"


def _members(version: TargetGroupVersion) -> list[tuple]:
    rows = (
        TargetGroupMember.objects.filter(version=version)
        .filter(customer_id__gt=UNTOUCHED)
        .values_list("customer__pk", "customer_id", "offer__pk")[:MEMBERS_PER_CAMPAIGN]
    )
    return [(version, pk, external_id, offer_id) for pk, external_id, offer_id in rows]


@transaction.atomic
def build_history(*, days: int = 28, contacts: int = 5, seed: int = 15, now=None) -> dict:
    """Write ``days`` days of past contacts (about ``contacts`` per agent a day), rebuild the
    results' rollups for them and cache every campaign's uplift; returns what was written."""
    rng = random.Random(seed)
    today = timezone.localdate(now)
    campaigns = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.LIVE).prefetch_related("offers"):
        version = getattr(getattr(campaign, "target_group", None), "active_version", None)
        members = _members(version) if version is not None else []
        offers = [o.pk for o in campaign.offers.all()]
        if members and offers:
            campaigns.append((campaign, members, offers))
    reasons = list(DeclineReason.objects.filter(is_active=True)) or [
        DeclineReason.objects.create(code="too_expensive", label="Too expensive")
    ]
    profiles = list(AgentProfile.objects.select_related("site"))
    leads_at = {}
    for lead in Lead.objects.select_related("call_list"):
        leads_at.setdefault(lead.call_list.site_id, []).append(lead)
    w = _Writer()
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        for profile in profiles:
            mine = [c for c in campaigns if profile.channel_kind in c[0].channel_kinds]
            for _n in range(contacts):
                at = _moment(day, rng)
                if back == 0 and at > timezone.now() or not mine:
                    continue
                if profile.channel_kind in (ChannelKind.OUTBOUND_CALL, ChannelKind.FIELD):
                    leads = leads_at.get(profile.site_id)
                    if not leads or not _dial(
                        w,
                        rng,
                        leads=leads,
                        at=at,
                        agent_id=profile.user_id,
                        site_id=profile.site_id,
                    ):
                        continue
                campaign, members, offers = rng.choice(mine)
                _contact(
                    w, rng, campaign=campaign, member=rng.choice(members), offers=offers,
                    kind=profile.channel_kind, at=at, agent_id=profile.user_id,
                    site_id=profile.site_id, reasons=reasons,
                )  # fmt: skip
        digital = [c for c in campaigns if set(DIGITAL) & set(c[0].channel_kinds)]
        for _n in range(contacts * 3 if digital else 0):
            campaign, members, offers = rng.choice(digital)
            kind = next(k for k in DIGITAL if k in campaign.channel_kinds)
            at = _moment(day, rng)
            if back == 0 and at > timezone.now():
                continue
            _contact(
                w, rng, campaign=campaign, member=rng.choice(members), offers=offers, kind=kind,
                at=at, agent_id=None, site_id=None, reasons=reasons,
            )  # fmt: skip
    w.write()
    refreshed = rollups.rebuild(since=today - timedelta(days=days), until=today)
    programme.refresh_uplift()
    return {
        "decisions": len(w.decisions),
        "outcomes": len(w.responses),
        "attempts": len(w.attempts),
        "rollup_rows": refreshed.rows,
    }
