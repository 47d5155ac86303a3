"""API write throughput and latency against a bare FastAPI endpoint, measured in one run.

    .venv/bin/python -m benchmarks.api [--requests 3000] [--concurrency 16]

Each target is a real uvicorn server in a subprocess on a free loopback port, started with
the same settings (one worker, no access log):

- `bare`: a FastAPI app with one `POST /echo` returning its JSON body (a sync handler, so
  it pays the same thread-pool hop as the service's handlers) — the ceiling of the stack;
- `sqlite`: the service on a fresh SQLite file;
- `postgresql`: the service on a throwaway PostgreSQL server (tests/pg.py).

The service runs as in production (`ENVAGIN_ENVIRONMENT=production`, JSON request logs
written to a file). Setup goes through the front door: the admin credential from
`python -m app credentials create --role admin`, everything else over HTTP. Then, per
operation, a warm-up, a saturated phase (`--concurrency` clients on keep-alive connections,
asyncio + httpx) and an unloaded phase (one request at a time). The operations are the
writes the integrations make all day: `PUT /v1/vacancies/{ref}` (half new references, half
re-posts of existing ones with a changed rent) and `POST /v1/households`.

Under saturation p50 is mostly queueing (Little's law: concurrency / throughput); the
unloaded p50 is the service time of one request. Both are printed.

The script prints one Markdown table; benchmarks/README.md (section "API") holds the last
committed one. This is not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import Body, FastAPI

from app.core.db import local_year

ROOT = Path(__file__).resolve().parent.parent
MUNICIPALITY = "1980"
AREAS = ("BACKBY", "VASTERMALM", "ROCKLUNDA", "OXBACKEN")
CONTRACT_FORMS = ["municipal_contract", "support_agreement"]
SIGNING_KEY = "benchmark-only-signing-key-" + "b" * 32
REPOST_POOL = 300
WARMUP = 300
UNLOADED = 300


def bare_app() -> FastAPI:
    """The baseline: FastAPI, pydantic and uvicorn with no database, auth or logging."""
    app = FastAPI()

    @app.post("/echo")
    def echo(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        return body

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


@dataclass(frozen=True)
class Call:
    """One request: method, path, pre-serialised JSON body and the statuses that count as
    success (pre-serialised so the client spends its time sending, not encoding)."""

    method: str
    path: str
    body: bytes
    expected: frozenset[int]


@dataclass
class Phase:
    """What one batch of calls measured."""

    requests: int
    seconds: float
    latencies_ms: list[float]
    unexpected: Counter[int]
    server_cpu_seconds: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        """Server process CPU per request: what one request costs the one worker whatever
        else the machine runs; 1000 / this is the most a CPU-bound worker can serve."""
        return self.server_cpu_seconds * 1000 / self.requests

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Row:
    target: str
    operation: str
    saturated: Phase
    unloaded: Phase
    notes: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to tell whether the server was
    the bottleneck (≈ 1 CPU-second per second) or the load generator was."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


@contextlib.contextmanager
def uvicorn_server(factory: str, env: dict[str, str], log_path: Path) -> Iterator[tuple[str, int]]:
    """Serve `module:factory` with uvicorn, one worker; yield (base URL, server pid)."""
    port = _free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{factory} exited: {log_path.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.1)
            yield base_url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _drive(
    base_url: str, headers: dict[str, str], calls: Sequence[Call], concurrency: int, pid: int
) -> Phase:
    """Send every call over `concurrency` keep-alive connections, each worker taking the
    next call as soon as its previous one is answered (a closed loop)."""
    latencies = [0.0] * len(calls)
    unexpected: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    request_headers = {**headers, "Content-Type": "application/json"}
    next_index = iter(range(len(calls)))
    async with httpx.AsyncClient(
        base_url=base_url, headers=request_headers, limits=limits, timeout=60
    ) as client:

        async def worker() -> None:
            for index in next_index:
                call = calls[index]
                started = time.perf_counter()
                response = await client.request(call.method, call.path, content=call.body)
                latencies[index] = (time.perf_counter() - started) * 1000
                if response.status_code not in call.expected:
                    unexpected[response.status_code] += 1
                    if sum(unexpected.values()) <= 3:
                        print(
                            f"  unexpected {response.status_code} for {call.method} "
                            f"{call.path}: {response.text[:300]}",
                            file=sys.stderr,
                        )

        cpu_before = _cpu_seconds(pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(pid) - cpu_before
    return Phase(len(calls), seconds, latencies, unexpected, cpu)


def drive(
    base_url: str, headers: dict[str, str], calls: Sequence[Call], concurrency: int, pid: int
) -> Phase:
    return asyncio.run(_drive(base_url, headers, calls, concurrency, pid))


# --- workloads ---------------------------------------------------------------------------


def vacancy_body(index: int, *, rent_bump: int = 0) -> dict[str, Any]:
    return {
        "municipality": MUNICIPALITY,
        "area": AREAS[index % len(AREAS)],
        "rooms": 1 + index % 4,
        "rent": 5200 + (index % 40) * 100 + rent_bump,
        "elevator": index % 2 == 0,
        "ground_floor": index % 5 == 0,
        "wheelchair": index % 11 == 0,
        "contract_forms": CONTRACT_FORMS,
        "address": f"Bäckbygatan {1 + index % 90}",
        "postal_code": "723 48",
        "living_area": 35 + (index % 4) * 18,
        "floor": index % 6,
    }


def vacancy_new(prefix: str, index: int) -> Call:
    return Call(
        "PUT", f"/v1/vacancies/{prefix}-{index:06d}", _json(vacancy_body(index)), frozenset({201})
    )


def vacancy_calls(prefix: str, count: int) -> list[Call]:
    """Half new references, half re-posts of the warm-up's vacancies with a changed rent.

    Re-posts cycle through a pool much larger than the concurrency, so two requests for the
    same reference are never in flight at once (that would measure lock waits, not writes).
    """
    calls = []
    for index in range(count):
        if index % 2 == 0:
            calls.append(vacancy_new(prefix, index))
        else:
            pool_index = (index // 2) % REPOST_POOL
            body = vacancy_body(pool_index, rent_bump=100 * (1 + index % 7))
            calls.append(
                Call(
                    "PUT",
                    f"/v1/vacancies/warm-{pool_index:06d}",
                    _json(body),
                    frozenset({200}),
                )
            )
    return calls


def household_body(case_ref: str, index: int) -> dict[str, Any]:
    children = index % 4
    return {
        "case_ref": case_ref,
        "adults": 1 + index % 2,
        "children": children,
        "target_groups": ["family_with_children"] if children else ["economic_only"],
        "income": {"salary": (index % 3) * 9000, "income_support": 8500, "housing_allowance": 2100},
        "employment": ("none", "temporary", "permanent")[index % 3],
        "payment_remarks": index % 4 == 0,
        "municipal_guarantee": index % 6 == 0,
        "home_insurance": True,
        "preferred_areas": [AREAS[index % len(AREAS)]],
        "contract_forms": CONTRACT_FORMS,
        "urgency": index % 4,
    }


def household_calls(prefix: str, count: int) -> list[Call]:
    return [
        Call(
            "POST",
            "/v1/households",
            _json(household_body(f"{prefix}-{index:06d}", index)),
            frozenset({201}),
        )
        for index in range(count)
    ]


def echo_calls(count: int) -> list[Call]:
    return [
        Call("POST", "/echo", _json(vacancy_body(index)), frozenset({200}))
        for index in range(count)
    ]


# --- setup through the front door --------------------------------------------------------


def service_env(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENVAGIN_")}
    env.pop("TEST_DATABASE", None)
    env.update(
        DATABASE_URL=database_url,
        ENVAGIN_ENVIRONMENT="production",
        ENVAGIN_SIGNING_KEY=SIGNING_KEY,
        ENVAGIN_TOKEN_TTL_SECONDS="3600",
        ENVAGIN_LOG_JSON="true",
        # The load generator is one credential per operation: lift the per-credential rate
        # limit, which would otherwise answer 429 (the limiter itself still runs).
        ENVAGIN_RATE_LIMIT="100000000/minute",
        ENVAGIN_TOKEN_RATE_LIMIT="100000000/minute",
    )
    return env


def bootstrap_admin(env: dict[str, str]) -> tuple[str, str]:
    """`python -m app credentials create --role admin` (which migrates first)."""
    completed = subprocess.run(
        [sys.executable, "-m", "app", "credentials", "create", "--role", "admin"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    for line in reversed(completed.stdout.splitlines()):
        with contextlib.suppress(ValueError):
            created = json.loads(line)
            if isinstance(created, dict) and "client_secret" in created:
                return str(created["client_id"]), str(created["client_secret"])
    raise RuntimeError(f"no credential printed: {completed.stdout[-2000:]}")


def _ok(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    if response.status_code not in statuses:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def token_headers(base_url: str, client_id: str, secret: str) -> dict[str, str]:
    token = _ok(
        httpx.post(
            f"{base_url}/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
            timeout=30,
        ),
        200,
    )["access_token"]
    return {"Authorization": f"Bearer {token}"}


def set_up_service(base_url: str, admin: tuple[str, str]) -> dict[str, dict[str, str]]:
    """Municipality, areas, landlord, agreement and a credential per role; returns the
    authorization headers of the landlord and of social services."""
    with httpx.Client(base_url=base_url, headers=token_headers(base_url, *admin)) as client:
        _ok(client.post("/v1/municipalities", json={"code": MUNICIPALITY}), 201)
        landlord = _ok(
            client.post(
                "/v1/landlords",
                json={"name": "Mimer", "org_number": "556036-0793", "kind": "public"},
            ),
            201,
        )["id"]
        credentials = {}
        for role, organisation in (
            ("coordinator", {"municipality": MUNICIPALITY}),
            ("social_services", {"municipality": MUNICIPALITY}),
            ("landlord", {"landlord": landlord}),
        ):
            created = _ok(client.post("/v1/credentials", json={"role": role, **organisation}), 201)
            credentials[role] = token_headers(
                base_url, created["client_id"], created["client_secret"]
            )
    with httpx.Client(base_url=base_url, headers=credentials["coordinator"]) as coordinator:
        for area in AREAS:
            _ok(
                coordinator.put(
                    f"/v1/municipalities/{MUNICIPALITY}/areas/{area}",
                    json={"name": area.title()},
                ),
                201,
            )
        _ok(
            coordinator.put(
                f"/v1/agreements/{MUNICIPALITY}/{landlord}/{local_year()}",
                json={
                    "quota": 40,
                    "exception_quota": 5,
                    "excluded_areas": [],
                    "income_multiple": 2.5,
                    "accepts_income_support": True,
                    "accepts_housing_allowance": True,
                    "requires_permanent_employment": False,
                    "accepts_payment_remarks": True,
                    "accepts_municipal_guarantee": True,
                    "requires_home_insurance": False,
                    "contract_forms": ["municipal_contract"],
                },
            ),
            200,
            201,
        )
    return credentials


# --- runs --------------------------------------------------------------------------------


def measure(
    base_url: str,
    headers: dict[str, str],
    pid: int,
    *,
    warmup: Sequence[Call],
    saturated: Sequence[Call],
    unloaded: Sequence[Call],
    concurrency: int,
) -> tuple[Phase, Phase]:
    drive(base_url, headers, warmup, concurrency, pid)
    return (
        drive(base_url, headers, saturated, concurrency, pid),
        drive(base_url, headers, unloaded, 1, pid),
    )


def run_bare(workdir: Path, requests: int, concurrency: int) -> list[Row]:
    env = dict(os.environ)
    with uvicorn_server("benchmarks.api:bare_app", env, workdir / "bare.log") as (url, pid):
        saturated, unloaded = measure(
            url,
            {},
            pid,
            warmup=echo_calls(WARMUP),
            saturated=echo_calls(requests),
            unloaded=echo_calls(UNLOADED),
            concurrency=concurrency,
        )
    return [Row("bare", "POST /echo", saturated, unloaded)]


def run_service(
    target: str, database_url: str, workdir: Path, requests: int, concurrency: int
) -> list[Row]:
    env = service_env(database_url)
    admin = bootstrap_admin(env)
    log_path = workdir / f"{target}.log"
    rows = []
    with uvicorn_server("app.main:create_app", env, log_path) as (url, pid):
        credentials = set_up_service(url, admin)
        landlord, social_services = credentials["landlord"], credentials["social_services"]
        saturated, unloaded = measure(
            url,
            landlord,
            pid,
            warmup=[vacancy_new("warm", index) for index in range(max(WARMUP, REPOST_POOL))],
            saturated=vacancy_calls("load", requests),
            unloaded=vacancy_calls("solo", UNLOADED),
            concurrency=concurrency,
        )
        rows.append(Row(target, "PUT /v1/vacancies/{ref}", saturated, unloaded))
        saturated, unloaded = measure(
            url,
            social_services,
            pid,
            warmup=household_calls("warm", WARMUP),
            saturated=household_calls("load", requests),
            unloaded=household_calls("solo", UNLOADED),
            concurrency=concurrency,
        )
        rows.append(Row(target, "POST /v1/households", saturated, unloaded))
    return rows


def table(rows: Sequence[Row]) -> str:
    bare = next(row for row in rows if row.target == "bare")
    lines = [
        "| target | operation | requests | req/s | p50 ms | p99 ms | req/s ÷ bare "
        "| p50 ÷ bare | server CPU busy | server CPU ms/req | CPU capacity ÷ bare "
        "| unloaded p50 ms | unloaded p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: |",
    ]
    for row in rows:
        s, u = row.saturated, row.unloaded
        errors = sum(s.unexpected.values()) + sum(u.unexpected.values())
        lines.append(
            f"| {row.target} | `{row.operation}` | {s.requests} | {s.throughput:.0f} "
            f"| {s.percentile(0.5):.1f} | {s.percentile(0.99):.1f} "
            f"| {s.throughput / bare.saturated.throughput:.0%} "
            f"| {s.percentile(0.5) / bare.saturated.percentile(0.5):.1f}× "
            f"| {s.server_cpu_seconds / s.seconds:.0%} | {s.cpu_ms_per_request:.2f} "
            f"| {bare.saturated.cpu_ms_per_request / s.cpu_ms_per_request:.0%} "
            f"| {u.percentile(0.5):.1f} | {u.percentile(0.99):.1f} | {errors} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="per operation and target")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--targets", default="bare,sqlite,postgresql", help="comma-separated subset"
    )
    args = parser.parse_args(argv)
    targets = args.targets.split(",")
    if "bare" not in targets:
        parser.error("the bare target is the baseline every ratio needs")
    rows: list[Row] = []
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="envagin-bench-"))
    print(f"# logs in {workdir}", file=sys.stderr)
    rows += run_bare(workdir, args.requests, args.concurrency)
    if "sqlite" in targets:
        url = f"sqlite:///{workdir / 'bench.db'}"
        rows += run_service("sqlite", url, workdir, args.requests, args.concurrency)
    if "postgresql" in targets:
        from tests.pg import postgres_server

        with postgres_server() as url:
            rows += run_service("postgresql", url, workdir, args.requests, args.concurrency)
    load_after = os.getloadavg()[0]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before / {load_after:.1f} after, "
        f"Python {platform.python_version()}, concurrency {args.concurrency}, "
        f"{args.requests} requests per row after {WARMUP} warm-up; "
        f"unloaded: {UNLOADED} requests one at a time\n"
    )
    print(table(rows))
    print()
    print(summary(rows))


def summary(rows: Sequence[Row]) -> str:
    """The verdict against the targets (writes ≥ 40 % of bare throughput, p50 < 10 ms),
    by measured throughput and by CPU capacity, with a warning when the baseline was not
    server-bound (then the measured ratio flatters the service)."""
    bare, writes = rows[0].saturated, rows[1:]
    if not writes:
        return ""
    measured = min(row.saturated.throughput / bare.throughput for row in writes)
    capacity = min(bare.cpu_ms_per_request / row.saturated.cpu_ms_per_request for row in writes)
    slowest_p50 = max(row.unloaded.percentile(0.5) for row in writes)
    lines = [
        f"slowest write: {measured:.0%} of bare throughput measured, {capacity:.0%} of bare "
        f"by server CPU per request (target ≥ 40 %); worst unloaded p50 {slowest_p50:.1f} ms "
        "(target < 10 ms)"
    ]
    busy = bare.server_cpu_seconds / bare.seconds
    if busy < 0.8:
        lines.append(
            f"warning: the bare server was only {busy:.0%} busy, so the load generator or "
            "the machine, not the server, limited the baseline; trust the CPU ratio"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
