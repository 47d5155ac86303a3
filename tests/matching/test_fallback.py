"""The greedy fallback used when the time limit ends the exact method keeps every hard rule."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from matching.eligibility import eligible_pairs
from matching.model import reduced_costs, round_data
from matching.problem import Problem
from matching.solve import (
    _check_pins,
    _greedy,
    _initial_columns,
    _primary_model,
    _run,
    lagrangian_bound,
)
from tests.matching.bruteforce import brute_force_optimum
from tests.matching.strategies import tiny_problems


@settings(max_examples=40, deadline=None)
@given(tiny_problems())
def test_the_greedy_fallback_never_breaks_a_round_constraint(p: Problem) -> None:
    pins, reason = _check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    chosen = _greedy(data, np.arange(data.n_pairs))
    if chosen is None:
        return
    ph, pv = data.ph[chosen], data.pv[chosen]
    assert len(set(ph.tolist())) == len(ph)
    assert len(set(pv.tolist())) == len(pv)
    per_landlord = np.bincount(data.v_land[pv], minlength=len(data.quota))
    assert np.all(per_landlord <= data.quota)
    exc = np.bincount(data.v_land[pv][data.pexc[chosen]], minlength=len(data.quota))
    assert np.all(exc <= data.exception_quota)
    per_area = np.bincount(data.v_area[pv], minlength=len(data.cap))
    assert np.all((per_area <= data.cap) | ~data.capped)
    assert int(data.newly[ph].sum()) >= data.newly_min


@settings(max_examples=40, deadline=None)
@given(tiny_problems(max_households=7, max_vacancies=7))
def test_the_lagrangian_bound_of_any_restricted_relaxation_bounds_the_optimum(p: Problem) -> None:
    """The bound reported when the time limit stops column generation early is valid."""
    pins, reason = _check_pins(p)
    if reason is not None or p.newly_arrived_min:
        return
    data = round_data(p, eligible_pairs(p), pins)
    if data.n_pairs == 0:
        return
    cols = _initial_columns(data, 1)
    model, _ = _primary_model(data, cols, integer=False)
    response = _run(model, "lp", 10.0, 1, 0)
    duals = np.asarray(response.dual_value, dtype=np.float64)
    rc = reduced_costs(data, model.rows, duals, data.weight[data.ph].astype(np.float64))
    bound = lagrangian_bound(data, model.rows, duals, rc)
    best = brute_force_optimum(p)
    if best is not None:
        assert best - data.pinned_weight <= bound + 1e-6
