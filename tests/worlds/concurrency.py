"""Requests fired at the same moment, for the tests of what concurrency must not break."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from tests.conftest import Api, AuthedClient
from tests.transaction import require_commits


def race(
    api: Api, client: AuthedClient, calls: list[Callable[[TestClient], httpx.Response]]
) -> Counter[int]:
    """Fire every call at once, each on its own client and thread; count the statuses.
    Each thread commits on its own connection: the test is marked `commits`."""
    require_commits(api.app, "a race of requests on several threads")
    barrier = threading.Barrier(len(calls))

    def one(call: Callable[[TestClient], httpx.Response]) -> int:
        own = TestClient(api.app, headers={"Authorization": client.headers["Authorization"]})
        barrier.wait()
        response = call(own)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(one, calls))
