"""What-if rounds (`"dry_run": true`): the same pipeline on the current snapshot with the
coordinator's own policy or quotas, keeping its result and changing nothing else — SKL:
politicians change priorities "en kategori i taget", and the coordinator should see what
such a change would do before it is made."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import select

from app.core.db import Base
from app.flows import match_round
from tests.conftest import Api
from tests.worlds.jobs import run_jobs
from tests.worlds.jonkoping import PROBLEM, Jonkoping, jonkoping_world
from tests.worlds.once import built_once

ELDER_FIRST = {
    "target_group_weights": {"elderly": 10_000, "violence_exposed": 0},
}
"""A policy that weighs the elderly above everyone: the Jönköping family loses its flat to
the elderly applicant in a what-if round."""


def build_world(api: Api) -> Jonkoping:
    town = jonkoping_world(api)
    town.standard()
    # An elderly applicant who fits VH-1 as the family does, and weighs less by default.
    town.household(
        "JKP-ELDER",
        adults=2,
        target_groups=["elderly"],
        income={"income_support": 15000, "housing_allowance": 3000},
    )
    return town


built_world, world = built_once(build_world)


def fingerprint(api: Api, *, leave_out: set[str]) -> dict[str, str]:
    """Each table's content, as a hash of its rows in a stable order."""
    out: dict[str, str] = {}
    with api.app.state.engine.connect() as connection:
        for name, table in sorted(Base.metadata.tables.items()):
            if name in leave_out:
                continue
            rows = sorted(
                json.dumps(dict(row._mapping), default=str, sort_keys=True)
                for row in connection.execute(select(table))
            )
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def _what_if(world: Jonkoping, **body: Any) -> dict[str, Any]:
    return world.run(dry_run=True, **body)


def test_a_what_if_round_changes_nothing_but_its_own_round(world: Jonkoping) -> None:
    before = fingerprint(world.api, leave_out={"rounds"})
    rounds_before = len(world.coordinator.get("/v1/rounds").json()["items"])
    started = world.coordinator.post("/v1/rounds", json={"dry_run": True, "policy": ELDER_FIRST})
    assert started.status_code == 202, started.text
    run_jobs(world.api)
    after = fingerprint(world.api, leave_out={"rounds"})
    assert after == before, [name for name in before if before[name] != after[name]]
    listed = world.coordinator.get("/v1/rounds").json()["items"]
    assert len(listed) == rounds_before + 1
    assert listed[0]["dry_run"] is True
    result = world.coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert result["status"] == "succeeded", result
    assert result["dry_run"] is True
    assert result["proposals"], "the what-if round has its assignments"
    assert all(p["id"] is None and p["status"] == "what_if" for p in result["proposals"])
    assert {p["case_ref"] for p in result["proposals"]} >= {"JKP-ELDER"}
    assert world.vacancy_status("VH-1") == "open"  # nothing was proposed


def test_its_comparison_with_a_real_round_names_exactly_who_is_housed_differently(
    world: Jonkoping,
) -> None:
    what_if = _what_if(world, policy=ELDER_FIRST)
    real = world.run()
    assert real["status"] == "succeeded", real
    housed_real = {p["household"] for p in real["proposals"]}
    housed_what_if = {p["household"] for p in what_if["proposals"]}
    assert housed_real != housed_what_if, "the changed priority changes who is housed"
    comparison = world.coordinator.get(f"/v1/rounds/{real['id']}/compare/{what_if['id']}")
    assert comparison.status_code == 200, comparison.text
    body = comparison.json()
    assert {h["household"] for h in body["housed_only_in_first"]} == housed_real - housed_what_if
    assert {h["household"] for h in body["housed_only_in_second"]} == housed_what_if - housed_real
    assert {h["case_ref"] for h in body["housed_only_in_second"]} == {"JKP-ELDER"}
    assert {h["case_ref"] for h in body["housed_only_in_first"]} == {"JKP-FAMILY"}
    assert body["housed_in_both"] == len(housed_real & housed_what_if)


def test_a_quota_override_is_what_the_solver_gets(world: Jonkoping) -> None:
    what_if = _what_if(world, agreements={world.vatterhem: {"quota": 0}})
    assert {p["landlord"] for p in what_if["proposals"]} == {world.balder}
    problem = world.coordinator.get(f"/v1/rounds/{what_if['id']}/problem").json()
    quotas = {landlord["id"]: landlord["quota"] for landlord in problem["landlords"]}
    assert quotas == {world.vatterhem: 0, world.balder: 10}


def test_a_what_if_round_blocks_no_real_round(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(match_round, "run_in_background", lambda *_: None)
    held = world.coordinator.post("/v1/rounds", json={"dry_run": True})
    assert held.status_code == 202, held.text
    second = world.coordinator.post("/v1/rounds", json={"dry_run": True})
    assert second.status_code == 409
    assert "what-if" in second.json()["detail"]
    real = world.coordinator.post("/v1/rounds", json={})
    assert real.status_code == 202, real.text


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"policy": ELDER_FIRST}, "dry_run"),
        ({"agreements": {}}, "dry_run"),
        ({"dry_run": True, "agreements": {"not-a-landlord": {"quota": 1}}}, "not-a-landlord"),
        ({"dry_run": True, "agreements": {"x": {"quota": -1}}}, "quota"),
        ({"dry_run": True, "policy": {"base_weight": "heavy"}}, "base_weight"),
    ],
)
def test_a_malformed_what_if_is_422_and_queues_nothing(
    world: Jonkoping, body: dict[str, Any], says: str
) -> None:
    response = world.coordinator.post("/v1/rounds", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert says in response.text
    assert world.coordinator.get("/v1/rounds").json()["items"] == []
