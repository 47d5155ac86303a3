"""Column generation of the primary relaxation over every eligible pair.

A restricted master LP (`matching.master`: every row built once, HiGHS' primal simplex kept
alive so each round warm-starts from the last basis) starts from the greedy matching's basis
(`matching.fallback.greedy`: a good feasible solution, so the simplex does not start from
nothing) plus one candidate pair per household; every round prices *all* eligible pairs
against its duals (numpy, one gather per pair: `price`) and adds the best improving ones per
household, until none improves: the relaxation is then solved over every pair and its value
is a proven upper bound. Every round also yields a Lagrangian bound valid
for its duals, reported as progress and used when the time limit stops the method early.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matching.blocks import gather, ranges
from matching.fallback import greedy
from matching.master import Master
from matching.model import (
    F64,
    I64,
    Bools,
    RoundData,
    Rows,
    dual_sums,
    lagrangian_bound,
    reduced_costs,
    sign_valid_duals,
    vacancy_duals,
)
from matching.outcome import Clock, Reporter

#: Candidate pairs per household in the first restricted relaxation (besides the crash start).
INITIAL_COLUMNS_PER_HOUSEHOLD = 1
#: Start the master from the greedy matching's basis (`matching.fallback.greedy`) instead of
#: the all-slack basis: the simplex starts from a good feasible solution.
CRASH_START = True
#: Improving pairs added per household in each pricing round.
PRICED_COLUMNS_PER_HOUSEHOLD = 3
#: Column generation stops (and a greedy solution with the best Lagrangian bound is returned)
#: after this share of the time limit, leaving time for the solution and its explanations.
RELAXATION_SHARE = 0.8
#: Reduced-cost tolerance (weights are integers, so this is far below one unit).
EPS = 1e-6


@dataclass
class Relaxation:
    """The primary relaxation over every pair: value, reduced costs of every pair, and the
    master's columns (sorted) with their values."""

    value: float
    rc: F64
    cols: I64
    x: F64
    shortfall: float
    rounds: int
    iterations: list[int] = field(default_factory=list)


class OutOfTime(Exception):
    """The time limit ended column generation; carries the columns gathered so far."""

    def __init__(self, cols: I64, bound: float) -> None:
        super().__init__("time limit reached in the linear relaxation")
        self.cols = cols
        self.bound = bound


def initial_columns(data: RoundData, per_household: int) -> I64:
    """A few pairs per household, spread evenly over its eligible vacancies (pairs are sorted
    by household, so this works on the households only)."""
    n = data.n_pairs
    if n == 0 or per_household == 0:
        return np.zeros(0, dtype=np.int64)
    starts = data.household_starts
    sizes = np.diff(np.r_[starts, n])
    # Each household starts at its own pseudo-random offset: starting every household at its
    # lowest-numbered eligible vacancy would crowd them all onto the same few vacancies.
    offset = _scramble(np.arange(len(starts), dtype=np.int64)).view(np.uint64) % sizes.astype(
        np.uint64
    )
    picks = [
        starts + (offset.astype(np.int64) + (j * sizes) // per_household) % sizes
        for j in range(per_household)
    ]
    return np.unique(np.concatenate(picks)).astype(np.int64)


def _scramble(pairs: I64) -> I64:
    """A deterministic pseudo-random permutation key of pair indices (a 64-bit mix)."""
    x = pairs.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(29)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(32)
    return x.astype(np.int64)


#: Tie-breaking jitter added to scores (far below EPS, so no improving pair changes sides).
JITTER = 1e-8


def top_per_household(data: RoundData, candidates: I64, score: F64, k: int) -> I64:
    """The k best-scoring candidates of each household (sorted); `candidates` must be sorted.

    Equivalent vacancies price exactly alike (the weight depends only on the household), so
    ties are broken by a fixed pseudo-random order of the pairs: otherwise all households
    crowd onto the same lowest-numbered vacancies, which costs pricing rounds. k passes of a
    per-household maximum (linear time) instead of a sort."""
    return best_per_household(data, candidates, score[candidates], k)


def best_per_household(data: RoundData, candidates: I64, values: F64, k: int) -> I64:
    """`top_per_household` with the scores of the candidates given (aligned with them)."""
    n = len(candidates)
    if n == 0:
        return candidates
    jitter = (_scramble(candidates) & 0xFFFFF).astype(np.float64) * (JITTER / 0x100000)
    values = values + jitter
    owner = data.pair_household[candidates]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    picked: list[I64] = []
    for _ in range(k):
        best = np.maximum.reduceat(values, starts)
        hit = np.flatnonzero((values == best[segment]) & (values > -np.inf))
        if len(hit) == 0:
            break
        first = hit[np.r_[True, segment[hit][1:] != segment[hit][:-1]]]
        picked.append(first)
        values[first] = -np.inf
    return np.sort(candidates[np.concatenate(picked)])


def household_ranges(data: RoundData, households: I64) -> I64:
    """The pairs of the given households (positions into `household_starts`), in order."""
    starts = data.household_starts
    ends = np.r_[starts[1:], data.n_pairs]
    return ranges(starts[households], ends[households] - starts[households])


@dataclass
class Pricing:
    """One pricing round: the best reduced cost of each household with pairs, and the
    improving pairs not yet in the master (sorted) with their reduced costs."""

    household_best: F64
    candidates: I64
    candidate_rc: F64


def price(data: RoundData, rows: Rows, duals: F64, in_cols: Bools, buffer: F64) -> Pricing:
    """Price every pair against sign-valid duals in one pass over the pairs: the vacancy side
    of each reduced cost is gathered (into `buffer`), its minimum per household gives every
    household's best reduced cost, and only the households with an improving one are looked
    at pair by pair. Leaves `buffer` holding either the vacancy side or, when most households
    improve, the reduced costs themselves (`reduced_costs` gives them for sure)."""
    sums = dual_sums(data, rows, duals)
    value = data.household_weight - sums.household
    starts = data.household_starts
    vacancy_side = vacancy_duals(data, sums, buffer)
    best = value[data.pair_household[starts]] - np.minimum.reduceat(vacancy_side, starts)
    hot = np.flatnonzero(best > EPS)
    if len(hot) > len(best) // 3:
        rc = gather(value, data.pair_household, buffer, subtract_from=True)
        candidates = np.flatnonzero(rc > EPS)
        candidate_rc = rc[candidates]
    else:
        candidates = household_ranges(data, hot)
        candidate_rc = value[data.pair_household[candidates]] - vacancy_side[candidates]
        keep = candidate_rc > EPS
        candidates, candidate_rc = candidates[keep], candidate_rc[keep]
    fresh = ~in_cols[candidates]
    return Pricing(best, candidates[fresh], candidate_rc[fresh])


def column_generation(data: RoundData, clock: Clock, seed: int, report: Reporter) -> Relaxation:
    """Solve the primary relaxation over all pairs (see the module docstring)."""
    master = Master(data, seed=seed)
    cols = initial_columns(data, INITIAL_COLUMNS_PER_HOUSEHOLD)
    start = greedy(data) if CRASH_START else np.zeros(0, dtype=np.int64)
    in_cols = np.zeros(data.n_pairs, dtype=bool)
    in_cols[cols] = True
    in_cols[start] = True
    cols = np.flatnonzero(in_cols)
    master.add(cols)
    if len(start):
        master.start_from(start)
    rounds = 0
    iterations: list[int] = []
    # One buffer for the reduced costs of every round: a fresh array of this size each round
    # costs its page faults again.
    rc_buffer = np.empty(data.n_pairs, dtype=np.float64)
    best_bound = float(data.household_weight[data.pair_household[data.household_starts]].sum())
    while True:
        rounds += 1
        if clock.elapsed() > RELAXATION_SHARE * clock.limit:
            raise OutOfTime(master.cols, best_bound)
        if not master.solve(max(0.05, RELAXATION_SHARE * clock.limit - clock.elapsed())):
            raise OutOfTime(master.cols, best_bound)
        iterations.append(master.iterations())
        duals = sign_valid_duals(data, master.rows, master.duals())
        pricing = price(data, master.rows, duals, in_cols, rc_buffer)
        bound = lagrangian_bound(data, master.rows, duals, household_best=pricing.household_best)
        best_bound = min(best_bound, bound)
        report("relaxation", pricing_round=rounds, bound=best_bound)
        if len(pricing.candidates) == 0:
            rc = reduced_costs(data, master.rows, duals, out=rc_buffer)
            x = master.values()
            order = np.argsort(master.cols, kind="stable")
            return Relaxation(
                value=master.objective(),
                rc=rc,
                cols=master.cols[order],
                x=x[order],
                shortfall=master.slack_value(),
                rounds=rounds,
                iterations=iterations,
            )
        added = best_per_household(
            data, pricing.candidates, pricing.candidate_rc, PRICED_COLUMNS_PER_HOUSEHOLD
        )
        in_cols[added] = True
        master.add(added)
