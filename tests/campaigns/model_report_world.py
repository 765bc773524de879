"""Small hand-computed worlds for the model report's tests: presentations with the likelihood
their score used and the outcome recorded, and learned groups."""

from __future__ import annotations

import itertools

from django.utils import timezone

from campaigns.choices import ChannelKind, NotPresentedReason, Outcome, Segment, ValueTier
from campaigns.models import (
    Decision,
    DeclineReason,
    LearnedPropensity,
    Presentation,
    Response,
)
from tests.factories import CustomerFactory

_customers = itertools.count(1)


def outcomes(offer, campaign, rows, *, kind=ChannelKind.STORE, when=None):
    """One presentation and its response per (likelihood used or None, outcome) in ``rows``."""
    # Ids of its own: the browser test adds these to the demo, whose ids are the factory's.
    n = next(_customers)
    customer = CustomerFactory(external_id=f"MODEL-{n}", phone=f"+48997{n:06d}")
    declined = DeclineReason.objects.get_or_create(
        code="too_dear", defaults={"label": "Too expensive"}
    )[0]
    decisions = Decision.objects.bulk_create(
        [Decision(customer=customer, channel_kind=kind) for _row in rows]
    )
    presentations = Presentation.objects.bulk_create(
        [
            Presentation(
                decision=d, offer=offer, campaign=campaign, rank=1, score=1, reason="t",
                propensity=p,
            )
            for d, (p, _outcome) in zip(decisions, rows, strict=True)
        ]
    )  # fmt: skip
    Response.objects.bulk_create(
        [
            Response(
                presentation=p,
                customer=customer,
                offer=offer,
                campaign=campaign,
                channel_kind=kind,
                outcome=outcome,
                decline_reason=declined if outcome == Outcome.DECLINED else None,
                not_presented_reason=(
                    NotPresentedReason.values[0] if outcome == Outcome.NOT_PRESENTED else ""
                ),
            )
            for p, (_p, outcome) in zip(presentations, rows, strict=True)
        ]
    )
    if when is not None:
        Response.objects.filter(presentation__in=presentations).update(recorded_at=when)


def ladder():
    """100 outcomes, likelihoods 0.5 %, 1.5 % … 99.5 %; decile d (1: the lowest) accepts d − 1
    of its 10 (the others: declined, and one "later" in the top decile), so:

    overall rate 45/100; decile d predicts (10d − 5) % and observes 10(d − 1) %; the top
    decile's lift 0.9 / 0.45 = 2.0."""
    rows = []
    for i in range(100):
        decile, place = divmod(i, 10)
        if place < decile:
            outcome = Outcome.ACCEPTED
        elif decile == 9:
            outcome = Outcome.LATER
        else:
            outcome = Outcome.DECLINED
        rows.append(((i + 0.5) / 100, outcome))
    return rows


def learned_group(offer, *, prior, presented, accepted, weight=20, kind=ChannelKind.STORE,
                  segment=Segment.POSTPAID, tier=ValueTier.SILVER):  # fmt: skip
    return LearnedPropensity.objects.create(
        offer=offer,
        channel_kind=kind,
        segment=segment,
        value_tier=tier,
        prior=prior,
        prior_weight=weight,
        presented=presented,
        accepted=accepted,
        refreshed_at=timezone.now(),
    )
