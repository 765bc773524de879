"""The next-best-offer decision: one function for the console, the API and the outbound lists.

``decide`` gathers the candidates (offers of live campaigns in the channel kind whose active
target-group version holds the customer), removes those a named filter excludes (each
exclusion is kept, so "why not?" can be answered), arbitrates (propensity × value ×
priority, each with its weight; one offer per product family), records the decision with
its presentations, and returns the top offers with a plain-language reason each.
Control-group members get no offers; their held-out presentations are recorded so the
uplift can be measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import CONTACT_OUTCOMES, ChannelKind, Exclusion, Outcome
from .fields import channel_kind_lookup
from .models import (
    Campaign,
    ContactPolicy,
    Customer,
    Decision,
    Offer,
    Presentation,
    Response,
    TargetGroup,
    TargetGroupMember,
)


@dataclass
class Candidate:
    """An offer that could be shown to the customer, and what the decision made of it."""

    offer: Offer
    campaign: Campaign
    propensity: float | None
    value: Decimal
    is_control: bool
    score: float = 0.0
    reason: str = ""
    excluded: Exclusion | None = None
    explanation: str = ""
    presentation: Presentation | None = None


@dataclass
class Result:
    decision: Decision
    offers: list[Candidate] = field(default_factory=list)  # shown, best first
    held_out: list[Candidate] = field(default_factory=list)  # control group: recorded, not shown
    excluded: list[Candidate] = field(default_factory=list)  # with the filter that removed each


def _candidates(customer: Customer, kind: str, now) -> list[Candidate]:
    """Two queries: the customer's memberships in live campaigns of this channel kind, then their offers."""
    live = Campaign.objects.live(now).filter(**channel_kind_lookup(kind))
    active_versions = TargetGroup.objects.filter(
        campaign__in=live, active_version__isnull=False
    ).values("active_version_id")
    members = list(
        TargetGroupMember.objects.filter(customer=customer, version_id__in=active_versions)
        .select_related("version__target_group__campaign")
        .order_by()
    )
    if not members:
        return []
    links = Campaign.offers.through.objects.filter(
        campaign_id__in={m.version.target_group.campaign_id for m in members},
        **{f"offer__{key}": value for key, value in channel_kind_lookup(kind).items()},
    ).select_related("offer__product")
    offers_of: dict[int, list[Offer]] = {}
    for link in links:
        offers_of.setdefault(link.campaign_id, []).append(link.offer)
    candidates: list[Candidate] = []
    for member in members:
        campaign = member.version.target_group.campaign
        for offer in offers_of.get(campaign.pk, []):
            if member.offer_id is not None and offer.pk != member.offer_id:
                continue
            value = member.expected_value if member.expected_value is not None else offer.value * 12
            candidates.append(
                Candidate(
                    offer=offer,
                    campaign=campaign,
                    propensity=member.propensity,
                    value=value,
                    is_control=member.is_control,
                )
            )
    return candidates


def _history(customer: Customer, policy: ContactPolicy, now) -> dict:
    """What the contact policy needs to know about this customer's past, from one query."""
    last_by_campaign: dict[int, object] = {}
    recent = 0
    accepted: set[int] = set()
    declines: dict[int, object] = {}
    window_start = now - timedelta(days=policy.window_days)
    rows = Response.objects.filter(customer=customer, recorded_at__lte=now).values_list(
        "campaign_id", "offer_id", "outcome", "recorded_at", "decline_reason__suppression_days"
    )
    for campaign_id, offer_id, outcome, recorded_at, days in rows:
        if outcome not in CONTACT_OUTCOMES:
            continue
        if campaign_id not in last_by_campaign or recorded_at > last_by_campaign[campaign_id]:
            last_by_campaign[campaign_id] = recorded_at
        recent += recorded_at >= window_start
        if outcome == Outcome.ACCEPTED:
            accepted.add(offer_id)
        elif outcome == Outcome.DECLINED:
            until = None if days is None else recorded_at + timedelta(days=days)  # None: for good
            if (
                offer_id not in declines
                or until is None
                or (declines[offer_id] is not None and until > declines[offer_id])
            ):
                declines[offer_id] = until
    return {
        "last_by_campaign": last_by_campaign,
        "recent": recent,
        "accepted": accepted,
        "declines": declines,
    }


def _exclusion(
    c: Candidate, customer: Customer, kind: str, policy: ContactPolicy, history: dict, now
):
    """The first filter that excludes the candidate, with a sentence for people; None if it passes."""
    if not c.offer.is_valid_at(now):
        return Exclusion.NOT_VALID, _("%(offer)s is not valid today.") % {"offer": c.offer.title}
    if customer.do_not_contact:
        return Exclusion.DO_NOT_CONTACT, _("The customer asked not to be contacted.")
    if not customer.may_be_contacted_in(kind):
        return Exclusion.NO_CONSENT, _("No consent for offers in %(kind)s.") % {
            "kind": ChannelKind(kind).label
        }
    if c.offer.pk in history["accepted"]:
        return Exclusion.ALREADY_ACCEPTED, _("Already accepted %(offer)s.") % {
            "offer": c.offer.title
        }
    if c.offer.pk in history["declines"]:
        until = history["declines"][c.offer.pk]
        if until is None or until > now:
            when = (
                _("for good")
                if until is None
                else _("until %(date)s") % {"date": timezone.localtime(until).date()}
            )
            return Exclusion.DECLINED_RECENTLY, _("Declined; not offered again %(when)s.") % {
                "when": when
            }
    last = history["last_by_campaign"].get(c.campaign.pk)
    if last is not None and last > now - timedelta(days=c.campaign.cooldown_days):
        return Exclusion.COOLDOWN, _(
            "Contacted for %(campaign)s on %(date)s; the cooldown is %(days)d days."
        ) % {
            "campaign": c.campaign.name,
            "date": timezone.localtime(last).date(),
            "days": c.campaign.cooldown_days,
        }
    if history["recent"] >= policy.max_contacts:
        return Exclusion.CONTACT_CAP, _(
            "Already contacted %(n)d times in %(days)d days (the limit)."
        ) % {
            "n": history["recent"],
            "days": policy.window_days,
        }
    return None


def _score(c: Candidate, policy: ContactPolicy) -> float:
    propensity = c.propensity if c.propensity is not None else policy.default_propensity
    return (
        (max(propensity, 0.0) ** policy.propensity_weight)
        * (max(float(c.value), 0.0) ** policy.value_weight)
        * (float(c.campaign.priority_weight) ** policy.priority_weight)
    )


def _reason(c: Candidate) -> str:
    parts = [
        _("%(campaign)s (%(objective)s)")
        % {"campaign": c.campaign.name, "objective": c.campaign.get_objective_display().lower()}
    ]
    if c.propensity is not None:
        parts.append(_("likely to accept: %(p)d %%") % {"p": round(c.propensity * 100)})
    parts.append(
        _("worth about %(value)s %(currency)s a year")
        % {"value": f"{c.value:,.0f}", "currency": settings.CVM_CURRENCY}
    )
    return " · ".join(parts)[:300]


def _untrained(agent, candidates: list[Candidate]) -> dict[int, list[dict]]:
    """The training gate: the candidates' training-required campaigns the agent has not passed
    (one query, and none when no candidate's campaign requires training). Requests without a
    user (digital channels, the API) are not gated."""
    if agent is None or not any(c.campaign.training_required for c in candidates):
        return {}
    # The training side owns who passed what; imported here because training imports campaigns.
    from training.gating import untrained_campaigns

    return untrained_campaigns(
        user=agent, campaign_ids={c.campaign.pk for c in candidates if c.campaign.training_required}
    )


def _training_explanation(campaign: Campaign, guides: list[dict]) -> str:
    if not guides:
        return _(
            "%(campaign)s needs training first, and no guide is published for you yet: ask your trainer."
        ) % {"campaign": campaign.name}
    return _("%(campaign)s needs training first: complete “%(guide)s” to see its offers.") % {
        "campaign": campaign.name,
        "guide": guides[0]["title"],
    }


@transaction.atomic
def decide(
    *, customer: Customer, channel_kind: str, agent=None, site_id: int | None = None, now=None
) -> Result:
    """The next-best-offers for ``customer`` in ``channel_kind`` right now, recorded as one decision."""
    if channel_kind not in ChannelKind.values:
        raise ValueError(f"unknown channel kind {channel_kind!r}")
    now = now or timezone.now()
    policy = ContactPolicy.current()
    history = _history(customer, policy, now)
    result = Result(
        decision=Decision.objects.create(
            customer=customer, channel_kind=channel_kind, agent=agent, site_id=site_id
        )
    )
    passing: list[Candidate] = []
    candidates = _candidates(customer, channel_kind, now)
    untrained = _untrained(agent, candidates)
    for c in candidates:
        excluded = _exclusion(c, customer, channel_kind, policy, history, now)
        if not excluded and c.campaign.pk in untrained:
            excluded = (
                Exclusion.TRAINING_REQUIRED,
                _training_explanation(c.campaign, untrained[c.campaign.pk]),
            )
        if excluded:
            c.excluded, c.explanation = excluded
            result.excluded.append(c)
            continue
        c.score, c.reason = _score(c, policy), _reason(c)
        passing.append(c)
    passing.sort(key=lambda c: (-c.score, c.offer.code))
    families: set[str] = set()
    limit = policy.offers_for(channel_kind)
    for c in passing:
        if c.offer.product.family in families:
            c.excluded, c.explanation = (
                Exclusion.SAME_FAMILY,
                _("A better %(family)s offer is shown.")
                % {"family": c.offer.product.get_family_display().lower()},
            )
            result.excluded.append(c)
            continue
        if len(result.offers) + len(result.held_out) >= limit:
            c.excluded, c.explanation = (
                Exclusion.OVER_LIMIT,
                _("Not among the top %(n)d.") % {"n": limit},
            )
            result.excluded.append(c)
            continue
        families.add(c.offer.product.family)
        (result.held_out if c.is_control else result.offers).append(c)
    presentations = []
    for rank, c in enumerate([*result.offers, *result.held_out], start=1):
        c.presentation = Presentation(
            decision=result.decision,
            offer=c.offer,
            campaign=c.campaign,
            rank=rank,
            score=c.score,
            reason=c.reason,
            held_out=c.is_control,
        )
        presentations.append(c.presentation)
    Presentation.objects.bulk_create(presentations)
    for c in result.held_out:
        c.excluded, c.explanation = (
            Exclusion.CONTROL_GROUP,
            _("In the control group of %(campaign)s.") % {"campaign": c.campaign.name},
        )
    return result
