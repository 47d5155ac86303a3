"""Fault tests with real worker processes on a real PostgreSQL server of their own
(docs/operations.md): the database goes away and comes back, a worker is killed mid-round.

PostgreSQL only (TEST_DATABASE=postgresql): on SQLite there are no worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text

from app.core.config import Settings
from app.households.models import Household
from app.jobs.worker import worker_is_healthy
from app.vacancies.models import Vacancy
from tests.conftest import Api
from tests.worlds.jobs import POSTGRES
from tests.worlds.jonkoping import Jonkoping

pytestmark = pytest.mark.skipif(not POSTGRES, reason="worker processes run on PostgreSQL")

ROOT = Path(__file__).resolve().parent.parent
SIGNING_KEY = "fault-test-signing-key-" + "x" * 32
STALLED_SECONDS = 10


@dataclass
class Cluster:
    server: Any
    settings: Settings
    api: Api
    directory: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, n: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENVAGIN_")}
        env.pop("TEST_DATABASE", None)
        env.update(
            DATABASE_URL=self.server.url,
            ENVAGIN_ENVIRONMENT="test",
            ENVAGIN_SIGNING_KEY=SIGNING_KEY,
            ENVAGIN_LOG_JSON="true",
            ENVAGIN_WORKER_STALLED_SECONDS=str(STALLED_SECONDS),
            ENVAGIN_WORKER_HEALTH_FILE=str(self.health_file(n)),
        )
        return env

    def health_file(self, n: int) -> Path:
        return self.directory / f"worker-{n}.health"

    def log(self, n: int) -> Path:
        return self.directory / f"worker-{n}.log"

    def start_worker(self, n: int) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "worker"],
            cwd=ROOT,
            env=self.env(n),
            stdout=self.log(n).open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        wait_for(lambda: self.healthy(n), 60, f"worker {n} to become healthy")
        return process

    def healthy(self, n: int) -> bool:
        settings = Settings(worker_health_file=str(self.health_file(n)))
        return worker_is_healthy(settings)

    def check(self, n: int) -> int:
        """`python -m app worker --check`, as a supervisor would run it."""
        return subprocess.run(
            [sys.executable, "-m", "app", "worker", "--check"],
            cwd=ROOT,
            env=self.env(n),
            capture_output=True,
        ).returncode

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.api.app.state.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # the database may be coming back
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    from app.core.migrate import upgrade
    from app.main import create_app
    from tests.pg import postgres_instance

    with postgres_instance() as server:
        settings = Settings(
            environment="test",
            database_url=server.url,
            signing_key=SIGNING_KEY,
            argon2_time_cost=1,
            argon2_memory_cost=64,
            rate_limit="1000000/minute",
            token_rate_limit="1000000/minute",
        )
        upgrade(server.url)
        app = create_app(settings)
        running = Cluster(server, settings, Api(app), Path(tempfile.mkdtemp(prefix="faults-")))
        try:
            yield running
        finally:
            for worker in running.workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait(timeout=30)
            app.state.engine.dispose()


def round_status(world: Jonkoping, round_id: str) -> str:
    response = world.coordinator.get(f"/v1/rounds/{round_id}")
    return str(response.json()["status"]) if response.status_code == 200 else "unknown"


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_workers_survive_a_database_outage_and_no_acknowledged_write_is_lost(
    cluster: Cluster,
) -> None:
    world = Jonkoping(cluster.api)
    world.standard()
    workers = [cluster.start_worker(0), cluster.start_worker(1)]
    assert cluster.check(0) == 0
    landlord = world.landlords[world.vatterhem]
    body = {
        "municipality": world.CODE,
        "area": "CENTRUM",
        "rooms": 2,
        "rent": 6500,
        "contract_forms": ["municipal_contract"],
    }
    acknowledged: list[str] = []
    refused: list[int] = []
    stop = threading.Event()

    def writes() -> None:
        n = 0
        while not stop.is_set():
            ref = f"OUT-{n}"
            response = landlord.put(f"/v1/vacancies/{ref}", json=body)
            if response.status_code in (200, 201):
                acknowledged.append(ref)
            else:
                assert response.status_code == 503, response.text
                assert response.headers["Retry-After"]
                assert response.headers["content-type"] == "application/problem+json"
                refused.append(response.status_code)
            n += 1
            time.sleep(0.05)

    writer = threading.Thread(target=writes)
    writer.start()
    time.sleep(1)
    cluster.server.stop("fast")
    time.sleep(8)
    cluster.server.start()
    time.sleep(2)
    stop.set()
    writer.join()

    assert refused, "writes during the outage were answered 503"
    assert acknowledged
    for ref in acknowledged:
        assert landlord.get(f"/v1/vacancies/{ref}").status_code == 200, ref
    assert [w.poll() for w in workers] == [None, None], "both workers are still alive"

    started = world.start()
    wait_for(lambda: round_status(world, started["id"]) == "succeeded", 90, "the round")
    # A worker whose connection was idle notices the outage only when it next uses it,
    # possibly after the restart: it then reconnects after its first back-off (1 s).
    wait_for(
        lambda: all(
            "worker_reconnected" in {line["event"] for line in json_lines(cluster.log(n))}
            for n in (0, 1)
        ),
        30,
        "both workers to reconnect",
    )
    wait_for(lambda: cluster.healthy(0) and cluster.healthy(1), 30, "healthy workers")

    for n in (0, 1):
        lines = json_lines(cluster.log(n))  # every line is JSON
        events = [line["event"] for line in lines]
        assert events.count("worker_lost_database") == 1, events
        assert "worker_reconnected" in events
        assert all({"level", "timestamp"} <= set(line) for line in lines)


def _bulk(world: Jonkoping, count: int) -> None:
    """Enough vacancies and households that the round runs for seconds."""
    now = datetime.now(UTC)
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(
            insert(Vacancy),
            [
                {
                    "id": str(uuid.uuid4()),
                    "landlord_id": world.vatterhem,
                    "external_ref": f"BULK-{n}",
                    "municipality_code": world.CODE,
                    "area": "CENTRUM",
                    "rooms": 1 + n % 4,
                    "rent": 5000 + (n * 37) % 4000,
                    "contract_forms": ["municipal_contract"],
                    "status": "open",
                }
                for n in range(count)
            ],
        )
        session.execute(
            insert(Household),
            [
                {
                    "id": str(uuid.uuid4()),
                    "municipality_code": world.CODE,
                    "case_ref": f"BULK-{n}",
                    "adults": 1 + n % 2,
                    "children": n % 3,
                    "income": {"salary": 20000 + (n * 53) % 20000},
                    "employment": "permanent",
                    "contract_forms": ["municipal_contract"],
                    "urgency": n % 4,
                    "registered_at": now,
                }
                for n in range(count)
            ],
        )


def test_a_killed_workers_round_is_run_again_by_the_other_within_a_minute(
    cluster: Cluster,
) -> None:
    world = Jonkoping(cluster.api)
    world.agreement(world.vatterhem, quota=3000, contract_forms=["municipal_contract"])
    _bulk(world, 500)
    first = cluster.start_worker(0)
    started = world.start(time_limit_s=120)
    wait_for(lambda: round_status(world, started["id"]) == "running", 60, "the round to run")
    os.kill(first.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait(timeout=10)
    doing = cluster.scalar(
        "SELECT count(*) FROM procrastinate.procrastinate_jobs "
        "WHERE status = 'doing' AND task_name = 'run_round'"
    )
    assert doing == 1, "the round's job was still running when its worker died"

    cluster.start_worker(1)
    wait_for(
        lambda: round_status(world, started["id"]) == "succeeded",
        60 - (time.monotonic() - killed_at),
        "the other worker to run the round again",
    )
    assert time.monotonic() - killed_at < 60
    assert (
        cluster.scalar(
            "SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE status = 'doing'"
        )
        == 0
    )
    again = world.coordinator.post("/v1/rounds", json={"time_limit_s": 5})
    assert again.status_code == 202, again.text
    round_body = world.coordinator.get(f"/v1/rounds/{started['id']}").json()
    assert round_body["error"] is None
    events = [line["event"] for line in json_lines(cluster.log(1))]
    assert "round_worker_died" in events
