"""The pieces that make column generation fast give the same answers as the plain ones: the
crash start from the greedy matching, pricing in one gather per pair, the block-by-block
gathers and counts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.blocks import count, gather
from matching.colgen import EPS, price
from matching.eligibility import eligible_pairs
from matching.fallback import greedy
from matching.finish import primary_model
from matching.generate import generate
from matching.master import Master
from matching.model import (
    lagrangian_bound,
    reduced_costs,
    round_data,
    sign_valid_duals,
)
from matching.pins import check_pins
from matching.problem import Problem
from matching.runner import run
from tests.matching.strategies import tiny_problems


@settings(max_examples=40, deadline=None)
@given(tiny_problems(max_households=7, max_vacancies=7))
def test_the_master_started_from_the_greedy_basis_solves_the_same_relaxation(p: Problem) -> None:
    pins, reason = check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    if data.n_pairs == 0:
        return
    everything = np.arange(data.n_pairs)
    response = run(primary_model(data, everything, integer=False), "lp", 10.0, 1, 0)
    start = greedy(data)
    master = Master(data)
    master.add(everything)
    assert master.start_from(start)
    assert master.solve(10.0)
    assert abs(master.objective() - response.objective_value) < 1e-6


def test_the_greedy_basis_starts_at_the_greedy_value_and_saves_pivots() -> None:
    p = generate(households=300, vacancies=300, seed=2, profile="national")
    data = round_data(p, eligible_pairs(p), [])
    start = greedy(data)
    cols = np.union1d(np.arange(0, data.n_pairs, 7), start)
    cold = Master(data)
    cold.add(cols)
    assert cold.solve(10.0)
    warm = Master(data)
    warm.add(cols)
    assert warm.start_from(start)
    warm.highs.setOptionValue("simplex_iteration_limit", 0)
    warm.solve(10.0)
    assert abs(warm.objective() - data.value_of(start)) < 1e-6
    warm.highs.setOptionValue("simplex_iteration_limit", 2**31 - 1)
    assert warm.solve(10.0)
    assert abs(warm.objective() - cold.objective()) < 1e-6
    assert warm.iterations() < cold.iterations()


@settings(max_examples=40, deadline=None)
@given(tiny_problems(max_households=7, max_vacancies=7), st.integers(0, 2**32 - 1))
def test_pricing_finds_exactly_the_improving_pairs_and_their_best(p: Problem, seed: int) -> None:
    pins, reason = check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    if data.n_pairs == 0:
        return
    master = Master(data)
    rng = np.random.default_rng(seed)
    duals = sign_valid_duals(data, master.rows, rng.normal(0.0, 3.0, master.n_rows))
    in_cols = rng.random(data.n_pairs) < 0.3
    pricing = price(data, master.rows, duals, in_cols, np.empty(data.n_pairs))
    rc = reduced_costs(data, master.rows, duals)
    assert np.array_equal(pricing.candidates, np.flatnonzero((rc > EPS) & ~in_cols))
    assert np.allclose(pricing.candidate_rc, rc[pricing.candidates])
    assert np.allclose(pricing.household_best, np.maximum.reduceat(rc, data.household_starts))
    bound = lagrangian_bound(data, master.rows, duals, household_best=pricing.household_best)
    assert abs(bound - lagrangian_bound(data, master.rows, duals)) < 1e-6


def test_block_by_block_gathers_and_counts_match_numpy() -> None:
    rng = np.random.default_rng(0)
    n = 3 * (1 << 16) + 17
    index = rng.integers(0, 50, n).astype(np.int32)
    flag = rng.random(n) < 0.4
    table = rng.random(100)
    out = rng.random(n)
    assert np.array_equal(gather(table, index, np.empty(n)), table[index])
    assert np.array_equal(gather(table, index, np.empty(n), flag=flag), table[2 * index + flag])
    expected = table[index] - out
    assert np.array_equal(gather(table, index, out, subtract_from=True), expected)
    assert np.array_equal(count(index, 50), np.bincount(index, minlength=50))
    assert np.array_equal(count(index, 50, flag=flag), np.bincount(2 * index + flag, minlength=100))
