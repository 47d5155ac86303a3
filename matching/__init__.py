"""Matching: propose the set of matches that houses the most urgent households.

Pure (standard library, numpy and OR-Tools). The public face:

    from matching import Problem, solve
    solution = solve(Problem.from_json(document), time_limit=30)
    solution.to_json()

`solve(…, progress=callback)` reports a `Progress` at every phase and pricing round.
"""

from matching.eligibility import RULES, PairCheck, check_pair, eligible_pairs
from matching.explain import score_of
from matching.model import fit_points_of_pair
from matching.outcome import Progress
from matching.problem import (
    Area,
    Assignment,
    Household,
    Income,
    Landlord,
    Problem,
    ProblemError,
    Score,
    Solution,
    Unmatched,
    Vacancy,
)
from matching.solve import solve

__all__ = [
    "RULES",
    "Area",
    "Assignment",
    "Household",
    "Income",
    "Landlord",
    "PairCheck",
    "Problem",
    "ProblemError",
    "Progress",
    "Score",
    "Solution",
    "Unmatched",
    "Vacancy",
    "check_pair",
    "eligible_pairs",
    "fit_points_of_pair",
    "score_of",
    "solve",
]
