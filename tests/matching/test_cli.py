"""The CLI: solve a hand-written problem, explain it, generate, and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from matching import Problem, Solution
from tests.matching.bruteforce import assert_hard_rules

FIXTURE = Path(__file__).parent / "fixtures" / "format_example.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matching", *args], capture_output=True, text=True, check=False
    )


def test_cli_solves_the_documented_example(tmp_path: Path) -> None:
    out = run("solve", str(FIXTURE), "--time-limit", "20", "--workers", "1")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    solution = Solution.from_json(doc)
    problem = Problem.from_json(json.loads(FIXTURE.read_text(encoding="utf-8")))
    assert solution.status == "optimal"
    assert_hard_rules(problem, solution)
    # H0002 is pinned to V0004; H0001 cannot have V0003 (forbidden) and takes V0001.
    assert {(a.household, a.vacancy) for a in solution.assignments} == {
        ("H0001", "V0001"),
        ("H0002", "V0004"),
    }
    assert solution.objective == 4037 + 1210
    path = tmp_path / "solution.json"
    path.write_text(out.stdout, encoding="utf-8")
    report = run("explain", str(FIXTURE), str(path))
    assert report.returncode == 0, report.stderr
    assert "H0001 → V0001" in report.stdout


def test_cli_rejects_a_malformed_problem_without_a_traceback(tmp_path: Path) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    del data["vacancies"][0]["rent"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = run("solve", str(path))
    assert out.returncode == 2
    assert "vacancies[0].rent: required field is missing" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_generates_a_valid_problem(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    out = run(
        "generate",
        "--households",
        "30",
        "--vacancies",
        "40",
        "--seed",
        "2",
        "--profile",
        "large_city",
        "-o",
        str(path),
    )
    assert out.returncode == 0, out.stderr
    p = Problem.from_json(json.loads(path.read_text(encoding="utf-8")))
    assert len(p.households) == 30
    assert len(p.vacancies) == 40
