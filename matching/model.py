"""The optimisation model over eligible pairs: variables, one `add_<rule>` per round
constraint, and the three objective tiers.

The model is written as an `MPModelProto` over a chosen subset of the eligible pairs
("columns"), so the same code builds the linear relaxation used for column generation and
the integer programs solved by HiGHS or CP-SAT. Pins are applied before the model is built:
pinned households and vacancies leave the model and the capacities they use are subtracted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.linear_solver import linear_solver_pb2 as pb

from matching.eligibility import EligiblePairs
from matching.problem import Problem

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: Fit points (tier 3): a preferred area is worth this much …
FIT_PREFERRED_AREA = 100
#: … each spare room costs this much …
FIT_PER_SPARE_ROOM = 10
#: … and the rent burden (rent / max_rent, 0 … 1) costs up to this much.
FIT_RENT_BURDEN = 10


@dataclass
class RoundData:
    """The numeric form of a round after pins: arrays indexed by household, vacancy, landlord,
    area and eligible pair (only pairs whose household and vacancy are both free)."""

    weight: I64
    newly: Bools
    v_land: I64
    v_area: I64
    quota: I64
    exception_quota: I64
    cap: I64
    capped: Bools
    newly_min: int
    ph: I64
    pv: I64
    pexc: Bools
    pinned_weight: int
    pinned_per_landlord: I64
    total_quota: int
    landlord_quota: I64
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_pairs(self) -> int:
        """Number of free eligible pairs."""
        return int(self.ph.shape[0])

    @property
    def pl(self) -> I64:
        """Landlord of each pair (cached)."""
        if "pl" not in self.extra:
            self.extra["pl"] = self.v_land[self.pv]
        value: I64 = self.extra["pl"]
        return value

    @property
    def pa(self) -> I64:
        """Area of each pair (cached)."""
        if "pa" not in self.extra:
            self.extra["pa"] = self.v_area[self.pv]
        value: I64 = self.extra["pa"]
        return value


def round_data(
    problem: Problem, pairs: EligiblePairs, pins: list[tuple[int, int, bool]]
) -> RoundData:
    """Arrays of the round, with the pins (household, vacancy, exception) taken out."""
    land_index = {lo.id: i for i, lo in enumerate(problem.landlords)}
    area_index = {a.id: i for i, a in enumerate(problem.areas)}
    weight = np.array([h.weight for h in problem.households], dtype=np.int64)
    newly = np.array([h.newly_arrived for h in problem.households], dtype=bool)
    v_land = np.array([land_index[v.landlord] for v in problem.vacancies], dtype=np.int64)
    v_area = np.array([area_index[v.area] for v in problem.vacancies], dtype=np.int64)
    quota = np.array([lo.quota for lo in problem.landlords], dtype=np.int64)
    exc = np.array([lo.exception_quota for lo in problem.landlords], dtype=np.int64)
    capped = np.array([a.cap is not None for a in problem.areas], dtype=bool)
    cap = np.array([a.cap if a.cap is not None else 0 for a in problem.areas], dtype=np.int64)
    pinned_per_landlord = np.zeros(len(problem.landlords), dtype=np.int64)
    newly_min = problem.newly_arrived_min
    pinned_weight = 0
    h_pinned = np.zeros(len(problem.households), dtype=bool)
    v_pinned = np.zeros(len(problem.vacancies), dtype=bool)
    for hi, vi, is_exc in pins:
        li, ai = v_land[vi], v_area[vi]
        pinned_per_landlord[li] += 1
        exc[li] -= int(is_exc)
        cap[ai] -= 1
        newly_min -= int(newly[hi])
        pinned_weight += int(weight[hi])
        h_pinned[hi] = True
        v_pinned[vi] = True
    ph = pairs.household.astype(np.int64)
    pv = pairs.vacancy.astype(np.int64)
    keep = ~h_pinned[ph] & ~v_pinned[pv]
    return RoundData(
        weight=weight,
        newly=newly,
        v_land=v_land,
        v_area=v_area,
        quota=quota - pinned_per_landlord,
        exception_quota=exc,
        cap=cap,
        capped=capped,
        newly_min=max(0, newly_min),
        ph=ph[keep],
        pv=pv[keep],
        pexc=pairs.exception[keep],
        pinned_weight=pinned_weight,
        pinned_per_landlord=pinned_per_landlord,
        total_quota=int(sum(lo.quota for lo in problem.landlords)),
        landlord_quota=np.array([lo.quota for lo in problem.landlords], dtype=np.int64),
    )


def fit_points(problem: Problem, data: RoundData, cols: I64) -> I64:
    """Tier-3 points of each pair in `cols`: preferred area, spare rooms, rent burden."""
    area_index = {a.id: i for i, a in enumerate(problem.areas)}
    pref = np.zeros((len(problem.households), len(problem.areas)), dtype=bool)
    for hi, h in enumerate(problem.households):
        for a in h.preferred_areas:
            pref[hi, area_index[a]] = True
    rooms_min = np.array([h.rooms_min for h in problem.households], dtype=np.int64)
    max_rent = np.array([h.max_rent for h in problem.households], dtype=np.float64)
    v_rooms = np.array([v.rooms for v in problem.vacancies], dtype=np.int64)
    v_rent = np.array([v.rent for v in problem.vacancies], dtype=np.float64)
    ph, pv = data.ph[cols], data.pv[cols]
    burden = np.round(FIT_RENT_BURDEN * v_rent[pv] / np.maximum(max_rent[ph], 1.0)).astype(np.int64)
    return (
        FIT_PREFERRED_AREA * pref[ph, data.v_area[pv]].astype(np.int64)
        - FIT_PER_SPARE_ROOM * (v_rooms[pv] - rooms_min[ph])
        - np.minimum(burden, FIT_RENT_BURDEN)
    )


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


# --------------------------------------------------------------------------- the model


@dataclass
class Rows:
    """Row positions of each constraint family, for reading duals back."""

    household: dict[int, int] = field(default_factory=dict)
    vacancy: dict[int, int] = field(default_factory=dict)
    landlord: dict[int, int] = field(default_factory=dict)
    exception: dict[int, int] = field(default_factory=dict)
    area: dict[int, int] = field(default_factory=dict)
    newly: int | None = None


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

    def _add_grouped(
        self, keys: I64, mask: Bools | None, upper: dict[int, float], target: dict[int, int]
    ) -> None:
        """One row Σ x_p ≤ upper[k] per key k, over the columns (masked) with that key."""
        idx = np.arange(len(self.cols), dtype=np.int64)
        if mask is not None:
            idx, keys = idx[mask], keys[mask]
        if len(idx) == 0:
            return
        order = np.argsort(keys, kind="stable")
        keys, idx = keys[order], idx[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        ends = np.r_[starts[1:], len(keys)]
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            key = int(keys[s])
            if key not in upper:
                continue
            target[key] = len(self.proto.constraint)
            ct = self.proto.constraint.add()
            ct.lower_bound = -np.inf
            ct.upper_bound = upper[key]
            ct.var_index.extend(idx[s:e].tolist())
            ct.coefficient.extend([1.0] * (e - s))

    def add_one_vacancy_per_household(self) -> None:
        """Each household gets at most one vacancy."""
        ph = self.data.ph[self.cols]
        self._add_grouped(ph, None, dict.fromkeys(np.unique(ph).tolist(), 1.0), self.rows.household)

    def add_one_household_per_vacancy(self) -> None:
        """Each vacancy goes to at most one household."""
        pv = self.data.pv[self.cols]
        self._add_grouped(pv, None, dict.fromkeys(np.unique(pv).tolist(), 1.0), self.rows.vacancy)

    def add_landlord_quota(self) -> None:
        """Per landlord: placements ≤ its remaining quota (Jönköping, Norrköping, Västerås)."""
        upper = {li: float(q) for li, q in enumerate(self.data.quota.tolist())}
        self._add_grouped(self.data.pl[self.cols], None, upper, self.rows.landlord)

    def add_exception_quota(self) -> None:
        """Per landlord: exception pairs ≤ its remaining exception quota (Helsingborg 3:5)."""
        upper = {li: float(q) for li, q in enumerate(self.data.exception_quota.tolist())}
        mask = self.data.pexc[self.cols]
        self._add_grouped(self.data.pl[self.cols], mask, upper, self.rows.exception)

    def add_area_caps(self) -> None:
        """Per capped area: placements ≤ the cap, so placements stay spread (Jönköping)."""
        upper = {
            ai: float(c)
            for ai, (c, has) in enumerate(
                zip(self.data.cap.tolist(), self.data.capped.tolist(), strict=True)
            )
            if has
        }
        self._add_grouped(self.data.pa[self.cols], None, upper, self.rows.area)

    def add_newly_arrived_min(self) -> None:
        """Assigned newly arrived households ≥ the settlement figure (bosättningslagen)."""
        if self.data.newly_min <= 0:
            return
        idx = np.flatnonzero(self.data.newly[self.data.ph[self.cols]])
        self.rows.newly = len(self.proto.constraint)
        ct = self.proto.constraint.add()
        ct.lower_bound = float(self.data.newly_min)
        ct.upper_bound = np.inf
        ct.var_index.extend(idx.tolist())
        ct.coefficient.extend([1.0] * len(idx))

    def add_round_constraints(self) -> None:
        """Every round constraint of MATCHING_FORMAT.md (pins were applied beforehand)."""
        self.add_one_vacancy_per_household()
        self.add_one_household_per_vacancy()
        self.add_landlord_quota()
        self.add_exception_quota()
        self.add_area_caps()
        self.add_newly_arrived_min()

    # ----------------------------------------------------------------------- objectives

    def pair_weights(self) -> I64:
        """Primary weight of each column (the household's weight)."""
        return self.data.weight[self.data.ph[self.cols]]

    def set_primary_objective(self) -> None:
        """Tier 1: maximise Σ weight of assigned households."""
        for var, w in zip(self.proto.variable, self.pair_weights().tolist(), strict=False):
            var.objective_coefficient = float(w)

    def add_primary_floor(self, value: int) -> None:
        """Keep tier 1 at `value` (its proven optimum) while optimising lower tiers."""
        ct = self.proto.constraint.add()
        ct.lower_bound = float(value)
        ct.upper_bound = np.inf
        ct.var_index.extend(range(len(self.cols)))
        ct.coefficient.extend(self.pair_weights().astype(np.float64).tolist())

    def add_spread(self, hint: I64 | None = None) -> list[int]:
        """Tier 2 terms: dev_L ≥ |Q·n_L − q_L·N| with n_L the landlord's placements (pins
        included), N all placements, Q the total quota; returns the dev_L variables. With a
        `hint` (chosen column positions) the auxiliary variables are hinted too."""
        d = self.data
        q_total = d.total_quota
        n_land = len(d.quota)
        pl = d.pl[self.cols]
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
        order = np.argsort(pl, kind="stable")
        counts = np.bincount(pl, minlength=n_land)
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
            gap = q_total * (n_l_value + pins_l) - q_l * (int(hinted.sum()) + pinned_total)
            aux_hint.append((dev, float(abs(gap))))
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


def reduced_costs(data: RoundData, rows: Rows, duals: F64, pair_cost: F64) -> F64:
    """c_p − Σ_rows a_{row,p}·y_row for every free eligible pair (vectorised pricing)."""

    def lookup(table: dict[int, int], size: int) -> F64:
        out = np.zeros(size, dtype=np.float64)
        if table:
            keys = np.fromiter(table.keys(), dtype=np.int64)
            out[keys] = duals[np.fromiter(table.values(), dtype=np.int64)]
        return out

    y_h = lookup(rows.household, len(data.weight))
    y_v = lookup(rows.vacancy, len(data.v_land))
    y_l = lookup(rows.landlord, len(data.quota))
    y_x = lookup(rows.exception, len(data.quota))
    y_a = lookup(rows.area, len(data.cap))
    # A household or vacancy without a row in the restricted model gets the dual that makes
    # its row redundant: zero (the row is ≤ 1 and unused, so complementary slackness holds).
    # Sum the duals per household and per vacancy first, then gather once per pair.
    per_household = -y_h
    if rows.newly is not None:
        per_household = per_household - np.where(data.newly, duals[rows.newly], 0.0)
    per_vacancy = y_v + y_l[data.v_land] + y_a[data.v_area]
    exc_vacancy = y_x[data.v_land]
    rc = pair_cost + per_household[data.ph]
    rc -= per_vacancy[data.pv]
    if np.any(exc_vacancy != 0.0):
        rc -= np.where(data.pexc, exc_vacancy[data.pv], 0.0)
    return rc
