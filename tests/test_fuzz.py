"""Schemathesis over every operation, as each role: no 5xx, every response matches its
documented schema, status and content type, and every error is problem+json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import insert, select

from app.core.db import Base
from app.core.errors import PROBLEM_MEDIA_TYPE
from tests.cleanup import empty_database
from tests.conftest import Api


@pytest.fixture
def fuzz_world(app: FastAPI, api: Api) -> dict[str, Any]:
    """A small world for the fuzzer to hit real objects in, and a token per role."""
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    coordinator.put("/v1/municipalities/1980/areas/A01", json={"name": "Centrum"})
    landlord_id = api.landlord()
    tokens = {
        "admin": api.admin.headers["Authorization"],
        "coordinator": coordinator.headers["Authorization"],
        "social_services": api.client("social_services", municipality="1980").headers[
            "Authorization"
        ],
        "landlord": api.client("landlord", landlord=landlord_id).headers["Authorization"],
    }
    return {"app": app, "tokens": tokens}


# The committed document, which tests/test_openapi.py holds equal to the app's: loaded when
# the module is collected, so that every operation becomes a test item of its own and the
# items spread evenly over the test workers.
OPENAPI_DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
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
    # positive_data_acceptance is excluded: schema-valid data can name objects that do not
    # exist or another organisation's (404), or conflict with stored state (409, 422).
    case.call_and_validate(
        app=world["app"],
        headers=headers,
        additional_checks=[_problem_json_for_errors],
        excluded_checks=[positive_data_acceptance],
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_anonymous(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call_as("anonymous", case, fuzz_world)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_admin(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call_as("admin", case, fuzz_world)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_coordinator(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call_as("coordinator", case, fuzz_world)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_social_services(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call_as("social_services", case, fuzz_world)


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_landlord(case: Any, fuzz_world: dict[str, Any]) -> None:
    _call_as("landlord", case, fuzz_world)


WORLD_TABLES = ("municipalities", "areas", "landlords", "agreements", "credentials")


def snapshot(engine: Any) -> dict[str, list[dict[str, Any]]]:
    """The fuzz world's rows (the credentials behind the role tokens among them)."""
    with engine.connect() as connection:
        return {
            name: [dict(row._mapping) for row in connection.execute(select(table))]
            for name, table in Base.metadata.tables.items()
            if name in WORLD_TABLES
        }


def restore(engine: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Empty the database and put the world back, with the same ids (tokens stay valid)."""
    empty_database(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if rows.get(table.name):
                connection.execute(insert(table), rows[table.name])


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
    engine = app.state.engine
    world = snapshot(engine)
    base: Any = schema.as_state_machine()
    links = [name for name in base.bundles if "{household_id}" in name]
    assert links, "the schema links household operations to the creation's id"

    class Machine(base):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same world: Hypothesis replays scenarios, and
            # one that met another's household (a taken case_ref: 409) would draw
            # differently the second time.
            restore(engine, world)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers, "app": app}

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

    Machine.run(settings=STATEFUL_SETTINGS)
