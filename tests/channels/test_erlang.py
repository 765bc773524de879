"""Erlang C against published worked examples, an independent exact formula, and properties."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.capacity.erlang import (
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    occupancy,
    probability_of_waiting,
    service_level,
)


def exact_erlang_c(traffic: int, agents: int) -> float:
    """The textbook formula in exact rational arithmetic: A^N/N!·N/(N−A) over Σ A^k/k! + same."""
    a = Fraction(traffic)
    top = a**agents / math.factorial(agents) * Fraction(agents, agents - traffic)
    below = sum(a**k / math.factorial(k) for k in range(agents)) + top
    return float(top / below)


# Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
# (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in 30 minutes
# with an average handle time of 180 s is 10 Erlangs; the target is 80 % answered in 20 s.
# It starts from 11 agents (probability of waiting 68.21 %, service level 39 %) and raises the
# agents until 14 give a service level of 88.84 %, an average speed of answer of 7.8 s and an
# occupancy of 71.43 %.
@pytest.mark.parametrize(
    ("agents", "waits", "sl"),
    [(11, 0.6821, 0.3896), (12, 0.4494, 0.6402), (13, 0.2853, 0.7956), (14, 0.1741, 0.8884)],
)
def test_it_matches_the_call_centre_helper_worked_example(agents, waits, sl):
    assert probability_of_waiting(10, agents) == pytest.approx(waits, abs=5e-5)
    assert service_level(10, agents, aht=180, seconds=20) == pytest.approx(sl, abs=5e-5)


def test_the_worked_example_needs_14_agents_at_7_8_seconds_and_71_per_cent_occupancy():
    staffing = agents_needed(arrivals_per_hour=200, aht_seconds=180, sl_target=0.8, sl_seconds=20)

    assert staffing.agents == 14
    assert staffing.traffic == pytest.approx(10)
    assert staffing.service_level == pytest.approx(0.8884, abs=5e-5)
    assert staffing.average_speed_of_answer == pytest.approx(7.8, abs=0.05)
    assert staffing.occupancy == pytest.approx(0.7143, abs=5e-5)


@pytest.mark.parametrize(("traffic", "lines"), [(4.46, 10), (10.44, 18), (12.03, 20)])
def test_erlang_b_matches_the_published_table_at_one_per_cent_blocking(traffic, lines):
    """The Erlang B table (grade of service 1 %, e.g. in Wikipedia's "Erlang (unit)" and every
    traffic-engineering handbook) gives the traffic 10, 18 and 20 lines carry at 1 % blocking."""
    assert erlang_b(traffic, lines) == pytest.approx(0.01, abs=3e-4)


@pytest.mark.parametrize(("traffic", "agents"), [(2, 3), (10, 11), (10, 14), (45, 50), (90, 100)])
def test_the_recursion_agrees_with_the_exact_textbook_formula(traffic, agents):
    assert probability_of_waiting(traffic, agents) == pytest.approx(
        exact_erlang_c(traffic, agents), rel=1e-9
    )


def test_it_stays_finite_for_hundreds_of_agents_where_factorials_overflow():
    staffing = agents_needed(
        arrivals_per_hour=36_000, aht_seconds=180, sl_target=0.9, sl_seconds=15
    )

    assert 1800 < staffing.agents < 1900  # 1800 Erlangs
    assert 0.9 <= staffing.service_level <= 1
    assert math.isfinite(staffing.average_speed_of_answer)


def test_too_few_agents_means_everyone_waits_for_ever():
    assert probability_of_waiting(10, 10) == 1
    assert service_level(10, 9, aht=180, seconds=20) == 0
    assert average_speed_of_answer(10, 10, aht=180) == math.inf


def test_the_occupancy_cap_adds_agents_beyond_the_service_level():
    free = agents_needed(arrivals_per_hour=3600, aht_seconds=300, sl_target=0.5, sl_seconds=60)
    capped = agents_needed(
        arrivals_per_hour=3600, aht_seconds=300, sl_target=0.5, sl_seconds=60, max_occupancy=0.8
    )

    assert capped.agents >= math.ceil(300 / 0.8) > free.agents
    assert capped.occupancy <= 0.8


def test_no_contacts_need_no_agents():
    assert (
        agents_needed(arrivals_per_hour=0, aht_seconds=180, sl_target=0.8, sl_seconds=20).agents
        == 0
    )
    assert occupancy(0, 0) == 0


traffic_values = st.floats(min_value=0.05, max_value=400, allow_nan=False)


@given(
    traffic=traffic_values,
    extra=st.integers(0, 60),
    aht=st.integers(10, 1800),
    t=st.integers(0, 300),
)
def test_more_agents_never_worsen_the_service_level(traffic, extra, aht, t):
    agents = max(1, math.floor(traffic)) + extra
    before = service_level(traffic, agents, aht=aht, seconds=t)
    after = service_level(traffic, agents + 1, aht=aht, seconds=t)

    assert 0 <= before <= 1
    assert 0 <= after <= 1
    assert after >= before - 1e-12
    assert (
        probability_of_waiting(traffic, agents + 1)
        <= probability_of_waiting(traffic, agents) + 1e-12
    )


@given(
    per_hour=st.floats(min_value=1, max_value=3_000, allow_nan=False),
    aht=st.integers(10, 1200),
    target=st.floats(min_value=0.5, max_value=0.99),
    t=st.integers(5, 120),
)
def test_the_agents_needed_are_the_fewest_that_meet_the_target(per_hour, aht, target, t):
    staffing = agents_needed(
        arrivals_per_hour=per_hour, aht_seconds=aht, sl_target=target, sl_seconds=t
    )
    traffic = per_hour / 3600 * aht

    assert service_level(traffic, staffing.agents, aht=aht, seconds=t) >= target
    fewer = staffing.agents - 1
    assert fewer <= traffic or service_level(traffic, fewer, aht=aht, seconds=t) < target
