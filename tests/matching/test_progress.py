"""`solve(…, progress=callback)` reports phase, pricing round, best bound and best solution."""

from __future__ import annotations

import dataclasses

import pytest

import matching
from matching import Progress, solve
from matching.generate import generate
from tests.matching.builders import household, landlord, problem, vacancy


def test_progress_reports_every_phase_in_order_with_a_tightening_bound() -> None:
    p = generate(households=120, vacancies=120, seed=3, profile="tight")
    reports: list[Progress] = []
    s = solve(p, workers=1, progress=reports.append)
    phases = [r.phase for r in reports]
    assert phases[0] == "eligibility"
    assert phases[-1] == "done"
    assert "relaxation" in phases
    assert "integral finish" in phases
    order = ["eligibility", "relaxation", "integral finish", "spread", "fit", "done"]
    ranks = [order.index(ph) for ph in phases]
    assert ranks == sorted(ranks)
    rounds = [r.pricing_round for r in reports if r.phase == "relaxation"]
    assert rounds == list(range(1, len(rounds) + 1))
    assert reports[-1].pricing_round == s.stats["lp_rounds"]
    bounds = [r.bound for r in reports if r.bound is not None]
    assert bounds == sorted(bounds, reverse=True)
    assert s.status == "optimal"
    assert reports[-1].bound == reports[-1].objective == s.objective == s.bound
    seconds = [r.seconds for r in reports]
    assert seconds == sorted(seconds)
    objectives = [r.objective for r in reports if r.objective is not None]
    assert objectives == sorted(objectives)
    assert all(o <= s.bound for o in objectives)


def test_progress_is_a_frozen_dataclass_of_the_public_face() -> None:
    assert "Progress" in matching.__all__
    r = Progress(phase="done", pricing_round=0, bound=1, objective=1, seconds=0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.phase = "x"  # type: ignore[misc]


def test_progress_counts_pinned_weight_and_is_optional() -> None:
    hs = [household(id="H1", weight=10), household(id="H2", weight=7)]
    vs = [vacancy(id="V1"), vacancy(id="V2")]
    p = problem(households=hs, vacancies=vs, landlords=[landlord()], pinned=(("H1", "V1"),))
    reports: list[Progress] = []
    s = solve(p, progress=reports.append)
    assert s.objective == 17
    assert reports[-1].objective == reports[-1].bound == 17
    assert solve(p).objective == 17
