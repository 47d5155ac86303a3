"""The integral finish of the primary tier: from the relaxation to a proven integer optimum.

The relaxation is highly degenerate (a pair's weight depends only on its household, so
equivalent vacancies all price at zero), which makes an integer program over every
zero-reduced-cost pair huge. Instead:

1. An integral relaxation is already optimal.
2. **Residual finish.** Fix the relaxation's integral part and solve the residual over the
   master columns of the few households it left fractional; when that reaches ⌊LP⌋ the
   optimum is proven.
3. **Reduced-cost filtering**, only when it does not: for any feasible x,
   Σ w·x ≤ LP* + Σ rc_p·x_p (rc_p ≤ 0), so a solution worth at least `target` uses only
   pairs with rc_p ≥ target − LP*. An integer program over the near-zero reduced-cost pairs
   gives an incumbent, and one over the pairs that could still beat it proves the optimum.

Values here are the lexicographic primary value (weight − penalty × floor shortfall).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from matching.colgen import EPS, OutOfTime, Relaxation, column_generation
from matching.fallback import greedy
from matching.model import I64, PairModel, RoundData
from matching.outcome import Clock, Outcome, Reporter, nothing
from matching.runner import FEASIBLE, INFEASIBLE, OPTIMAL, Resp, chosen_of, run

#: Try the residual finish before reduced-cost filtering (off only in tests of the latter).
RESIDUAL_FINISH = True


def primary_model(data: RoundData, cols: I64, *, integer: bool) -> PairModel:
    """Tier-1 model over `cols`: every family, floors with their penalised slacks."""
    model = PairModel(data, cols, integer=integer)
    model.add_round_constraints()
    model.set_primary_objective()
    return model


def primary_mip(
    data: RoundData,
    cols: I64,
    hint: I64,
    clock: Clock,
    workers: int,
    seed: int,
    method: str,
    fixed: I64 | None = None,
) -> tuple[Resp, PairModel]:
    """The primary integer program over `cols`, with the `fixed` pairs set to one."""
    if fixed is not None and len(fixed):
        # Pairs sharing a household or a vacancy with a fixed pair must be zero: drop them.
        busy_h = np.zeros(data.n_households, dtype=bool)
        busy_v = np.zeros(data.n_vacancies, dtype=bool)
        busy_h[data.pair_household[fixed]] = True
        busy_v[data.pair_vacancy[fixed]] = True
        free = ~busy_h[data.pair_household[cols]] & ~busy_v[data.pair_vacancy[cols]]
        cols = np.union1d(cols[free], fixed)
    model = primary_model(data, cols, integer=True)
    if fixed is not None and len(fixed):
        for pos in np.flatnonzero(np.isin(cols, fixed)).tolist():
            model.proto.variable[pos].lower_bound = 1.0
    if len(hint):
        model.add_hint(np.flatnonzero(np.isin(cols, hint)))
    return run(model, method, clock.left(), workers, seed), model


def _weight_bound(data: RoundData, value_bound: float, chosen: I64) -> int:
    """A bound on Σ weight from a bound on the primary value, over the solutions whose floor
    shortfall is no worse than that of `chosen` (the lexicographic order)."""
    shortfall = data.shortfall(chosen)
    return math.floor(value_bound + data.shortfall_penalty * shortfall + 1e-6)


def _final(data: RoundData, status: str, chosen: I64, value_bound: float) -> Outcome:
    weight = data.weight_of(chosen)
    if status == "optimal":
        return Outcome("optimal", chosen, weight, weight)
    return Outcome(
        "feasible", chosen, weight, max(weight, _weight_bound(data, value_bound, chosen))
    )


def solve_primary(
    data: RoundData,
    clock: Clock,
    workers: int,
    seed: int,
    method: str,
    stats: dict[str, Any],
    report: Reporter,
) -> tuple[Outcome, Relaxation | None]:
    """The proven-optimal primary tier (or the greedy fallback when time runs out)."""
    if data.n_pairs == 0:
        return Outcome("optimal", nothing(), 0, 0), None
    try:
        relax = column_generation(data, clock, seed, report)
    except OutOfTime as stop:
        chosen = greedy(data, stop.cols)
        stats["lagrangian_bound"] = math.floor(stop.bound + 1e-6) + data.pinned_weight
        stats["fallback"] = "greedy (time limit reached before the relaxation was solved)"
        report("integral finish", objective=data.weight_of(chosen))
        return _final(data, "feasible", chosen, stop.bound), None
    stats["lp_rounds"] = relax.rounds
    stats["lp_iterations"] = relax.iterations
    stats["lp_columns"] = len(relax.cols)
    stats["lp_bound"] = round(relax.value + data.pinned_weight, 6)
    bound = math.floor(relax.value + 1e-6)
    report("integral finish", bound=relax.value)
    frac = np.abs(relax.x - np.round(relax.x))
    if np.all(frac < 1e-6):
        stats["lp_integral"] = True
        chosen = relax.cols[relax.x > 0.5]
        return _final(data, "optimal", chosen, relax.value), relax
    stats["lp_integral"] = False
    fixed = relax.cols[relax.x > 1 - 1e-6]
    hint = relax.cols[relax.x > 0.5]
    incumbent: I64 | None = None
    value = -math.inf

    def consider(response: Resp, model: PairModel) -> None:
        nonlocal incumbent, value
        if response.status in (OPTIMAL, FEASIBLE):
            candidate = chosen_of(model, response)
            candidate_value = data.value_of(candidate)
            if candidate_value > value:
                incumbent, value = candidate, candidate_value
                report("integral finish", objective=data.weight_of(candidate))

    def consider_residual() -> None:
        fractional = relax.cols[(relax.x > 1e-6) & (relax.x < 1 - 1e-6)]
        busy = np.zeros(data.n_households, dtype=bool)
        busy[data.pair_household[fractional]] = True
        residual = relax.cols[busy[data.pair_household[relax.cols]]]
        stats["residual_columns"] = len(residual)
        stats["finish"] = "residual"
        consider(*primary_mip(data, residual, hint, clock, workers, seed, method, fixed=fixed))

    # 2. The residual over the fractional households' master columns.
    if RESIDUAL_FINISH:
        consider_residual()
    if incumbent is not None and value >= bound:
        return _final(data, "optimal", incumbent, relax.value), relax
    # 3. Reduced-cost filtering: near-zero pairs first, then all that could beat the incumbent.
    stats["finish"] = "reduced-cost filtering"
    core = np.flatnonzero(relax.rc >= -EPS)
    stats["mip_columns"] = [len(core)]
    consider(*primary_mip(data, core, hint, clock, workers, seed, method, fixed=fixed))
    if value < bound:
        consider(*primary_mip(data, core, hint, clock, workers, seed, method))
    if incumbent is not None and value >= bound:
        return _final(data, "optimal", incumbent, relax.value), relax
    threshold = (value + 1) - relax.value - 1e-6 if incumbent is not None else -np.inf
    wide = np.flatnonzero(relax.rc >= threshold)
    stats["mip_columns"].append(len(wide))
    response, model = primary_mip(
        data, wide, incumbent if incumbent is not None else hint, clock, workers, seed, method
    )
    consider(response, model)
    if incumbent is None:
        if response.status == INFEASIBLE:  # cannot happen: every model has x = 0 feasible
            raise RuntimeError("the primary integer program is infeasible")
        chosen = greedy(data, relax.cols)
        return _final(data, "feasible", chosen, relax.value), relax
    if response.status == OPTIMAL:
        return _final(data, "optimal", incumbent, relax.value), relax
    mip_bound = response.best_objective_bound if response.status == FEASIBLE else relax.value
    return _final(data, "feasible", incumbent, min(relax.value, mip_bound)), relax
