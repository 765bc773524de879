"""The learned propensities' refresh with the Django ORM: any database, and SQLite by default.

Reads the evidence grouped by the database (one query), the priors of the groups that need one
(one query per active target-group version holding the offer), then writes row by row. Simple
rather than fast: the PostgreSQL path (``campaigns.learning.postgres``) does the same in one
statement and the PG test compares the two on the same data.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from campaigns.choices import Outcome
from campaigns.models import Campaign, LearnedPropensity, Response, TargetGroupMember


def try_lock() -> bool:
    """No lock of its own: SQLite lets one writer in at a time, and the refresh writes its run
    row before it reads anything, so a second refresh waits for the first."""
    return True


def refresh(*, full: bool, since: int, up_to: int, default: float, weight: float, at) -> int:
    """Add (incremental) or set (full) the evidence of the responses with ``since`` < id ≤
    ``up_to``; returns how many presentations with an outcome were read."""
    evidence = (
        Response.objects.filter(pk__gt=since, pk__lte=up_to)
        .exclude(outcome=Outcome.NOT_PRESENTED)
        .values_list("offer_id", "channel_kind", "customer__segment", "customer__value_tier")
        .annotate(n=Count("id"), a=Count("id", filter=Q(outcome=Outcome.ACCEPTED)))
        .order_by()
    )
    found = {(o, k, s, t): (n, a) for o, k, s, t, n, a in evidence}
    held = LearnedPropensity.objects.all()
    if not full:
        held = held.filter(offer_id__in={key[0] for key in found})
    rows = {(r.offer_id, r.channel_kind, r.segment, r.value_tier): r for r in held}
    new = {key[0] for key in found if full or key not in rows}
    priors = group_priors(new)
    for key, (n, a) in found.items():
        row = rows.get(key)
        prior = priors.get((key[0], key[2], key[3]), default)
        if row is None:
            LearnedPropensity.objects.create(
                offer_id=key[0], channel_kind=key[1], segment=key[2], value_tier=key[3],
                prior=prior, prior_weight=weight, presented=n, accepted=a, refreshed_at=at,
            )  # fmt: skip
            continue
        if full:
            row.prior, row.prior_weight, row.presented, row.accepted = prior, weight, n, a
        else:
            row.presented, row.accepted = row.presented + n, row.accepted + a
        row.refreshed_at = at
        row.save(update_fields=["prior", "prior_weight", "presented", "accepted", "refreshed_at"])
    if full:  # groups whose evidence is gone (an undone outcome): back to the prior alone
        LearnedPropensity.objects.exclude(refreshed_at=at).update(
            presented=0, accepted=0, refreshed_at=at
        )
    return sum(n for n, _a in found.values())


def group_priors(offer_ids) -> dict[tuple[int, str, str], float]:
    """{(offer id, segment, value tier): the mean file propensity of the group's members} over
    the active target-group versions of the campaigns holding each offer, members whose file
    named another offer left out; groups whose members have no propensity are absent."""
    totals: dict[tuple[int, str, str], list[float]] = {}
    links = Campaign.offers.through.objects.filter(
        offer_id__in=offer_ids, campaign__target_group__active_version__isnull=False
    ).values_list("offer_id", "offer__code", "campaign__target_group__active_version_id")
    for offer_id, code, version_id in links:
        rows = (
            TargetGroupMember.objects.filter(version_id=version_id, propensity__isnull=False)
            .filter(Q(offer__isnull=True) | Q(offer_id=code))
            .values_list("customer__segment", "customer__value_tier")
            .annotate(s=Sum("propensity"), n=Count("propensity"))
            .order_by()
        )
        for segment, tier, s, n in rows:
            total = totals.setdefault((offer_id, segment, tier), [0.0, 0])
            total[0] += s
            total[1] += n
    return {key: s / n for key, (s, n) in totals.items() if n}
