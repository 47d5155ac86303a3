"""Lists as CSV, for the coordinator's spreadsheet: the JSON's rows, and nothing more than
the caller's view holds.

Västerås's coordinator reports quota fulfilment to the landlords and the council (the
Västerås world, tests/worlds/vasteras.py); a landlord's export must stay as minimal as its
JSON (docs/privacy.md: a landlord never sees the household's case)."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.csv_export import csv_text
from tests.conftest import AuthedClient
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, contract

CSV = {"Accept": "text/csv"}


built_world, world = built_once(World)


def _csv(client: AuthedClient, path: str, **params: Any) -> list[dict[str, str]]:
    response = client.get(path, params=params, headers=CSV)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _flat_keys(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        keys: set[str] = set()
        for key, inner in value.items():
            keys |= _flat_keys(inner, f"{prefix}.{key}" if prefix else key)
        return keys
    return {prefix}


def _audit_rows(world: World) -> int:
    with world.api.app.state.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_the_households_csv_has_the_jsons_rows_and_is_audited_the_same(world: World) -> None:
    for _ in range(3):
        world.household()
    before = _audit_rows(world)
    as_json = world.coordinator.get("/v1/households").json()["items"]
    after_json = _audit_rows(world)
    rows = _csv(world.coordinator, "/v1/households")
    assert [r["id"] for r in rows] == [h["id"] for h in as_json]
    assert [r["case_ref"] for r in rows] == [h["case_ref"] for h in as_json]
    assert set(rows[0]) <= set().union(*(_flat_keys(h) for h in as_json))
    assert _audit_rows(world) - after_json == after_json - before == 3


def test_a_landlords_proposal_and_tenancy_csv_holds_no_household_field(world: World) -> None:
    made = contract(world)
    world.pair()
    proposals = _csv(world.mimer_client, "/v1/proposals")
    as_json = world.mimer_client.get("/v1/proposals").json()["items"]
    assert [r["id"] for r in proposals] == [p["id"] for p in as_json]
    allowed = set().union(*(_flat_keys(p) for p in as_json))
    assert set(proposals[0]) <= allowed
    for forbidden in ("case_ref", "household", "score.weight", "flat.rent"):
        assert forbidden not in proposals[0]
    tenancies = _csv(world.mimer_client, "/v1/tenancies")
    assert [t["proposal"] for t in tenancies] == [made["proposal"]]
    assert "household" not in tenancies[0]
    assert "case_ref" not in tenancies[0]
    # The coordinator's export of the same proposals names the case.
    coordinator = _csv(world.coordinator, "/v1/proposals")
    assert {r["case_ref"] for r in coordinator} >= {"VAS-0001"}


def test_the_quota_csv_has_one_row_per_landlord(world: World) -> None:
    rows = _csv(world.coordinator, "/v1/quota")
    report = world.coordinator.get("/v1/quota").json()
    assert [r["landlord"] for r in rows] == [r["landlord"] for r in report["rows"]]
    assert [int(r["quota"]) for r in rows] == [r["quota"] for r in report["rows"]]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    text = csv_text([{"comment": "=HYPERLINK(1)", "n": 1, "tags": ["a", "b"], "x": None}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {"comment": "'=HYPERLINK(1)", "n": "1", "tags": "a;b", "x": ""}
