"""The round constraint families, each declared exactly once.

A family is a set of rows ``Σ_{pairs p with key k} x_p ≤ capacity[k]`` (or ``≥`` for a floor),
one row per key. A pair's key is a function of its household, of its vacancy, or of its
vacancy when the pair is an exception place, or of its vacancy when its household is not
moving on (`key_by`). Everything that needs the round
constraints reads `FAMILIES`:

* the integer and linear models (`matching.model.PairModel.add_round_constraints`),
* the column-generation master (`matching.master`), pricing (`matching.model.reduced_costs`)
  and the Lagrangian bound (`matching.model.lagrangian_bound`),
* the greedy matching (`matching.fallback`: the crash start of the master, and the fallback),
* pins: what a pin uses is subtracted from every family's capacity, and a family whose
  capacity goes negative names the reason (`matching.pins`),
* explanations: the first full family row that holds a pair back (`matching.explain`).

Adding a constraint is one declaration here plus one test (tests/matching/test_constraints.py
fails for a family that one of the readers above does not honour).

A floor (`direction="at_least"`) is *soft*: it gets a slack penalised by more than the sum of
all weights, so meeting it comes first (lexicographically) and a floor that cannot be met
yields the best solution with the smallest shortfall instead of an infeasible round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from matching.blocks import gather
from matching.problem import Landlord, Problem

I64 = npt.NDArray[np.int64]
#: Compact integer arrays (pair arrays are int32, family keys as small as they fit).
Ints = npt.NDArray[np.signedinteger[Any]]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

KeyBy = Literal["household", "vacancy", "exception_vacancy", "ordinary_vacancy"]
Direction = Literal["at_most", "at_least"]

#: The label under which explanations report a vacancy taken by another household.
TAKEN = "higher-priority households"


@dataclass(frozen=True, slots=True)
class Layout:
    """The index arrays of a problem that family keys are computed from."""

    vacancy_landlord: I64
    vacancy_area: I64
    household_newly_arrived: Bools
    #: The vacancy counts toward its landlord's quota (False: a flat a move chain freed).
    vacancy_quota: Bools
    #: The household moves on from a municipal contract (Helsingborg 3:6).
    household_moving_on: Bools
    #: The landlord has move-on places outside its quota (Helsingborg Delmål 3).
    landlord_outside: Bools

    @property
    def n_households(self) -> int:
        return int(self.household_newly_arrived.shape[0])

    @property
    def n_vacancies(self) -> int:
        return int(self.vacancy_landlord.shape[0])


def layout(problem: Problem) -> Layout:
    """The `Layout` of a problem."""
    landlord_index = {lo.id: i for i, lo in enumerate(problem.landlords)}
    area_index = {a.id: i for i, a in enumerate(problem.areas)}
    return Layout(
        vacancy_landlord=np.array(
            [landlord_index[v.landlord] for v in problem.vacancies], dtype=np.int64
        ),
        vacancy_area=np.array([area_index[v.area] for v in problem.vacancies], dtype=np.int64),
        household_newly_arrived=np.array([h.newly_arrived for h in problem.households], dtype=bool),
        vacancy_quota=np.array([v.quota_apartment for v in problem.vacancies], dtype=bool),
        household_moving_on=np.array([h.moving_on for h in problem.households], dtype=bool),
        landlord_outside=np.array(
            [lo.move_on_outside_quota > 0 for lo in problem.landlords], dtype=bool
        ),
    )


@dataclass(frozen=True, slots=True)
class Family:
    """One round constraint family: its name, the key of each pair, the capacity of each key
    (``inf``: no row), the direction, and the words explanations use for one of its rows."""

    name: str
    rule: str
    direction: Direction
    key_by: KeyBy
    #: Key of each household (key_by="household") or vacancy (otherwise); −1: in no row.
    #: With key_by="ordinary_vacancy" a pair whose household moves on is in no row.
    entity_key: Callable[[Layout], I64]
    #: Capacity of each key in the full problem (before pins); ``inf``: no row.
    capacity: Callable[[Problem], F64]
    #: How a row is named, e.g. "quota of landlord L01".
    label: Callable[[Problem, int], str]
    #: The one-vacancy-per-household rows: kept (not priced) by the Lagrangian bound.
    assignment: bool = False
    #: For a floor: the `Solution.stats` key reporting how far the solution stays below it.
    shortfall_stat: str = ""

    @property
    def soft(self) -> bool:
        """A floor is met as far as possible (penalised slack), never made infeasible."""
        return self.direction == "at_least"

    def pair_key(self, lay: Layout, household: Ints, vacancy: Ints, exception: Bools) -> Ints:
        """Key of each pair (−1: the pair is in no row of this family), in the smallest
        integer type that holds the keys; the household or vacancy array itself when the key
        is the household or vacancy (no copy)."""
        keys = self.entity_key(lay)
        entity = household if self.key_by == "household" else vacancy
        if self.key_by == "ordinary_vacancy" and not np.any(keys >= 0):
            # No landlord with move-on places outside its quota: no pair in a row, and no
            # array over the pairs (a read-only view of one −1).
            return np.broadcast_to(np.int8(-1), entity.shape)
        if self.key_by in ("household", "vacancy") and np.array_equal(keys, np.arange(len(keys))):
            return entity
        compact = keys.astype(_smallest(len(keys)))
        if self.key_by == "exception_vacancy":
            # Entry 2v: vacancy v as a normal pair (no row), 2v + 1: as an exception pair.
            table = np.c_[np.full(len(compact), -1, dtype=compact.dtype), compact].ravel()
            return gather(table, entity, flag=exception)
        if self.key_by == "ordinary_vacancy":
            # Entry 2v: vacancy v for an ordinary household, 2v + 1: for one moving on (no row).
            table = np.c_[compact, np.full(len(compact), -1, dtype=compact.dtype)].ravel()
            return gather(table, entity, flag=lay.household_moving_on[household])
        return gather(compact, entity)


def _smallest(n_keys: int) -> type[np.signedinteger[Any]]:
    for kind in (np.int8, np.int16, np.int32):
        if n_keys < np.iinfo(kind).max:
            return kind
    return np.int64


def _floats(values: list[float]) -> F64:
    return np.asarray(values, dtype=np.float64)


def _quota_label(lo: Landlord) -> str:
    if lo.move_on_outside_quota:
        return f"quota and move-on places outside it of landlord {lo.id}"
    return f"quota of landlord {lo.id}"


FAMILIES: tuple[Family, ...] = (
    Family(
        name="household",
        rule="each household gets at most one vacancy",
        direction="at_most",
        key_by="household",
        entity_key=lambda lay: np.arange(lay.n_households, dtype=np.int64),
        capacity=lambda p: np.ones(len(p.households), dtype=np.float64),
        label=lambda p, k: f"household {p.households[k].id}",
        assignment=True,
    ),
    Family(
        name="vacancy",
        rule="each vacancy goes to at most one household",
        direction="at_most",
        key_by="vacancy",
        entity_key=lambda lay: np.arange(lay.n_vacancies, dtype=np.int64),
        capacity=lambda p: np.ones(len(p.vacancies), dtype=np.float64),
        label=lambda p, k: TAKEN,
    ),
    Family(
        name="landlord_quota",
        rule="per landlord: placements in its quota apartments ≤ its quota (Jönköping, "
        "Norrköping, Västerås) and its move-on places outside it (Helsingborg Delmål 3); a "
        "flat a move chain freed is in no row (Helsingborg 3:6)",
        direction="at_most",
        key_by="vacancy",
        entity_key=lambda lay: np.where(lay.vacancy_quota, lay.vacancy_landlord, -1),
        capacity=lambda p: _floats([lo.quota + lo.move_on_outside_quota for lo in p.landlords]),
        label=lambda p, k: _quota_label(p.landlords[k]),
    ),
    Family(
        name="outside_quota",
        rule="per landlord with move-on places outside its quota: placements of households "
        "not moving on in its quota apartments ≤ its quota, so those places go only to "
        "households moving on (Helsingborg Delmål 3); no row for a landlord without them",
        direction="at_most",
        key_by="ordinary_vacancy",
        entity_key=lambda lay: np.where(
            lay.vacancy_quota & lay.landlord_outside[lay.vacancy_landlord],
            lay.vacancy_landlord,
            -1,
        ),
        capacity=lambda p: _floats(
            [lo.quota if lo.move_on_outside_quota else np.inf for lo in p.landlords]
        ),
        label=lambda p, k: f"quota of landlord {p.landlords[k].id}",
    ),
    Family(
        name="area_cap",
        rule="per capped area: placements ≤ the cap, so placements stay spread (Jönköping)",
        direction="at_most",
        key_by="vacancy",
        entity_key=lambda lay: lay.vacancy_area,
        capacity=lambda p: _floats([np.inf if a.cap is None else a.cap for a in p.areas]),
        label=lambda p, k: f"area cap {p.areas[k].id}",
    ),
    Family(
        name="exception_quota",
        rule="per landlord: exception places ≤ its exception quota (Helsingborg 3:5)",
        direction="at_most",
        key_by="exception_vacancy",
        entity_key=lambda lay: lay.vacancy_landlord,
        capacity=lambda p: _floats([lo.exception_quota for lo in p.landlords]),
        label=lambda p, k: f"exception quota of landlord {p.landlords[k].id}",
    ),
    Family(
        name="newly_arrived_min",
        rule="newly arrived households housed ≥ the settlement figure (bosättningslagen)",
        direction="at_least",
        key_by="household",
        entity_key=lambda lay: np.where(lay.household_newly_arrived, 0, -1).astype(np.int64),
        capacity=lambda p: _floats([p.newly_arrived_min]),
        label=lambda p, k: "newly_arrived_min",
        shortfall_stat="newly_arrived_shortfall",
    ),
)

FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in FAMILIES)


def family(name: str) -> Family:
    """The declared family of this name."""
    for f in FAMILIES:
        if f.name == name:
            return f
    raise KeyError(name)


def active_keys(f: Family, capacity: F64) -> Bools:
    """Keys that have a row: a finite capacity (ceilings) or a positive one (floors)."""
    if f.direction == "at_most":
        return np.isfinite(capacity)
    return capacity > 0


def usage(
    f: Family, lay: Layout, capacity_size: int, household: Ints, vacancy: Ints, exception: Bools
) -> I64:
    """How much of each key the given pairs use."""
    keys = f.pair_key(lay, household, vacancy, exception)
    keys = keys[keys >= 0]
    return np.bincount(keys, minlength=capacity_size).astype(np.int64)
