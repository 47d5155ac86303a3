"""The restricted master LP of column generation, kept alive in HiGHS between rounds.

Every row of the primary relaxation exists from the start: one per active key of every
declared family (`matching.constraints.FAMILIES`), each floor with a penalised slack; each
pricing round only adds columns (pairs) through `highspy`'s `addCols`, and `run()` re-optimises
with the primal simplex from the previous basis (added columns keep the basis primal feasible),
so a round costs tens to hundreds of pivots instead of a solve from scratch.

highspy 1.16 and OR-Tools 9.15 (which ships its own HiGHS for the integer programs) coexist in
one process in either import order (tests/matching/test_master.py keeps that checked); the
clash once noted in benchmarks/README.md was with highspy 1.15.
"""

from __future__ import annotations

import highspy
import numpy as np
from highspy._core import _Highs

from matching.model import F64, I64, RoundData, Rows

#: HiGHS' primal simplex: columns added to an optimal basis leave it primal feasible.
PRIMAL_SIMPLEX = 4
#: Upper bound of a pair column (x ≤ 1 is implied by its household's row).
COLUMN_UPPER = float("inf")


class Master:
    """max Σ w_p x_p − P·s over the columns added so far, subject to every round constraint."""

    def __init__(self, data: RoundData, *, seed: int = 0) -> None:
        self.data = data
        # The bare binding: `highspy.Highs` enables Python callbacks, which print HiGHS'
        # banner to stdout before any option can silence it (and stdout carries JSON).
        h = _Highs()
        for name, value in (
            ("output_flag", False),
            ("presolve", "off"),
            ("solver", "simplex"),
            ("simplex_strategy", PRIMAL_SIMPLEX),
            ("random_seed", seed),
        ):
            h.setOptionValue(name, value)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.highs = h
        self.rows = Rows()
        #: Per family, the row of each key (−1: none).
        self._row_of: list[I64] = []
        lower: list[float] = []
        upper: list[float] = []
        slack_rows: list[int] = []
        for fr in data.families:
            lookup = np.full(len(fr.capacity), -1, dtype=np.int64)
            table = self.rows.table(fr.family.name)
            for key in np.flatnonzero(fr.active).tolist():
                lookup[key] = table[key] = len(lower)
                cap = float(fr.capacity[key])
                if fr.family.direction == "at_most":
                    lower.append(-highspy.kHighsInf)
                    upper.append(cap)
                else:
                    lower.append(cap)
                    upper.append(highspy.kHighsInf)
                    slack_rows.append(table[key])
            self._row_of.append(lookup)
        n_rows = len(lower)
        self.n_rows = n_rows
        if n_rows:
            h.addRows(
                n_rows,
                np.asarray(lower, dtype=np.float64),
                np.asarray(upper, dtype=np.float64),
                0,
                np.zeros(0, dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0, dtype=np.float64),
            )
        # A floor's slack keeps every restricted LP feasible; its penalty makes the floor
        # lexicographically first (the smallest shortfall, then the most weight).
        n_slack = len(slack_rows)
        self._n_slack = n_slack
        if n_slack:
            penalty = data.shortfall_penalty
            h.addCols(
                n_slack,
                np.full(n_slack, -penalty),
                np.zeros(n_slack),
                np.full(n_slack, highspy.kHighsInf),
                n_slack,
                np.arange(n_slack, dtype=np.int32),
                np.asarray(slack_rows, dtype=np.int32),
                np.ones(n_slack),
            )
        self.cols = np.zeros(0, dtype=np.int64)
        self._iterations = 0

    def add(self, pairs: I64) -> None:
        """Add the given pairs (indices into the pair arrays, not yet in the master)."""
        n = len(pairs)
        if n == 0:
            return
        d = self.data
        owners: list[I64] = []
        rows: list[I64] = []
        position = np.arange(n, dtype=np.int64)
        for fr, lookup in zip(d.families, self._row_of, strict=True):
            keys = fr.pair_key[pairs]
            row = np.where(keys >= 0, lookup[np.maximum(keys, 0)], -1)
            inside = row >= 0
            owners.append(position[inside])
            rows.append(row[inside])
        owner = np.concatenate(owners)
        row = np.concatenate(rows)
        order = np.argsort(owner, kind="stable")
        owner, row = owner[order], row[order]
        starts = np.searchsorted(owner, position).astype(np.int32)
        self.highs.addCols(
            n,
            d.weights(pairs).astype(np.float64),
            np.zeros(n),
            np.full(n, COLUMN_UPPER),
            len(row),
            starts,
            row.astype(np.int32),
            np.ones(len(row)),
        )
        self.cols = np.r_[self.cols, pairs].astype(np.int64)

    def start_from(self, chosen: I64) -> bool:
        """Make a feasible integral solution (pairs already added, one per household, every
        ceiling respected) the starting basis: each chosen pair's column basic with its
        household row at its bound, every other row's slack basic — a valid basis, since each
        chosen column is the only basic one in its household's row. A floor the solution
        does not meet starts with its penalised slack basic. True when HiGHS accepts it."""
        h = self.highs
        basic, lower, upper = (
            highspy.HighsBasisStatus.kBasic,
            highspy.HighsBasisStatus.kLower,
            highspy.HighsBasisStatus.kUpper,
        )
        col_basic = np.zeros(h.getNumCol(), dtype=bool)
        # Per row: basic (its slack in the basis), at its upper bound or at its lower bound.
        row_state = np.full(h.getNumRow(), basic, dtype=object)
        position = np.full(self.data.n_pairs, -1, dtype=np.int64)
        position[self.cols] = np.arange(len(self.cols))
        col_basic[self._n_slack + position[chosen]] = True
        slack = 0
        for fr, lookup in zip(self.data.families, self._row_of, strict=True):
            keys = fr.pair_key[chosen]
            if fr.family.assignment:
                row_state[lookup[keys]] = upper
            elif fr.family.soft:
                got = np.bincount(keys[keys >= 0], minlength=len(fr.capacity))
                for key in np.flatnonzero(fr.active).tolist():
                    if got[key] < fr.capacity[key]:
                        col_basic[slack] = True
                        row_state[lookup[key]] = lower
                    slack += 1
        basis = highspy.HighsBasis()
        basis.col_status = [basic if b else lower for b in col_basic.tolist()]
        basis.row_status = row_state.tolist()
        return bool(h.setBasis(basis) == highspy.HighsStatus.kOk)

    def solve(self, seconds: float) -> bool:
        """Re-optimise from the current basis; True when optimal."""
        self.highs.setOptionValue("time_limit", max(0.05, float(seconds)))
        self.highs.run()
        self._iterations = int(self.highs.getInfo().simplex_iteration_count)
        return bool(self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal)

    def iterations(self) -> int:
        """Simplex iterations of the last `solve`."""
        return self._iterations

    def objective(self) -> float:
        """Objective value of the restricted LP."""
        return float(self.highs.getInfo().objective_function_value)

    def duals(self) -> F64:
        """Row duals y with rc = c − Aᵀy (y ≥ 0 on ≤ rows of this maximisation)."""
        return np.asarray(self.highs.getSolution().row_dual, dtype=np.float64)

    def values(self) -> F64:
        """x of the pair columns, aligned with `self.cols`."""
        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)[self._n_slack :]

    def slack_value(self) -> float:
        """Σ of the floors' slacks: the shortfall of the relaxation."""
        if not self._n_slack:
            return 0.0
        values = np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
        return float(values[: self._n_slack].sum())
