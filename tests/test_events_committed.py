"""Events that other threads and processes read as they are committed: concurrent writers
behind a reader, a long poll woken by a commit, the delivery worker of each database. Their
writes must be seen over other connections, so every test here commits for real (the
module's other half, tests/test_events.py, runs rolled back on a world built once)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from app.events import delivery_jobs
from app.events.catalogue import Audience
from app.events.models import Event
from app.events.outbox import emit
from app.jobs.worker import queue_app
from app.vocabulary import EventType
from tests.conftest import Api
from tests.receiver import Receiver
from tests.webhooks import subscribe
from tests.worlds.jobs import POSTGRES
from tests.worlds.jonkoping import Jonkoping, jonkoping_world


@pytest.fixture
def world(api: Api) -> Jonkoping:
    return jonkoping_world(api)


@pytest.mark.commits  # other threads read and write at once
def test_concurrent_writers_never_leave_a_gap_behind_a_reader(api: Api) -> None:
    """Ten threads append to one stream while a reader follows it by cursor: the reader
    sees every event exactly once, in order — a number is taken at commit, in commit
    order."""
    api.municipality("0680")
    factory = api.app.state.sessionmaker
    audience = Audience.coordinators("0680")

    def writer(n: int) -> None:
        for i in range(5):
            with factory.begin() as session:
                emit(session, audience, EventType.round_failed, subject_id=f"{n}-{i}", data={})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    seen: list[int] = []

    def read_on() -> None:
        with factory() as session:
            seen.extend(
                session.scalars(
                    select(Event.seq)
                    .where(Event.audience == audience.key, Event.seq > (seen[-1] if seen else 0))
                    .order_by(Event.seq)
                ).all()
            )

    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        read_on()
    for thread in threads:
        thread.join()
    read_on()  # what the last writers committed after the last read
    assert seen == list(range(1, 51))


@pytest.mark.commits  # other threads read and write at once
def test_a_long_poll_returns_as_soon_as_an_event_arrives(world: Jonkoping) -> None:
    factory = world.api.app.state.sessionmaker

    def later() -> None:
        time.sleep(0.3)
        with factory.begin() as session:
            emit(
                session,
                Audience.coordinators(world.CODE),
                EventType.round_failed,
                subject_id="late",
                data={},
            )

    thread = threading.Thread(target=later)
    thread.start()
    # A writer can commit while the poll waits: the poll holds no lock on SQLite.
    response = world.coordinator.get("/v1/events", params={"wait": 30})  # at most 1 s here
    thread.join()
    assert response.status_code == 200
    assert [e["subject"]["id"] for e in response.json()["items"]] == ["late"]
    empty = world.coordinator.get("/v1/events", params={"wait": 1, "after": 1}).json()
    assert empty == {"items": [], "next_cursor": "1"}


@pytest.mark.skipif(not POSTGRES, reason="the job queue is PostgreSQL's")
@pytest.mark.commits  # the worker reads the job over connections of its own
def test_on_postgresql_a_worker_job_delivers_what_a_request_committed(
    world: Jonkoping, hook: Receiver
) -> None:

    endpoint = subscribe(world.coordinator, hook.url)
    world.coordinator.post(f"/v1/webhooks/{endpoint['id']}/test")
    url = world.api.app.state.settings.database_url
    queue_app(url, world.api.app.state.sessionmaker).run_worker(
        queues=[delivery_jobs.QUEUE], wait=False, install_signal_handlers=False, listen_notify=False
    )
    assert [r.json["type"] for r in hook.received] == ["ping"]


@pytest.mark.skipif(POSTGRES, reason="on PostgreSQL the worker processes send")
@pytest.mark.commits  # the lifespan's delivery thread reads over a connection of its own
def test_on_sqlite_the_api_process_sends_by_itself(world: Jonkoping, hook: Receiver) -> None:
    """The lifespan's delivery thread, woken by the commit that created the delivery."""
    from fastapi.testclient import TestClient

    endpoint = subscribe(world.coordinator, hook.url)
    with TestClient(world.api.app) as running:
        headers = dict(world.coordinator.headers)
        assert (
            running.post(f"/v1/webhooks/{endpoint['id']}/test", headers=headers).status_code == 202
        )
        deadline = time.monotonic() + 10
        while not hook.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [r.json["type"] for r in hook.received] == ["ping"]
