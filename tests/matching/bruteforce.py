"""Reference checks: every hard rule of a solution, and the optimum by enumeration."""

from __future__ import annotations

from collections import Counter

from matching.eligibility import check_pair
from matching.problem import Problem, Solution


def assert_hard_rules(p: Problem, s: Solution) -> None:
    """Every assignment eligible, one-to-one, quotas (quota apartments only; a household
    moving on takes a place outside the quota first while one is left), caps, pins,
    newly-arrived minimum, and the reported objective equal to the recomputed one."""
    hs = [a.household for a in s.assignments]
    vs = [a.vacancy for a in s.assignments]
    assert len(set(hs)) == len(hs), "a household got two vacancies"
    assert len(set(vs)) == len(vs), "a vacancy went to two households"
    per_landlord: Counter[str] = Counter()
    moving_on: Counter[str] = Counter()
    exceptions: Counter[str] = Counter()
    per_area: Counter[str] = Counter()
    for a in s.assignments:
        h, v = p.household(a.household), p.vacancy(a.vacancy)
        check = check_pair(p, h, v)
        assert check.eligible, (a, check.reason)
        assert a.exception == check.exception
        assert a.contract_form == check.contract_form
        assert a.score.weight == h.weight
        per_landlord[v.landlord] += int(v.quota_apartment and not h.moving_on)
        moving_on[v.landlord] += int(v.quota_apartment and h.moving_on)
        exceptions[v.landlord] += int(check.exception)
        per_area[v.area] += 1
    for lo in p.landlords:
        beyond = max(0, moving_on[lo.id] - lo.move_on_outside_quota)
        assert per_landlord[lo.id] + beyond <= lo.quota, lo.id
        assert exceptions[lo.id] <= lo.exception_quota, lo.id
    for area in p.areas:
        if area.cap is not None:
            assert per_area[area.id] <= area.cap, area.id
    pairs = set(zip(hs, vs, strict=True))
    for pin in p.pinned:
        assert pin in pairs, pin
    newly = sum(p.household(h).newly_arrived for h in hs)
    if s.status != "infeasible":
        assert s.stats["newly_arrived_shortfall"] == max(0, p.newly_arrived_min - newly)
    assert s.objective == sum(p.household(h).weight for h in hs)
    assert s.bound >= s.objective
    assert {u.household for u in s.unmatched} == {h.id for h in p.households} - set(hs)


def brute_force_optimum(p: Problem) -> int | None:
    """The best Σ weight over every feasible matching (None if none is feasible: only
    conflicting pins), lexicographically after the newly-arrived floor: the matchings that
    house the most newly arrived households up to `newly_arrived_min` come first."""
    result = brute_force_lexicographic(p)
    return None if result is None else result[1]


def brute_force_lexicographic(p: Problem) -> tuple[int, int] | None:
    """(shortfall below the newly-arrived floor, best Σ weight at that shortfall)."""
    options = []
    for h in p.households:
        row: list[tuple[str, str, str, bool, int]] = []
        for v in p.vacancies:
            check = check_pair(p, h, v)
            if check.eligible:
                row.append((v.id, v.landlord, v.area, check.exception, int(v.quota_apartment)))
        options.append(row)
    pinned = dict(p.pinned)
    if len(set(pinned.values())) != len(pinned) or len(pinned) != len(p.pinned):
        return None
    quota = {lo.id: lo.quota for lo in p.landlords}
    outside = {lo.id: lo.move_on_outside_quota for lo in p.landlords}
    exc = {lo.id: lo.exception_quota for lo in p.landlords}
    cap = {a.id: a.cap for a in p.areas}
    best: tuple[int, int] | None = None  # (−shortfall, total)

    def walk(
        i: int,
        used: set[str],
        land: Counter[str],
        outs: Counter[str],
        excs: Counter[str],
        area: Counter[str],
        newly: int,
        total: int,
    ) -> None:
        nonlocal best
        if i == len(p.households):
            key = (-max(0, p.newly_arrived_min - newly), total)
            if best is None or key > best:
                best = key
            return
        h = p.households[i]
        if h.id not in pinned:
            walk(i + 1, used, land, outs, excs, area, newly, total)
        for vid, lid, aid, is_exc, in_quota in options[i]:
            if h.id in pinned and pinned[h.id] != vid:
                continue
            # A household moving on takes an outside place while one is left: never worse,
            # as no other household can use it (Helsingborg Delmål 3).
            out = int(bool(in_quota) and h.moving_on and outs[lid] < outside[lid])
            on_quota = in_quota - out
            if vid in used or (on_quota and land[lid] >= quota[lid]):
                continue
            if is_exc and excs[lid] >= exc[lid]:
                continue
            c = cap[aid]
            if c is not None and area[aid] >= c:
                continue
            used.add(vid)
            land[lid] += on_quota
            outs[lid] += out
            excs[lid] += int(is_exc)
            area[aid] += 1
            walk(
                i + 1, used, land, outs, excs, area, newly + int(h.newly_arrived), total + h.weight
            )
            used.discard(vid)
            land[lid] -= on_quota
            outs[lid] -= out
            excs[lid] -= int(is_exc)
            area[aid] -= 1

    walk(0, set(), Counter(), Counter(), Counter(), Counter(), 0, 0)
    return None if best is None else (-best[0], best[1])
