"""Why each proposal, why each household is unmatched.

For an assignment: its score breakdown (weight, preferred area, spare rooms) and contract form.
For an unmatched household: how many vacancies failed each eligibility rule (`failed`: the
first failing rule per vacancy; `failing`: every failing rule, so a second cause is not hidden
behind the first) and, when it had eligible vacancies, what took them: another household, a
landlord's quota, an area cap or a landlord's exception quota.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matching.blocks import ranges
from matching.constraints import FAMILIES, TAKEN, Family, layout
from matching.eligibility import (
    RULES,
    EligiblePairs,
    check_pair,
    eligible_pairs,
    every_failure_counts,
    failure_counts,
)
from matching.outcome import Outcome
from matching.problem import Assignment, Problem, Score, Solution, Unmatched

if TYPE_CHECKING:
    from matching.model import RoundData

__all__ = ["TAKEN", "assignment_of", "build_solution", "report", "score_of", "unmatched_reasons"]

#: Pairs per block when counting what holds the unmatched households' pairs back.
BLOCK = 1 << 18

#: The label of a pair held back by nothing but the time limit.
TIME_LIMIT = "time limit (not proven optimal)"


def blocking_families() -> tuple[Family, ...]:
    """The families that can hold a free pair back, in the order explanations try them."""
    return tuple(f for f in FAMILIES if not f.assignment and not f.soft)


def score_of(problem: Problem, household_id: str, vacancy_id: str) -> Score:
    """The score breakdown of one assignment."""
    h = problem.household(household_id)
    v = problem.vacancy(vacancy_id)
    return Score(
        weight=h.weight,
        preferred_area=v.area in h.preferred_areas,
        spare_rooms=v.rooms - h.rooms_min,
    )


def assignment_of(problem: Problem, household_id: str, vacancy_id: str) -> Assignment:
    """An assignment with its contract form, exception flag and score."""
    check = check_pair(problem, problem.household(household_id), problem.vacancy(vacancy_id))
    if check.reason is not None or check.contract_form is None:
        raise ValueError(f"pair {household_id}–{vacancy_id} is not eligible: {check.reason}")
    return Assignment(
        household=household_id,
        vacancy=vacancy_id,
        contract_form=check.contract_form,
        exception=check.exception,
        score=score_of(problem, household_id, vacancy_id),
    )


def unmatched_reasons(
    problem: Problem,
    assigned: dict[str, str],
    unmatched_ids: list[str],
    pairs: EligiblePairs | None = None,
) -> list[Unmatched]:
    """Failure counts and the blocking reason of every unmatched household."""
    if not unmatched_ids:
        return []
    indices = np.array([problem.index_of("household", hid) for hid in unmatched_ids], dtype=int)
    if pairs is None:
        pairs = eligible_pairs(problem)
    counts = failure_counts(problem, indices.tolist(), pairs)
    every = every_failure_counts(problem, indices.tolist())
    lay = layout(problem)
    n_v = len(problem.vacancies)
    assigned_h = np.array([problem.index_of("household", hid) for hid in assigned], dtype=np.int64)
    assigned_v = np.array(
        [problem.index_of("vacancy", vid) for vid in assigned.values()], dtype=np.int64
    )
    # Pairs are sorted by household, then vacancy: each household's pairs are one range.
    bounds = np.searchsorted(pairs.household, np.arange(len(problem.households) + 1))
    assigned_e = np.array(
        [
            _exception_of(problem, pairs, bounds, h, v)
            for h, v in zip(assigned_h.tolist(), assigned_v.tolist(), strict=True)
        ],
        dtype=bool,
    )
    # The blocker of each eligible pair of an unmatched household: the first family (in
    # declaration order) whose row of the pair is full, as an index into `labels`. Every key
    # is a function of the vacancy (as any pair or as an exception pair) or of the household,
    # so the first full row is found per vacancy and per household, then read per pair.
    sizes = bounds[indices + 1] - bounds[indices]
    labels: list[str] = [TIME_LIMIT]
    label_id: dict[str, int] = {TIME_LIMIT: 0}
    families = blocking_families()
    # Per vacancy (as a normal pair and as an exception pair) and per household: the rank of
    # the first blocking family (len(families): none) and its label.
    vacancy_rank = np.full(2 * n_v, len(families), dtype=np.int64)
    vacancy_label = np.zeros(2 * n_v, dtype=np.int64)
    household_rank = np.full(len(problem.households), len(families), dtype=np.int64)
    household_label = np.zeros(len(problem.households), dtype=np.int64)
    # Per vacancy, for the households not moving on only (key_by="ordinary_vacancy").
    ordinary_rank = np.full(n_v, len(families), dtype=np.int64)
    ordinary_label = np.zeros(n_v, dtype=np.int64)
    for rank, f in enumerate(families):
        capacity = f.capacity(problem)
        used = np.bincount(
            _keys_in(f.pair_key(lay, assigned_h, assigned_v, assigned_e)),
            minlength=len(capacity),
        )
        full = np.isfinite(capacity) & (used >= capacity)
        ids = np.zeros(len(capacity), dtype=np.int64)
        for k in np.flatnonzero(full).tolist():
            text = f.label(problem, k)
            ids[k] = label_id.setdefault(text, len(labels))
            if ids[k] == len(labels):
                labels.append(text)
        entity = f.entity_key(lay)
        blocked = (entity >= 0) & full[np.maximum(entity, 0)]
        label = ids[np.maximum(entity, 0)]
        if f.key_by == "household":
            unset = blocked & (household_rank == len(families))
            household_rank[unset] = rank
            household_label[unset] = label[unset]
            continue
        if f.key_by == "ordinary_vacancy":
            unset = blocked & (ordinary_rank == len(families))
            ordinary_rank[unset] = rank
            ordinary_label[unset] = label[unset]
            continue
        # Entry 2v: vacancy v as a normal pair, 2v + 1: as an exception pair.
        if f.key_by == "vacancy":
            blocked, label = np.repeat(blocked, 2), np.repeat(label, 2)
        else:  # exception_vacancy: only the exception pairs
            blocked = np.c_[np.zeros(n_v, dtype=bool), blocked].ravel()
            label = np.c_[np.zeros(n_v, dtype=np.int64), label].ravel()
        unset = blocked & (vacancy_rank == len(families))
        vacancy_rank[unset] = rank
        vacancy_label[unset] = label[unset]
    # Blockers counted per (unmatched household, label), a block of households at a time
    # (small temporaries instead of several arrays over every pair of every such household).
    n_labels = len(labels)
    by_household = bool(np.any(household_rank < len(families)))
    by_ordinary = bool(np.any(ordinary_rank < len(families)))
    counts_by_combo = np.zeros(len(indices) * n_labels, dtype=np.int64)
    ends = np.cumsum(sizes)
    first = 0
    while first < len(indices):
        last = max(first + 1, int(np.searchsorted(ends, ends[first] - sizes[first] + BLOCK)))
        mine = ranges(bounds[indices[first:last]], sizes[first:last])
        who = np.repeat(np.arange(last - first, dtype=np.int64), sizes[first:last])
        side = 2 * pairs.vacancy[mine].astype(np.int64) + pairs.exception[mine]
        key = vacancy_label[side]
        first_rank = vacancy_rank[side]
        owner = indices[first:last][who]
        if by_ordinary:
            v = pairs.vacancy[mine]
            ordinary_first = ~lay.household_moving_on[owner] & (ordinary_rank[v] < first_rank)
            first_rank = np.where(ordinary_first, ordinary_rank[v], first_rank)
            key = np.where(ordinary_first, ordinary_label[v], key)
        if by_household:
            household_first = household_rank[owner] < first_rank
            key = np.where(household_first, household_label[owner], key)
        counts_by_combo[first * n_labels : last * n_labels] += np.bincount(
            who * n_labels + key, minlength=(last - first) * n_labels
        )
        first = last
    combo = np.flatnonzero(counts_by_combo)
    freq = counts_by_combo[combo]
    blockers: dict[int, list[tuple[int, str]]] = {}
    for c, f_count in zip(combo.tolist(), freq.tolist(), strict=True):
        blockers.setdefault(c // n_labels, []).append((f_count, labels[c % n_labels]))
    eligible_count = sizes
    out = []
    for row, hid in enumerate(unmatched_ids):
        failed = {RULES[k]: int(c) for k, c in enumerate(counts[row]) if c}
        eligible = int(eligible_count[row])
        if eligible == 0:
            if failed:
                top = max(failed.items(), key=lambda kv: (kv[1], -RULES.index(kv[0])))[0]
                reason = f"no eligible vacancy: {top}"
            else:
                reason = "no eligible vacancy: no open vacancies"
        else:
            found = blockers[row]
            # A free vacancy held back by a round constraint says more than a taken one.
            held = [b for b in found if b[1] != TAKEN] or found
            reason = min(held, key=lambda b: (-b[0], b[1]))[1]
        failing = {RULES[k]: int(c) for k, c in enumerate(every[row]) if c}
        out.append(
            Unmatched(
                household=hid,
                eligible_vacancies=eligible,
                failed=failed,
                reason=reason,
                failing=failing,
            )
        )
    return out


def _exception_of(
    problem: Problem, pairs: EligiblePairs, bounds: npt.NDArray[np.intp], h: int, v: int
) -> bool:
    """Whether the eligible pair (h, v) is an exception place (looked up among the pairs)."""
    lo, hi = int(bounds[h]), int(bounds[h + 1])
    at = lo + int(np.searchsorted(pairs.vacancy[lo:hi], v))
    if at < hi and int(pairs.vacancy[at]) == v:
        return bool(pairs.exception[at])
    household, vacancy = problem.households[h], problem.vacancies[v]
    return check_pair(problem, household, vacancy).exception


def _keys_in(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return keys[keys >= 0]


def shortfalls(problem: Problem, assigned: dict[str, str]) -> dict[str, int]:
    """Per floor family, its stats key and how far the assignments stay below it (pins
    included; 0 when met)."""
    lay = layout(problem)
    h = np.array([problem.index_of("household", hid) for hid in assigned], dtype=np.int64)
    v = np.array([problem.index_of("vacancy", vid) for vid in assigned.values()], dtype=np.int64)
    e = np.zeros(len(h), dtype=bool)
    out: dict[str, int] = {}
    for f in FAMILIES:
        if f.soft:
            capacity = f.capacity(problem)
            got = np.bincount(_keys_in(f.pair_key(lay, h, v, e)), minlength=len(capacity))
            out[f.shortfall_stat] = int(np.maximum(capacity - got, 0).sum())
    return out


def build_solution(
    problem: Problem,
    data: RoundData,
    pins: list[tuple[int, int, bool]],
    outcome: Outcome,
    stats: dict[str, Any],
    started: float,
    pairs: EligiblePairs | None = None,
) -> Solution:
    """Turn the solver's chosen pairs into a documented `Solution` with explanations."""
    assigned: dict[str, str] = {}
    if outcome.status != "infeasible":
        for hi, vi, _ in pins:
            assigned[problem.households[hi].id] = problem.vacancies[vi].id
        for p in outcome.chosen.tolist():
            assigned[problem.households[int(data.pair_household[p])].id] = problem.vacancies[
                int(data.pair_vacancy[p])
            ].id
    order = {h.id: i for i, h in enumerate(problem.households)}
    assignments = tuple(
        assignment_of(problem, hid, assigned[hid])
        for hid in sorted(assigned, key=order.__getitem__)
    )
    unmatched_ids = [h.id for h in problem.households if h.id not in assigned]
    if outcome.status == "infeasible":
        unmatched: tuple[Unmatched, ...] = ()
    else:
        unmatched = tuple(unmatched_reasons(problem, assigned, unmatched_ids, pairs))
    objective = sum(a.score.weight for a in assignments)
    seconds = time.perf_counter() - started
    if outcome.status != "infeasible":
        stats = {**stats, **shortfalls(problem, assigned)}
    stats = {"seconds": round(seconds, 3), **stats, **outcome.stats}
    return Solution(
        status=outcome.status,
        objective=objective,
        bound=max(outcome.bound, objective) if outcome.status != "infeasible" else 0,
        assignments=assignments,
        unmatched=unmatched,
        stats=stats,
        reason=outcome.reason,
    )


def report(problem: Problem, solution: Solution) -> str:
    """A readable report of a solution for a coordinator."""
    lines = [
        f"Round for municipality {problem.municipality}: status {solution.status}",
        f"  objective {solution.objective} (bound {solution.bound}), "
        f"{len(solution.assignments)} of {len(problem.households)} households housed, "
        f"{len(problem.vacancies)} vacancies",
    ]
    if solution.reason:
        lines.append(f"  reason: {solution.reason}")
    tiers = solution.stats.get("tiers")
    if isinstance(tiers, dict) and tiers:
        lines.append("  tiers: " + ", ".join(f"{k} {v}" for k, v in tiers.items()))
    by_landlord = Counter(problem.vacancy(a.vacancy).landlord for a in solution.assignments)
    lines.append("")
    lines.append("Placements per landlord (placed / quota):")
    for lo in problem.landlords:
        lines.append(f"  {lo.id:<10} {by_landlord[lo.id]:>5} / {lo.quota}")
    lines.append("")
    lines.append("Proposals:")
    for a in solution.assignments:
        s = a.score
        lines.append(
            f"  {a.household} → {a.vacancy}  {a.contract_form}"
            + (" (exception place)" if a.exception else "")
            + f"  weight {s.weight}, "
            + ("preferred area, " if s.preferred_area else "")
            + f"{s.spare_rooms} spare room(s)"
        )
    lines.append("")
    lines.append("Unmatched:")
    for u in solution.unmatched:
        failed = ", ".join(f"{k} {v}" for k, v in u.failed.items()) or "none"
        lines.append(
            f"  {u.household}: {u.reason}; eligible vacancies {u.eligible_vacancies}; "
            f"failed rules: {failed}"
        )
    return "\n".join(lines) + "\n"
