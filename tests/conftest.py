"""Fixtures: one migrated database per test worker (SQLite file or a real PostgreSQL
server, chosen by TEST_DATABASE), emptied after each test; one app per worker and HTTP
clients with credentials for every role; the tier markers (docs/testing.md)."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.auth import Role
from app.core.config import Settings
from tests import fuzz_cases
from tests.asgi_call import PortalTransport
from tests.receiver import Receiver

TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")

# Property tests draw the same examples on every run (derandomized): a red run is
# reproducible, and a pass takes the same time each run (a random draw once took 14 s where
# it takes 0.1 s, and ended a pass alone). `HYPOTHESIS_PROFILE=explore` draws at random, for
# hunting (the failing example is printed, and `--hypothesis-seed N` repeats a draw).
hypothesis_settings.register_profile("suite", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def pytest_configure(config: pytest.Config) -> None:
    """The run's directory for the fuzz's drawn cases (tests/fuzz_cases.py), made before
    the test workers start so that they inherit it; `make test` makes one for both passes."""
    if os.environ.get(fuzz_cases.DIRECTORY) or hasattr(config, "workerinput"):
        return
    directory = tempfile.mkdtemp(prefix="fuzz-cases-")
    os.environ[fuzz_cases.DIRECTORY] = directory

    def remove() -> None:
        shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop(fuzz_cases.DIRECTORY, None)

    config.add_cleanup(remove)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if TEST_DATABASE == "postgresql":
        from tests.pg import postgres_server

        with postgres_server() as url:
            yield url
    else:
        directory = Path(tempfile.mkdtemp(prefix="envagin-test-"))
        yield f"sqlite:///{directory / 'test.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        signing_key="test-signing-key-" + "x" * 32,
        argon2_time_cost=1,
        argon2_memory_cost=64,
        log_json=True,
        # Tests make thousands of requests a minute with few credentials; the limits
        # themselves are tested with their own settings (tests/test_abuse_limits.py).
        rate_limit="1000000/minute",
        token_rate_limit="1000000/minute",
        # A fuzzer asks for long polls of up to 30 s on empty feeds; the long-poll test
        # needs less than a second.
        long_poll_seconds=1,
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    from app.core.migrate import upgrade

    upgrade(settings.database_url)
    return settings


@pytest.fixture(scope="session")
def shared_app(migrated: Settings) -> Iterator[FastAPI]:
    """One app per test worker. A fresh app pays FastAPI's lazy build of every route's
    dependencies (and the metrics middleware's route table) at its first request, about
    0.8 s: a third of a typical test when every test built its own."""
    from app.main import create_app

    application = create_app(migrated)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def portal() -> Iterator[BlockingPortal]:
    """One event loop thread for every test client of the session, instead of a new thread
    and portal per request (what a TestClient does when not entered as a context manager).
    The app's lifespan is not run: the in-process worker threads stay off, as before."""
    with start_blocking_portal() as running:
        yield running


@pytest.fixture
def app(request: pytest.FixtureRequest, migrated: Settings) -> Iterator[FastAPI]:
    """The worker's app, its state as it was before the test. The test runs inside one
    database transaction rolled back at its end (tests/transaction.py); a test marked
    `commits` (other threads, processes or apps must see its writes) commits for real and
    the database is emptied after it. A test marked `own_app` (it counts metrics or logging
    set up per app) gets a new app."""
    own = request.node.get_closest_marker("own_app") is not None
    commits = request.node.get_closest_marker("commits") is not None
    if own:
        from app.main import create_app

        application = create_app(migrated)
    else:
        application = request.getfixturevalue("shared_app")
    state = dict(application.state._state)
    if commits:
        from tests.transaction import SavepointEngine

        if isinstance(application.state.engine, SavepointEngine):
            raise RuntimeError(
                "a test marked `commits` cannot use a world built once for its module "
                "(tests/worlds/once.py): build its world per test"
            )
    try:
        if commits:
            yield application
        else:
            from tests.transaction import rolled_back

            with rolled_back(application):
                yield application
    finally:
        if commits:
            # Empty every table so each test starts from a clean, migrated schema (the
            # audit log is append-only: tests/cleanup.py gets past its trigger for the test
            # database only).
            from tests.cleanup import empty_database

            empty_database(application.state.engine)
        application.state._state.clear()
        application.state._state.update(state)
        application.dependency_overrides.clear()
        if own:
            application.state.engine.dispose()


class AuthedClient(TestClient):
    """A test client holding one credential's bearer token."""

    client_id: str


ClientT = TypeVar("ClientT", bound=TestClient)


class Api:
    """HTTP clients for the app, one per credential, made the way a real client would:
    a credential, then a token from /v1/auth/token."""

    def __init__(self, application: FastAPI, portal: BlockingPortal | None = None) -> None:
        self.app = application
        self.portal = portal
        self.anonymous = self._client(TestClient)
        self._admin: AuthedClient | None = None

    def _client(self, kind: type[ClientT]) -> ClientT:
        """A client of the app that sends each request in one call through the shared event
        loop (`tests/asgi_call.py`'s `PortalTransport`, in place of `TestClient`'s own)."""
        client = kind(self.app)
        if self.portal is not None:
            client.portal = self.portal
            client._transport = PortalTransport(self.app, self.portal)
        return client

    def _token_client(self, client_id: str, secret: str) -> AuthedClient:
        response = self.anonymous.post(
            "/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
        assert response.status_code == 200, response.text
        client = self._client(AuthedClient)
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        client.client_id = client_id
        return client

    @property
    def admin(self) -> AuthedClient:
        if self._admin is None:
            from app.credentials.schemas import CredentialCreate
            from app.credentials.service import create_credential

            with self.app.state.sessionmaker.begin() as session:
                credential, secret = create_credential(
                    session, self.app.state.settings, CredentialCreate(role=Role.admin)
                )
                client_id = credential.id
            self._admin = self._token_client(client_id, secret)
        return self._admin

    def client(
        self,
        role: str,
        *,
        municipality: str | None = None,
        landlord: str | None = None,
        intermediary: str | None = None,
    ) -> AuthedClient:
        body: dict[str, str] = {"role": role}
        if municipality:
            body["municipality"] = municipality
        if landlord:
            body["landlord"] = landlord
        if intermediary:
            body["intermediary"] = intermediary
        created = self.admin.post("/v1/credentials", json=body)
        assert created.status_code == 201, created.text
        return self._token_client(created.json()["client_id"], created.json()["client_secret"])

    def municipality(self, code: str = "1980") -> str:
        response = self.admin.post("/v1/municipalities", json={"code": code})
        assert response.status_code in (201, 409), response.text
        return code

    def landlord(
        self, name: str = "Mimer", org_number: str = "556036-0793", kind: str = "public"
    ) -> str:
        response = self.admin.post(
            "/v1/landlords", json={"name": name, "org_number": org_number, "kind": kind}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def intermediary(self, name: str = "Bostad Västerås", org_number: str = "559908-0081") -> str:
        response = self.admin.post(
            "/v1/intermediaries", json={"name": name, "org_number": org_number}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


@pytest.fixture
def hook() -> Iterator[Receiver]:
    """A real HTTP receiver on loopback that records what webhooks deliver to it."""
    from tests.receiver import receiver

    with receiver() as running:
        yield running


@pytest.fixture
def api(app: FastAPI, portal: BlockingPortal) -> Api:
    return Api(app, portal)


# --- Tiers ---------------------------------------------------------------------------------
# Every test gets one tier marker, so that `make test-fast` can pick the quick ones and the
# PostgreSQL pass only what a database can change (docs/testing.md):
# - unit: no database (pure functions, the solver, documents, the architecture);
# - api: the app on the suite's database, each test rolled back (or, marked `commits`,
#   committed and emptied after it);
# - system: real processes or threads that need real commits (live servers, Chromium, the
#   generated client, worker processes, PostgreSQL restarts, concurrent requests);
# - fuzz: schemathesis over every operation.
# A test uses the suite's database when it asks for `database_url`, directly or through
# `app`/`api`; it is then also marked `database`. Tests that start a PostgreSQL server of
# their own are marked `database` here too.
SYSTEM_MODULES = {
    "test_browser",
    "test_concurrency",
    "test_dashboard_browser",
    "test_generated_client",
    "test_identity_provider",
    "test_readme",
    "test_serve",
    "test_worker_faults",
    "test_workday_browser",
}
OWN_POSTGRESQL_MODULES = {"test_worker_faults"}
TIERS = ("unit", "api", "system", "fuzz")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.stem
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        if uses_database or module in OWN_POSTGRESQL_MODULES:
            item.add_marker(pytest.mark.database)
        if module in SYSTEM_MODULES:
            item.add_marker(pytest.mark.commits)
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue
        if module == "test_fuzz":
            item.add_marker(pytest.mark.fuzz)
        elif module in SYSTEM_MODULES:
            item.add_marker(pytest.mark.system)
        elif uses_database:
            item.add_marker(pytest.mark.api)
        else:
            item.add_marker(pytest.mark.unit)
    # The longest items first, the shortest last: a worker that starts a browser or a
    # worker-fault test near the end of a pass would run alone for a minute while the other
    # core idles; many short items at the end let `--dist worksteal` even out the tail.
    # (Stable: within a tier the collection order stays, an operation's fuzz roles together.)
    items.sort(key=_tier_rank)


def _tier_rank(item: pytest.Item) -> int:
    for rank, tier in enumerate(("system", "fuzz", "api", "unit")):
        if item.get_closest_marker(tier):
            return rank
    return len(TIERS)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (the app, schemathesis, hypothesis, every test module) lives
    until the worker ends: frozen out of the collector's sight, so a full collection no
    longer walks it, and collections come less often. Measured with gc.callbacks on the
    households' fuzz items: Python's defaults collected for 2.9 s of a 58 s run, most of it
    walking these objects again; frozen, with these thresholds, 1.2 s, of which about 0.9 s
    is pytest's own collections as the session ends."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 50)
