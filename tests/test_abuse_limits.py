"""Abuse limits: rate limits per credential (429 + Retry-After) and a body cap (413)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.errors import TooManyRequests
from app.dashboard.client import ApiReader
from app.http.middleware import RateLimitMiddleware
from app.main import create_app
from tests.conftest import Api

# A second app on the same database reads the credentials the `api` fixture's app commits.
pytestmark = pytest.mark.commits


@pytest.fixture(scope="module")
def limited_app_once(migrated: Settings) -> Iterator[FastAPI]:
    """The second app, built once for the module (an app builds its routes' dependencies
    and middleware at its first request, about a second)."""
    settings = migrated.model_copy(
        # Windows of an hour: the sliding-window counter lets a request through when a test
        # crosses the window's boundary (a 5-a-minute test at hh:mm:59.9 was let through once).
        update={"rate_limit": "5/hour", "token_rate_limit": "3/hour", "max_body_bytes": 2048}
    )
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def limited_app(limited_app_once: FastAPI) -> FastAPI:
    """The second app with every rate-limit counter at zero, as a new app starts."""
    layer = limited_app_once.middleware_stack  # built at the app's first request
    found = layer is None
    while layer is not None:
        if isinstance(layer, RateLimitMiddleware):
            layer.limiter.storage.reset()
            found = True
        layer = getattr(layer, "app", None)
    assert found, "the rate limiter is not in the app's middleware"
    return limited_app_once


def test_a_credential_over_its_rate_gets_429_with_retry_after(
    api: Api, limited_app: FastAPI
) -> None:
    api.municipality("1980")
    token = api.client("coordinator", municipality="1980").headers["Authorization"]
    other = api.client("coordinator", municipality="1980").headers["Authorization"]
    client = TestClient(limited_app)
    answers = [
        client.get("/v1/municipalities/1980", headers={"Authorization": token}).status_code
        for _ in range(7)
    ]
    assert answers[:5] == [200] * 5
    assert answers[5:] == [429, 429]
    refused = client.get("/v1/municipalities/1980", headers={"Authorization": token})
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    # Another credential has its own budget.
    assert (
        client.get("/v1/municipalities/1980", headers={"Authorization": other}).status_code == 200
    )


def test_the_token_endpoint_is_limited_per_client_address(limited_app: FastAPI) -> None:
    client = TestClient(limited_app)
    body = {"grant_type": "client_credentials", "client_id": "cid_x", "client_secret": "y"}
    statuses = [client.post("/v1/auth/token", data=body).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_health_is_never_rate_limited(limited_app: FastAPI) -> None:
    client = TestClient(limited_app)
    assert {client.get("/healthz").status_code for _ in range(10)} == {200}


def test_a_declared_oversized_body_is_413_and_creates_nothing(
    api: Api, limited_app: FastAPI
) -> None:
    client = TestClient(limited_app)
    response = client.post(
        "/v1/municipalities",
        content=b'{"code": "1980", "name": "' + b"x" * 4096 + b'"}',
        headers={
            "Authorization": api.admin.headers["Authorization"],
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert api.admin.get("/v1/municipalities").json()["items"] == []


def test_a_streamed_oversized_body_is_413(api: Api, limited_app: FastAPI) -> None:
    client = TestClient(limited_app)

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1024

    response = client.post(
        "/v1/municipalities",
        content=chunks(),
        headers={
            "Authorization": api.admin.headers["Authorization"],
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413


def test_every_limited_answer_carries_the_ietf_ratelimit_headers(
    api: Api, limited_app: FastAPI
) -> None:
    """`RateLimit-Policy` names the quota and `RateLimit` what is left of it, so a client
    can slow down before it is refused."""
    api.municipality("1980")
    token = api.client("coordinator", municipality="1980").headers["Authorization"]
    client = TestClient(limited_app)
    for _ in range(2):
        answer = client.get("/v1/municipalities/1980", headers={"Authorization": token})
    assert answer.headers["RateLimit-Policy"] == '"credential";q=5;w=3600'
    remaining = answer.headers["RateLimit"]
    assert remaining.startswith('"credential";r=3;t=')
    assert 1 <= int(remaining.rsplit("t=", 1)[1]) <= 3600
    refused = client.post("/v1/auth/token", data={"grant_type": "client_credentials"})
    assert refused.headers["RateLimit-Policy"] == '"token";q=3;w=3600'


def test_a_dashboard_panel_load_costs_one_request_and_a_limited_one_is_429(
    api: Api, limited_app: FastAPI
) -> None:
    """The panel request spends one request of the coordinator's budget (5 an hour here);
    its own calls to the API pass the limiter, so 5 loads succeed though each reads the
    API several times, and the 6th is the API's 429 with `Retry-After`."""
    api.municipality("1980")
    token = api.client("coordinator", municipality="1980").headers["Authorization"]
    client = TestClient(limited_app)
    loads = [
        client.get("/dashboard/panels", headers={"Authorization": token}).status_code
        for _ in range(5)
    ]
    assert loads == [200] * 5
    refused = client.get("/dashboard/panels", headers={"Authorization": token})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["type"] == "/problems/too-many-requests"


def test_a_browser_over_its_rate_gets_a_readable_429_page(limited_app: FastAPI) -> None:
    """`/dashboard` opened in a browser: the 429 and its `Retry-After`, as a page."""
    client = TestClient(limited_app)
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    statuses = [client.get("/dashboard", headers=browser) for _ in range(4)]
    assert [s.status_code for s in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Försök igen om" in refused.text


def test_the_apis_429_is_relayed_by_the_dashboard_with_its_retry_after() -> None:
    """Should an in-process call be refused for its rate, the dashboard answers as the API
    did: 429 with the same `Retry-After`, not a 503 without one."""
    refusing = FastAPI()

    @refusing.get("/v1/quota")
    def limited() -> Response:
        return Response(
            '{"detail": "Rate limit exceeded; retry later."}',
            status_code=429,
            headers={"Retry-After": "17"},
            media_type="application/problem+json",
        )

    async def read() -> None:
        async with ApiReader(refusing, "Bearer x") as reader:
            await reader.get("/v1/quota")

    with pytest.raises(TooManyRequests) as refused:
        asyncio.run(read())
    assert refused.value.headers == {"Retry-After": "17"}
    assert refused.value.detail == "Rate limit exceeded; retry later."
