"""Match rounds through HTTP, on SQLite (in-process) and PostgreSQL (procrastinate worker):
a small hand-built Jönköping with known answers."""

from __future__ import annotations

from typing import Any

import pytest

import matching
from app.flows import match_round
from app.policies.service import DEFAULT_POLICY
from tests.conftest import Api
from tests.worlds.jobs import run_jobs
from tests.worlds.jonkoping import PROBLEM, YEAR, Jonkoping, jonkoping_world
from tests.worlds.once import built_once


def build_world(api: Api) -> Jonkoping:
    return jonkoping_world(api)


built_world, world = built_once(build_world)


def test_a_round_proposes_the_best_pairs_and_explains_the_unmatched(world: Jonkoping) -> None:
    """The family (Jönköping: women's-peace and children's cases first) gets VH-1; the
    worker gets Balder's BA-1; nothing is proposed in excluded Råslätt (Jönköping: no more
    social contracts in vulnerable areas); the low-income household is unmatched on rent."""
    world.standard()
    queued = world.start()
    assert queued["status"] == "queued"
    assert queued["policy_version"] == 0
    assert queued["year"] == YEAR
    run_jobs(world.api)
    body = world.coordinator.get(f"/v1/rounds/{queued['id']}").json()
    assert body["status"] == "succeeded", body
    assert world.pairs(body) == {
        (world.households["JKP-FAMILY"], world.vacancies["VH-1"]),
        (world.households["JKP-WORKER"], world.vacancies["BA-1"]),
    }
    assert all(p["status"] == "proposed" for p in body["proposals"])
    assert all(p["round"] == body["id"] for p in body["proposals"])
    assert all(p["contract_form"] == "municipal_contract" for p in body["proposals"])
    family = next(p for p in body["proposals"] if p["household"] == world.households["JKP-FAMILY"])
    assert family["score"]["weight"] == DEFAULT_POLICY.base_weight + 2000
    assert body["stats"]["status"] == "optimal"
    assert body["stats"]["objective"] == body["stats"]["bound"]
    assert body["stats"]["eligible_pairs"] >= 2
    assert body["started_at"] is not None
    assert body["finished_at"] is not None
    assert body["error"] is None
    # Readable beside the ids (issue 11): the case, the landlord's reference, the names.
    named = {
        (p["case_ref"], p["external_ref"], p["landlord_name"], p["area"], p["area_name"])
        for p in body["proposals"]
    }
    assert named == {
        ("JKP-FAMILY", "VH-1", "Vätterhem", "CENTRUM", "Centrum"),
        ("JKP-WORKER", "BA-1", "Balder", "CENTRUM", "Centrum"),
    }
    assert {p["landlord"] for p in body["proposals"]} == {world.vatterhem, world.balder}
    [low] = body["unmatched"]
    assert low["household"] == world.households["JKP-LOW"]
    assert low["case_ref"] == "JKP-LOW"
    assert low["eligible_vacancies"] == 0
    assert "rent" in low["failed"]
    assert world.vacancy_status("VH-1") == "proposed"
    assert world.vacancy_status("BA-1") == "proposed"
    assert world.vacancy_status("VH-2") == "open"


def test_a_second_round_leaves_out_what_is_in_a_live_proposal(world: Jonkoping) -> None:
    world.standard()
    first = world.run()
    assert len(first["proposals"]) == 2
    second = world.run()
    assert second["status"] == "succeeded"
    assert second["proposals"] == []
    problem = world.coordinator.get(f"/v1/rounds/{second['id']}/problem").json()
    assert [h["id"] for h in problem["households"]] == [world.households["JKP-LOW"]]
    assert [v["id"] for v in problem["vacancies"]] == [world.vacancies["VH-2"]]
    # Live proposals use up quota too (they become tenancies when contracted).
    quotas = {lo["id"]: lo["quota"] for lo in problem["landlords"]}
    assert quotas == {world.vatterhem: 9, world.balder: 9}


def test_the_problem_download_reproduces_the_round_offline(world: Jonkoping) -> None:
    world.standard()
    body = world.run()
    response = world.coordinator.get(f"/v1/rounds/{body['id']}/problem")
    assert response.status_code == 200
    document = response.json()
    assert document["format"] == "matching-problem/1"
    assert document["municipality"] == "0680"
    assert {a["id"]: a["excluded"] for a in document["areas"]} == {
        "CENTRUM": False,
        "RASLATT": True,
    }
    problem = matching.Problem.from_json(document)
    solution = matching.solve(problem, time_limit=document["time_limit_s"], seed=0)
    assert {(a.household, a.vacancy) for a in solution.assignments} == world.pairs(body)


def test_problem_maps_income_needs_and_agreement_rules(world: Jonkoping) -> None:
    """Activity compensation and pension count as the solver's `other`; derived rooms and
    rent are written in full (the solver never guesses); Balder's rules come through."""
    world.vacancy(world.balder, "BA-1", rooms=1, rent=6000)
    world.household(
        "JKP-PENSION",
        income={"pension": 9000, "activity_compensation": 1000, "other": 500, "salary": 1},
        target_groups=["elderly", "newly_arrived"],
        urgency=2,
    )
    body = world.run(newly_arrived_min=0, time_limit_s=5)
    assert body["time_limit_s"] == 5
    document = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    [household] = document["households"]
    assert household["income"] == {
        "salary": 1,
        "income_support": 0,
        "housing_allowance": 0,
        "other": 10500,
    }
    assert household["newly_arrived"] is True
    assert (household["rooms_min"], household["rooms_max"]) == (1, 2)
    assert household["max_rent"] == 4200
    assert household["weight"] == (
        DEFAULT_POLICY.base_weight
        + DEFAULT_POLICY.target_group_weights["elderly"]
        + DEFAULT_POLICY.target_group_weights["newly_arrived"]
        + DEFAULT_POLICY.urgency_weight[2]
    )
    balder = next(lo for lo in document["landlords"] if lo["id"] == world.balder)
    assert balder["kind"] == "private"
    assert balder["income_multiple"] == 3
    assert balder["accepts_income_support"] is False
    assert balder["requires_permanent_employment"] is True
    assert document["time_limit_s"] == 5


def test_the_round_records_the_policy_version_it_used(world: Jonkoping) -> None:
    world.standard()
    put = world.coordinator.put(
        "/v1/municipalities/0680/policy",
        json={"base_weight": 7, "target_group_weights": {"violence_exposed": 5000}},
    )
    assert put.status_code == 201
    body = world.run()
    assert body["policy_version"] == 1
    document = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    weights = {h["id"]: h["weight"] for h in document["households"]}
    assert weights[world.households["JKP-WORKER"]] == 7
    assert weights[world.households["JKP-FAMILY"]] == 7 + 5000 + 1000


def test_excluded_areas_of_the_agreement_get_no_proposal(world: Jonkoping) -> None:
    """Västerås: Mimer gives no apartments for social purposes in designated areas — an
    agreement's own excluded area is honoured even where the municipality allows it."""
    world.agreement(
        world.vatterhem, quota=10, excluded_areas=["CENTRUM"], contract_forms=["municipal_contract"]
    )
    world.vacancy(world.vatterhem, "VH-1", area="CENTRUM", rooms=1, rent=5000)
    world.household("JKP-ONE", income={"salary": 30000})
    body = world.run()
    assert body["status"] == "succeeded"
    assert body["proposals"] == []
    [unmatched] = body["unmatched"]
    assert unmatched["failed"] == {"area": 1}
    assert world.vacancy_status("VH-1") == "open"


def test_quota_already_delivered_is_not_offered_again(world: Jonkoping) -> None:
    """Remaining quota = the agreement's quota − places taken (Jönköping and Norrköping
    set quotas per landlord and year)."""
    world.agreement(world.vatterhem, quota=1, contract_forms=["municipal_contract"])
    world.agreement(world.balder, quota=0, contract_forms=["municipal_contract"])
    world.vacancy(world.vatterhem, "VH-1", rooms=1, rent=5000)
    world.vacancy(world.vatterhem, "VH-2", rooms=1, rent=5000)
    world.household("JKP-A", income={"salary": 30000})
    world.household("JKP-B", income={"salary": 30000})
    body = world.run()
    assert len(body["proposals"]) == 1
    [unmatched] = body["unmatched"]
    assert "quota" in unmatched["reason"]


def test_a_second_round_while_one_is_queued_is_409(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.standard()
    # Keep the first round queued: on SQLite its background run is held back; on
    # PostgreSQL no worker runs until run_jobs.
    monkeypatch.setattr(match_round, "run_in_background", lambda *_: None)
    first = world.start()
    second = world.coordinator.post("/v1/rounds", json={})
    assert second.status_code == 409
    assert second.headers["content-type"] == PROBLEM
    assert world.coordinator.get("/v1/rounds").json()["items"][0]["id"] == first["id"]
    assert len(world.coordinator.get("/v1/rounds").json()["items"]) == 1


def test_the_problem_is_404_until_built(world: Jonkoping, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(match_round, "run_in_background", lambda *_: None)
    queued = world.start(newly_arrived_min=3)
    assert queued["newly_arrived_min"] == 3
    response = world.coordinator.get(f"/v1/rounds/{queued['id']}/problem")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_rounds_are_the_coordinators_of_their_own_municipality_only(
    api: Api, world: Jonkoping
) -> None:
    world.standard()
    body = world.run()
    api.municipality("1980")
    other = api.client("coordinator", municipality="1980")
    for path in (f"/v1/rounds/{body['id']}", f"/v1/rounds/{body['id']}/problem"):
        response = other.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
    assert other.get("/v1/rounds").json()["items"] == []
    for client in (world.social, world.landlords[world.balder], api.admin):
        assert client.post("/v1/rounds", json={}).status_code == 403
        assert client.get(f"/v1/rounds/{body['id']}").status_code == 403
    assert (
        world.coordinator.get(f"/v1/rounds/{'0' * 8}-0000-4000-8000-{'0' * 12}").status_code == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"surprise": True},
        {"year": 1999},
        {"year": "2026"},
        {"newly_arrived_min": -1},
        {"newly_arrived_min": 10**20},
        {"time_limit_s": 0},
        {"time_limit_s": 301},
        {"time_limit_s": 1.5},
    ],
)
def test_invalid_round_requests_are_422_and_queue_nothing(
    world: Jonkoping, body: dict[str, Any]
) -> None:
    response = world.coordinator.post("/v1/rounds", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert world.coordinator.get("/v1/rounds").json()["items"] == []


def test_round_list_is_paginated_newest_first(world: Jonkoping) -> None:
    ids = [world.run(time_limit_s=2)["id"] for _ in range(3)]
    page = world.coordinator.get("/v1/rounds", params={"limit": 2}).json()
    assert [r["id"] for r in page["items"]] == ids[::-1][:2]
    rest = world.coordinator.get(
        "/v1/rounds", params={"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [r["id"] for r in rest["items"]] == ids[:1]
    assert rest["next_cursor"] is None
    bad = world.coordinator.get("/v1/rounds", params={"cursor": "bm9wZQ"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == PROBLEM


def test_proposals_of_a_round_can_be_counted_in_the_database(world: Jonkoping) -> None:
    world.standard()
    world.run()
    assert world.proposal_count() == 2
