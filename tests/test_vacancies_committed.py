"""Vacancies whose writes other threads read as they are committed: racing reposts of one
reference (the module's other half, tests/test_vacancies.py, runs rolled back on a world
built once)."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.worlds.postings import World, vacancy


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


@pytest.mark.commits  # other threads read and write at once
def test_concurrent_reposts_of_one_reference_never_duplicate(world: World) -> None:
    """Landlords' systems retry; 20 racing PUTs of one new reference create exactly one row
    (the unique (landlord, external_ref) index) and, the PUT being idempotent, all succeed:
    the one that inserted answers 201, the ones that lost the insert race are retried as
    updates inside the service and answer 200 — never 409 (issue 12), never 500."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    token = world.mimer_client.headers["Authorization"]
    racers = 20
    barrier = threading.Barrier(racers)

    def put(_: int) -> int:
        client = TestClient(world.api.app)
        client.headers["Authorization"] = token
        barrier.wait()
        return int(client.put("/v1/vacancies/RACE-1", json=vacancy()).status_code)

    with ThreadPoolExecutor(max_workers=racers) as pool:
        statuses = list(pool.map(put, range(racers)))
    assert sorted(statuses) == [200] * (racers - 1) + [201]
    assert world.rows(world.mimer, "RACE-1") == 1
