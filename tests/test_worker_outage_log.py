"""A worker logs the lost database when it first notices it, once per outage, without
waiting for procrastinate's idle listener (which may stop only after the database is back).
The supervisor's two noticers are driven by hand here; tests/test_worker_faults.py stops a
real PostgreSQL under real workers."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from app.core.config import Settings
from app.jobs import worker
from app.jobs.worker import WorkerSupervisor


class Database:
    """What `recover_stalled_jobs` meets: up or down."""

    def __init__(self) -> None:
        self.up = True

    def recover(self, *_: Any, **__: Any) -> int:
        if not self.up:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return 0


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Database:
    database = Database()
    monkeypatch.setattr(worker, "recover_stalled_jobs", database.recover)
    return database


@pytest.fixture
def supervisor(settings: Settings, tmp_path: Path) -> WorkerSupervisor:
    health = settings.model_copy(update={"worker_health_file": str(tmp_path / "health")})
    running = WorkerSupervisor(health, factory=None, concurrency=1)  # type: ignore[arg-type]
    running.connected.set()  # procrastinate's worker runs and has not noticed anything
    return running


def lost(lines: list[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [line for line in lines if line["event"] == "worker_lost_database"]


def test_the_loss_is_logged_at_the_first_failed_recovery_pass_not_when_the_worker_stops(
    database: Database, supervisor: WorkerSupervisor
) -> None:
    with capture_logs() as lines:
        supervisor.recovery_pass()
        assert lost(lines) == []
        database.up = False
        supervisor.recovery_pass()
        [logged] = lost(lines)
        assert logged["noticed_by"] == "recovery"
        assert logged["reason"] == "OperationalError"
        supervisor.recovery_pass()  # the same outage
        database.up = True
        supervisor.recovery_pass()
        # procrastinate's listener notices only now, after the database is back.
        supervisor.connected.clear()
        supervisor.lost_database("ConnectionError", noticed_by="worker")
    assert len(lost(lines)) == 1, lines


def test_a_worker_that_stops_first_logs_the_loss_once(
    database: Database, supervisor: WorkerSupervisor
) -> None:
    with capture_logs() as lines:
        supervisor.connected.clear()
        supervisor.lost_database("ConnectionError", noticed_by="worker")
        database.up = False
        supervisor.recovery_pass()
        supervisor.lost_database("ConnectionError", noticed_by="worker")  # a failed restart
    [logged] = lost(lines)
    assert logged["noticed_by"] == "worker"
    assert logged["restarting"] is True


def test_a_second_outage_ridden_out_by_the_worker_is_logged_again(
    database: Database, supervisor: WorkerSupervisor
) -> None:
    with capture_logs() as lines:
        for _ in range(2):
            database.up = False
            supervisor.recovery_pass()
            database.up = True
            supervisor.recovery_pass()
    assert len(lost(lines)) == 2, lines
