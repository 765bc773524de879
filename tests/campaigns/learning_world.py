"""Outcomes written in bulk for the learning tests: many, quickly, as the console records them."""

from __future__ import annotations

import random

from campaigns.choices import NotPresentedReason, Outcome
from campaigns.models import Decision, DeclineReason, Presentation, Response


def outcomes(customer, offer, campaign, kind, counts: dict[str, int]) -> None:
    """``counts`` {outcome: how many} of ``offer`` shown to ``customer`` in ``kind``, each its
    own decision and presentation, in bulk (shuffled, so that ids do not sort by outcome)."""
    reason = DeclineReason.objects.get_or_create(code="too_dear", defaults={"label": "Too dear"})[0]
    todo = [outcome for outcome, n in counts.items() for _ in range(n)]
    random.Random(len(todo)).shuffle(todo)
    decisions = [Decision(customer=customer, channel_kind=kind) for _ in todo]
    Decision.objects.bulk_create(decisions)
    shown = Presentation.objects.bulk_create(
        Presentation(decision=d, offer=offer, campaign=campaign, rank=1, score=1, reason="t")
        for d in decisions
    )
    Response.objects.bulk_create(
        Response(
            presentation=p,
            customer=customer,
            offer=offer,
            campaign=campaign,
            channel_kind=kind,
            outcome=outcome,
            decline_reason=reason if outcome == Outcome.DECLINED else None,
            not_presented_reason=NotPresentedReason.values[0]
            if outcome == Outcome.NOT_PRESENTED
            else "",
        )
        for p, outcome in zip(shown, todo, strict=True)
    )


def simulate(customer, offer, campaign, kind, *, n: int, rate: float, seed: int) -> int:
    """``n`` presented outcomes of which each is accepted with probability ``rate`` (seeded);
    returns how many were accepted."""
    rng = random.Random(seed)
    accepted = sum(rng.random() < rate for _ in range(n))
    outcomes(
        customer,
        offer,
        campaign,
        kind,
        {Outcome.ACCEPTED: accepted, Outcome.DECLINED: n - accepted},
    )
    return accepted
