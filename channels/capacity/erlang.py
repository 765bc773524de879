"""Erlang C: how many agents a queue of customers needs for a service level.

Calls (or store visits) arrive at random (Poisson) and wait for the next free agent; handle
times are exponential; nobody gives up. With traffic ``A`` Erlangs (arrivals per second ×
average handle time in seconds) and ``n`` agents:

- probability of waiting C(n, A) from Erlang B by its recursion
  B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), then C = n·B / (n − A·(1 − B)).
  The recursion never forms A^n or n!, so it stays exact in floating point for hundreds
  of agents, where the textbook formula overflows;
- service level SL(t) = 1 − C·exp(−(n − A)·t / AHT): the share answered within t seconds;
- average speed of answer ASA = C·AHT / (n − A);
- occupancy A / n.

With n ≤ A the queue grows without end: C = 1, SL = 0, ASA infinite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

# Beyond this many agents ``agents_needed`` stops: no site rosters more in one hour band, and a
# forecast that needs more is an input error better shown as "over capacity" than computed.
MAX_AGENTS = 5000


def erlang_b(traffic: float, agents: int) -> float:
    """Probability that an arrival finds all ``agents`` busy when nobody may wait (Erlang B)."""
    if traffic <= 0:
        return 0.0
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def _c_from_b(b: float, traffic: float, agents: int) -> float:
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1 - b))


def probability_of_waiting(traffic: float, agents: int) -> float:
    """Erlang C: the share of arrivals that wait for an agent (1 when ``agents`` ≤ traffic)."""
    if traffic <= 0:
        return 0.0
    return _c_from_b(erlang_b(traffic, agents), traffic, agents)


def _service_level(c: float, traffic: float, agents: int, aht: float, seconds: float) -> float:
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return max(0.0, min(1.0, 1 - c * math.exp(-(agents - traffic) * seconds / aht)))


def service_level(traffic: float, agents: int, aht: float, seconds: float) -> float:
    """Share of arrivals answered within ``seconds`` (0–1)."""
    c = probability_of_waiting(traffic, agents)
    return _service_level(c, traffic, agents, aht, seconds)


def average_speed_of_answer(traffic: float, agents: int, aht: float) -> float:
    """Mean wait in seconds over all arrivals (``math.inf`` when the queue grows without end)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return probability_of_waiting(traffic, agents) * aht / (agents - traffic)


def occupancy(traffic: float, agents: int) -> float:
    """Share of the agents' time spent handling contacts (capped at 1)."""
    if agents <= 0:
        return 1.0 if traffic > 0 else 0.0
    return min(1.0, traffic / agents)


@dataclass(frozen=True)
class Staffing:
    """The fewest agents that meet a service level and an occupancy cap, and what they give."""

    agents: int
    traffic: float
    probability_of_waiting: float
    service_level: float
    average_speed_of_answer: float
    occupancy: float


def agents_needed(
    *,
    arrivals_per_hour: float,
    aht_seconds: float,
    sl_target: float,
    sl_seconds: float,
    max_occupancy: float = 1.0,
) -> Staffing:
    """The fewest agents whose service level within ``sl_seconds`` is at least ``sl_target``
    (0–1) and whose occupancy is at most ``max_occupancy`` (0–1). Walks n upwards carrying
    Erlang B along, so finding n costs n steps, not n²."""
    if arrivals_per_hour < 0 or aht_seconds <= 0:
        raise ValueError("arrivals must be ≥ 0 and the handle time > 0")
    traffic = arrivals_per_hour / 3600 * aht_seconds
    return _agents_needed(
        round(traffic, 9), float(aht_seconds), float(sl_target), float(sl_seconds), max_occupancy
    )


@lru_cache(maxsize=4096)
def _agents_needed(
    traffic: float, aht: float, sl_target: float, sl_seconds: float, max_occupancy: float
) -> Staffing:
    if traffic <= 0:
        return Staffing(0, 0.0, 0.0, 1.0, 0.0, 0.0)
    floor = max(1, math.floor(traffic / max(max_occupancy, 1e-9)))
    b = 1.0
    for n in range(1, MAX_AGENTS + 1):
        b = traffic * b / (n + traffic * b)
        if n < floor or n <= traffic or traffic / n > max_occupancy:
            continue
        c = _c_from_b(b, traffic, n)
        sl = _service_level(c, traffic, n, aht, sl_seconds)
        if sl >= sl_target:
            return Staffing(n, traffic, c, sl, c * aht / (n - traffic), traffic / n)
    return Staffing(MAX_AGENTS, traffic, 1.0, 0.0, math.inf, 1.0)
