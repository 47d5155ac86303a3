"""The greedy fallback used when the time limit ends the exact method keeps every hard rule,
and the Lagrangian bound reported then is valid."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from matching.colgen import initial_columns
from matching.eligibility import eligible_pairs
from matching.fallback import greedy
from matching.finish import primary_model
from matching.model import lagrangian_bound, round_data
from matching.pins import check_pins
from matching.problem import Problem
from matching.runner import run
from tests.matching.bruteforce import brute_force_lexicographic
from tests.matching.strategies import tiny_problems


@settings(max_examples=40, deadline=None)
@given(tiny_problems())
def test_the_greedy_fallback_never_breaks_a_round_constraint(p: Problem) -> None:
    pins, reason = check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    chosen = greedy(data, np.arange(data.n_pairs))
    household, vacancy = data.pair_household[chosen], data.pair_vacancy[chosen]
    assert len(set(household.tolist())) == len(household)
    assert len(set(vacancy.tolist())) == len(vacancy)
    landlord = data.layout.vacancy_landlord[vacancy]
    # What the quotas leave after pins; only quota apartments count (not a flat a move chain
    # freed).
    quota = data.rows_of("landlord_quota").capacity
    in_quota = landlord[data.layout.vacancy_quota[vacancy]]
    assert np.all(np.bincount(in_quota, minlength=len(quota)) <= quota)
    exception_quota = data.rows_of("exception_quota").capacity
    exceptions = np.bincount(landlord[data.pair_exception[chosen]], minlength=len(quota))
    assert np.all(exceptions <= exception_quota)
    cap = data.rows_of("area_cap").capacity
    per_area = np.bincount(data.layout.vacancy_area[vacancy], minlength=len(cap))
    assert np.all(per_area <= cap)


@settings(max_examples=40, deadline=None)
@given(tiny_problems(max_households=7, max_vacancies=7))
def test_the_lagrangian_bound_of_any_restricted_relaxation_bounds_the_optimum(p: Problem) -> None:
    """The bound reported when the time limit stops column generation early is valid, on the
    primary value (weight − penalty × newly-arrived shortfall)."""
    pins, reason = check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    if data.n_pairs == 0:
        return
    model = primary_model(data, initial_columns(data, 1), integer=False)
    response = run(model, "lp", 10.0, 1, 0)
    duals = np.asarray(response.dual_value, dtype=np.float64)
    bound = lagrangian_bound(data, model.rows, duals)
    best = brute_force_lexicographic(p)
    if best is not None:
        shortfall, weight = best
        value = weight - data.pinned_weight - data.shortfall_penalty * shortfall
        assert value <= bound + 1e-6
    # Arbitrary (even sign-invalid) duals still give a valid bound.
    rng = np.random.default_rng(len(duals))
    noisy = duals + rng.normal(0, 50, size=len(duals))
    if best is not None:
        assert value <= lagrangian_bound(data, model.rows, noisy) + 1e-6


def test_a_time_limit_that_stops_column_generation_still_gives_a_valid_solution() -> None:
    """No wall-clock threshold: whichever way the clock falls, the answer keeps every rule."""
    from matching import solve
    from matching.generate import generate
    from tests.matching.bruteforce import assert_hard_rules

    p = generate(households=200, vacancies=200, seed=2, profile="national")
    s = solve(p, time_limit=0.001, workers=1)
    assert s.status in ("feasible", "optimal")
    assert s.bound >= s.objective
    if s.status == "feasible":
        assert s.stats["fallback"].startswith("greedy")
        assert s.stats["tiers"]["spread"] == "not run (time limit)"
    assert_hard_rules(p, s)
