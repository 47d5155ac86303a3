"""The audit trail for a data-protection officer: who read which case today.

Every read of a case is audited (docs/privacy.md); Västerås's data-protection
officer must be able to ask the trail of the whole municipality by who, what and when, not
one household at a time (the Västerås world, tests/worlds/vasteras.py)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from app.core.db import STOCKHOLM
from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, assert_problem


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def test_the_audit_query_finds_a_coordinators_reads_of_today(world: World) -> None:
    first, second = world.household(), world.household()
    assert world.coordinator.get(f"/v1/households/{first}").status_code == 200
    assert world.coordinator.get("/v1/households").status_code == 200
    today = datetime.now(STOCKHOLM).replace(hour=0, minute=0, second=0, microsecond=0)
    params = {
        "actor": world.coordinator.client_id,
        "since": today.isoformat(),
        "until": (today + timedelta(days=1)).isoformat(),
    }
    found = world.coordinator.get("/v1/audit", params=params)
    assert found.status_code == 200, found.text
    events = found.json()["items"]
    assert {(e["action"], e["household"]) for e in events} == {
        ("read", first),
        ("list", first),
        ("list", second),
    }
    assert {e["credential"] for e in events} == {world.coordinator.client_id}
    reads = world.coordinator.get("/v1/audit", params={**params, "action": "read"}).json()
    assert [e["household"] for e in reads["items"]] == [first]
    # Social services' creations are in the trail too, under their own credential.
    created = world.coordinator.get(
        "/v1/audit", params={"actor": world.social.client_id, "action": "create"}
    ).json()["items"]
    assert {e["household"] for e in created} == {first, second}
    # Yesterday holds nothing; pages and CSV as for every list.
    yesterday = {"since": (today - timedelta(days=1)).isoformat(), "until": today.isoformat()}
    assert world.coordinator.get("/v1/audit", params=yesterday).json()["items"] == []
    page = world.coordinator.get("/v1/audit", params={**params, "limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    as_csv = world.coordinator.get("/v1/audit", params=params, headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["action"], r["household"]) for r in rows] == [
        (e["action"], e["household"]) for e in events
    ]


def test_another_municipalitys_trail_is_not_in_the_answer(world: World) -> None:
    household = world.household()
    assert world.coordinator.get(f"/v1/households/{household}").status_code == 200
    other = world.other_coordinator.get("/v1/audit", params={"actor": world.coordinator.client_id})
    assert other.json()["items"] == []
    assert_problem(world.other_coordinator.get("/v1/audit", params={"household": household}), 404)
    assert world.social.get("/v1/audit").status_code == 403


def test_an_empty_time_window_is_a_422(world: World) -> None:
    now = datetime.now(STOCKHOLM).isoformat()
    body = assert_problem(
        world.coordinator.get("/v1/audit", params={"since": now, "until": now}), 422
    )
    assert body["errors"][0]["field"] == "until"
