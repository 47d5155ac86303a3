"""CLI: `python -m matching solve|explain|generate|bench`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from matching.problem import Problem, ProblemError, Solution


def _load(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProblemError("", f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ProblemError("", f"{path} is not valid JSON: {exc}") from exc


def _cmd_solve(args: argparse.Namespace) -> int:
    from matching.solve import solve

    problem = Problem.from_json(_load(args.problem))
    solution = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    sys.stdout.write(json.dumps(solution.to_json(), indent=1, ensure_ascii=False) + "\n")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from matching.explain import report

    problem = Problem.from_json(_load(args.problem))
    solution = Solution.from_json(_load(args.solution))
    sys.stdout.write(report(problem, solution))
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from matching.generate import PROFILES, generate

    if args.profile not in PROFILES:
        raise ProblemError("--profile", f"expected one of {', '.join(PROFILES)}")
    problem = generate(
        households=args.households, vacancies=args.vacancies, seed=args.seed, profile=args.profile
    )
    text = json.dumps(problem.to_json(), ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from matching.bench import run_bench

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    profiles = tuple(p.strip() for p in args.profiles.split(",") if p.strip())
    run_bench(
        sizes,
        workers=args.workers,
        naive_cap=args.naive_cap,
        seed=args.seed,
        time_limit=args.time_limit,
        profiles=profiles,
        scipy_max_size=args.scipy_max_size,
        scipy_cap=args.scipy_cap,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m matching`."""
    parser = argparse.ArgumentParser(prog="python -m matching")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("solve", help="solve a matching-problem/1 file, print the solution")
    p.add_argument("problem")
    p.add_argument("--time-limit", type=float, default=None)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_cmd_solve)
    p = sub.add_parser("explain", help="print a readable report of a solution")
    p.add_argument("problem")
    p.add_argument("solution")
    p.set_defaults(run=_cmd_explain)
    p = sub.add_parser("generate", help="write a realistic synthetic problem")
    p.add_argument("--households", type=int, required=True)
    p.add_argument("--vacancies", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", default="mid_size")
    p.add_argument("--output", "-o", default=None)
    p.set_defaults(run=_cmd_generate)
    p = sub.add_parser("bench", help="benchmark against scipy and a naive CP-SAT model")
    p.add_argument("--sizes", default="2000,8000,10000,20000")
    p.add_argument("--profiles", default="national", help="comma-separated generate profiles")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--naive-cap", type=float, default=0.0, help="0: naive CP-SAT not run")
    p.add_argument("--scipy-max-size", type=int, default=10000)
    p.add_argument("--scipy-cap", type=float, default=600.0)
    p.add_argument("--time-limit", type=float, default=600.0)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(run=_cmd_bench)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ProblemError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
