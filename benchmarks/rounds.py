"""How long rounds for many municipalities take when they are queued at once, with one and
with two worker processes on one PostgreSQL database.

    .venv/bin/python -m benchmarks.rounds [--municipalities 50] [--scale 0.2]
        [--time-limit 5] [--workers 1,2] [--concurrency 3]

A throwaway PostgreSQL server (tests/pg.py). `--municipalities` municipalities are loaded
into a template database, each a copy of the Jönköping model (scenarios/jonkoping.json,
`--scale` of its yearly volumes, its own landlords), through the service layer as
`python -m app scenario load` does. Then, per worker count: a fresh database copied from
the template, that many `python -m app worker --concurrency N` processes started and
healthy (`worker --check`'s health file), and one round per municipality queued at once —
the round row and its job in one transaction each, exactly as `POST /v1/rounds` does
(app/rounds/scheduler.py). Wall time runs from the first round queued to the last one
finished (`rounds.created_at` → `finished_at`); a round's own time from its claim to its
end (`started_at` → `finished_at`), its wait from queued to claimed.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import local_year
from benchmarks.api import ROOT

YEAR = local_year()
BASE_SCENARIO = "jonkoping"


def _org_number(n: int) -> str:
    """A valid, made-up organisation number (Luhn check digit): one per benchmark landlord."""
    digits = f"5599{n:05d}"
    total = 0
    for i, char in enumerate(digits):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


def _database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def seed(url: str, count: int, scale: float) -> list[str]:
    """Load `count` copies of the base scenario, one per municipality; returns their codes."""
    import app.main  # noqa: F401  (every model registered)
    from app.core.config import Settings
    from app.core.db import create_db_engine
    from app.core.migrate import upgrade
    from app.core.types import official_municipalities
    from app.scenarios.loader import load_into, read_scenario

    upgrade(url)
    # Credentials are created for every role; a cheap hash keeps seeding short.
    settings = Settings(
        database_url=url, environment="test", argon2_time_cost=1, argon2_memory_cost=64
    )
    base = read_scenario(BASE_SCENARIO)
    codes = sorted(official_municipalities())[:count]
    engine = create_db_engine(url)
    try:
        for index, code in enumerate(codes):
            landlords = [
                landlord.model_copy(update={"org_number": _org_number(index * 100 + n)})
                for n, landlord in enumerate(base.landlords)
            ]
            scenario = base.model_copy(
                update={"municipality": code, "name": f"bench{index:02d}", "landlords": landlords}
            )
            with Session(engine) as session, session.begin():
                load_into(session, settings, scenario, scale=scale, year=YEAR)
    finally:
        engine.dispose()
    return codes


def queue_rounds(factory: sessionmaker[Session], codes: list[str], time_limit: int) -> None:
    """One round per municipality, each as its request would: the round and its job in one
    transaction."""
    from app.auth import Principal, Role
    from app.rounds import service
    from app.rounds.scheduler import DeferInTransaction
    from app.rounds.schemas import RoundCreate

    for code in codes:
        coordinator = Principal(
            credential_id="benchmark", role=Role.coordinator, municipality=code, landlord_id=None
        )
        with factory.begin() as session:
            round_ = service.start_round(
                session, principal=coordinator, data=RoundCreate(year=YEAR, time_limit_s=time_limit)
            )
            DeferInTransaction(session).schedule(round_.id)


@contextmanager
def workers(
    url: str, count: int, concurrency: int, workdir: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` worker processes, started and healthy."""
    from app.core.config import Settings
    from app.jobs.worker import worker_is_healthy

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVAGIN_")}
    env.pop("TEST_DATABASE", None)
    env.update(DATABASE_URL=url, ENVAGIN_LOG_LEVEL="WARNING", ENVAGIN_ENVIRONMENT="development")
    processes = []
    health = [workdir / f"worker-{count}-{n}.health" for n in range(count)]
    try:
        for n in range(count):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app", "worker", "--concurrency", str(concurrency)],
                    cwd=ROOT,
                    env={**env, "ENVAGIN_WORKER_HEALTH_FILE": str(health[n])},
                    stdout=(workdir / f"worker-{count}-{n}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 120
        while not all(worker_is_healthy(Settings(worker_health_file=str(h))) for h in health):
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not healthy; logs in {workdir}")
            time.sleep(0.2)
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _finished(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        done, total = connection.execute(
            text("SELECT count(*) FILTER (WHERE finished_at IS NOT NULL), count(*) FROM rounds")
        ).one()
    return int(done), int(total)


def measure(
    url: str,
    template: str,
    codes: list[str],
    *,
    count: int,
    concurrency: int,
    time_limit: int,
    workdir: Path,
) -> str:
    """One row of the table: `count` workers on a fresh copy of the template."""
    name = f"run_{count}_workers"
    _admin(url, f"CREATE DATABASE {name} TEMPLATE {template}")
    database = _database(url, name)
    from app.core.db import create_db_engine

    engine = create_db_engine(database)
    try:
        with workers(database, count, concurrency, workdir):
            queue_rounds(sessionmaker(engine, expire_on_commit=False), codes, time_limit)
            deadline = time.monotonic() + 900
            while _finished(engine)[0] < len(codes) and time.monotonic() < deadline:
                time.sleep(0.2)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status, created_at, started_at, finished_at FROM rounds")
            ).all()
    finally:
        engine.dispose()
    finished = [r for r in rows if r.finished_at is not None]
    succeeded = sum(r.status == "succeeded" for r in rows)
    wall = (max(r.finished_at for r in finished) - min(r.created_at for r in rows)).total_seconds()
    own = [(r.finished_at - r.started_at).total_seconds() for r in finished if r.started_at]
    waits = [(r.started_at - r.created_at).total_seconds() for r in finished if r.started_at]
    return (
        f"| {count} | {concurrency} | {len(rows)} | {succeeded} | {wall:.1f} "
        f"| {len(finished) / wall:.2f} | {median(own):.2f} | {max(own):.2f} "
        f"| {median(waits):.1f} | {max(waits):.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rounds", description=__doc__)
    parser.add_argument("--municipalities", type=int, default=50)
    parser.add_argument("--scale", type=float, default=0.2, help="of the base scenario's year")
    parser.add_argument("--time-limit", type=int, default=5, help="each round's, in seconds")
    parser.add_argument("--workers", default="1,2", help="worker process counts to measure")
    parser.add_argument("--concurrency", type=int, default=3, help="jobs at once per worker")
    args = parser.parse_args(argv)
    from tests.pg import postgres_server

    workdir = Path(tempfile.mkdtemp(prefix="envagin-bench-rounds-"))
    print(f"# logs in {workdir}", file=sys.stderr)
    load_before = os.getloadavg()[0]
    with postgres_server() as url:
        _admin(url, "CREATE DATABASE template_rounds")
        started = time.perf_counter()
        codes = seed(_database(url, "template_rounds"), args.municipalities, args.scale)
        seeded = time.perf_counter() - started
        rows = [
            measure(
                url,
                "template_rounds",
                codes,
                count=int(count),
                concurrency=args.concurrency,
                time_limit=args.time_limit,
                workdir=workdir,
            )
            for count in args.workers.split(",")
        ]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before / {os.getloadavg()[0]:.1f} after, Python "
        f"{platform.python_version()}; {len(codes)} municipalities, each {BASE_SCENARIO} at "
        f"scale {args.scale} (seeded in {seeded:.0f} s), time limit {args.time_limit} s\n"
    )
    print(
        "| workers | jobs at once per worker | rounds | succeeded | wall s (first queued → "
        "last finished) | rounds/s | median round s | max round s | median wait s "
        "| max wait s |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
