"""The yearly follow-up (`GET /v1/statistics`): its figures equal what the API's own lists
add up to, and no count below five is ever shown — Helsingborg's plan "följs upp årligen",
and the people behind small counts in a small municipality must not be identifiable."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.statistics.service import hidden_parts
from tests.worlds.once import built_once
from tests.worlds.vasteras import DECLINE_HOUSEHOLD, DECLINE_LANDLORD, YEAR, World, assert_problem

NOT_COUNTS = {
    "year",
    "suppressed_below",
    "median_days",
    "p90_days",
    "overlapping",
    "figure",
    "fulfilment_percent",
}
"""Figures that are not counts of people: the year, the Settlement Act figure, shares."""


built_world, world = built_once(World)


def _placed(world: World, landlord: str, *, waited_days: int, newly_arrived: bool = False) -> str:
    """A household registered `waited_days` ago, proposed, released and accepted by both."""
    vacancy = world.vacancy(f"LGH-{world._cases + 1:04d}", landlord=landlord)
    registered = datetime.now(UTC) - timedelta(days=waited_days)
    groups = ["newly_arrived"] if newly_arrived else ["violence_exposed", "family_with_children"]
    household = world.household(registered_at=registered.isoformat(), target_groups=groups)
    proposal = world.propose(household, vacancy, released=True)
    assert world.landlord_of(landlord).post(f"/v1/proposals/{proposal}/accept").status_code == 200
    accepted = world.social.post(f"/v1/proposals/{proposal}/accept")
    assert accepted.status_code == 200, accepted.text
    return proposal


def _statistics(world: World, **params: Any) -> dict[str, Any]:
    response = world.coordinator.get("/v1/statistics", params={"year": YEAR, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _shown(n: int) -> int | str:
    return n if n >= 5 else "<5"


def _counts(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every count in the report, with where it is."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_COUNTS:
                found.extend(_counts(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for row in node:
            found.extend(_counts(row, path))
    elif (isinstance(node, int) and not isinstance(node, bool)) or node == "<5":
        found.append((path, node))
    return found


def test_the_figures_are_what_the_lists_add_up_to(world: World) -> None:
    # Five of Balder's tenancies: its quota (4 in the World) must hold them, as a contract
    # beyond the quota is refused.
    raised = world.coordinator.put(
        f"/v1/agreements/1980/{world.balder}/{YEAR}",
        json={
            "quota": 5,
            "exception_quota": 2,
            "contract_forms": ["municipal_contract"],
            "trial_period_months": 18,
            "answer_hours": 48,
            "response_hours": 48,
        },
    )
    assert raised.status_code == 200, raised.text
    waits = [10, 20, 30, 40, 50, 60]
    for days in waits:
        _placed(world, "mimer", waited_days=days)
    for days in (5, 15, 25, 35, 45):
        _placed(world, "balder", waited_days=days, newly_arrived=True)
    *_, declined_by_landlord = world.pair()
    assert world.mimer_client.post(
        f"/v1/proposals/{declined_by_landlord}/decline", json=DECLINE_LANDLORD
    ).is_success
    *_, declined_by_household = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{declined_by_household}/accept").is_success
    assert world.social.post(
        f"/v1/proposals/{declined_by_household}/decline", json=DECLINE_HOUSEHOLD
    ).is_success

    tenancies = world.coordinator.get("/v1/tenancies", params={"limit": 200}).json()["items"]
    proposals = world.coordinator.get("/v1/proposals", params={"limit": 200}).json()["items"]
    per_landlord = Counter(t["landlord"] for t in tenancies)
    statuses = Counter(p["status"] for p in proposals)
    report = _statistics(world)

    placements = report["placements"]
    assert placements["total"] == len(tenancies) == 11
    assert {row["landlord"]: row["placements"] for row in placements["by_landlord"]} == {
        landlord: _shown(n) for landlord, n in per_landlord.items()
    }
    assert placements["by_landlord_kind"]["parts"] == {"public": 6, "private": 5}
    forms = Counter(t["contract_form"] for t in tenancies)
    assert (
        placements["by_contract_form"]["parts"]["municipal_contract"] == forms["municipal_contract"]
    )
    assert [(a["area"], a["placements"]) for a in placements["by_area"]] == [
        ("BACKBY", len(tenancies))
    ]
    assert placements["by_target_group"]["parts"]["violence_exposed"] == 6
    assert placements["by_target_group"]["parts"]["newly_arrived"] == 5
    assert report["settlement"]["newly_arrived_housed"] == 5
    assert report["settlement"]["figure"] is None
    recorded = world.coordinator.put(
        f"/v1/municipalities/1980/settlement/{YEAR}", json={"figure": 20}
    )
    assert recorded.status_code in (200, 201), recorded.text
    settlement = _statistics(world)["settlement"]
    assert settlement == {"figure": 20, "newly_arrived_housed": 5, "fulfilment_percent": 25.0}

    answered = report["proposals"]
    assert answered["released"] == len(proposals) == 13
    assert (
        answered["landlord"]["accepted"] == statuses["contracted"] + statuses["household_declined"]
    )
    assert answered["household"]["accepted"] == statuses["contracted"] == 11
    assert answered["landlord"]["declined"]["total"] == "<5"
    assert answered["household"]["declined"]["parts"]["location"] == "<5"

    waited = sorted([*waits, 5, 15, 25, 35, 45])
    assert report["waiting"]["households"] == 11
    assert report["waiting"]["median_days"] == pytest.approx(waited[5], abs=1)
    assert report["waiting"]["p90_days"] == pytest.approx(waited[9], abs=1)


def test_no_count_below_five_is_ever_shown(world: World) -> None:
    for days in (3, 9):
        _placed(world, "mimer", waited_days=days)
    _placed(world, "balder", waited_days=4, newly_arrived=True)
    report = _statistics(world)
    counts = _counts(report)
    assert counts, "the report has counts"
    assert [(where, n) for where, n in counts if isinstance(n, int) and n < 5] == []
    assert report["waiting"]["median_days"] is None
    assert report["waiting"]["p90_days"] is None


def test_a_lone_hidden_part_is_hidden_with_the_smallest_other() -> None:
    """Otherwise the total minus the shown parts would tell the hidden one."""
    assert hidden_parts({"mimer": 12, "balder": 3, "heimstaden": 7}) == {"balder", "heimstaden"}
    assert hidden_parts({"mimer": 12, "balder": 3, "heimstaden": 2}) == {"balder", "heimstaden"}
    assert hidden_parts({"mimer": 12, "balder": 9}) == set()
    assert hidden_parts({"a": 6, "b": 1}, overlapping=True) == {"b"}


def test_csv_carries_the_same_figures(world: World) -> None:
    for days in range(5):
        _placed(world, "mimer", waited_days=days * 10)
    report = _statistics(world)
    response = world.coordinator.get(
        "/v1/statistics", params={"year": YEAR}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = {(row["section"], row["key"]): row["value"] for row in rows}
    assert figures[("placements", "total")] == str(report["placements"]["total"]) == "5"
    assert figures[("placements.by_contract_form", "municipal_contract")] == "5"
    assert figures[("placements.by_contract_form", "short_term")] == "<5"
    # Five public, no private: the private part alone hidden would tell itself (5 - 5).
    assert figures[("placements.by_landlord_kind", "public")] == "<5"
    assert figures[("placements.by_landlord_kind", "private")] == "<5"
    assert {row["municipality"] for row in rows} == {"1980"}


def test_only_the_coordinator_of_the_municipality_reads_it(world: World) -> None:
    assert _statistics(world)["municipality"] == "1980"  # its own, when none is named
    assert_problem(world.coordinator.get("/v1/statistics", params={"municipality": "0680"}), 404)
    assert_problem(world.social.get("/v1/statistics"), 403)
    assert_problem(world.mimer_client.get("/v1/statistics"), 403)
