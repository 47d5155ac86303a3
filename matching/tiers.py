"""Tiers 2 and 3 (spread across landlords, fit), with the primary tier fixed at its value.

They are integer programs over exactly the pairs that can appear in some primary-optimal
solution (rc_p ≥ P* − LP*), keeping the primary solution's households each housed once, so a
lower tier never costs anything in a higher one. Each tier is budgeted (`TIER_SHARE` of the
primary tier's time, at least `TIER_MIN_SECONDS`) and reports in `stats["tiers"]` what it
proved: "optimal" (over every primary-optimal alternative), "feasible" (optimal over a
subset of the alternatives: each household's best-fitting few), "kept" (the budget ran out
or the relaxation was fractional on a large model: the previous tier's solution stands) or
"not run (time limit)".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching.colgen import Relaxation, best_per_household
from matching.model import I64, PairModel, RoundData, fit_points, spread_gaps
from matching.outcome import Clock, Outcome, Reporter
from matching.problem import Problem
from matching.runner import OPTIMAL, chosen_of, run

#: Above this many pairs the lower tiers are optimised on a subset (reported "feasible").
MAX_TIER_COLUMNS = 20_000
#: … keeping this many best-fitting pairs per household (plus its current one).
TIER_COLUMNS_PER_HOUSEHOLD = 4
#: Wall-clock budget of each lower tier: this share of the primary tier's time …
TIER_SHARE = 0.25
#: … but at least this.
TIER_MIN_SECONDS = 1.0
#: Support pairs weighed per block (whole households) when keeping the best-fitting few.
FIT_SUPPORT_BLOCK = 1 << 20
#: Lower tiers with a fractional relaxation are solved as integer programs only up to here.
MAX_TIER_MIP_COLUMNS = 3_000


def solve_lower_tiers(
    problem: Problem,
    data: RoundData,
    primary: Outcome,
    relax: Relaxation | None,
    clock: Clock,
    workers: int,
    seed: int,
    method: str,
    stats: dict[str, Any],
    report: Reporter,
) -> I64:
    """Tiers 2 and 3 with the primary objective fixed at its value; returns chosen pairs."""
    tiers: dict[str, str] = stats["tiers"]
    if data.n_pairs == 0 or len(primary.chosen) == 0:
        tiers["spread"] = tiers["fit"] = "optimal"
        return primary.chosen
    if relax is None or clock.left() < 0.5:
        tiers["spread"] = tiers["fit"] = "not run (time limit)"
        return primary.chosen
    free_value = data.value_of(primary.chosen)
    support = np.flatnonzero(relax.rc >= free_value - relax.value - 1e-6)
    # The lower tiers keep the households of the primary solution, each housed exactly once,
    # so the primary objective (and the floors) cannot move; they choose the vacancies.
    housed = np.zeros(data.n_households, dtype=bool)
    housed[data.pair_household[primary.chosen]] = True
    support = support[housed[data.pair_household[support]]]
    exact = primary.status == "optimal"
    if len(support) > MAX_TIER_COLUMNS:
        # Too many alternatives to weigh exactly: each household keeps its best-fitting few
        # (a block of whole households at a time: the support can be millions of pairs).
        kept: list[I64] = []
        owner = data.pair_household[support]
        start = 0
        while start < len(support):
            stop = min(len(support), start + FIT_SUPPORT_BLOCK)
            if stop < len(support):  # end the block at a household boundary
                rest = owner[start:]
                stop = start + int(np.searchsorted(rest, owner[stop], side="left"))
                if stop == start:
                    stop = start + int(np.searchsorted(rest, owner[start], side="right"))
            block = support[start:stop]
            fit_block = fit_points(problem, data, block).astype(np.float64)
            kept.append(best_per_household(data, block, fit_block, TIER_COLUMNS_PER_HOUSEHOLD))
            start = stop
        support = np.concatenate(kept)
        exact = False
    support = np.union1d(support, primary.chosen)
    stats["tier_columns"] = len(support)
    fit = fit_points(problem, data, support)
    chosen = primary.chosen
    budget = max(TIER_MIN_SECONDS, TIER_SHARE * clock.elapsed())
    stats["tier_budget_s"] = round(budget, 3)

    def tier_model() -> tuple[PairModel, list[int]]:
        model = PairModel(data, support, integer=True)
        model.add_round_constraints(floors=False)
        for row in model.rows.table("household").values():
            model.proto.constraint[row].lower_bound = 1.0
        devs = model.add_spread(hint=np.flatnonzero(np.isin(support, chosen)))
        return model, devs

    report("spread")
    model, devs = tier_model()
    placed = np.bincount(data.pair_landlord[chosen], minlength=data.n_landlords)
    spread: float | None
    if not np.any(spread_gaps(data, placed)):
        # Already exactly proportional: no solution deviates less, so no LP is needed.
        spread, tiers["spread"] = 0.0, "optimal"
    else:
        model.set_spread_objective(devs)
        chosen, spread, state = _solve_tier(model, chosen, clock, workers, seed, method, budget)
        tiers["spread"] = state if exact or state == "kept" else "feasible"
    if spread is None:
        tiers["fit"] = "kept"
        return chosen
    stats["spread_deviation"] = round(-spread)
    report("fit")
    # The same model, its spread capped: the spread objective is replaced below. (Its hint
    # stays the primary solution's; only CP-SAT reads hints, and any hint is only a hint.)
    model.add_spread_ceiling(devs, round(-spread) + 1e-6)
    model.set_fit_objective(fit)
    chosen, fit_value, state = _solve_tier(model, chosen, clock, workers, seed, method, budget)
    tiers["fit"] = state if exact or state == "kept" else "feasible"
    if fit_value is not None:
        stats["fit_points"] = round(fit_value)
    return chosen


def _solve_tier(
    model: PairModel,
    current: I64,
    clock: Clock,
    workers: int,
    seed: int,
    method: str,
    budget: float,
) -> tuple[I64, float | None, str]:
    """A lower tier: its linear relaxation first (often integral here, and then optimal);
    else the integer program on small models; else the current solution is kept."""
    # The relaxation is the same proto with its integer flags cleared (no copy of a model of
    # tens of thousands of variables); they are put back for the integer program.
    integer = [var.is_integer for var in model.proto.variable]
    for var in model.proto.variable:
        var.is_integer = False
    response = run(model, "lp", min(budget, clock.left()), 1, seed)
    for var, flag in zip(model.proto.variable, integer, strict=True):
        var.is_integer = flag
    if response.status != OPTIMAL:
        return current, None, "kept"
    x = np.asarray(response.variable_value[: len(model.cols)], dtype=np.float64)
    if np.all(np.abs(x - np.round(x)) < 1e-6):
        return model.cols[x > 0.5], float(response.objective_value), "optimal"
    if len(model.cols) > MAX_TIER_MIP_COLUMNS:
        return current, None, "kept"
    response = run(model, method, min(budget, clock.left()), workers, seed)
    if response.status == OPTIMAL:
        return chosen_of(model, response), float(response.objective_value), "optimal"
    return current, None, "kept"
