"""The warm-started restricted master (matching.master) solves the same LP as the model."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings

from matching.eligibility import eligible_pairs
from matching.finish import primary_model
from matching.generate import generate
from matching.master import Master
from matching.model import reduced_costs, round_data
from matching.pins import check_pins
from matching.problem import Problem
from matching.runner import run
from tests.matching.strategies import tiny_problems


@settings(max_examples=40, deadline=None)
@given(tiny_problems(max_households=7, max_vacancies=7))
def test_the_master_grown_in_two_steps_has_the_relaxation_value_of_the_full_model(
    p: Problem,
) -> None:
    pins, reason = check_pins(p)
    if reason is not None:
        return
    data = round_data(p, eligible_pairs(p), pins)
    if data.n_pairs == 0:
        return
    everything = np.arange(data.n_pairs)
    model = primary_model(data, everything, integer=False)
    response = run(model, "lp", 10.0, 1, 0)
    master = Master(data)
    master.add(everything[::2])
    assert master.solve(10.0)
    master.add(everything[1::2])
    assert master.solve(10.0)
    assert abs(master.objective() - response.objective_value) < 1e-6
    # Optimal duals: no pair prices out, and the pair values are feasible.
    rc = reduced_costs(data, master.rows, master.duals(), data.pair_weight.astype(float))
    x = master.values()
    assert np.all((rc <= 1e-6) | (x[np.argsort(master.cols)] > 1 - 1e-6))
    assert np.all((x > -1e-9) & (x < 1 + 1e-9))
    slacks = [v for table in model.rows.slack.values() for v in table.values()]
    expected = sum(response.variable_value[v] for v in slacks)
    assert abs(master.slack_value() - expected) < 1e-6


def test_adding_columns_warm_starts_the_simplex() -> None:
    """After a few improving columns, re-solving takes far fewer pivots than a cold solve."""
    p = generate(households=300, vacancies=300, seed=2, profile="mid_size")
    data = round_data(p, eligible_pairs(p), [])
    first = np.arange(0, data.n_pairs, 4)
    rest = np.setdiff1d(np.arange(data.n_pairs), first)[:50]
    warm = Master(data)
    warm.add(first)
    assert warm.solve(10.0)
    warm.add(rest)
    assert warm.solve(10.0)
    cold = Master(data)
    cold.add(np.sort(np.r_[first, rest]))
    assert cold.solve(10.0)
    assert abs(warm.objective() - cold.objective()) < 1e-6
    assert warm.iterations() * 3 < cold.iterations()


SCRIPT = """
import numpy as np
{first}
{second}
from ortools.linear_solver import pywraplp
h = highspy.Highs()
h.silent()
h.setOptionValue("output_flag", False)
h.changeObjectiveSense(highspy.ObjSense.kMaximize)
h.addRows(1, np.array([-highspy.kHighsInf]), np.array([1.0]), 0, np.zeros(0, np.int32),
          np.zeros(0, np.int32), np.zeros(0))
h.addCols(2, np.array([1.0, 2.0]), np.zeros(2), np.ones(2), 2, np.array([0, 1], np.int32),
          np.array([0, 0], np.int32), np.ones(2))
h.run()
assert abs(h.getInfo().objective_function_value - 2.0) < 1e-9
s = pywraplp.Solver.CreateSolver("HIGHS")
x = s.IntVar(0, 3, "x")
s.Add(2 * x <= 5)
s.Maximize(x)
assert s.Solve() == pywraplp.Solver.OPTIMAL and x.solution_value() == 2
print("ok")
"""


def test_highspy_and_the_hiGHS_inside_or_tools_coexist_in_either_import_order() -> None:
    """ortools ships its own libhighs; highspy 1.15 could not be loaded beside it."""
    imports = ("import highspy", "from ortools.linear_solver import pywraplp")
    for first, second in (imports, imports[::-1]):
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT.format(first=first, second=second)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.endswith("ok\n"), out.stderr
