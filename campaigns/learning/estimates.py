"""The arithmetic of a learned propensity: a beta distribution per group, nothing else.

A group's belief about acceptance is Beta(alpha, beta) with

    alpha = prior × weight + accepted
    beta  = (1 − prior) × weight + (presented − accepted)

``prior`` is the mean the belief starts from, worth ``weight`` pseudo-presentations
(CVM_LEARNING_PRIOR_WEIGHT, default 20); ``presented`` counts presentations with an outcome
(not-presented ones do not count) and ``accepted`` the acceptances among them. The posterior
mean alpha / (alpha + beta) is the learned likelihood: with little evidence it stays near the
prior, with much it moves to the observed rate. ``campaigns.models.LearnedPropensity`` holds the
same figures per row; this module is what decisions use, without a model instance.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class Evidence(NamedTuple):
    """One group's row as a decision reads it (offer × channel kind × segment × value tier)."""

    prior: float  # the group's prior mean (the file's mean propensity, or the policy's default)
    weight: float  # pseudo-presentations the prior is worth
    presented: int
    accepted: int

    def parameters(self, prior: float | None = None) -> tuple[float, float]:
        """(alpha, beta) with ``prior`` as the prior mean instead of the group's when given
        (a customer's own file propensity), and the group's evidence."""
        mean = self.prior if prior is None else prior
        return beta_parameters(mean, self.weight, self.presented, self.accepted)

    def mean(self, prior: float | None = None) -> float:
        return posterior_mean(
            *self.parameters(prior), fallback=self.prior if prior is None else prior
        )


def beta_parameters(
    prior: float, weight: float, presented: int, accepted: int
) -> tuple[float, float]:
    prior = min(max(prior, 0.0), 1.0)
    return prior * weight + accepted, (1 - prior) * weight + (presented - accepted)


def posterior_mean(alpha: float, beta: float, *, fallback: float) -> float:
    total = alpha + beta
    return fallback if total <= 0 else alpha / total


def thompson(alpha: float, beta: float, rng: random.Random) -> float:
    """One draw from Beta(alpha, beta): exploration scores with it instead of the mean, so an
    uncertain offer is sometimes ranked high and its evidence grows."""
    # betavariate needs both parameters above zero; a zero weight and no evidence on one side
    # means certainty, which a tiny parameter expresses.
    return rng.betavariate(max(alpha, 1e-6), max(beta, 1e-6))
