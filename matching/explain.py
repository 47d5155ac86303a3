"""Why each proposal, why each household is unmatched.

For an assignment: its score breakdown (weight, preferred area, spare rooms) and contract form.
For an unmatched household: how many vacancies failed each eligibility rule (first failing
rule per vacancy) and, when it had eligible vacancies, what took them: another household, a
landlord's quota, an area cap or a landlord's exception quota.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from matching.eligibility import RULES, check_pair, eligible_pairs, failure_counts
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
    problem: Problem, assigned: dict[str, str], unmatched_ids: list[str]
) -> list[Unmatched]:
    """Failure counts and the blocking reason of every unmatched household."""
    if not unmatched_ids:
        return []
    indices = [problem.index_of("household", hid) for hid in unmatched_ids]
    counts = failure_counts(problem, indices)
    pairs = eligible_pairs(problem)
    taken_by = {vid: hid for hid, vid in assigned.items()}
    per_landlord = Counter(problem.vacancy(v).landlord for v in taken_by)
    per_area = Counter(problem.vacancy(v).area for v in taken_by)
    exceptions = Counter(
        problem.vacancy(vid).landlord
        for hid, vid in assigned.items()
        if check_pair(problem, problem.household(hid), problem.vacancy(vid)).exception
    )
    starts = np.searchsorted(pairs.household, np.arange(len(problem.households) + 1))
    out = []
    for row, (hid, hi) in enumerate(zip(unmatched_ids, indices, strict=True)):
        failed = {RULES[k]: int(c) for k, c in enumerate(counts[row]) if c}
        lo, hi_end = int(starts[hi]), int(starts[hi + 1])
        eligible = hi_end - lo
        if eligible == 0:
            if failed:
                top = max(failed.items(), key=lambda kv: (kv[1], -RULES.index(kv[0])))[0]
                reason = f"no eligible vacancy: {top}"
            else:
                reason = "no eligible vacancy: no open vacancies"
        else:
            blockers: Counter[str] = Counter()
            for vi, exc in zip(
                pairs.vacancy[lo:hi_end].tolist(), pairs.exception[lo:hi_end].tolist(), strict=True
            ):
                v = problem.vacancies[vi]
                landlord = problem.landlord(v.landlord)
                area = problem.area(v.area)
                if v.id in taken_by:
                    blockers[TAKEN] += 1
                elif per_landlord[landlord.id] >= landlord.quota:
                    blockers[f"quota of landlord {landlord.id}"] += 1
                elif area.cap is not None and per_area[area.id] >= area.cap:
                    blockers[f"area cap {area.id}"] += 1
                elif exc and exceptions[landlord.id] >= landlord.exception_quota:
                    blockers[f"exception quota of landlord {landlord.id}"] += 1
                else:
                    blockers["time limit (not proven optimal)"] += 1
            # A free vacancy held back by a round constraint says more than a taken one.
            held = {k: c for k, c in blockers.items() if k != TAKEN}
            reason = min((held or blockers).items(), key=lambda kv: (-kv[1], kv[0]))[0]
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
    seconds: float,
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
        unmatched = tuple(unmatched_reasons(problem, assigned, unmatched_ids))
    objective = sum(a.score.weight for a in assignments)
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
