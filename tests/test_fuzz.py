"""Schemathesis over every operation, as each role: no 5xx, every response matches its
documented schema, status and content type, and every error is problem+json."""

from __future__ import annotations

import functools
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python import asgi
from schemathesis.python._constants.orchestrator import make_constants_value_source
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.auth import issue_token
from app.core.errors import PROBLEM_MEDIA_TYPE
from tests import asgi_call, fuzz_cases
from tests.conftest import Api
from tests.transaction import rolled_back


@pytest.fixture(scope="module")
def fuzz_credentials(shared_app: FastAPI, portal: BlockingPortal) -> Iterator[dict[str, str]]:
    """A small world for the fuzzer to hit real objects in, built once per test worker for
    the whole module (about a dozen requests) inside a transaction rolled back when the
    module ends; each test runs in a savepoint on it (tests/transaction.py). The
    credential id of each role."""
    with rolled_back(shared_app):
        api = Api(shared_app, portal)
        api.municipality("1980")
        coordinator = api.client("coordinator", municipality="1980")
        coordinator.put("/v1/municipalities/1980/areas/A01", json={"name": "Centrum"})
        landlord_id = api.landlord()
        yield {
            "admin": api.admin.client_id,
            "coordinator": coordinator.client_id,
            "social_services": api.client("social_services", municipality="1980").client_id,
            "landlord": api.client("landlord", landlord=landlord_id).client_id,
        }


@pytest.fixture
def fuzz_world(
    app: FastAPI, portal: BlockingPortal, fuzz_credentials: dict[str, str]
) -> dict[str, Any]:
    """The fuzz world and a fresh token per role (a module's run outlasts a token)."""
    tokens = {
        role: "Bearer " + issue_token(app.state.settings, credential_id)[0]
        for role, credential_id in fuzz_credentials.items()
    }
    # A long poll of `GET /v1/events` waits 0.05 s instead of the suite's 1 s: the fuzzer
    # still runs the waiting loop, without idling a test worker a second per example (the
    # `app` fixture puts the settings back after the test).
    app.state.settings = app.state.settings.model_copy(update={"long_poll_seconds": 0.05})
    # A client that is never entered: schemathesis would otherwise run the app's lifespan
    # (once per process, kept running), whose SQLite worker threads would then work beside
    # every later test. Like every other API test, the fuzz runs without them.
    client = asgi.ASGIClient(app)  # type: ignore[arg-type]
    # requests reads the proxy variables of the environment on every call (a tenth of the
    # fuzz's time, os.environ decoded each time); the app is called in-process.
    client.trust_env = False
    return {"app": app, "tokens": tokens, "client": client, "portal": portal}


# The committed document, which tests/test_openapi.py holds equal to the app's: loaded when
# the module is collected, so that every operation becomes a test item of its own and the
# items spread evenly over the test workers.
OPENAPI_DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
OPENAPI_BYTES = OPENAPI_DOCUMENT.read_bytes()
schema = schemathesis.openapi.from_path(OPENAPI_DOCUMENT)
# Every role on both databases: the roles that write domain data would show on PostgreSQL
# what only it refuses (NUL bytes, overflowing integers, over-long strings); every role
# meets both databases' constraints. Derandomized: every run draws the same cases, and a
# failure reproduces.
FUZZ_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def _problem_json_for_errors(ctx: Any, response: Any, case: Any) -> bool:
    """Our own check: every 4xx/5xx is application/problem+json with the RFC 9457 members."""
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith(PROBLEM_MEDIA_TYPE), (
            f"{response.status_code} answered with {content_type}"
        )
        body = response.json()
        assert {"type", "title", "status", "detail"} <= set(body)
        assert body["status"] == response.status_code
    return True


def _call_as(role: str, case: Any, world: dict[str, Any]) -> None:
    headers = {"Authorization": world["tokens"][role]} if role != "anonymous" else {}
    app, client = world["app"], world["client"]
    response = asgi_call.send(case, headers, app=app, portal=world["portal"], session=client)
    # positive_data_acceptance is excluded: schema-valid data can name objects that do not
    # exist or another organisation's (404), or conflict with stored state (409, 422).
    case.validate_response(
        response,
        headers=headers,
        additional_checks=[_problem_json_for_errors],
        excluded_checks=[positive_data_acceptance],
        transport_kwargs={"app": app, "session": client, "headers": headers},
    )


@functools.lru_cache(maxsize=4)
def _cases(label: str) -> tuple[Any, ...]:
    """The cases of one operation — its examples, the coverage cases and 15 fuzzed cases —
    drawn the first time a test worker runs the operation, and sent again as each other
    role. Drawing is about a fifth of a fuzz item's time and does not depend on the answers (the
    settings are derandomized and the only feedback is the schema's constants), so every
    role drew the same cases anew; now a worker draws them once. Built with schemathesis's
    own builder, as its pytest plugin would (the same phases, settings and strategies)."""
    load_all_checks()
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label

    def draw() -> tuple[Any, ...]:
        drawn: list[Any] = []

        @FUZZ_SETTINGS
        def collect(case: Any) -> None:
            drawn.append(case)

        build_operation_test(
            config=schema.config,
            operation=operation,
            test_func=collect,
            given_kwargs={},
            feedback=_feedback(),
        )()
        assert drawn, f"no case drawn for {label}"
        return tuple(drawn)

    # Shared with the run's other test processes when `make test` gives them a directory.
    return fuzz_cases.shared(label, OPENAPI_BYTES, operation, draw)


def _fuzz(label: str, role: str, world: dict[str, Any]) -> None:
    """Every case of the operation as this role; the first failing check fails the test,
    its message naming the check and the request (as curl) to reproduce it."""
    for case in _cases(label):
        _call_as(role, case, world)


@functools.cache
def _feedback() -> FeedbackSources:
    return FeedbackSources(constants_value_source=make_constants_value_source(schema))


# Every operation of the committed document, named as schemathesis names them.
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, item in json.loads(OPENAPI_BYTES)["paths"].items()
    for method in item
    if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
]


ROLES = ("anonymous", "admin", "coordinator", "social_services", "landlord")


# One item per operation and role, the roles of an operation side by side: `--dist
# worksteal` hands each worker a contiguous run of items, so an operation's roles mostly
# run on one worker, which draws its cases once (`_cases`).
@pytest.mark.parametrize(
    ("operation", "role"),
    [pytest.param(label, role, id=f"{role}-{label}") for label in OPERATIONS for role in ROLES],
)
def test_fuzz(operation: str, role: str, fuzz_world: dict[str, Any]) -> None:
    _fuzz(operation, role, fuzz_world)


STATEFUL_SETTINGS = settings(
    max_examples=40,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.mark.parametrize("role", ["coordinator", "social_services", "landlord", "admin"])
def test_stateful_sequences_as_each_role(role: str, fuzz_world: dict[str, Any]) -> None:
    """Sequences of calls that use real ids from earlier answers — create a household, then
    read, change, close and erase it; credentials, landlords, pins, rounds, tenancies — with
    the links schemathesis infers from the schema. The same checks as the single calls:
    no 5xx, every answer as documented, every error problem+json."""
    headers = {"Authorization": fuzz_world["tokens"][role]}
    app = fuzz_world["app"]
    # The test runs in one rolled-back transaction (tests/transaction.py): a savepoint over
    # the fuzz world, rolled back before each scenario, puts the world back as it was.
    connection = app.state.engine.connection
    world = connection.begin_nested()
    base: Any = schema.as_state_machine()
    links = [name for name in base.bundles if "{household_id}" in name]
    assert links, "the schema links household operations to the creation's id"

    class Machine(base):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same world: Hypothesis replays scenarios, and
            # one that met another's household (a taken case_ref: 409) would draw
            # differently the second time.
            nonlocal world
            world.rollback()
            world = connection.begin_nested()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers, "app": app, "session": fuzz_world["client"]}

        def call(self, case: Any, **kwargs: Any) -> Any:
            # In one call on the suite's event loop, as the single calls are sent
            # (tests/asgi_call.py), instead of through schemathesis's requests client.
            return asgi_call.send(
                case, headers, app=app, portal=fuzz_world["portal"], session=kwargs["session"]
            )

        def validate_response(
            self,
            response: Any,
            case: Any,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=[_problem_json_for_errors],
                excluded_checks=[positive_data_acceptance],
                transport_kwargs=kwargs,
            )

    try:
        Machine.run(settings=STATEFUL_SETTINGS)
    finally:
        world.rollback()


def test_cases_read_back_from_the_runs_directory_are_the_cases_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process of the run reads what this one drew (tests/fuzz_cases.py): the same
    requests, the same metadata, and hashes of its own — stored as another process's string
    hashes would be, they must not make a case look changed since it was drawn."""
    monkeypatch.setenv(fuzz_cases.DIRECTORY, str(tmp_path))
    label = "PATCH /v1/households/{household_id}"
    operation = schema.find_operation_by_label(label)
    drawn = _cases.__wrapped__(label)
    [stored] = tmp_path.glob("*.pickle")
    fields = pickle.loads(stored.read_bytes())
    for case in fields:
        for hashes in (case["_meta"]._initial_hashes, case["_meta"]._last_validated_hashes):
            hashes.update(dict.fromkeys(hashes, 0))
    stored.write_bytes(pickle.dumps(fields))

    def draw_again() -> tuple[Any, ...]:
        raise AssertionError("drawn again instead of read")

    read = fuzz_cases.shared(label, OPENAPI_BYTES, operation, draw_again)
    assert len(read) == len(drawn) > 100
    for before, after in zip(drawn, read, strict=True):
        assert after == before
        assert after.as_curl_command() == before.as_curl_command()
        assert after.meta.phase == before.meta.phase
        assert after.meta.generation.mode == before.meta.generation.mode
        after._check_modifications()
        assert not after.meta.is_dirty()
