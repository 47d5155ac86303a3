"""`solve(problem) -> Solution`: the method, time limits, status mapping and determinism.

Method (see benchmarks/README.md for measurements):

1. Screen every pair with the vectorised eligibility rules; apply pins.
2. **Primary tier by column generation.** A restricted master LP (`matching.master`: every
   row built once, GLOP without presolve, kept alive so each round warm-starts from the last
   basis) over a few candidate pairs per household; price *all* eligible pairs against its
   duals (numpy), add the best improving ones per household, repeat until none improves: the
   relaxation is then solved over every pair and its value is a proven upper bound. When the
   master has doubled it is rebuilt without the unused columns that priced far out.
3. **Reduced-cost filtering.** For any feasible x, Σ w·x ≤ LP* + Σ rc_p·x_p with rc_p ≤ 0, so a
   solution worth at least `target` uses only pairs with rc_p ≥ target − LP*. An integral
   relaxation is already optimal. Otherwise an integer program over the near-zero
   reduced-cost pairs gives an incumbent, and one over the pairs that could still beat it
   proves the optimum — an exact method on a fraction of the pairs.
4. **Tiers 2 and 3** (spread across landlords, fit) are integer programs over exactly the pairs
   that can appear in some primary-optimal solution (rc_p ≥ P* − LP*), with the primary
   objective fixed at its optimum, so a lower tier never costs anything in a higher one.

Every solver used is deterministic (GLOP, HiGHS; CP-SAT, if chosen with `method="cpsat"`,
runs with `interleave_search`), and every array is ordered by household and vacancy index, so
the same input gives the same output — unless a time limit cuts a solve short, which `stats`
then shows (`feasible` tiers or status).

Limits (see benchmarks/README.md): GLOP's incremental interface re-reads the whole master
every round (time grows with its size even when few pivots are needed), and the number of
rounds grows with the round size, so 5 000²–10 000² rounds whose quotas do not bind
(`mid_size`) still need tens of seconds to minutes; when the time limit stops column
generation (at 80 % of it) a greedy solution is returned as `feasible` with the best
Lagrangian bound seen. Dual smoothing (Wentges, α = 0.5, centre = best Lagrangian value) was
tried and tripled the rounds on the generated rounds, so it is not used.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from matching.eligibility import check_pair, eligible_pairs
from matching.explain import build_solution
from matching.master import Master
from matching.model import (
    F64,
    I64,
    PairModel,
    RoundData,
    Rows,
    fit_points,
    reduced_costs,
    round_data,
)
from matching.problem import Problem, Solution

DEFAULT_TIME_LIMIT_S = 60.0
#: GLOP settings: these LPs are well scaled (0/1 matrix) and presolve does not pay.
GLOP_PARAMETERS = ""
#: Candidate pairs per household in the first restricted relaxation.
INITIAL_COLUMNS_PER_HOUSEHOLD = 10
#: Improving pairs added per household in each pricing round (12 measured up to 14 %
#: faster than 6 from 2 000² to 10 000², never slower beyond noise; benchmarks/README.md).
PRICED_COLUMNS_PER_HOUSEHOLD = 12
#: Unused columns whose reduced cost is below −PURGE_FRACTION × weight leave the master when
#: it is rebuilt, which happens when it has grown REBUILD_GROWTH times since the last rebuild,
#: in the first PURGE_ROUNDS rounds only (so the method cannot cycle).
PURGE_FRACTION = 0.05
REBUILD_GROWTH = 2.0
PURGE_ROUNDS = 25
#: Column generation stops (and a greedy solution with the best Lagrangian bound is returned)
#: after this share of the time limit, leaving time for the solution and its explanations.
RELAXATION_SHARE = 0.8
#: Reduced-cost tolerance (weights are integers, so this is far below one unit).
EPS = 1e-6
#: Above this many pairs the lower tiers are optimised on a subset (reported "feasible").
MAX_TIER_COLUMNS = 20_000
#: … keeping this many best-fitting pairs per household (plus its current one).
TIER_COLUMNS_PER_HOUSEHOLD = 4
#: Wall-clock budget of each lower tier: at least this, or as long as the primary tier took.
TIER_MIN_SECONDS = 2.0
#: Lower tiers with a fractional relaxation are solved as integer programs only up to here.
MAX_TIER_MIP_COLUMNS = 3_000

Resp: TypeAlias = Any  # MPSolutionResponse (the protobuf stubs are untyped)


@dataclass
class Outcome:
    """What the tiers produced, handed to `explain.build_solution`."""

    status: str
    chosen: I64  # indices into data.ph/pv of the chosen free pairs
    objective: int
    bound: int
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


class _Clock:
    def __init__(self, limit: float) -> None:
        self.start = time.perf_counter()
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return max(0.0, self.limit - self.elapsed())


def _run(
    model: PairModel,
    kind: str,
    seconds: float,
    workers: int,
    seed: int,
    deterministic_limit: float | None = None,
) -> Resp:
    """Solve the model's proto with GLOP (kind "lp"), HiGHS ("highs") or CP-SAT ("cpsat")."""
    request = pb.MPModelRequest(model=model.proto)
    if kind != "cpsat":
        # HiGHS crashes on partial hints through the proto interface; GLOP ignores them.
        request.model.ClearField("solution_hint")
    request.solver_time_limit_seconds = max(0.05, seconds)
    request.enable_internal_solver_output = False
    if kind == "lp":
        request.solver_type = pb.MPModelRequest.GLOP_LINEAR_PROGRAMMING
        request.solver_specific_parameters = f"random_seed: {seed} {GLOP_PARAMETERS}"
    elif kind == "highs_lp":
        request.solver_type = pb.MPModelRequest.HIGHS_LINEAR_PROGRAMMING
        request.solver_specific_parameters = "output_flag=false\n"
    elif kind == "highs":
        request.solver_type = pb.MPModelRequest.HIGHS_MIXED_INTEGER_PROGRAMMING
        request.solver_specific_parameters = f"output_flag=false\nrandom_seed={seed}\n"
    else:
        request.solver_type = pb.MPModelRequest.SAT_INTEGER_PROGRAMMING
        request.solver_specific_parameters = (
            f"num_workers: {max(1, workers)} interleave_search: true random_seed: {seed} "
            "log_search_progress: false"
        )
        if deterministic_limit is not None:
            request.solver_specific_parameters += f" max_deterministic_time: {deterministic_limit}"
    response = pb.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    return response


_OPTIMAL = pb.MPSOLVER_OPTIMAL
_FEASIBLE = pb.MPSOLVER_FEASIBLE
_INFEASIBLE = pb.MPSOLVER_INFEASIBLE


def _chosen(model: PairModel, response: Resp) -> I64:
    values = np.asarray(response.variable_value[: len(model.cols)], dtype=np.float64)
    return model.cols[values > 0.5]


def _initial_columns(data: RoundData, per_household: int) -> I64:
    """A few pairs per household, spread evenly over its eligible vacancies (pairs are sorted
    by household, so this is one linear pass)."""
    n = data.n_pairs
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(data.ph[1:] != data.ph[:-1]) + 1]
    sizes = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, sizes)
    size = np.repeat(sizes, sizes)
    bucket = rank * per_household // size
    first = np.r_[True, (bucket[1:] != bucket[:-1]) | (rank[1:] == 0)]
    return np.flatnonzero(first).astype(np.int64)


def _top_per_household(
    data: RoundData, candidates: I64, score: npt.NDArray[np.float64], k: int
) -> I64:
    """The k best-scoring candidates of each household."""
    if len(candidates) == 0:
        return candidates
    ph = data.ph[candidates]
    values = score[candidates]
    span = float(np.max(np.abs(values))) * 2.0 + 1.0
    order = np.argsort(ph * span - values, kind="stable")
    ph_sorted = ph[order]
    n = len(order)
    starts = np.r_[0, np.flatnonzero(ph_sorted[1:] != ph_sorted[:-1]) + 1]
    rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.sort(candidates[order[rank < k]])


def _primary_model(data: RoundData, cols: I64, *, integer: bool) -> tuple[PairModel, int | None]:
    """Tier-1 model; in the relaxation the newly-arrived floor gets a penalised slack so the
    restricted problems stay feasible (a positive slack at the end proves infeasibility)."""
    model = PairModel(data, cols, integer=integer)
    model.add_round_constraints()
    model.set_primary_objective()
    slack = None
    if not integer and model.rows.newly is not None:
        big = float(data.weight.sum() + 1)
        slack = model.new_var(0.0, np.inf, objective=-big)
        ct = model.proto.constraint[model.rows.newly]
        ct.var_index.append(slack)
        ct.coefficient.append(1.0)
    return model, slack


class _OutOfTime(Exception):
    """The time limit ended column generation; carries the columns gathered so far."""

    def __init__(self, cols: I64, bound: float) -> None:
        super().__init__("time limit reached in the linear relaxation")
        self.cols = cols
        self.bound = bound


def lagrangian_bound(data: RoundData, rows: Rows, duals: F64, rc: F64) -> float:
    """An upper bound on the primary tier valid for *any* duals of the restricted LP: keep
    the one-vacancy-per-household rows, price the others, so
    Σ w·x ≤ Σ_rows y·b + Σ_h max(0, max_{p of h} (rc_p + y_h))."""
    y_h = np.zeros(len(data.weight), dtype=np.float64)
    if rows.household:
        keys = np.fromiter(rows.household.keys(), dtype=np.int64)
        y_h[keys] = duals[np.fromiter(rows.household.values(), dtype=np.int64)]
    priced = rc + y_h[data.ph]
    starts = np.r_[0, np.flatnonzero(data.ph[1:] != data.ph[:-1]) + 1]
    best = np.maximum.reduceat(priced, starts)
    total = float(np.maximum(best, 0.0).sum())
    capacity = [
        (rows.vacancy, np.ones(len(data.v_land))),
        (rows.landlord, data.quota.astype(np.float64)),
        (rows.exception, data.exception_quota.astype(np.float64)),
        (rows.area, data.cap.astype(np.float64)),
    ]
    for table, b in capacity:
        if table:
            keys = np.fromiter(table.keys(), dtype=np.int64)
            total += float(duals[np.fromiter(table.values(), dtype=np.int64)] @ b[keys])
    if rows.newly is not None:
        total += float(duals[rows.newly]) * data.newly_min
    return total


def _greedy(data: RoundData, cols: I64) -> I64 | None:
    """A feasible solution by weight (newly arrived first while the minimum is unmet), used
    only when the time limit ends the exact method; None if the minimum cannot be met."""
    quota = data.quota.copy()
    exc = data.exception_quota.copy()
    cap = np.where(data.capped, data.cap, np.iinfo(np.int64).max)
    used_v = np.zeros(len(data.v_land), dtype=bool)
    housed = np.zeros(len(data.weight), dtype=bool)
    order = cols[np.lexsort((cols, -data.weight[data.ph[cols]]))]
    chosen: list[int] = []
    newly_housed = 0
    passes = [True, False] if data.newly_min > 0 else [False]
    for newly_only in passes:
        for k in order.tolist():
            h, v = int(data.ph[k]), int(data.pv[k])
            if housed[h] or used_v[v] or (newly_only and not data.newly[h]):
                continue
            if newly_only and newly_housed >= data.newly_min:
                break
            li, ai = int(data.v_land[v]), int(data.v_area[v])
            if quota[li] <= 0 or cap[ai] <= 0 or (data.pexc[k] and exc[li] <= 0):
                continue
            quota[li] -= 1
            cap[ai] -= 1
            exc[li] -= int(data.pexc[k])
            housed[h] = used_v[v] = True
            newly_housed += int(data.newly[h])
            chosen.append(k)
    if newly_housed < data.newly_min:
        return None
    return np.array(sorted(chosen), dtype=np.int64)


@dataclass
class _Relaxation:
    value: float
    rc: npt.NDArray[np.float64]
    cols: I64
    x: npt.NDArray[np.float64]
    infeasible: bool
    rounds: int
    iterations: list[int] = field(default_factory=list)


def _column_generation(data: RoundData, clock: _Clock, seed: int) -> _Relaxation:
    """Solve the primary relaxation over all pairs by pricing against a restricted master
    LP that keeps its basis between rounds (see `matching.master`)."""
    weights = data.weight[data.ph].astype(np.float64)
    master = Master(data, seed=seed)
    cols = _initial_columns(data, INITIAL_COLUMNS_PER_HOUSEHOLD)
    in_cols = np.zeros(data.n_pairs, dtype=bool)
    in_cols[cols] = True
    master.add(cols)
    rounds = 0
    kept = len(cols)
    iterations: list[int] = []
    best_bound = float(data.weight[np.unique(data.ph)].sum())
    while True:
        rounds += 1
        if clock.elapsed() > RELAXATION_SHARE * clock.limit:
            raise _OutOfTime(master.cols, best_bound)
        if not master.solve(clock.left()):
            raise _OutOfTime(master.cols, best_bound)
        iterations.append(master.iterations())
        duals = master.duals()
        rc = reduced_costs(data, master.rows, duals, weights)
        if master.rows.newly is None:
            best_bound = min(best_bound, lagrangian_bound(data, master.rows, duals, rc))
        improving = np.flatnonzero((rc > EPS) & ~in_cols)
        if len(improving) == 0:
            infeasible = master.slack_value() > EPS
            x = master.values()
            order = np.argsort(master.cols, kind="stable")
            return _Relaxation(
                master.objective(),
                rc,
                master.cols[order],
                x[order],
                infeasible,
                rounds,
                iterations,
            )
        added = _top_per_household(data, improving, rc, PRICED_COLUMNS_PER_HOUSEHOLD)
        if rounds <= PURGE_ROUNDS and len(master.cols) > REBUILD_GROWTH * kept:
            # Column management: a master grown large costs time in every later round
            # (GLOP re-reads the whole model), so rebuild it without the unused columns that
            # priced far out — one cold solve, on a smaller model.
            x = master.values()
            far = (x < 1e-9) & (rc[master.cols] < -PURGE_FRACTION * weights[master.cols])
            in_cols[master.cols[far]] = False
            in_cols[added] = True
            kept = int(np.count_nonzero(in_cols))
            master = Master(data, seed=seed)
            master.add(np.flatnonzero(in_cols))
            continue
        in_cols[added] = True
        master.add(added)


def _mip(
    data: RoundData,
    cols: I64,
    hint: I64,
    clock: _Clock,
    workers: int,
    seed: int,
    method: str,
    fixed: I64 | None = None,
) -> tuple[Resp, PairModel]:
    if fixed is not None and len(fixed):
        # Pairs sharing a household or a vacancy with a fixed pair must be zero: drop them.
        busy_h = np.zeros(len(data.weight), dtype=bool)
        busy_v = np.zeros(len(data.v_land), dtype=bool)
        busy_h[data.ph[fixed]] = True
        busy_v[data.pv[fixed]] = True
        free = ~busy_h[data.ph[cols]] & ~busy_v[data.pv[cols]]
        cols = np.union1d(cols[free], fixed)
    model, _ = _primary_model(data, cols, integer=True)
    if fixed is not None and len(fixed):
        for pos in np.flatnonzero(np.isin(cols, fixed)).tolist():
            model.proto.variable[pos].lower_bound = 1.0
    if len(hint):
        model.add_hint(np.flatnonzero(np.isin(cols, hint)))
    return _run(model, method, clock.left(), workers, seed), model


def _solve_primary(
    data: RoundData, clock: _Clock, workers: int, seed: int, method: str, stats: dict[str, Any]
) -> tuple[Outcome, _Relaxation | None]:
    if data.n_pairs == 0:
        if data.newly_min > 0:
            return Outcome(
                "infeasible",
                np.zeros(0, dtype=np.int64),
                0,
                0,
                reason=_newly_reason(data),
            ), None
        return Outcome("optimal", np.zeros(0, dtype=np.int64), 0, 0), None
    try:
        relax = _column_generation(data, clock, seed)
    except _OutOfTime as stop:
        chosen = _greedy(data, stop.cols)
        trivial = math.floor(stop.bound + 1e-6)
        stats["lagrangian_bound"] = trivial + data.pinned_weight
        stats["fallback"] = "greedy (time limit reached before the relaxation was solved)"
        if chosen is None:
            return Outcome(
                "infeasible",
                np.zeros(0, dtype=np.int64),
                0,
                trivial,
                reason="time limit reached before a feasible solution was found",
            ), None
        return Outcome("feasible", chosen, int(data.weight[data.ph[chosen]].sum()), trivial), None
    stats["lp_rounds"] = relax.rounds
    stats["lp_iterations"] = relax.iterations
    stats["lp_columns"] = len(relax.cols)
    stats["lp_bound"] = round(relax.value + data.pinned_weight, 6)
    if relax.infeasible:
        return Outcome(
            "infeasible", np.zeros(0, dtype=np.int64), 0, 0, reason=_newly_reason(data)
        ), relax
    bound = math.floor(relax.value + 1e-6)
    frac = np.abs(relax.x - np.round(relax.x))
    if np.all(frac < 1e-6):
        stats["lp_integral"] = True
        chosen = relax.cols[relax.x > 0.5]
        value = int(data.weight[data.ph[chosen]].sum())
        return Outcome("optimal", chosen, value, max(value, bound)), relax
    stats["lp_integral"] = False
    hint = relax.cols[relax.x > 0.5]
    core = np.flatnonzero(relax.rc >= -EPS)
    stats["mip_columns"] = [len(core)]
    incumbent: I64 | None = None
    value = -1
    # First round the relaxation: keep its integral ones, solve for the fractional rest.
    fixed = relax.cols[relax.x > 1 - 1e-6]
    response, model = _mip(data, core, hint, clock, workers, seed, method, fixed=fixed)
    if response.status in (_OPTIMAL, _FEASIBLE):
        incumbent = _chosen(model, response)
        value = int(data.weight[data.ph[incumbent]].sum())
    if value < bound:
        response, model = _mip(data, core, hint, clock, workers, seed, method)
        if response.status in (_OPTIMAL, _FEASIBLE):
            candidate = _chosen(model, response)
            candidate_value = int(data.weight[data.ph[candidate]].sum())
            if candidate_value > value:
                incumbent, value = candidate, candidate_value
    if value >= bound and incumbent is not None:
        return Outcome("optimal", incumbent, value, value), relax
    # Any solution better than the incumbent uses only pairs with rc ≥ (value + 1) − LP*.
    threshold = (value + 1) - relax.value - 1e-6 if incumbent is not None else -np.inf
    wide = np.flatnonzero(relax.rc >= threshold)
    stats["mip_columns"].append(len(wide))
    response, model = _mip(
        data, wide, incumbent if incumbent is not None else hint, clock, workers, seed, method
    )
    if response.status == _INFEASIBLE and incumbent is None:
        return Outcome(
            "infeasible", np.zeros(0, dtype=np.int64), 0, bound, reason=_newly_reason(data)
        ), relax
    if response.status in (_OPTIMAL, _FEASIBLE):
        better = _chosen(model, response)
        better_value = int(data.weight[data.ph[better]].sum())
        if incumbent is None or better_value > value:
            incumbent, value = better, better_value
    if incumbent is None:
        return Outcome("feasible", np.zeros(0, dtype=np.int64), 0, bound), relax
    if response.status == _OPTIMAL:
        return Outcome("optimal", incumbent, value, value), relax
    mip_bound = math.floor(response.best_objective_bound + 1e-6)
    return Outcome("feasible", incumbent, value, max(value, min(bound, mip_bound))), relax


def _newly_reason(data: RoundData) -> str:
    return (
        f"newly_arrived_min cannot be met: {data.newly_min} more newly arrived households "
        "would have to be housed than the eligible pairs and round constraints allow"
    )


def _solve_lower_tiers(
    problem: Problem,
    data: RoundData,
    primary: Outcome,
    relax: _Relaxation | None,
    clock: _Clock,
    workers: int,
    seed: int,
    method: str,
    stats: dict[str, Any],
) -> I64:
    """Tiers 2 and 3 with the primary objective fixed at its value; returns chosen pairs."""
    tiers: dict[str, str] = stats["tiers"]
    if data.n_pairs == 0 or (len(primary.chosen) == 0 and primary.objective == 0):
        tiers["spread"] = tiers["fit"] = "optimal"
        return primary.chosen
    if relax is None or clock.left() < 0.5:
        tiers["spread"] = tiers["fit"] = "not run (time limit)"
        return primary.chosen
    free_value = primary.objective - data.pinned_weight
    if relax is not None:
        support = np.flatnonzero(relax.rc >= free_value - relax.value - 1e-6)
    else:
        support = np.arange(data.n_pairs)
    # The lower tiers keep the households of the primary solution, each housed exactly once,
    # so the primary objective cannot move; they choose the vacancies.
    housed = np.zeros(len(data.weight), dtype=bool)
    housed[data.ph[primary.chosen]] = True
    support = support[housed[data.ph[support]]]
    exact = primary.status == "optimal"
    if len(support) > MAX_TIER_COLUMNS:
        # Too many alternatives to weigh exactly: each household keeps its best-fitting few.
        fit_all = fit_points(problem, data, support).astype(np.float64)
        score = np.full(data.n_pairs, -np.inf)
        score[support] = fit_all
        support = _top_per_household(data, support, score, TIER_COLUMNS_PER_HOUSEHOLD)
        exact = False
    support = np.union1d(support, primary.chosen)
    stats["tier_columns"] = len(support)
    fit = fit_points(problem, data, support)
    chosen = primary.chosen
    budget = max(TIER_MIN_SECONDS, clock.elapsed())

    def tier_model() -> tuple[PairModel, list[int]]:
        model = PairModel(data, support, integer=True)
        model.add_round_constraints()
        for row in model.rows.household.values():
            model.proto.constraint[row].lower_bound = 1.0
        devs = model.add_spread(hint=np.flatnonzero(np.isin(support, chosen)))
        return model, devs

    model, devs = tier_model()
    model.set_spread_objective(devs)
    chosen, spread, state = _solve_tier(model, chosen, clock, workers, seed, method, budget)
    tiers["spread"] = state if exact or state == "kept" else "feasible"
    if spread is None:
        tiers["fit"] = "kept"
        return chosen
    stats["spread_deviation"] = round(-spread)
    model, devs = tier_model()
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
    clock: _Clock,
    workers: int,
    seed: int,
    method: str,
    budget: float,
) -> tuple[I64, float | None, str]:
    """A lower tier: its linear relaxation first (often integral here, and then optimal);
    else the integer program on small models; else the current solution is kept."""
    relaxed = PairModel(model.data, model.cols, integer=False)
    relaxed.proto.CopyFrom(model.proto)
    for var in relaxed.proto.variable:
        var.is_integer = False
    response = _run(relaxed, "lp", clock.left(), 1, seed)
    if response.status != _OPTIMAL:
        return current, None, "kept"
    x = np.asarray(response.variable_value[: len(model.cols)], dtype=np.float64)
    if np.all(np.abs(x - np.round(x)) < 1e-6):
        return model.cols[x > 0.5], float(response.objective_value), "optimal"
    if len(model.cols) > MAX_TIER_MIP_COLUMNS:
        return current, None, "kept"
    response = _run(model, method, min(budget, clock.left()), workers, seed)
    if response.status == _OPTIMAL:
        return _chosen(model, response), float(response.objective_value), "optimal"
    return current, None, "kept"


def _check_pins(problem: Problem) -> tuple[list[tuple[int, int, bool]], str | None]:
    """Pins as (household, vacancy, exception) indices, or the reason they cannot hold."""
    pins: list[tuple[int, int, bool]] = []
    seen_h: dict[str, str] = {}
    seen_v: dict[str, str] = {}
    forbidden = frozenset(problem.forbidden)
    for hid, vid in problem.pinned:
        if seen_h.get(hid) == vid:
            continue  # the same pin twice
        if hid in seen_h:
            return [], f"pin {hid}–{vid} conflicts with pin {hid}–{seen_h[hid]}"
        if vid in seen_v:
            return [], f"pin {hid}–{vid} conflicts with pin {seen_v[vid]}–{vid}"
        check = check_pair(
            problem, problem.household(hid), problem.vacancy(vid), forbidden=forbidden
        )
        if check.reason is not None:
            return [], f"pin {hid}–{vid} is ineligible: {check.reason}"
        seen_h[hid] = vid
        seen_v[vid] = hid
        pins.append(
            (problem.index_of("household", hid), problem.index_of("vacancy", vid), check.exception)
        )
    return pins, None


def _pin_capacity_reason(problem: Problem, data: RoundData) -> str | None:
    for li, lo in enumerate(problem.landlords):
        if data.quota[li] < 0:
            return f"pins exceed the quota of landlord {lo.id} ({lo.quota})"
        if data.exception_quota[li] < 0:
            return f"pins exceed the exception quota of landlord {lo.id} ({lo.exception_quota})"
    for ai, area in enumerate(problem.areas):
        if area.cap is not None and data.cap[ai] < 0:
            return f"pins exceed the cap of area {area.id} ({area.cap})"
    return None


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
) -> Solution:
    """Propose the matches of a round: primary tier proven optimal when time allows, then
    spread and fit. Deterministic for a given problem and seed."""
    limit = time_limit if time_limit is not None else problem.time_limit_s
    clock = _Clock(limit if limit is not None else DEFAULT_TIME_LIMIT_S)
    n_workers = workers if workers is not None else default_workers()
    pairs = eligible_pairs(problem)
    stats: dict[str, Any] = {
        "eligible_pairs": len(pairs),
        "workers": n_workers,
        "seed": seed,
        "method": f"column generation (GLOP) + reduced-cost filtering + {method}",
        "tiers": {},
    }
    stats["seconds_eligibility"] = round(clock.elapsed(), 3)
    pins, pin_reason = _check_pins(problem)
    data = round_data(problem, pairs, pins)
    if pin_reason is None:
        pin_reason = _pin_capacity_reason(problem, data)
    if pin_reason is not None:
        outcome = Outcome("infeasible", np.zeros(0, dtype=np.int64), 0, 0, reason=pin_reason)
        return build_solution(problem, data, pins, outcome, stats, clock.start, pairs)
    primary, relax = _solve_primary(data, clock, n_workers, seed, method, stats)
    primary.objective += data.pinned_weight
    primary.bound += data.pinned_weight
    stats["tiers"]["primary"] = primary.status
    stats["seconds_primary"] = round(clock.elapsed(), 3)
    if primary.status == "infeasible":
        return build_solution(problem, data, pins, primary, stats, clock.start, pairs)
    primary.chosen = _solve_lower_tiers(
        problem, data, primary, relax, clock, n_workers, seed, method, stats
    )
    return build_solution(problem, data, pins, primary, stats, clock.start, pairs)
