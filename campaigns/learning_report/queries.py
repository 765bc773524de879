"""The figures of the model report, each read with one aggregate query.

Two sources, kept apart on the page because they cover different spans:

- the outcomes recorded in the chosen period (``Response`` joined to the ``Presentation`` it
  answers, for the likelihood the score used): evidence, observed rate and calibration;
- the learned propensities (``LearnedPropensity``, every outcome up to their last refresh):
  the prior, the learned estimate and whether the learned one predicts better.

When is the model "no better than the prior"? (``verdict``) For a set of learned groups:

1. *too little evidence*: fewer than ``MIN_EVIDENCE`` outcomes in them — nothing to judge yet;
2. otherwise, *no better than the prior*: the learned estimate's **leave-one-out Brier score**
   on the evidence is not lower than the prior's Brier score on the same evidence. Each outcome
   is predicted by the posterior mean of its group *without that outcome* (exact for a beta
   posterior: (α − 1)/(N − 1) for an acceptance, α/(N − 1) for a decline, N = α + β), so the
   learned estimate is not graded on the answers it learned from (in-sample, it would always
   win). Computed from the groups' counts alone, in SQL.

The calibration (``calibration``) adds a third warning for the period's outcomes: the lift of
the top decile (its observed rate ÷ the overall rate) below ``MIN_LIFT``, i.e. the likelihood
used does not pick out the customers who accept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Floor, NullIf

from campaigns.choices import Outcome
from campaigns.models import Campaign, ContactPolicy, LearnedPropensity, Response
from campaigns.results.rollups import bounds

MIN_EVIDENCE = 100  # outcomes: below this a Brier score comparison is mostly noise
MIN_LIFT = 1.1  # the top decile must accept at least 10 % more often than the average
BUCKETS = 1000  # the predicted likelihood's histogram: 0.1 percentage point per bucket
DECILES = 10

TOO_LITTLE = "too_little"
NO_BETTER = "no_better"
BETTER = "better"
LOW_LIFT = "low_lift"


@dataclass(frozen=True)
class Filters:
    """What the report covers: outcomes recorded in a period (both days included), optionally
    of one campaign and one channel kind."""

    start: date
    end: date
    campaign_id: int | None = None
    channel_kind: str | None = None


def default_propensity() -> float:
    """The likelihood a presentation without one was scored with: the policy's default."""
    policy = ContactPolicy.objects.filter(pk=1).first() or ContactPolicy(pk=1)
    return policy.default_propensity


def _outcomes(filters: Filters):
    """Presentations with an outcome (not-presented ones are no evidence) in the period."""
    since, until = bounds(filters.start, filters.end)
    found = Response.objects.filter(recorded_at__gte=since, recorded_at__lt=until).exclude(
        outcome=Outcome.NOT_PRESENTED
    )
    if filters.campaign_id is not None:
        found = found.filter(campaign_id=filters.campaign_id)
    if filters.channel_kind:
        found = found.filter(channel_kind=filters.channel_kind)
    return found


def _predicted(default: float):
    return Coalesce(F("presentation__propensity"), Value(default), output_field=FloatField())


_HIT = Case(When(outcome=Outcome.ACCEPTED, then=Value(1.0)), default=Value(0.0))


# --- evidence per offer and channel kind (the period) ------------------------------------------


@dataclass
class Evidence:
    """The period's outcomes of one offer in one channel kind."""

    outcomes: int = 0
    accepted: int = 0
    predicted_sum: float = 0.0
    campaign_ids: set[int] = field(default_factory=set)

    @property
    def observed(self) -> float | None:
        return self.accepted / self.outcomes if self.outcomes else None

    @property
    def predicted(self) -> float | None:
        """The mean likelihood the scores used."""
        return self.predicted_sum / self.outcomes if self.outcomes else None


def evidence(filters: Filters) -> dict[tuple[int, str], Evidence]:
    """{(offer id, channel kind): Evidence}, one GROUP BY over the period's outcomes."""
    rows = (
        _outcomes(filters)
        .values("offer_id", "channel_kind", "campaign_id")
        .annotate(
            n=Count("id"),
            hits=Count("id", filter=Q(outcome=Outcome.ACCEPTED)),
            predicted=Sum(_predicted(default_propensity())),
        )
        .order_by()
    )
    found: dict[tuple[int, str], Evidence] = defaultdict(Evidence)
    for row in rows:
        e = found[(row["offer_id"], row["channel_kind"])]
        e.outcomes += row["n"]
        e.accepted += row["hits"]
        e.predicted_sum += row["predicted"] or 0.0
        e.campaign_ids.add(row["campaign_id"])
    return dict(found)


# --- learned against prior (every outcome to the last refresh) ---------------------------------


@dataclass(frozen=True)
class Learned:
    """Learned groups summed: the prior and the learned estimate weighted by evidence, and
    the Brier scores of both on that evidence (the learned one left-one-out)."""

    groups: int
    presented: int
    accepted: int
    prior: float | None  # weighted by evidence (a plain mean when there is none)
    learned: float | None
    brier_prior: float | None
    brier_learned: float | None

    @property
    def verdict(self) -> str:
        """``TOO_LITTLE``, ``NO_BETTER`` or ``BETTER``: see the module's docstring."""
        if self.presented < MIN_EVIDENCE or self.brier_prior is None:
            return TOO_LITTLE
        if self.brier_learned is None or self.brier_learned >= self.brier_prior:
            return NO_BETTER
        return BETTER


def _learned_sums() -> dict:
    """The aggregates of ``Learned`` over a set of LearnedPropensity rows, as SQL."""
    q, w, n, k = F("prior"), F("prior_weight"), F("presented"), F("accepted")
    alpha = q * w + k
    total = w + n
    mean = alpha / NullIf(total, 0.0)
    loo_total = NullIf(total - 1.0, 0.0)
    return {
        "groups": Count("id"),
        "n": Coalesce(Sum(n), 0),
        "k": Coalesce(Sum(k), 0),
        "prior_evidence": Sum(q * n, output_field=FloatField()),
        "prior_plain": Sum(q, output_field=FloatField()),
        "learned_evidence": Sum(mean * n, output_field=FloatField()),
        # Brier of a constant q on n outcomes, k of them acceptances: k(1−q)² + (n−k)q².
        "se_prior": Sum(k * (1.0 - q) * (1.0 - q) + (n - k) * q * q, output_field=FloatField()),
        # Left-one-out: an acceptance is predicted by (α−1)/(N−1), a decline by α/(N−1).
        "se_learned": Sum(
            k * (1.0 - (alpha - 1.0) / loo_total) * (1.0 - (alpha - 1.0) / loo_total)
            + (n - k) * (alpha / loo_total) * (alpha / loo_total),
            filter=Q(presented__gt=0),
            output_field=FloatField(),
        ),
    }


def _learned(row: dict) -> Learned:
    n, groups = row["n"] or 0, row["groups"]
    if n:
        prior, learned = row["prior_evidence"] / n, row["learned_evidence"] / n
    else:
        prior = row["prior_plain"] / groups if groups else None
        learned = prior
    return Learned(
        groups=groups,
        presented=n,
        accepted=row["k"] or 0,
        prior=prior,
        learned=learned,
        brier_prior=row["se_prior"] / n if n else None,
        brier_learned=row["se_learned"] / n if n and row["se_learned"] is not None else None,
    )


def _learned_rows(filters: Filters):
    found = LearnedPropensity.objects.all()
    if filters.campaign_id is not None:
        found = found.filter(offer__campaigns=filters.campaign_id)
    if filters.channel_kind:
        found = found.filter(channel_kind=filters.channel_kind)
    return found


def learned(filters: Filters) -> dict[tuple[int, str], Learned]:
    """{(offer id, channel kind): Learned} over the groups (segment × value tier)."""
    rows = (
        _learned_rows(filters)
        .values("offer_id", "channel_kind")
        .annotate(**_learned_sums())
        .order_by()
    )
    return {(row["offer_id"], row["channel_kind"]): _learned(row) for row in rows}


def learned_total(filters: Filters) -> Learned:
    """Every learned group the filters cover, summed."""
    return _learned(_learned_rows(filters).aggregate(**_learned_sums()))


def groups(offer_id: int, channel_kind: str | None) -> list[LearnedPropensity]:
    """The learned groups of one offer (in one channel kind, or every one)."""
    found = LearnedPropensity.objects.filter(offer_id=offer_id)
    if channel_kind:
        found = found.filter(channel_kind=channel_kind)
    return list(found.order_by("channel_kind", "segment", "value_tier"))


def group_learned(group: LearnedPropensity) -> Learned:
    """``Learned`` of one group, computed the same way as the SQL sums."""
    n, k, q = group.presented, group.accepted, group.prior
    alpha, total = group.alpha, group.alpha + group.beta
    loo = total - 1
    se_learned = (
        k * (1 - (alpha - 1) / loo) ** 2 + (n - k) * (alpha / loo) ** 2 if n and loo else None
    )
    return Learned(
        groups=1,
        presented=n,
        accepted=k,
        prior=q,
        learned=group.mean,
        brier_prior=(k * (1 - q) ** 2 + (n - k) * q**2) / n if n else None,
        brier_learned=se_learned / n if se_learned is not None else None,
    )


def sources(campaign_ids) -> dict[int, str]:
    """{campaign id: its propensity source}."""
    return dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "propensity_source"))


# --- calibration (the period) ------------------------------------------------------------------


@dataclass(frozen=True)
class Decile:
    """One tenth of the period's outcomes, ranked by the likelihood the score used (1: the
    lowest). Counts may be fractional where a histogram bucket straddles two deciles."""

    number: int
    outcomes: float
    accepted: float
    predicted_sum: float
    low: float  # the lowest and highest likelihood in it (to the bucket)
    high: float

    @property
    def predicted(self) -> float | None:
        return self.predicted_sum / self.outcomes if self.outcomes else None

    @property
    def observed(self) -> float | None:
        return self.accepted / self.outcomes if self.outcomes else None


@dataclass(frozen=True)
class Calibration:
    deciles: list[Decile]
    outcomes: int
    accepted: int
    predicted_sum: float

    @property
    def overall(self) -> float | None:
        return self.accepted / self.outcomes if self.outcomes else None

    @property
    def predicted(self) -> float | None:
        return self.predicted_sum / self.outcomes if self.outcomes else None

    @property
    def lift(self) -> float | None:
        """The top decile's observed rate ÷ the overall rate (None: no acceptance to compare)."""
        if not self.deciles or not self.overall:
            return None
        top = self.deciles[-1].observed
        return None if top is None else top / self.overall

    @property
    def warnings(self) -> list[str]:
        """``TOO_LITTLE`` (fewer outcomes than ``MIN_EVIDENCE``), ``LOW_LIFT`` (below
        ``MIN_LIFT``): see the module's docstring."""
        if self.outcomes < MIN_EVIDENCE:
            return [TOO_LITTLE]
        lift = self.lift
        return [LOW_LIFT] if lift is None or lift < MIN_LIFT else []


def calibration(filters: Filters) -> Calibration:
    """Predicted against observed acceptance by decile of the likelihood the score used.

    One GROUP BY on the database: the period's outcomes counted into ``BUCKETS`` buckets of the
    likelihood (0.1 point wide), with acceptances and the likelihoods summed; the deciles are
    cut from these at most 1,001 rows. A bucket that straddles a decile boundary is shared in
    proportion to the outcomes each side needs: within a bucket the likelihoods differ by less
    than 0.1 point, so this is ranking with ties broken at random (as NTILE would), without
    sorting millions of rows.
    """
    predicted = _predicted(default_propensity())
    rows = list(
        _outcomes(filters)
        .annotate(bucket=Floor(predicted * BUCKETS))
        .values("bucket")
        .annotate(n=Count("id"), hits=Sum(_HIT), p_sum=Sum(predicted))
        .order_by("bucket")
    )
    outcomes = sum(r["n"] for r in rows)
    accepted = round(sum(r["hits"] for r in rows))
    p_total = sum(r["p_sum"] for r in rows)
    if not outcomes:
        return Calibration([], 0, 0, 0.0)
    size = outcomes / DECILES
    deciles: list[Decile] = []
    current = {"n": 0.0, "hits": 0.0, "p": 0.0, "low": None, "high": None}
    for row in rows:
        left = float(row["n"])  # of this bucket, still to place
        edge = float(row["bucket"]) / BUCKETS
        while left > 1e-9:
            room = size - current["n"]
            take = min(left, room)
            share = take / row["n"]
            current["n"] += take
            current["hits"] += row["hits"] * share
            current["p"] += row["p_sum"] * share
            current["low"] = edge if current["low"] is None else current["low"]
            current["high"] = min(1.0, edge + 1 / BUCKETS)
            left -= take
            if current["n"] >= size - 1e-9 and len(deciles) < DECILES - 1:
                deciles.append(_decile(len(deciles) + 1, current))
                current = {"n": 0.0, "hits": 0.0, "p": 0.0, "low": None, "high": None}
    deciles.append(_decile(len(deciles) + 1, current))
    return Calibration(deciles, outcomes, accepted, p_total)


def _decile(number: int, c: dict) -> Decile:
    return Decile(number, c["n"], c["hits"], c["p"], c["low"] or 0.0, c["high"] or 0.0)
