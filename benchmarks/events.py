"""What events cost, and how fast webhooks go out.

    .venv/bin/python -m benchmarks.events [--requests 2000] [--concurrency 16]
        [--deliveries 6000] [--parts outbox,interleaved,cost,delivery] [--blocks 8]
        [--commits 1000]

**outbox** — the outbox alone, in this process: CPU per commit of a transaction that
emits a vacancy's two events (two audiences, each with a subscribed endpoint) against an
empty commit; the median of three runs of `--commits`. No HTTP, so it reads the outbox's
own cost to the hundredth of a millisecond.

**interleaved** (the figure of record) — one server per database, its event writing
switched off and on between blocks of the same workload (off, on, on, off, …; `--blocks`
per variant, `--requests` per variant in all): the median CPU per request of each, and the
range of the per-pair ratios. Separate server processes differ by more than the events
cost (the same "without" measured 5.3 to 8.3 ms per request in three runs), so only a
comparison inside one process reads the second digit.

**cost** — the service twice per database, on a fresh database each, started the same way
as in benchmarks/api.py: once as it is, once with event writing switched off (no
publisher runs and the outbox's session hooks are removed: `without_events`). Per
operation the same workload as benchmarks/api.py (vacancy upserts: half new references,
half re-posts with a changed rent; household creations), and the server's CPU per
request; the ratio *with ÷ without* is the cost of events (target ≤ 1.10×). On
PostgreSQL the landlord and the coordinators each have a webhook endpoint subscribed to
everything, so each upsert also creates its deliveries and defers the delivery job (no
worker runs: the sending is measured below). A vacancy upsert emits `vacancy.posted` or
`vacancy.updated` to two audiences; a household creation emits nothing, so its figure is
what the hooks cost a write that has no event.

**delivery** — a throwaway PostgreSQL server, a receiver (a bare ASGI app under uvicorn
answering 204) and `--deliveries` deliveries waiting; then two `python -m app worker`
processes start, and the rate from the first attempt to the last is the throughput
(target ≥ 200/s). The baseline, in the same run: the same number of POSTs sent straight
to the receiver by one process with as many concurrent senders as one worker has — the
receiver's and loopback's ceiling.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

import httpx
from fastapi import FastAPI

from benchmarks.api import (
    REPOST_POOL,
    ROOT,
    UNLOADED,
    WARMUP,
    Phase,
    bootstrap_admin,
    drive,
    household_calls,
    measure,
    service_env,
    set_up_service,
    uvicorn_server,
    vacancy_calls,
    vacancy_new,
)

PUBLIC_URL = "https://93.184.215.14/envagin"
"""A public address literal: production accepts it without a DNS lookup; nothing is sent
to it (no worker runs during the cost measurement)."""


_EVENTS_ON = True
_PUBLISH: list[Any] = []


def switch_events(on: bool) -> None:
    """Switch event writing on or off in this process: the outbox's session hooks and the
    vacancies' publisher (off: no event is built, emitted or written)."""
    global _EVENTS_ON
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    import app.vacancies.service as vacancies
    from app.events import outbox

    if on == _EVENTS_ON:
        return
    if not _PUBLISH:
        _PUBLISH.append(getattr(vacancies, "publish"))  # noqa: B009 (not re-exported)
    for name, hook in (
        ("before_commit", outbox._write_outbox),
        ("after_commit", outbox._wake_delivery),
        ("after_soft_rollback", outbox._discard_outbox),
    ):
        (event.listen if on else event.remove)(Session, name, hook)
    setattr(vacancies, "publish", _PUBLISH[0] if on else lambda *a, **k: None)  # noqa: B010
    _EVENTS_ON = on


def without_events() -> FastAPI:
    """The service with event writing switched off, for the baseline only."""
    from app.main import create_app

    switch_events(False)
    return create_app()


def toggling_app() -> FastAPI:
    """The service with one extra route, for the interleaved measurement only: `PUT
    /__bench/events/{on}` switches event writing on or off in this process
    (`switch_events`, as `without_events` does), so both variants run in one server
    process on one database, block by block."""
    from app.main import create_app

    service = create_app()

    @service.put("/__bench/events/{on}", include_in_schema=False)
    def switch(on: bool) -> dict[str, bool]:
        switch_events(on)
        return {"on": on}

    return service


async def receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The smallest receiver: reads the body, answers 204 (200 to the start-up check)."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    status = 200 if scope["path"] == "/healthz" else 204
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def receiver_factory() -> Any:
    return receiver_app


# --- cost -------------------------------------------------------------------------------


def _subscribe(url: str, credentials: dict[str, dict[str, str]]) -> None:
    for role in ("landlord", "coordinator"):
        response = httpx.post(
            f"{url}/v1/webhooks",
            headers=credentials[role],
            json={"url": PUBLIC_URL, "events": ["vacancy.posted", "vacancy.updated"]},
            timeout=30,
        )
        if response.status_code != 201:
            raise RuntimeError(f"subscribe: {response.status_code} {response.text[:300]}")


def run_variant(
    target: str,
    variant: str,
    database_url: str,
    workdir: Path,
    requests: int,
    concurrency: int,
) -> dict[str, Phase]:
    env = service_env(database_url)
    admin = bootstrap_admin(env)
    factory = "app.main:create_app" if variant == "with" else "benchmarks.events:without_events"
    phases = {}
    with uvicorn_server(factory, env, workdir / f"{target}-{variant}.log") as (url, pid):
        credentials = set_up_service(url, admin)
        if target == "postgresql" and variant == "with":
            _subscribe(url, credentials)
        phases["PUT /v1/vacancies/{ref}"], _ = measure(
            url,
            credentials["landlord"],
            pid,
            warmup=[vacancy_new("warm", index) for index in range(max(WARMUP, REPOST_POOL))],
            saturated=vacancy_calls("load", requests),
            unloaded=vacancy_calls("solo", UNLOADED),
            concurrency=concurrency,
        )
        phases["POST /v1/households"], _ = measure(
            url,
            credentials["social_services"],
            pid,
            warmup=household_calls("warm", WARMUP),
            saturated=household_calls("load", requests),
            unloaded=household_calls("solo", UNLOADED),
            concurrency=concurrency,
        )
    return phases


@contextlib.contextmanager
def database(target: str, workdir: Path, name: str) -> Iterator[str]:
    if target == "sqlite":
        yield f"sqlite:///{workdir / (name + '.db')}"
        return
    from tests.pg import postgres_server

    with postgres_server() as url:
        yield url


def cost(workdir: Path, requests: int, concurrency: int, targets: list[str]) -> str:
    lines = [
        "| database | operation | CPU ms/req without events | CPU ms/req with events "
        "| with ÷ without | req/s without | req/s with | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for target in targets:
        results = {}
        for variant in ("without", "with"):
            with database(target, workdir, f"{target}-{variant}") as url:
                results[variant] = run_variant(target, variant, url, workdir, requests, concurrency)
        for operation, without in results["without"].items():
            with_ = results["with"][operation]
            errors = sum(without.unexpected.values()) + sum(with_.unexpected.values())
            lines.append(
                f"| {target} | `{operation}` | {without.cpu_ms_per_request:.2f} "
                f"| {with_.cpu_ms_per_request:.2f} "
                f"| {with_.cpu_ms_per_request / without.cpu_ms_per_request:.2f}× "
                f"| {without.throughput:.0f} | {with_.throughput:.0f} | {errors} |"
            )
    return "\n".join(lines)


def interleaved(
    workdir: Path, requests: int, concurrency: int, targets: list[str], blocks: int
) -> str:
    """Both variants in one server process on one database, alternating block by block
    (off, on, on, off, …): what differs between two server processes (where the heap and
    the caches land, SQLite's checkpoints, the machine's other work) then falls on both
    alike. Per operation the median CPU per request of each variant's blocks, and the
    range of the per-pair ratios."""
    lines = [
        "| database | operation | CPU ms/req without events (median) | with events (median) "
        "| with ÷ without | per-pair ratios | blocks | errors |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    per_block = max(1, requests // blocks)
    for target in targets:
        with database(target, workdir, f"{target}-interleaved") as url:
            env = service_env(url)
            admin = bootstrap_admin(env)
            log = workdir / f"{target}-interleaved.log"
            with uvicorn_server("benchmarks.events:toggling_app", env, log) as (base, pid):
                credentials = set_up_service(base, admin)
                if target == "postgresql":
                    _subscribe(base, credentials)
                workloads = {
                    "PUT /v1/vacancies/{ref}": (
                        credentials["landlord"],
                        [vacancy_new("warm", index) for index in range(max(WARMUP, REPOST_POOL))],
                        vacancy_calls("load", per_block * 2 * blocks),
                    ),
                    "POST /v1/households": (
                        credentials["social_services"],
                        household_calls("warm", WARMUP),
                        household_calls("load", per_block * 2 * blocks),
                    ),
                }
                for operation, (headers, warmup, calls) in workloads.items():
                    drive(base, headers, warmup, concurrency, pid)
                    cpu: dict[bool, list[float]] = {False: [], True: []}
                    errors = 0
                    for index in range(2 * blocks):
                        on = index % 4 in (1, 2)
                        httpx.put(f"{base}/__bench/events/{str(on).lower()}", timeout=30)
                        chunk = calls[index * per_block : (index + 1) * per_block]
                        phase = drive(base, headers, chunk, concurrency, pid)
                        cpu[on].append(phase.cpu_ms_per_request)
                        errors += sum(phase.unexpected.values())
                    httpx.put(f"{base}/__bench/events/true", timeout=30)
                    ratios = sorted(b / a for a, b in zip(cpu[False], cpu[True], strict=True))
                    off, on_ = median(cpu[False]), median(cpu[True])
                    lines.append(
                        f"| {target} | `{operation}` | {off:.2f} | {on_:.2f} | {on_ / off:.2f}× "
                        f"| {ratios[0]:.2f}–{ratios[-1]:.2f}× | {blocks} + {blocks} "
                        f"| {errors} |"
                    )
    return "\n".join(lines)


def _subscribed_database(
    database_url: str, receiver_url: str, audiences: list[Any]
) -> tuple[Any, Any]:
    """Migrate the database and subscribe one endpoint per audience to `vacancy.updated`;
    returns the engine and a session factory that seals as the workers (same settings)
    unseal."""
    import app.main  # noqa: F401  (every model registered)
    from app.core.config import Settings
    from app.core.db import create_db_engine, new_id, session_factory
    from app.core.migrate import upgrade
    from app.core.sealing import sealer_of
    from app.events.models import WebhookEndpoint
    from app.events.service import new_secret
    from app.vocabulary import EventType

    settings = Settings(database_url=database_url, environment="test")
    upgrade(settings.database_url)
    engine = create_db_engine(settings.database_url)
    factory = session_factory(engine, settings)
    with factory.begin() as session:
        for audience in audiences:
            endpoint_id = new_id()
            session.add(
                WebhookEndpoint(
                    id=endpoint_id,
                    audience=audience.key,
                    url=receiver_url,
                    event_types=[EventType.vacancy_updated.value],
                    secret=sealer_of(session).seal(endpoint_id, new_secret()),
                    created_by="benchmark",
                )
            )
    return engine, factory


def outbox(workdir: Path, commits: int, targets: list[str]) -> str:
    """The outbox alone, in this process: CPU per commit of a transaction that emits a
    vacancy's two events (its landlord's and the coordinators', each audience with one
    subscribed endpoint, so two deliveries and the delivery job's look-up), against an
    empty transaction on the same connection; the median of three runs of `commits`."""
    from app.core.queue import ensure_queue_schema
    from app.events.catalogue import Audience
    from app.events.outbox import emit
    from app.vocabulary import EventType

    lines = [
        "| database | CPU ms per commit, two events | empty commit | events' own cost |",
        "| --- | ---: | ---: | ---: |",
    ]
    view = {"id": "0" * 36, "external_ref": "LGH-1", "rent": 5200, "rooms": 2, "area": "BACKBY"}
    audiences = (
        Audience.landlord("00000000-0000-4000-8000-000000000001"),
        Audience.coordinators("1980"),
    )
    for target in targets:
        with database(target, workdir, f"{target}-outbox") as url:
            engine, factory = _subscribed_database(url, PUBLIC_URL, list(audiences))
            ensure_queue_schema(url)

            def run(count: int, events: bool, factory: Any = factory) -> float:
                started = time.process_time()
                for index in range(count):
                    with factory.begin() as session:
                        if events:
                            for audience in audiences:
                                emit(
                                    session,
                                    audience,
                                    EventType.vacancy_updated,
                                    subject_id=f"{index:036d}",
                                    data=view,
                                )
                        else:
                            session.connection()
                return (time.process_time() - started) * 1000 / count

            run(200, True)
            run(200, False)
            with_events = median(run(commits, True) for _ in range(3))
            empty = median(run(commits, False) for _ in range(3))
            lines.append(
                f"| {target} | {with_events:.3f} | {empty:.3f} | {with_events - empty:.3f} |"
            )
            engine.dispose()
    return "\n".join(lines)


# --- delivery ---------------------------------------------------------------------------


def _seed(database_url: str, receiver_url: str, count: int) -> None:
    """One endpoint and `count` events for it, as the outbox writes them (and with them
    the delivery job)."""
    from app.events.catalogue import Audience
    from app.events.outbox import emit
    from app.vocabulary import EventType

    audience = Audience.landlord("00000000-0000-4000-8000-000000000001")
    engine, factory = _subscribed_database(database_url, receiver_url, [audience])
    for start in range(0, count, 500):
        with factory.begin() as session:
            for index in range(start, min(start + 500, count)):
                emit(
                    session,
                    audience,
                    EventType.vacancy_updated,
                    subject_id=f"{index:036d}",
                    data={"id": f"{index:036d}", "rent": 7000 + index, "rooms": 2},
                    external_ref=f"LGH-{index}",
                )
    engine.dispose()


def _attempt_span(database_url: str) -> tuple[int, float]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        done, first, last = connection.execute(
            text(
                "SELECT count(*), min((attempts->0->>'at')::timestamptz), "
                "max((attempts->0->>'at')::timestamptz) FROM webhook_deliveries "
                "WHERE status = 'succeeded'"
            )
        ).one()
    engine.dispose()
    seconds = (last - first).total_seconds() if first is not None else 0.0
    return int(done), seconds


def _succeeded(database_url: str) -> int:
    return _attempt_span(database_url)[0]


def _baseline(receiver_url: str, count: int) -> float:
    from app.events.delivery import SENDERS, new_client

    body = b'{"type":"vacancy.updated"}' * 8
    with new_client() as client, ThreadPoolExecutor(SENDERS) as pool:
        started = time.perf_counter()
        list(pool.map(lambda _: client.post(receiver_url, content=body), range(count)))
        return count / (time.perf_counter() - started)


def delivery(workdir: Path, count: int) -> str:
    from tests.pg import postgres_server

    env = {**os.environ, "ENVAGIN_ENVIRONMENT": "development", "ENVAGIN_LOG_LEVEL": "WARNING"}
    env.pop("TEST_DATABASE", None)
    with (
        uvicorn_server("benchmarks.events:receiver_factory", env, workdir / "receiver.log") as (
            receiver_url,
            _,
        ),
        postgres_server() as url,
    ):
        baseline = _baseline(receiver_url + "/hook", count)
        _seed(url, receiver_url + "/hook", count)
        worker_env = {**env, "DATABASE_URL": url}
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "app", "worker"],
                cwd=ROOT,
                env=worker_env,
                stdout=(workdir / f"worker-{n}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            for n in range(2)
        ]
        try:
            deadline = time.monotonic() + 600
            while _succeeded(url) < count and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        done, seconds = _attempt_span(url)
    rate = done / seconds if seconds else 0.0
    return (
        "| deliveries | succeeded | seconds (first to last attempt) | deliveries/s "
        "| receiver ceiling req/s | ÷ ceiling |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {count} | {done} | {seconds:.1f} | {rate:.0f} | {baseline:.0f} "
        f"| {rate / baseline:.0%} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.events", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--deliveries", type=int, default=6000)
    parser.add_argument("--parts", default="outbox,interleaved,cost,delivery")
    parser.add_argument("--commits", type=int, default=1000, help="outbox: commits per run")
    parser.add_argument("--blocks", type=int, default=8, help="interleaved: blocks per variant")
    parser.add_argument("--targets", default="sqlite,postgresql", help="databases for cost")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="envagin-bench-events-"))
    print(f"# logs in {workdir}", file=sys.stderr)
    load_before = os.getloadavg()[0]
    parts = args.parts.split(",")
    out = []
    if "outbox" in parts:
        out.append(outbox(workdir, args.commits, args.targets.split(",")))
    if "interleaved" in parts:
        out.append(
            interleaved(
                workdir, args.requests, args.concurrency, args.targets.split(","), args.blocks
            )
        )
    if "cost" in parts:
        out.append(cost(workdir, args.requests, args.concurrency, args.targets.split(",")))
    if "delivery" in parts:
        out.append(delivery(workdir, args.deliveries))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before / {os.getloadavg()[0]:.1f} after, Python "
        f"{platform.python_version()}, concurrency {args.concurrency}, {args.requests} "
        "requests per row\n"
    )
    print("\n\n".join(out))


if __name__ == "__main__":
    main()
