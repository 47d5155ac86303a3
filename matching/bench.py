"""`python -m matching bench`: our solver against two baselines on the same instances.

For each size n (n households × n vacancies) and profile, in this process:

* **ours** — end to end like the CLI: JSON text → `Problem.from_json` → `solve` → JSON text;
* **scipy** — `scipy.optimize.linear_sum_assignment` on the dense n × n weight matrix (weight of
  the household where the pair is eligible, 0 elsewhere), *without* any side constraint;
* **naive CP-SAT** — one Boolean per eligible pair with every round constraint and the primary
  objective, under a time cap ("timeout" when hit; not built above `NAIVE_MAX_PAIRS`; off
  unless `--naive-cap` is given).

Each measurement runs in a forked child so its peak resident memory can be reported, and is
stopped at its time cap. scipy is skipped above `--scipy-max-size` (its dense n × n matrix is
3.2 GB at 20 000²) and reported as "skipped". scipy is a development dependency and is
imported only here, lazily.

The default profile, `national` (issue 16), has binding exception quotas (public landlords
5, private 0–2), quotas at 40 % of each landlord's vacancies and a cap on every third area.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from matching.eligibility import eligible_pairs
from matching.generate import generate
from matching.problem import Problem

NAIVE_MAX_PAIRS = 3_000_000
PROFILES = ("national",)
SIZES = (2000, 8000, 10000, 20000)
SCIPY_MAX_SIZE = 10000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _child(fn: Callable[[], dict[str, Any]], queue: Any) -> None:
    try:
        result = fn()
    except Exception as exc:  # reported, not raised: the table goes on
        result = {"status": f"error: {exc}", "seconds": float("nan"), "pairs": 0}
    result["peak_mb"] = _peak_mb()
    queue.put(result)


def _measure(fn: Callable[[], dict[str, Any]], cap: float | None = None) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, queue))
    proc.start()
    try:
        result: dict[str, Any] = queue.get(timeout=cap)
    except Exception:  # queue.Empty: the time cap was hit
        proc.terminate()
        proc.join()
        return {"status": f"timeout (> {cap:.0f} s)", "seconds": float("nan"), "peak_mb": 0.0}
    proc.join()
    return result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ours(text: str, workers: int | None, limit: float) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        from matching.solve import solve

        start = time.perf_counter()
        cpu = _cpu()
        problem = Problem.from_json(json.loads(text))
        solution = solve(problem, workers=workers, time_limit=limit)
        out = json.dumps(solution.to_json())
        seconds = time.perf_counter() - start
        stats = solution.stats
        return {
            "seconds": seconds,
            "status": solution.status,
            "objective": solution.objective,
            "bound": solution.bound,
            "pairs": stats.get("eligible_pairs"),
            "primary_s": stats.get("seconds_primary"),
            "lp_integral": stats.get("lp_integral"),
            "lp_rounds": stats.get("lp_rounds"),
            "finish": stats.get("finish", "integral relaxation"),
            "eligibility_s": stats.get("seconds_eligibility"),
            "lower_tiers_s": stats.get("seconds_lower_tiers"),
            "tiers": stats.get("tiers"),
            "bytes": len(out),
            "cpu_s": _cpu() - cpu,
        }

    return run


def _scipy(problem: Problem) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        from scipy.optimize import linear_sum_assignment

        pairs = eligible_pairs(problem)
        weight = np.array([h.weight for h in problem.households], dtype=np.float64)
        start = time.perf_counter()
        matrix = np.zeros((len(problem.households), len(problem.vacancies)))
        matrix[pairs.household, pairs.vacancy] = weight[pairs.household]
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        value = int(matrix[rows, cols].sum())
        return {"seconds": time.perf_counter() - start, "status": "optimal", "objective": value}

    return run


def _naive(problem: Problem, cap: float, workers: int | None) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        from ortools.sat.python import cp_model

        start = time.perf_counter()
        pairs = eligible_pairs(problem)
        if len(pairs) > NAIVE_MAX_PAIRS:
            return {"seconds": float("nan"), "status": f"timeout (not built: {len(pairs):,} pairs)"}
        model = cp_model.CpModel()
        x = [model.new_bool_var("") for _ in range(len(pairs))]
        ph, pv, pe = pairs.household.tolist(), pairs.vacancy.tolist(), pairs.exception.tolist()
        by_h: dict[int, list[Any]] = {}
        by_v: dict[int, list[Any]] = {}
        by_l: dict[str, list[Any]] = {}
        exc_l: dict[str, list[Any]] = {}
        by_a: dict[str, list[Any]] = {}
        newly: list[Any] = []
        for k, (h, v, e) in enumerate(zip(ph, pv, pe, strict=True)):
            vac = problem.vacancies[v]
            by_h.setdefault(h, []).append(x[k])
            by_v.setdefault(v, []).append(x[k])
            by_l.setdefault(vac.landlord, []).append(x[k])
            by_a.setdefault(vac.area, []).append(x[k])
            if e:
                exc_l.setdefault(vac.landlord, []).append(x[k])
            if problem.households[h].newly_arrived:
                newly.append(x[k])
        for group in (*by_h.values(), *by_v.values()):
            model.add_at_most_one(group)
        for lo in problem.landlords:
            model.add(sum(by_l.get(lo.id, [])) <= lo.quota)
            model.add(sum(exc_l.get(lo.id, [])) <= lo.exception_quota)
        for area in problem.areas:
            if area.cap is not None:
                model.add(sum(by_a.get(area.id, [])) <= area.cap)
        if problem.newly_arrived_min:
            model.add(sum(newly) >= problem.newly_arrived_min)
        index = {(h, v): k for k, (h, v) in enumerate(zip(ph, pv, strict=True))}
        for hid, vid in problem.pinned:
            key = (problem.index_of("household", hid), problem.index_of("vacancy", vid))
            if key in index:
                model.add(x[index[key]] == 1)
        weight = [problem.households[h].weight for h in ph]
        model.maximize(cp_model.LinearExpr.weighted_sum(x, weight))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(1.0, cap - (time.perf_counter() - start))
        if workers:
            solver.parameters.num_workers = workers
        status = solver.solve(model)
        seconds = time.perf_counter() - start
        names = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "timeout"}
        return {
            "seconds": seconds,
            "status": names.get(status, "timeout"),
            "objective": int(solver.objective_value) if status in names else None,
        }

    return run


def _fmt(value: Any, digits: int = 2) -> str:
    if isinstance(value, float):
        return "–" if value != value else f"{value:.{digits}f}"
    return "–" if value is None else str(value)


def run_bench(
    sizes: list[int],
    *,
    workers: int | None = None,
    naive_cap: float = 0.0,
    seed: int = 1,
    time_limit: float = 600.0,
    profiles: tuple[str, ...] = PROFILES,
    scipy_max_size: int = SCIPY_MAX_SIZE,
    scipy_cap: float = 600.0,
) -> list[dict[str, Any]]:
    """Run the benchmark and print a markdown table (and one JSON line per row)."""
    rows = []
    header = (
        "| size | profile | pairs | ours s | ours CPU s | ours MB | status | bound = objective "
        "| primary s | LP rounds | finish | lower tiers s | scipy s | scipy MB | scipy/ours "
        "| naive s | naive status |"
    )
    print(header)
    print("|" + "---|" * 17)
    for n in sizes:
        for profile in profiles:
            problem = generate(households=n, vacancies=n, seed=seed, profile=profile)
            text = json.dumps(problem.to_json())
            ours = _measure(_ours(text, workers, time_limit), cap=time_limit + 60.0)
            if n <= scipy_max_size:
                scipy = _measure(_scipy(problem), cap=scipy_cap)
            else:
                scipy = {"seconds": float("nan"), "status": "skipped", "peak_mb": float("nan")}
            if naive_cap > 0:
                naive = _measure(_naive(problem, naive_cap, workers), cap=naive_cap + 60.0)
            else:
                naive = {"seconds": float("nan"), "status": "not run"}
            naive_s = naive["seconds"]
            naive_cell = (
                f"≥ {naive_cap:.0f} (timeout)"
                if naive["status"].startswith("timeout") and naive_s == naive_s
                else _fmt(naive_s)
            )
            scipy_s = scipy["seconds"]
            scipy_cell = _fmt(scipy_s) if scipy["status"] == "optimal" else scipy["status"]
            ratio = scipy_s / ours["seconds"] if scipy["status"] == "optimal" else float("nan")
            proven = ours.get("bound") == ours.get("objective")
            row = {"size": n, "profile": profile, "ours": ours, "scipy": scipy, "naive": naive}
            rows.append(row)
            print(
                f"| {n}² | {profile} | {ours.get('pairs') or 0:,} | {ours['seconds']:.2f} "
                f"| {_fmt(ours.get('cpu_s'))} "
                f"| {ours['peak_mb']:.0f} | {ours['status']} | {_fmt(proven)} "
                f"| {_fmt(ours.get('primary_s'))} | {_fmt(ours.get('lp_rounds'))} "
                f"| {_fmt(ours.get('finish'))} | {_fmt(ours.get('lower_tiers_s'))} "
                f"| {scipy_cell} | {_fmt(scipy.get('peak_mb'), 0)} | {_fmt(ratio)} "
                f"| {naive_cell} | {naive['status']} |",
                flush=True,
            )
    for row in rows:
        print(json.dumps(row, default=str))
    return rows
