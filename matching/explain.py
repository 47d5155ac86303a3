"""Why each proposal, why each household is unmatched.

For an assignment: its score breakdown (weight, preferred area, spare rooms) and contract form.
For an unmatched household: how many vacancies failed each eligibility rule (first failing
rule per vacancy) and, when it had eligible vacancies, what took them: another household, a
landlord's quota, an area cap or a landlord's exception quota.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.eligibility import (
    RULES,
    EligiblePairs,
    check_pair,
    eligible_pairs,
    failure_counts,
)
from matching.problem import Assignment, Problem, Score, Solution, Unmatched

if TYPE_CHECKING:
    from matching.model import RoundData
    from matching.solve import Outcome

TAKEN = "higher-priority households"


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
    counts = failure_counts(problem, indices.tolist())
    if pairs is None:
        pairs = eligible_pairs(problem)
    n_l, n_a = len(problem.landlords), len(problem.areas)
    land_index = {lo.id: i for i, lo in enumerate(problem.landlords)}
    area_index = {a.id: i for i, a in enumerate(problem.areas)}
    v_land = np.array([land_index[v.landlord] for v in problem.vacancies], dtype=np.int64)
    v_area = np.array([area_index[v.area] for v in problem.vacancies], dtype=np.int64)
    taken = np.zeros(len(problem.vacancies), dtype=bool)
    per_landlord = np.zeros(n_l, dtype=np.int64)
    per_area = np.zeros(n_a, dtype=np.int64)
    exceptions = np.zeros(n_l, dtype=np.int64)
    for hid, vid in assigned.items():
        vi = problem.index_of("vacancy", vid)
        taken[vi] = True
        per_landlord[v_land[vi]] += 1
        per_area[v_area[vi]] += 1
        if check_pair(problem, problem.household(hid), problem.vacancy(vid)).exception:
            exceptions[v_land[vi]] += 1
    quota = np.array([lo.quota for lo in problem.landlords], dtype=np.int64)
    exc_quota = np.array([lo.exception_quota for lo in problem.landlords], dtype=np.int64)
    caps = np.array([a.cap if a.cap is not None else -1 for a in problem.areas], dtype=np.int64)
    quota_full = per_landlord >= quota
    cap_full = (caps >= 0) & (per_area >= caps)
    exc_full = exceptions >= exc_quota
    labels = (
        [TAKEN]
        + [f"quota of landlord {lo.id}" for lo in problem.landlords]
        + [f"area cap {a.id}" for a in problem.areas]
        + [f"exception quota of landlord {lo.id}" for lo in problem.landlords]
        + ["time limit (not proven optimal)"]
    )
    # The blocker of each eligible pair of an unmatched household, as an index into labels.
    local = np.full(len(problem.households), -1, dtype=np.int64)
    local[indices] = np.arange(len(indices))
    mine = local[pairs.household] >= 0
    pv = pairs.vacancy[mine]
    pl, pa = v_land[pv], v_area[pv]
    key = np.where(
        taken[pv],
        0,
        np.where(
            quota_full[pl],
            1 + pl,
            np.where(
                cap_full[pa],
                1 + n_l + pa,
                np.where(
                    pairs.exception[mine] & exc_full[pl], 1 + n_l + n_a + pl, 1 + 2 * n_l + n_a
                ),
            ),
        ),
    )
    who = local[pairs.household[mine]]
    combo, freq = np.unique(who * len(labels) + key, return_counts=True)
    blockers: dict[int, list[tuple[int, str]]] = {}
    for c, f in zip(combo.tolist(), freq.tolist(), strict=True):
        blockers.setdefault(c // len(labels), []).append((f, labels[c % len(labels)]))
    eligible_count = np.bincount(who, minlength=len(indices))
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
        out.append(
            Unmatched(household=hid, eligible_vacancies=eligible, failed=failed, reason=reason)
        )
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
            assigned[problem.households[int(data.ph[p])].id] = problem.vacancies[int(data.pv[p])].id
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
