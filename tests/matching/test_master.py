"""The warm-started restricted master (matching.master) solves the same LP as the model."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from matching.eligibility import eligible_pairs
from matching.generate import generate
from matching.master import Master
from matching.model import reduced_costs, round_data
from matching.problem import Problem
from matching.solve import _check_pins, _primary_model, _run
from tests.matching.strategies import tiny_problems


@settings(max_examples=40, deadline=None)
@given(tiny_problems(max_households=7, max_vacancies=7))
def test_the_master_grown_in_two_steps_has_the_relaxation_value_of_the_full_model(
    p: Problem,
) -> None:
    pins, reason = _check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    if data.n_pairs == 0:
        return
    everything = np.arange(data.n_pairs)
    model, slack = _primary_model(data, everything, integer=False)
    response = _run(model, "lp", 10.0, 1, 0)
    master = Master(data)
    master.add(everything[::2])
    assert master.solve(10.0)
    master.add(everything[1::2])
    assert master.solve(10.0)
    assert abs(master.objective() - response.objective_value) < 1e-6
    # Optimal duals: no pair prices out, and the pair values are feasible.
    rc = reduced_costs(data, master.rows, master.duals(), data.weight[data.ph].astype(float))
    x = master.values()
    assert np.all((rc <= 1e-6) | (x[np.argsort(master.cols)] > 1 - 1e-6))
    assert np.all((x > -1e-9) & (x < 1 + 1e-9))
    if slack is not None:
        assert abs(master.slack_value() - response.variable_value[slack]) < 1e-6


def test_adding_columns_warm_starts_the_simplex() -> None:
    """After a few improving columns, re-solving takes far fewer pivots than a cold solve."""
    p = generate(households=300, vacancies=300, seed=2, profile="mid_size")
    data = round_data(p, eligible_pairs(p), [])
    first = np.arange(0, data.n_pairs, 4)
    rest = np.setdiff1d(np.arange(data.n_pairs), first)[:50]
    warm = Master(data)
    warm.add(first)
    assert warm.solve(10.0)
    warm.add(rest)
    assert warm.solve(10.0)
    cold = Master(data)
    cold.add(np.sort(np.r_[first, rest]))
    assert cold.solve(10.0)
    assert abs(warm.objective() - cold.objective()) < 1e-6
    assert warm.iterations() * 3 < cold.iterations()
