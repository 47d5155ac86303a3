"""The optimisation model over eligible pairs: the round's arrays, the rows of every declared
constraint family (`matching.constraints.FAMILIES`), pricing, the Lagrangian bound and the
three objective tiers.

The model is written as an `MPModelProto` over a chosen subset of the eligible pairs
("columns"), so the same code builds the linear relaxations and the integer programs solved by
HiGHS or CP-SAT. Pins are applied before the model is built: pinned households and vacancies
leave the model and the capacities they use are subtracted, family by family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import linear_solver_pb2 as pb

from matching.blocks import count, gather, ranges
from matching.constraints import (
    F64,
    FAMILIES,
    I64,
    Bools,
    Family,
    Ints,
    Layout,
    active_keys,
    layout,
)
from matching.eligibility import EligiblePairs
from matching.problem import Problem

__all__ = ["F64", "I64", "Bools", "Ints", "count", "gather", "ranges"]

#: Fit points (tier 3): a preferred area is worth this much …
FIT_PREFERRED_AREA = 100
#: … each spare room costs this much …
FIT_PER_SPARE_ROOM = 10
#: … and the rent burden (rent / max_rent, 0 … 1) costs up to this much.
FIT_RENT_BURDEN = 10


@dataclass
class FamilyRows:
    """One declared family in a round after pins: the key of every free pair and the
    capacity left per key."""

    family: Family
    entity_key: I64
    pair_key: Ints
    capacity: F64

    @property
    def active(self) -> Bools:
        """Keys with a row."""
        return active_keys(self.family, self.capacity)


@dataclass
class RoundData:
    """The numeric form of a round after pins: arrays indexed by household, vacancy, landlord
    and eligible pair (only pairs whose household and vacancy are both free)."""

    layout: Layout
    household_weight: I64
    pair_household: Ints
    pair_vacancy: Ints
    pair_exception: Bools
    families: tuple[FamilyRows, ...]
    pinned_weight: int
    pinned_per_landlord: I64
    landlord_quota: I64
    cache: dict[str, npt.NDArray[Any]] = field(default_factory=dict)

    @property
    def n_pairs(self) -> int:
        """Number of free eligible pairs."""
        return int(self.pair_household.shape[0])

    @property
    def n_households(self) -> int:
        return int(self.household_weight.shape[0])

    @property
    def n_vacancies(self) -> int:
        return self.layout.n_vacancies

    @property
    def n_landlords(self) -> int:
        return int(self.landlord_quota.shape[0])

    @property
    def total_quota(self) -> int:
        """Σ quota of all landlords (pins included)."""
        return int(self.landlord_quota.sum())

    @property
    def shortfall_penalty(self) -> float:
        """Cost of one unit of a floor's slack: more than every weight together, so floors
        come first."""
        return float(self.household_weight.sum() + 1)

    @property
    def pair_landlord(self) -> Ints:
        """Landlord of each pair (cached) — the vacancy's landlord, whether or not the flat
        is in its quota row (a flat a move chain freed is in none, matching.constraints)."""
        if "pair_landlord" not in self.cache:
            compact = np.int16 if self.n_landlords < np.iinfo(np.int16).max else np.int32
            by_vacancy = self.layout.vacancy_landlord.astype(compact)
            self.cache["pair_landlord"] = by_vacancy[self.pair_vacancy]
        value: Ints = self.cache["pair_landlord"]
        return value

    @property
    def pair_area(self) -> Ints:
        """Area of each pair (cached)."""
        if "pair_area" not in self.cache:
            self.cache["pair_area"] = self.rows_of("area_cap").pair_key
        value: Ints = self.cache["pair_area"]
        return value

    def weights(self, cols: I64) -> I64:
        """Primary weight of the given pairs: their households' weights."""
        return self.household_weight[self.pair_household[cols]]

    @property
    def pair_weight(self) -> I64:
        """Primary weight of every pair (not cached: prefer `weights` on a subset)."""
        return self.household_weight[self.pair_household]

    @property
    def household_starts(self) -> I64:
        """Position of each household's first pair, and the households with pairs (cached;
        pairs are sorted by household)."""
        if "household_starts" not in self.cache:
            ph = self.pair_household
            changes = np.flatnonzero(ph[1:] != ph[:-1]) + 1 if len(ph) else np.zeros(0, np.int64)
            starts = np.r_[np.zeros(min(1, len(ph)), dtype=np.int64), changes]
            self.cache["household_starts"] = starts.astype(np.int64)
        value: I64 = self.cache["household_starts"]
        return value

    def rows_of(self, name: str) -> FamilyRows:
        """The family of this name."""
        for fr in self.families:
            if fr.family.name == name:
                return fr
        raise KeyError(name)

    def floor_count(self, chosen: I64) -> dict[str, I64]:
        """Per floor family: the count the chosen pairs reach per key."""
        out: dict[str, I64] = {}
        for fr in self.families:
            if fr.family.soft:
                keys = fr.pair_key[chosen]
                out[fr.family.name] = np.bincount(
                    keys[keys >= 0], minlength=len(fr.capacity)
                ).astype(np.int64)
        return out

    def shortfall(self, chosen: I64) -> int:
        """Σ over the floors of how far the chosen pairs stay below them."""
        total = 0
        for fr in self.families:
            if fr.family.soft:
                keys = fr.pair_key[chosen]
                got = np.bincount(keys[keys >= 0], minlength=len(fr.capacity))
                need = np.where(fr.active, fr.capacity, 0.0)
                total += int(np.maximum(need - got, 0).sum())
        return total

    def weight_of(self, chosen: I64) -> int:
        """Σ weight of the chosen pairs."""
        return int(self.weights(chosen).sum())

    def value_of(self, chosen: I64) -> float:
        """The lexicographic primary value: weight minus the penalised floor shortfall."""
        return self.weight_of(chosen) - self.shortfall_penalty * self.shortfall(chosen)


def round_data(
    problem: Problem, pairs: EligiblePairs, pins: list[tuple[int, int, bool]]
) -> RoundData:
    """Arrays of the round, with the pins (household, vacancy, exception) taken out: what the
    pins use is subtracted from every family's capacity (a floor never goes below zero)."""
    lay = layout(problem)
    weight = np.array([h.weight for h in problem.households], dtype=np.int64)
    pin_h = np.array([p[0] for p in pins], dtype=np.int64)
    pin_v = np.array([p[1] for p in pins], dtype=np.int64)
    pin_e = np.array([p[2] for p in pins], dtype=bool)
    h_pinned = np.zeros(len(problem.households), dtype=bool)
    v_pinned = np.zeros(len(problem.vacancies), dtype=bool)
    h_pinned[pin_h] = True
    v_pinned[pin_v] = True
    pair_h, pair_v, pair_e = pairs.household, pairs.vacancy, pairs.exception
    if len(pins):
        keep = ~h_pinned[pair_h] & ~v_pinned[pair_v]
        pair_h, pair_v, pair_e = pair_h[keep], pair_v[keep], pair_e[keep]
    families = []
    for f in FAMILIES:
        capacity = f.capacity(problem).copy()
        pin_keys = f.pair_key(lay, pin_h, pin_v, pin_e)
        np.subtract.at(capacity, pin_keys[pin_keys >= 0], 1.0)
        if f.soft:
            capacity = np.maximum(capacity, 0.0)
        families.append(
            FamilyRows(
                family=f,
                entity_key=f.entity_key(lay),
                pair_key=f.pair_key(lay, pair_h, pair_v, pair_e),
                capacity=capacity,
            )
        )
    landlord_quota = np.array([lo.quota for lo in problem.landlords], dtype=np.int64)
    return RoundData(
        layout=lay,
        household_weight=weight,
        pair_household=pair_h,
        pair_vacancy=pair_v,
        pair_exception=pair_e,
        families=tuple(families),
        pinned_weight=int(weight[pin_h].sum()),
        pinned_per_landlord=np.bincount(
            lay.vacancy_landlord[pin_v], minlength=len(problem.landlords)
        ).astype(np.int64),
        landlord_quota=landlord_quota,
    )


def spread_gaps(data: RoundData, placed_per_landlord: I64) -> I64:
    """Per landlord, Q·n_L − q_L·N (pins included): how far its placements are from its
    share of the total quota. Tier 2 minimises Σ |gap|; 0 is the best any solution can do."""
    placed = placed_per_landlord + data.pinned_per_landlord
    total = int(placed.sum())
    return (data.total_quota * placed - data.landlord_quota * total).astype(np.int64)


def fit_points(problem: Problem, data: RoundData, cols: I64) -> I64:
    """Tier-3 points of each pair in `cols`: preferred area, spare rooms, rent burden."""
    if "fit_preferred" not in data.cache:
        area_index = {a.id: i for i, a in enumerate(problem.areas)}
        pref = np.zeros((len(problem.households), len(problem.areas)), dtype=bool)
        for hi, h in enumerate(problem.households):
            for a in h.preferred_areas:
                pref[hi, area_index[a]] = True
        data.cache["fit_preferred"] = pref
        data.cache["fit_rooms_min"] = np.array(
            [h.rooms_min for h in problem.households], dtype=np.int64
        )
        data.cache["fit_max_rent"] = np.maximum(
            np.array([h.max_rent for h in problem.households], dtype=np.float64), 1.0
        )
        data.cache["fit_rooms"] = np.array([v.rooms for v in problem.vacancies], dtype=np.int64)
        data.cache["fit_rent"] = np.array([v.rent for v in problem.vacancies], dtype=np.float64)
    pref, rooms_min, max_rent = (
        data.cache["fit_preferred"],
        data.cache["fit_rooms_min"],
        data.cache["fit_max_rent"],
    )
    v_rooms, v_rent = data.cache["fit_rooms"], data.cache["fit_rent"]
    out = np.empty(len(cols), dtype=np.int64)
    # A block at a time: the support of the lower tiers can be millions of pairs.
    for start in range(0, len(cols), FIT_BLOCK):
        block = cols[start : start + FIT_BLOCK]
        hh, vv = data.pair_household[block], data.pair_vacancy[block]
        burden = np.round(FIT_RENT_BURDEN * v_rent[vv] / max_rent[hh]).astype(np.int64)
        out[start : start + len(block)] = (
            FIT_PREFERRED_AREA * pref[hh, data.layout.vacancy_area[vv]].astype(np.int64)
            - FIT_PER_SPARE_ROOM * (v_rooms[vv] - rooms_min[hh])
            - np.minimum(burden, FIT_RENT_BURDEN)
        )
    return out


#: Pairs per block of `fit_points`.
FIT_BLOCK = 1 << 18


def fit_points_of_pair(problem: Problem, household_id: str, vacancy_id: str) -> int:
    """Tier-3 points of one pair (the scalar twin of `fit_points`)."""
    h = problem.household(household_id)
    v = problem.vacancy(vacancy_id)
    burden = min(FIT_RENT_BURDEN, round(FIT_RENT_BURDEN * v.rent / max(h.max_rent, 1.0)))
    return (
        FIT_PREFERRED_AREA * int(v.area in h.preferred_areas)
        - FIT_PER_SPARE_ROOM * (v.rooms - h.rooms_min)
        - burden
    )


# --------------------------------------------------------------------------- rows and duals


@dataclass
class Rows:
    """Row position of each (family, key), for reading duals back; `slack` holds the
    variable index of each floor row's penalised slack."""

    of: dict[str, dict[int, int]] = field(default_factory=dict)
    slack: dict[str, dict[int, int]] = field(default_factory=dict)

    def table(self, name: str) -> dict[int, int]:
        return self.of.setdefault(name, {})

    def family_duals(self, fr: FamilyRows, duals: F64) -> F64:
        """The dual of each key of a family (0 for keys without a row)."""
        out = np.zeros(len(fr.capacity), dtype=np.float64)
        table = self.of.get(fr.family.name)
        if table:
            keys = np.fromiter(table.keys(), dtype=np.int64, count=len(table))
            out[keys] = duals[np.fromiter(table.values(), dtype=np.int64, count=len(table))]
        return out

    def count(self) -> int:
        return sum(len(t) for t in self.of.values())


def sign_valid_duals(data: RoundData, rows: Rows, duals: F64) -> F64:
    """Duals projected onto the signs every Lagrangian bound needs (y ≥ 0 on ceilings,
    −penalty ≤ y ≤ 0 on penalised floors, in rc = c − Aᵀy of this maximisation)."""
    out = duals.copy()
    for fr in data.families:
        table = rows.of.get(fr.family.name)
        if not table:
            continue
        idx = np.fromiter(table.values(), dtype=np.int64, count=len(table))
        if fr.family.direction == "at_most":
            out[idx] = np.maximum(out[idx], 0.0)
        else:
            out[idx] = np.clip(out[idx], -data.shortfall_penalty, 0.0)
    return out


@dataclass
class DualSums:
    """The duals of every declared family summed where a pair's key comes from: per
    household, per vacancy, per exception vacancy and per vacancy for ordinary households (a
    pair's reduced cost is then cost − household[h] − vacancy[v] − exception_vacancy[v] if it
    is an exception pair − ordinary_vacancy[v] if its household is not moving on)."""

    household: F64
    vacancy: F64
    exception_vacancy: F64
    ordinary_vacancy: F64


def dual_sums(data: RoundData, rows: Rows, duals: F64) -> DualSums:
    """Σ of the row duals of every declared family, by the entity its key is a function of.
    A key without a row in the restricted model gets the dual that makes its row redundant:
    zero."""
    sums = DualSums(
        household=np.zeros(data.n_households, dtype=np.float64),
        vacancy=np.zeros(data.n_vacancies, dtype=np.float64),
        exception_vacancy=np.zeros(data.n_vacancies, dtype=np.float64),
        ordinary_vacancy=np.zeros(data.n_vacancies, dtype=np.float64),
    )
    for fr in data.families:
        y = rows.family_duals(fr, duals)
        if not np.any(y):
            continue
        key = fr.entity_key
        target: F64 = getattr(sums, fr.family.key_by)
        target += np.where(key >= 0, y[np.maximum(key, 0)], 0.0)
    return sums


def reduced_costs(
    data: RoundData,
    rows: Rows,
    duals: F64,
    pair_cost: F64 | None = None,
    out: F64 | None = None,
) -> F64:
    """c_p − Σ_families y[key of p] for every free eligible pair (vectorised pricing); the
    cost defaults to the primary weight (the household's weight).

    The duals (and the default cost) are summed per household, per vacancy and per exception
    vacancy first (`dual_sums`), then gathered once per pair (into `out` if given)."""
    sums = dual_sums(data, rows, duals)
    per_household = -sums.household
    if pair_cost is None:
        per_household += data.household_weight
    rc = np.empty(data.n_pairs, dtype=np.float64) if out is None else out
    vacancy_duals(data, sums, rc)
    gather(per_household, data.pair_household, rc, subtract_from=True)
    if pair_cost is not None:
        rc += pair_cost
    return rc


def vacancy_duals(data: RoundData, sums: DualSums, out: F64) -> F64:
    """The vacancy-side part of every pair's reduced cost (into `out`): the vacancy's summed
    duals, plus the exception vacancy's on exception pairs (one gather either way), plus the
    ordinary vacancy's on pairs of households not moving on (only when such a row has a
    dual: a round without move-on places outside the quota gathers once)."""
    if not np.any(sums.exception_vacancy):
        gather(sums.vacancy, data.pair_vacancy, out)
    else:
        table = np.empty(2 * data.n_vacancies, dtype=np.float64)
        table[0::2] = sums.vacancy
        table[1::2] = sums.vacancy + sums.exception_vacancy
        gather(table, data.pair_vacancy, out, flag=data.pair_exception)
    if np.any(sums.ordinary_vacancy):
        ordinary = np.c_[sums.ordinary_vacancy, np.zeros(data.n_vacancies)].ravel()
        moving_on = data.layout.household_moving_on[data.pair_household]
        out += gather(ordinary, data.pair_vacancy, flag=moving_on)
    return out


def lagrangian_bound(
    data: RoundData,
    rows: Rows,
    duals: F64,
    rc: F64 | None = None,
    *,
    household_best: F64 | None = None,
) -> float:
    """An upper bound on the primary value (weight − penalised floor shortfall), valid for
    *any* duals: they are first projected onto valid signs; the assignment family (one vacancy
    per household) is kept and every other family priced, so
    Σ w·x − P·s ≤ Σ_rows y·b + Σ_h max(0, max_{p of h} (rc_p + y_h)).

    `rc`, or `household_best` (its maximum per household with pairs, `household_starts`),
    may be passed when computed from these same duals (and they are sign-valid)."""
    valid = sign_valid_duals(data, rows, duals)
    if not np.array_equal(valid, duals):
        rc = household_best = None
    total = 0.0
    kept = np.zeros(data.n_households, dtype=np.float64)
    for fr in data.families:
        y = rows.family_duals(fr, valid)
        if fr.family.assignment:
            kept += y[fr.entity_key]
            continue
        active = fr.active
        total += float(y[active] @ fr.capacity[active])
    if data.n_pairs:
        # y_h is constant over a household's pairs: add it after the per-household maximum.
        starts = data.household_starts
        if household_best is None:
            if rc is None:
                rc = reduced_costs(data, rows, valid)
            household_best = np.maximum.reduceat(rc, starts)
        best = household_best + kept[data.pair_household[starts]]
        total += float(np.maximum(best, 0.0).sum())
    return total


# --------------------------------------------------------------------------- the model


class PairModel:
    """An `MPModelProto` with one variable x_p ∈ [0, 1] per column (pair) of `cols`."""

    def __init__(self, data: RoundData, cols: I64, *, integer: bool) -> None:
        self.data = data
        self.cols = cols
        self.integer = integer
        self.proto = pb.MPModelProto(maximize=True)
        self.rows = Rows()
        self.proto.variable.extend(
            pb.MPVariableProto(lower_bound=0.0, upper_bound=1.0, is_integer=integer)
            for _ in range(len(cols))
        )

    def new_var(
        self, lb: float, ub: float, *, objective: float = 0.0, integer: bool = False
    ) -> int:
        """An auxiliary variable; returns its index."""
        self.proto.variable.append(
            pb.MPVariableProto(
                lower_bound=lb, upper_bound=ub, objective_coefficient=objective, is_integer=integer
            )
        )
        return len(self.proto.variable) - 1

    def add_family(self, fr: FamilyRows) -> None:
        """One row per active key of a declared family over the columns with that key; a
        floor's rows exist even without columns and get a penalised slack."""
        keys = fr.pair_key[self.cols]
        idx = np.arange(len(self.cols), dtype=np.int64)
        inside = keys >= 0
        idx, keys = idx[inside], keys[inside]
        order = np.argsort(keys, kind="stable")
        keys, idx = keys[order], idx[order]
        members: dict[int, I64] = {}
        if len(keys):
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            ends = np.r_[starts[1:], len(keys)]
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                members[int(keys[s])] = idx[s:e]
        active = fr.active
        table = self.rows.table(fr.family.name)
        if fr.family.soft:
            wanted = np.flatnonzero(active).tolist()
        else:
            wanted = [k for k in members if active[k]]
        for key in wanted:
            cols = members.get(key, np.zeros(0, dtype=np.int64))
            table[key] = len(self.proto.constraint)
            ct = self.proto.constraint.add()
            ct.var_index.extend(cols.tolist())
            ct.coefficient.extend([1.0] * len(cols))
            if fr.family.direction == "at_most":
                ct.lower_bound = -np.inf
                ct.upper_bound = float(fr.capacity[key])
            else:
                ct.lower_bound = float(fr.capacity[key])
                ct.upper_bound = np.inf
                slack = self.new_var(
                    0.0, float(fr.capacity[key]), objective=-self.data.shortfall_penalty
                )
                self.rows.slack.setdefault(fr.family.name, {})[key] = slack
                ct.var_index.append(slack)
                ct.coefficient.append(1.0)

    def add_round_constraints(self, *, floors: bool = True) -> None:
        """Every declared round constraint family (pins were applied beforehand). Without
        `floors` the soft floors are left out (the lower tiers keep the housed households, so
        the floors cannot move there)."""
        for fr in self.data.families:
            if fr.family.soft and not floors:
                continue
            self.add_family(fr)

    # ----------------------------------------------------------------------- objectives

    def pair_weights(self) -> I64:
        """Primary weight of each column (the household's weight)."""
        return self.data.weights(self.cols)

    def set_primary_objective(self) -> None:
        """Tier 1: maximise Σ weight of assigned households (floor slacks keep their
        penalty)."""
        for var, w in zip(self.proto.variable, self.pair_weights().tolist(), strict=False):
            var.objective_coefficient = float(w)

    def add_spread(self, hint: I64 | None = None) -> list[int]:
        """Tier 2 terms: dev_L ≥ |Q·n_L − q_L·N| with n_L the landlord's placements (pins
        included), N all placements, Q the total quota; returns the dev_L variables. With a
        `hint` (chosen column positions) the auxiliary variables are hinted too."""
        d = self.data
        q_total = d.total_quota
        n_land = d.n_landlords
        pair_landlord = d.pair_landlord[self.cols]
        n_cols = len(self.cols)
        pinned_total = int(d.pinned_per_landlord.sum())
        hinted = np.zeros(n_cols, dtype=bool)
        if hint is not None:
            hinted[hint] = True
        aux_hint: list[tuple[int, float]] = []
        n_all = self.new_var(0.0, float(n_cols), integer=True)
        aux_hint.append((n_all, float(hinted.sum())))
        ct = self.proto.constraint.add()
        ct.lower_bound = ct.upper_bound = 0.0
        ct.var_index.extend([*range(n_cols), n_all])
        ct.coefficient.extend([1.0] * n_cols + [-1.0])
        devs: list[int] = []
        hint_gaps = spread_gaps(d, np.bincount(pair_landlord[hinted], minlength=n_land))
        order = np.argsort(pair_landlord, kind="stable")
        counts = np.bincount(pair_landlord, minlength=n_land)
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        dev_max = float(q_total * (n_cols + pinned_total) + 1)
        for li in range(n_land):
            members = order[starts[li] : starts[li] + counts[li]]
            n_l = self.new_var(0.0, float(len(members)), integer=True)
            ct = self.proto.constraint.add()
            ct.lower_bound = ct.upper_bound = 0.0
            ct.var_index.extend([*members.tolist(), n_l])
            ct.coefficient.extend([1.0] * len(members) + [-1.0])
            dev = self.new_var(0.0, dev_max, integer=True)
            devs.append(dev)
            q_l = int(d.landlord_quota[li])
            pins_l = int(d.pinned_per_landlord[li])
            constant = q_total * pins_l - q_l * pinned_total
            # dev ≥ Q·(n_l + pins_l) − q_l·(N + pins)  and  dev ≥ −(…)
            for sign in (1, -1):
                ct = self.proto.constraint.add()
                ct.lower_bound = float(sign * constant)
                ct.upper_bound = np.inf
                ct.var_index.extend([dev, n_l, n_all])
                ct.coefficient.extend([1.0, float(-sign * q_total), float(sign * q_l)])
            n_l_value = int(hinted[members].sum())
            aux_hint.append((n_l, float(n_l_value)))
            aux_hint.append((dev, float(abs(hint_gaps[li]))))
        if hint is not None:
            self.add_hint(hint)
            self.proto.solution_hint.var_index.extend(i for i, _ in aux_hint)
            self.proto.solution_hint.var_value.extend(v for _, v in aux_hint)
        return devs

    def set_spread_objective(self, devs: list[int]) -> None:
        """Tier 2: minimise the total deviation from quota-proportional placements."""
        for var in self.proto.variable:
            var.objective_coefficient = 0.0
        for dev in devs:
            self.proto.variable[dev].objective_coefficient = -1.0

    def add_spread_ceiling(self, devs: list[int], value: float) -> None:
        """Keep tier 2 at `value` while optimising tier 3."""
        ct = self.proto.constraint.add()
        ct.lower_bound = -np.inf
        ct.upper_bound = value
        ct.var_index.extend(devs)
        ct.coefficient.extend([1.0] * len(devs))

    def set_fit_objective(self, fit: I64) -> None:
        """Tier 3: maximise Σ fit points (preferred areas, few spare rooms, low rent burden)."""
        for var in self.proto.variable:
            var.objective_coefficient = 0.0
        for var, f in zip(self.proto.variable, fit.tolist(), strict=False):
            var.objective_coefficient = float(f)

    def add_hint(self, chosen: I64) -> None:
        """Suggest a starting solution: the columns (positions in `cols`) set to one."""
        self.proto.solution_hint.var_index.extend(chosen.tolist())
        self.proto.solution_hint.var_value.extend([1.0] * len(chosen))
