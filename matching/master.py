"""The restricted master LP of column generation, kept alive in GLOP between rounds.

Every row of the primary relaxation exists from the start (one per household, vacancy,
landlord quota, exception quota, capped area, and the newly-arrived floor with a penalised
slack); each round only adds columns (pairs). GLOP, run without presolve through the
incremental `pywraplp` interface, then warm-starts the simplex from the previous basis: a round
costs tens to hundreds of pivots instead of a solve from scratch (`iterations()` shows it).

Why not HiGHS through `highspy`: ortools 9.15 ships its own `libhighs.so.1`, and the two
libraries cannot be loaded into one process (undefined symbols whichever comes first).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp

from matching.model import F64, I64, RoundData, Rows

#: GLOP parameters: presolve would discard the basis between rounds.
GLOP_PARAMETERS = "use_preprocessing: false"


class Master:
    """max Σ w_p x_p over the columns added so far, subject to every round constraint."""

    def __init__(self, data: RoundData, *, seed: int = 0) -> None:
        self.data = data
        solver = pywraplp.Solver.CreateSolver("GLOP")
        solver.SetSolverSpecificParametersAsString(f"{GLOP_PARAMETERS} random_seed: {seed}")
        self.solver = solver
        inf = solver.infinity()
        rows = Rows()
        self._constraints: list[Any] = []

        def row(table: dict[int, int], key: int, lb: float, ub: float) -> Any:
            table[key] = len(self._constraints)
            ct = solver.Constraint(lb, ub)
            self._constraints.append(ct)
            return ct

        self._h = [row(rows.household, h, -inf, 1.0) for h in range(len(data.weight))]
        self._v = [row(rows.vacancy, v, -inf, 1.0) for v in range(len(data.v_land))]
        self._l = [row(rows.landlord, li, -inf, float(q)) for li, q in enumerate(data.quota)]
        self._x = [
            row(rows.exception, li, -inf, float(q)) for li, q in enumerate(data.exception_quota)
        ]
        self._a: list[Any] = [
            row(rows.area, ai, -inf, float(data.cap[ai])) if has else None
            for ai, has in enumerate(data.capped.tolist())
        ]
        objective = solver.Objective()
        objective.SetMaximization()
        self._objective = objective
        self._newly: Any = None
        self._slack: Any = None
        if data.newly_min > 0:
            self._newly = row({}, 0, float(data.newly_min), inf)
            rows.newly = len(self._constraints) - 1
            # The floor's slack keeps every restricted LP feasible; a positive slack at the
            # end proves the floor cannot be met.
            self._slack = solver.NumVar(0.0, inf, "")
            self._newly.SetCoefficient(self._slack, 1.0)
            objective.SetCoefficient(self._slack, -float(data.weight.sum() + 1))
        self.rows = rows
        self.cols = np.zeros(0, dtype=np.int64)
        self._vars: list[Any] = []

    def add(self, pairs: I64) -> None:
        """Add the given pairs (indices into data.ph/pv, not yet in the master) as columns."""
        d = self.data
        ph, pv = d.ph[pairs].tolist(), d.pv[pairs].tolist()
        exc = d.pexc[pairs].tolist()
        weight = d.weight.tolist()
        newly = d.newly.tolist()
        v_land, v_area = d.v_land.tolist(), d.v_area.tolist()
        solver, objective = self.solver, self._objective
        for h, v, e in zip(ph, pv, exc, strict=True):
            x = solver.NumVar(0.0, 1.0, "")
            li, area = v_land[v], self._a[v_area[v]]
            self._h[h].SetCoefficient(x, 1.0)
            self._v[v].SetCoefficient(x, 1.0)
            self._l[li].SetCoefficient(x, 1.0)
            if e:
                self._x[li].SetCoefficient(x, 1.0)
            if area is not None:
                area.SetCoefficient(x, 1.0)
            if self._newly is not None and newly[h]:
                self._newly.SetCoefficient(x, 1.0)
            objective.SetCoefficient(x, float(weight[h]))
            self._vars.append(x)
        self.cols = np.r_[self.cols, pairs].astype(np.int64)

    def solve(self, seconds: float) -> bool:
        """Re-optimise from the current basis; True when optimal."""
        self.solver.SetTimeLimit(max(50, int(seconds * 1000)))
        return bool(self.solver.Solve() == pywraplp.Solver.OPTIMAL)

    def iterations(self) -> int:
        """Simplex iterations of the last `solve`."""
        return int(self.solver.iterations())

    def objective(self) -> float:
        """Objective value of the restricted LP."""
        return float(self._objective.Value())

    def duals(self) -> F64:
        """Row duals y with rc = c − Aᵀy (y ≥ 0 on ≤ rows of this maximisation)."""
        return np.fromiter(
            (ct.dual_value() for ct in self._constraints),
            dtype=np.float64,
            count=len(self._constraints),
        )

    def values(self) -> F64:
        """x of the pair columns, aligned with `self.cols`."""
        return np.fromiter(
            (x.solution_value() for x in self._vars), dtype=np.float64, count=len(self._vars)
        )

    def slack_value(self) -> float:
        """Value of the newly-arrived slack (0 when there is no floor)."""
        return 0.0 if self._slack is None else float(self._slack.solution_value())
