"""`solve(problem) -> Solution`: the method, time limits, status mapping and determinism.

Method (see benchmarks/README.md for measurements), one module per stage:

1. Screen every pair with the vectorised eligibility rules (`matching.eligibility`); check
   the pins and subtract what they use from every declared round constraint family
   (`matching.pins`, `matching.constraints`, `matching.model.round_data`).
2. **Primary tier by column generation** (`matching.colgen`, `matching.master`): a restricted
   master LP in HiGHS, started from the basis of a greedy matching (`matching.fallback`) and
   warm-started between pricing rounds, priced against every eligible pair in numpy until no
   pair improves; its value is a proven upper bound.
3. **Integral finish** (`matching.finish`): an integral relaxation is optimal; otherwise the
   relaxation's integral part is fixed and the residual over the fractional households'
   master columns solved — reaching ⌊LP⌋ proves the optimum; only when it does not, integer
   programs over reduced-cost-filtered pairs prove it.
4. **Tiers 2 and 3** (`matching.tiers`: spread across landlords, fit), budgeted, with the
   primary solution's households kept, so a lower tier never costs anything in a higher one.

The newly-arrived floor is soft and lexicographically first: the solver houses as many newly
arrived households as it can up to the floor, then maximises weight; `stats` reports the
shortfall (`newly_arrived_shortfall`, 0 when the floor is met). A round is "infeasible" only
when its pins cannot hold.

Every solver used is deterministic (HiGHS, GLOP; CP-SAT, if chosen with `method="cpsat"`,
runs with `interleave_search`), and every array is ordered by household and vacancy index, so
the same input gives the same output — unless a time limit cuts a solve short, which `stats`
then shows (`feasible` tiers or status). When the time limit stops column generation (at 80 %
of it) a greedy solution (`matching.fallback`) is returned as `feasible` with the best
Lagrangian bound seen.
"""

from __future__ import annotations

import os
from typing import Any

from matching.eligibility import eligible_pairs
from matching.explain import build_solution
from matching.finish import solve_primary
from matching.model import round_data
from matching.outcome import Clock, Outcome, ProgressCallback, Reporter, nothing
from matching.pins import check_pins, pin_capacity_reason
from matching.problem import Problem, Solution
from matching.tiers import solve_lower_tiers

DEFAULT_TIME_LIMIT_S = 60.0


def default_workers() -> int:
    """Worker threads used when none are given: the machine's cores, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def solve(
    problem: Problem,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int = 0,
    method: str = "highs",
    progress: ProgressCallback | None = None,
) -> Solution:
    """Propose the matches of a round: primary tier proven optimal when time allows, then
    spread and fit. Deterministic for a given problem and seed. `progress`, if given, is
    called with a `matching.Progress` at every phase and pricing round."""
    limit = time_limit if time_limit is not None else problem.time_limit_s
    clock = Clock(limit if limit is not None else DEFAULT_TIME_LIMIT_S)
    n_workers = workers if workers is not None else default_workers()
    report = Reporter(progress, clock, 0)
    report("eligibility")
    pairs = eligible_pairs(problem)
    stats: dict[str, Any] = {
        "eligible_pairs": len(pairs),
        "workers": n_workers,
        "seed": seed,
        "method": f"column generation (HiGHS) + residual finish + {method}",
        "tiers": {},
    }
    stats["seconds_eligibility"] = round(clock.elapsed(), 3)
    pins, pin_reason = check_pins(problem)
    data = round_data(problem, pairs, pins)
    if pin_reason is None:
        pin_reason = pin_capacity_reason(problem, data)
    if pin_reason is not None:
        outcome = Outcome("infeasible", nothing(), 0, 0, reason=pin_reason)
        report("done")
        return build_solution(problem, data, pins, outcome, stats, clock.start, pairs)
    report.offset = data.pinned_weight
    primary, relax = solve_primary(data, clock, n_workers, seed, method, stats, report)
    primary.objective += data.pinned_weight
    primary.bound += data.pinned_weight
    stats["tiers"]["primary"] = primary.status
    stats["seconds_primary"] = round(clock.elapsed(), 3)
    primary.chosen = solve_lower_tiers(
        problem, data, primary, relax, clock, n_workers, seed, method, stats, report
    )
    stats["seconds_lower_tiers"] = round(clock.elapsed() - stats["seconds_primary"], 3)
    solution = build_solution(problem, data, pins, primary, stats, clock.start, pairs)
    report(
        "done",
        bound=primary.bound - data.pinned_weight,
        objective=solution.objective - data.pinned_weight,
    )
    return solution
