"""Matching: propose the set of matches that houses the most urgent households.

Pure (standard library, numpy and OR-Tools). The public face:

    from matching import Problem, solve
    solution = solve(Problem.from_json(document), time_limit=30)
    solution.to_json()
"""

from matching.eligibility import PairCheck, check_pair, eligible_pairs
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
    "Area",
    "Assignment",
    "Household",
    "Income",
    "Landlord",
    "PairCheck",
    "Problem",
    "ProblemError",
    "Score",
    "Solution",
    "Unmatched",
    "Vacancy",
    "check_pair",
    "eligible_pairs",
    "solve",
]
