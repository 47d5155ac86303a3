"""The human references of the municipality's views (issue 11) are loaded per page, never
per row: a page of many proposals, tenancies or vacancies costs the same number of queries
as a page of one (app/references.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.conftest import Api, AuthedClient
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, contract


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


@contextmanager
def counted_selects(world: World) -> Iterator[list[str]]:
    """The SELECT statements the service runs meanwhile (writes such as audit events are
    not what this is about)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = world.api.app.state.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _selects(world: World, client: AuthedClient, url: str) -> tuple[int, list[dict[str, Any]]]:
    with counted_selects(world) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return len(statements), list(response.json()["items"])


def test_a_longer_page_of_proposals_costs_no_more_queries(world: World) -> None:
    world.pair()
    one, items = _selects(world, world.coordinator, "/v1/proposals")
    assert len(items) == 1
    for _ in range(4):
        world.pair()
    five, items = _selects(world, world.coordinator, "/v1/proposals")
    assert len(items) == 5
    assert {p["case_ref"] for p in items} == {f"VAS-{n:04d}" for n in range(1, 6)}
    assert five == one


def test_a_longer_page_of_tenancies_or_vacancies_costs_no_more_queries(
    world: World,
) -> None:
    contract(world)
    tenancies_one, _ = _selects(world, world.coordinator, "/v1/tenancies")
    vacancies_one, _ = _selects(world, world.coordinator, "/v1/vacancies?status=let")
    for _ in range(3):
        contract(world)
    tenancies_four, tenancies = _selects(world, world.coordinator, "/v1/tenancies")
    vacancies_four, vacancies = _selects(world, world.coordinator, "/v1/vacancies?status=let")
    assert (len(tenancies), len(vacancies)) == (4, 4)
    assert all(t["landlord_name"] == "Mimer" and t["case_ref"] for t in tenancies)
    assert all(v["area_name"] == "Bäckby" for v in vacancies)
    assert (tenancies_four, vacancies_four) == (tenancies_one, vacancies_one)
