"""Credible intervals of a learned likelihood: quantiles of its beta distribution.

SciPy is not available, so the regularized incomplete beta function I_x(a, b) is computed here
with its continued fraction (modified Lentz's method, as in Numerical Recipes §6.4, using the
symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly), and a quantile is
found by bisection on it. This is exact to about 1e-9, not a normal approximation — which
would be poor exactly where it matters here: a rare acceptance (a small ``a``) with little
evidence, whose distribution is far from symmetric.
"""

from __future__ import annotations

import math

_TINY = 1e-300
_EPS = 3e-14


def _continued_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of I_x(a, b) (converges fast for x < (a + 1) / (a + b + 2))."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    # Iterations grow with √max(a, b); beyond this the evidence is huge and h long converged.
    for m in range(1, 10_000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):  # fmt: skip
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """I_x(a, b): the probability that a Beta(a, b) variable is at most ``x``."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )  # fmt: skip
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _continued_fraction(x, a, b) / a
    return 1.0 - front * _continued_fraction(1.0 - x, b, a) / b


def beta_quantile(p: float, a: float, b: float) -> float:
    """The ``p`` quantile of Beta(a, b), by bisection on ``beta_cdf`` (60 halvings: < 1e-15)."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if beta_cdf(middle, a, b) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def credible_interval(a: float, b: float, mass: float = 0.9) -> tuple[float, float]:
    """The central ``mass`` interval of Beta(a, b): (the (1−mass)/2 and (1+mass)/2 quantiles)."""
    tail = (1 - mass) / 2
    return beta_quantile(tail, a, b), beta_quantile(1 - tail, a, b)
