"""The declared round constraint families (matching.constraints.FAMILIES) are the only place
a round constraint is written: the models, the master, pricing, the Lagrangian bound, the
greedy fallback, pins and explanations all read them. These tests fail for a row that is not
declared, and for a declared family one of those readers ignores."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings

from matching import solve
from matching.constraints import FAMILIES, FAMILY_NAMES, layout, usage
from matching.eligibility import check_pair, eligible_pairs
from matching.explain import blocking_families
from matching.fallback import greedy
from matching.finish import primary_model
from matching.generate import generate
from matching.master import Master
from matching.model import RoundData, lagrangian_bound, reduced_costs, round_data
from matching.pins import check_pins, pin_capacity_reason
from matching.problem import Problem, Solution
from tests.matching.strategies import tiny_problems


def _data(p: Problem) -> RoundData:
    pins, reason = check_pins(p)
    assert reason is None
    return round_data(p, eligible_pairs(p), pins)


def _with_move_on(p: Problem) -> Problem:
    """`p` with every landlord granting two move-on places outside its quota and every
    third household moving on (Helsingborg Delmål 3), so every family has rows."""
    return replace(
        p,
        landlords=tuple(replace(lo, move_on_outside_quota=2) for lo in p.landlords),
        households=tuple(replace(h, moving_on=i % 3 == 0) for i, h in enumerate(p.households)),
    )


@pytest.fixture(scope="module")
def data() -> RoundData:
    p = generate(households=120, vacancies=120, seed=5, profile="tight")
    return _data(_with_move_on(p))


def test_family_names_are_unique_and_every_floor_reports_its_shortfall() -> None:
    assert len(set(FAMILY_NAMES)) == len(FAMILIES)
    assert [f.name for f in FAMILIES if f.assignment] == ["household"]
    for f in FAMILIES:
        assert f.soft == (f.direction == "at_least")
        assert bool(f.shortfall_stat) == f.soft, f.name


def test_every_row_of_the_primary_model_belongs_to_a_declared_family(data: RoundData) -> None:
    model = primary_model(data, np.arange(data.n_pairs), integer=False)
    declared = {row for table in model.rows.of.values() for row in table.values()}
    assert declared == set(range(len(model.proto.constraint)))
    assert set(model.rows.of) == set(FAMILY_NAMES)
    for fr in data.families:
        table = model.rows.of[fr.family.name]
        for key, row in table.items():
            ct = model.proto.constraint[row]
            members = set(ct.var_index) - set(model.rows.slack.get(fr.family.name, {}).values())
            assert members == set(np.flatnonzero(fr.pair_key == key).tolist())


def test_the_master_has_a_row_for_every_active_key_of_every_family(data: RoundData) -> None:
    master = Master(data)
    assert master.n_rows == sum(int(fr.active.sum()) for fr in data.families)
    assert set(master.rows.of) == set(FAMILY_NAMES)


@pytest.mark.parametrize("name", [f.name for f in FAMILIES])
def test_pricing_and_the_lagrangian_bound_read_every_family(data: RoundData, name: str) -> None:
    """Moving one row's dual moves the reduced cost of exactly the pairs in that row, and
    the Lagrangian bound by the row's capacity (or, for the kept assignment rows, not by
    their capacity)."""
    model = primary_model(data, np.arange(data.n_pairs), integer=False)
    fr = data.rows_of(name)
    table = model.rows.of[name]
    key = max(table, key=lambda k: int((fr.pair_key == k).sum()))
    n_rows = len(model.proto.constraint)
    duals = np.zeros(n_rows)
    cost = data.pair_weight.astype(np.float64)
    bumped = duals.copy()
    step = 1.0 if fr.family.direction == "at_most" else -1.0
    bumped[table[key]] = step
    base = reduced_costs(data, model.rows, duals, cost)
    moved = reduced_costs(data, model.rows, bumped, cost)
    assert np.array_equal(np.flatnonzero(base != moved), np.flatnonzero(fr.pair_key == key))
    assert np.allclose((base - moved)[fr.pair_key == key], step)
    before = lagrangian_bound(data, model.rows, duals)
    after = lagrangian_bound(data, model.rows, bumped)
    if not fr.family.assignment:
        # The row's term y·b appears; the households' best priced values drop by what the
        # bumped dual takes from the row's pairs. Exactly: a row of capacity 1 whose pairs
        # are one household's best by a margin ≥ 1 leaves the bound where it was.
        starts = data.household_starts
        best_before = np.maximum(np.maximum.reduceat(base, starts), 0.0).sum()
        best_after = np.maximum(np.maximum.reduceat(moved, starts), 0.0).sum()
        term = step * float(fr.capacity[key])
        assert after - before == pytest.approx(term - float(best_before - best_after))


@settings(max_examples=30, deadline=None)
@given(tiny_problems())
def test_the_greedy_fallback_and_the_solver_respect_every_declared_family(p: Problem) -> None:
    pins, reason = check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    overfill = pin_capacity_reason(p, data)
    if overfill is not None:
        # Pins that overfill a ceiling (a pin into an area capped at 0) leave no room to
        # respect: the solver says so before any search, and neither search runs.
        refused = solve(p, workers=1)
        assert (refused.status, refused.reason, refused.assignments) == ("infeasible", overfill, ())
        return
    chosen = greedy(data, np.arange(data.n_pairs))
    for fr in data.families:
        if fr.family.soft:
            continue
        used = np.bincount(
            fr.pair_key[chosen][fr.pair_key[chosen] >= 0], minlength=len(fr.capacity)
        )
        assert np.all(used <= fr.capacity), fr.family.name
    solution = solve(p, workers=1)
    _assert_declared_families_hold(p, solution)


def _assert_declared_families_hold(p: Problem, s: Solution) -> None:
    lay = layout(p)
    h = np.array([p.index_of("household", a.household) for a in s.assignments], dtype=np.int64)
    v = np.array([p.index_of("vacancy", a.vacancy) for a in s.assignments], dtype=np.int64)
    e = np.array([a.exception for a in s.assignments], dtype=bool)
    for f in FAMILIES:
        capacity = f.capacity(p)
        used = usage(f, lay, len(capacity), h, v, e)
        if f.soft:
            short = int(np.maximum(capacity - used, 0).sum())
            assert s.stats[f.shortfall_stat] == short
        else:
            assert np.all(used <= capacity), f.name


def test_a_pin_into_an_area_capped_at_zero_is_refused_before_any_search() -> None:
    p = generate(households=30, vacancies=30, seed=4, profile="tight")
    pairs = eligible_pairs(p)
    household = p.households[int(pairs.household[0])].id
    vacancy = p.vacancies[int(pairs.vacancy[0])].id
    area = p.vacancy(vacancy).area
    p = replace(
        p,
        areas=tuple(replace(a, cap=0) if a.id == area else a for a in p.areas),
        pinned=((household, vacancy),),
    )
    pins, reason = check_pins(p)
    assert reason is None  # the pin itself is eligible; the cap leaves it no room
    overfill = pin_capacity_reason(p, round_data(p, eligible_pairs(p), pins))
    assert overfill is not None
    assert overfill.startswith("pins exceed the ")
    refused = solve(p, workers=1)
    assert (refused.status, refused.reason, refused.assignments) == ("infeasible", overfill, ())


def test_pins_are_subtracted_from_every_family_and_overfull_ones_are_named() -> None:
    p = _with_move_on(generate(households=200, vacancies=200, seed=4, profile="tight"))
    pins, reason = check_pins(p)
    assert reason is None
    assert pins
    data = round_data(p, eligible_pairs(p), pins)
    lay = layout(p)
    pin_h = np.array([x[0] for x in pins], dtype=np.int64)
    pin_v = np.array([x[1] for x in pins], dtype=np.int64)
    pin_e = np.array([x[2] for x in pins], dtype=bool)
    for fr in data.families:
        full = fr.family.capacity(p)
        used = usage(fr.family, lay, len(full), pin_h, pin_v, pin_e)
        expected = full - used
        if fr.family.soft:
            expected = np.maximum(expected, 0)
        assert np.array_equal(fr.capacity, expected), fr.family.name


def test_explanations_name_a_full_row_of_each_blocking_family() -> None:
    labels = {f.name: f.label for f in blocking_families()}
    assert set(labels) == {f.name for f in FAMILIES if not f.assignment and not f.soft}
    p = _with_move_on(generate(households=40, vacancies=40, seed=2, profile="tight"))
    s = solve(p, workers=1)
    texts = {f.label(p, k) for f in blocking_families() for k in range(len(f.capacity(p)))}
    for u in s.unmatched:
        if u.eligible_vacancies:
            assert u.reason in texts or u.reason.startswith("time limit"), u.reason
    for a in s.assignments:
        assert check_pair(p, p.household(a.household), p.vacancy(a.vacancy)).eligible
