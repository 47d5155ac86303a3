"""The greedy matching: households by weight, every declared family's capacity respected;
floors are filled first, as far as they can be.

Two uses: the crash start of column generation (`matching.colgen` makes its pairs the first
basis of the master, so the simplex starts from a good feasible solution instead of from
nothing) and the fallback when the time limit ends the exact method.

Each household, in order, takes its eligible pair whose rows are least over-demanded: the
*scarcity* of a pair is Σ over the ceiling families of (candidate pairs in its row) /
(capacity of its row) — the vacancy row counts the vacancy's competitors, a landlord's quota
or an area cap how contested that landlord or area is — so popular landlords and areas are
left to the households that have no alternative. The families are read by their `key_by`
(vacancy, exception vacancy, household), so a new declared family is honoured here too.
"""

from __future__ import annotations

import numpy as np

from matching.blocks import count
from matching.model import F64, I64, Bools, Ints, RoundData

#: Tie-breaking between equally scarce vacancies (a pseudo-random fraction, far below one).
TIE_BREAK = 1e-3


class _Rules:
    """The ceiling families folded per vacancy, per exception vacancy and per household: the
    capacity left of each key and the scarcity of taking each vacancy, `cost[2v]` as a normal
    pair and `cost[2v + 1]` as an exception pair — infinite once one of its rows is full."""

    def __init__(self, data: RoundData, vacancy: Ints, exception: Bools) -> None:
        n_v = data.n_vacancies
        by_kind = count(vacancy, n_v, flag=exception).astype(np.float64)
        degree = {
            "vacancy": by_kind[0::2] + by_kind[1::2],
            "exception_vacancy": by_kind[1::2],
        }
        score = {kind: np.zeros(n_v, dtype=np.float64) for kind in degree}
        score["vacancy"] += (np.arange(n_v) * 0.6180339887498949 % 1.0) * TIE_BREAK
        closed = {kind: np.zeros(n_v, dtype=bool) for kind in degree}
        #: (kind, key of each vacancy, capacity left, vacancies by key, start of each key)
        self.by_vacancy: list[tuple[str, I64, F64, I64, I64]] = []
        self.by_household: list[tuple[I64, F64]] = []
        #: Rows only the households not moving on count in (key of each vacancy, capacity
        #: left), and the vacancies such a full row closes to them.
        self.moving_on = data.layout.household_moving_on
        self.by_ordinary: list[tuple[I64, F64]] = []
        self.closed_to_ordinary = np.zeros(n_v, dtype=bool)
        for fr in data.families:
            if fr.family.soft:
                continue
            left = np.where(fr.active, fr.capacity, np.inf).astype(np.float64)
            kind = fr.family.key_by
            if kind == "household":
                self.by_household.append((fr.entity_key, left))
                continue
            if kind == "ordinary_vacancy":
                key = fr.entity_key
                if np.any(key >= 0):
                    self.by_ordinary.append((key, left))
                    self.closed_to_ordinary |= (key >= 0) & (left[np.maximum(key, 0)] < 1)
                continue
            key = fr.entity_key
            inside = key >= 0
            demand = np.bincount(key[inside], weights=degree[kind][inside], minlength=len(left))
            ratio = demand / np.maximum(left, 0.5)
            score[kind][inside] += ratio[key[inside]]
            closed[kind] |= inside & (left[np.maximum(key, 0)] < 1)
            order = np.argsort(key, kind="stable")
            bounds = np.searchsorted(key[order], np.arange(len(left) + 1))
            self.by_vacancy.append((kind, key, left, order, bounds))
        self.cost = np.empty(2 * n_v, dtype=np.float64)
        self.cost[0::2] = np.where(closed["vacancy"], np.inf, score["vacancy"])
        self.cost[1::2] = np.where(
            closed["vacancy"] | closed["exception_vacancy"],
            np.inf,
            score["vacancy"] + score["exception_vacancy"],
        )

    def closed_to(self, h: int, vacancy: Ints) -> F64 | None:
        """For a household not moving on: ∞ on the vacancies a full row of its own closes
        (None when there is none: nothing to add)."""
        if self.moving_on[h] or not self.by_ordinary:
            return None
        return np.where(self.closed_to_ordinary[vacancy], np.inf, 0.0)

    def household_has_room(self, h: int) -> bool:
        return all(key[h] < 0 or left[key[h]] >= 1 for key, left in self.by_household)

    def use(self, h: int, v: int, exception: bool) -> None:
        """Count the pair (h, v) against every family; close the keys that become full."""
        for key, left in self.by_household:
            if key[h] >= 0:
                left[key[h]] -= 1
        if not self.moving_on[h]:
            for key, left in self.by_ordinary:
                k = int(key[v])
                if k >= 0:
                    left[k] -= 1
                    if left[k] < 1:
                        self.closed_to_ordinary[key == k] = True
        for kind, key, left, order, bounds in self.by_vacancy:
            k = int(key[v])
            if k < 0 or (kind == "exception_vacancy" and not exception):
                continue
            left[k] -= 1
            if left[k] < 1:
                full = order[bounds[k] : bounds[k + 1]]
                self.cost[2 * full + 1] = np.inf
                if kind == "vacancy":
                    self.cost[2 * full] = np.inf


def greedy(data: RoundData, cols: I64 | None = None) -> I64:
    """A feasible solution over the candidate pairs `cols` (default: every pair), returned
    as sorted pairs."""
    if cols is None:
        household, vacancy, exception = data.pair_household, data.pair_vacancy, data.pair_exception
        starts = data.household_starts
    else:
        cols = np.sort(np.asarray(cols, dtype=np.int64))
        # (np.unique hashes: slower than a sort on millions of pairs)
        cols = cols[np.r_[True, cols[1:] != cols[:-1]]] if len(cols) else cols
        household = data.pair_household[cols]
        vacancy = data.pair_vacancy[cols]
        exception = data.pair_exception[cols]
        starts = np.flatnonzero(np.r_[True, household[1:] != household[:-1]]) if len(cols) else cols
    if len(household) == 0:
        return np.zeros(0, dtype=np.int64)
    rules = _Rules(data, vacancy, exception)
    ends = np.r_[starts[1:], len(household)]
    households = household[starts].astype(np.int64)
    cost = rules.cost
    chosen: list[int] = []

    def take(i: int) -> bool:
        h = int(households[i])
        if not rules.household_has_room(h):
            return False
        s, e = int(starts[i]), int(ends[i])
        side = 2 * vacancy[s:e].astype(np.intp)
        side += exception[s:e]
        score = cost[side]
        closed = rules.closed_to(h, vacancy[s:e])
        if closed is not None:
            score = score + closed
        j = int(np.argmin(score))
        if score[j] == np.inf:
            return False
        rules.use(h, int(vacancy[s + j]), bool(exception[s + j]))
        chosen.append(s + j if cols is None else int(cols[s + j]))
        return True

    order = np.lexsort((households, -data.household_weight[households]))
    done = np.zeros(len(households), dtype=bool)
    for fr in data.families:
        if not fr.family.soft:
            continue
        need = np.where(fr.active, fr.capacity, 0.0)
        keys_h = fr.entity_key[households]
        for i in order[keys_h[order] >= 0].tolist():
            k = int(keys_h[i])
            if need[k] >= 1 and not done[i] and take(i):
                done[i] = True
                need[k] -= 1
    for i in order.tolist():
        if not done[i]:
            take(i)
    return np.sort(np.asarray(chosen, dtype=np.int64))
