"""Round jobs whose writes other threads read as they are committed: the in-process worker
picking up a queued round, the solver's progress read while the round runs, and racing
round requests. Each test commits for real on a world of its own (the module's other half,
tests/test_round_jobs.py, runs rolled back on a world built once)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import matching
from app.flows import match_round
from app.jobs.worker import InProcessWorker
from app.rounds.models import Round
from tests.conftest import Api
from tests.worlds.jonkoping import Jonkoping, standard_jonkoping


@pytest.fixture
def world(api: Api) -> Jonkoping:
    return standard_jonkoping(api)


@pytest.mark.commits  # other threads read and write at once
def test_the_in_process_worker_picks_up_queued_rounds_at_start(world: Jonkoping) -> None:
    round_id = world.queued_round()
    worker = InProcessWorker(world.api.app.state.sessionmaker, poll_seconds=0.05)
    worker.start()
    try:
        for _ in range(400):
            status = world.coordinator.get(f"/v1/rounds/{round_id}").json()["status"]
            if status in ("succeeded", "failed"):
                break
            threading.Event().wait(0.05)
    finally:
        worker.stop()
    assert status == "succeeded"


@pytest.mark.commits  # other threads read and write at once (the progress while GETs read)
def test_a_running_round_shows_the_solvers_latest_progress(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The solver reports faster than the runner stores: the latest report is stored (in
    a transaction of its own, while the round's are closed) and shown by `GET` while the
    round runs; once it finished, `progress` is null."""
    monkeypatch.setattr(match_round, "PROGRESS_EVERY", 0.05)
    factory = world.api.app.state.sessionmaker
    round_id = world.queued_round()
    assert world.coordinator.get(f"/v1/rounds/{round_id}").json()["progress"] is None
    solve = matching.solve
    seen: dict[str, Any] = {}

    def solve_reporting(
        problem: matching.Problem, *, time_limit: float, seed: int, progress: Any
    ) -> matching.Solution:
        for n in (1, 2, 3):
            progress(
                matching.Progress(
                    phase="relaxation",
                    pricing_round=n,
                    bound=100 - n,
                    objective=90 + n,
                    seconds=0.5,
                )
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not seen.get("progress"):
            seen.update(world.coordinator.get(f"/v1/rounds/{round_id}").json())
            time.sleep(0.02)
        return solve(problem, time_limit=time_limit, seed=seed)

    monkeypatch.setattr(matching, "solve", solve_reporting)
    assert match_round.execute_round(factory, round_id) == "succeeded"
    assert seen["status"] == "running"
    assert seen["progress"]["phase"] == "relaxation"
    assert seen["progress"]["figures"] == {
        "pricing_round": 3,
        "bound": 97,
        "objective": 93,
        "seconds": 0.5,
    }
    assert seen["progress"]["reported_at"] >= seen["started_at"]
    assert world.coordinator.get(f"/v1/rounds/{round_id}").json()["progress"] is None


@pytest.mark.commits  # other threads read and write at once
def test_concurrent_round_requests_queue_exactly_one(
    api: Api, world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(match_round, "run_in_background", lambda *_: None)
    clients = [world.coordinator] + [
        api.client("coordinator", municipality=world.CODE) for _ in range(5)
    ]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def post(client: TestClient) -> None:
        barrier.wait()
        codes.append(client.post("/v1/rounds", json={}).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [202] + [409] * (len(clients) - 1)
    with api.app.state.sessionmaker() as session:
        assert len(session.scalars(select(Round.id)).all()) == 1
