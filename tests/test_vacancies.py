"""Vacancies: posted by a landlord under its own reference (idempotent), visible only to
that landlord and, when open, to the coordinator of the municipality. The world is built
once for the module (tests/worlds/once.py); racing reposts, whose writes other threads
read, are in tests/test_vacancies_committed.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.postings import World, vacancy

PROBLEM = "application/problem+json"


built_world, world = built_once(World)


def test_landlord_posts_a_vacancy(world: World) -> None:
    response = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert body["external_ref"] == "LGH-1001"
    assert body["landlord"] == world.mimer
    assert body["municipality"] == "1980"
    assert body["status"] == "open"
    assert body["postal_code"] == "723 48"
    assert body["available_from"] == "2026-12-01"
    read = world.mimer_client.get("/v1/vacancies/LGH-1001")
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.json() == body


def test_reposting_the_same_external_ref_updates_and_never_duplicates(world: World) -> None:
    first = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    same = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    assert same.status_code == 200
    assert same.headers["ETag"] == first.headers["ETag"] == '"1"'
    assert same.json()["id"] == first.json()["id"]

    changed = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(rent=7600))
    assert changed.status_code == 200
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["rent"] == 7600
    assert changed.json()["id"] == first.json()["id"]
    assert world.rows(world.mimer, "LGH-1001") == 1
    assert len(world.mimer_client.get("/v1/vacancies").json()["items"]) == 1


def test_landlord_cannot_read_change_or_withdraw_another_landlords_vacancy(
    world: World,
) -> None:
    original = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy()).json()

    read = world.balder_client.get("/v1/vacancies/LGH-1001")
    assert read.status_code == 404
    assert read.headers["content-type"] == PROBLEM
    withdraw = world.balder_client.delete("/v1/vacancies/LGH-1001")
    assert withdraw.status_code == 404
    assert withdraw.headers["content-type"] == PROBLEM
    assert world.balder_client.get("/v1/vacancies").json()["items"] == []

    # The reference is Balder's own namespace: its PUT creates Balder's vacancy.
    own = world.balder_client.put("/v1/vacancies/LGH-1001", json=vacancy(rent=1))
    assert own.status_code == 201
    assert own.json()["landlord"] == world.balder
    assert own.json()["id"] != original["id"]

    assert world.mimer_client.get("/v1/vacancies/LGH-1001").json() == original
    assert world.rows(world.mimer) == 1


def test_unknown_fields_are_422_problem_json(world: World) -> None:
    response = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(status="let"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "status" in response.json()["detail"]
    assert world.rows() == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"rooms": 0},
        {"rooms": 11},
        {"rooms": "2"},
        {"rooms": True},
        {"elevator": "yes"},
        {"elevator": 1},
        {"floor": "2"},
        {"rent": 0},
        {"rent": 100_001},
        {"rent": 10**30},
        {"contract_forms": []},
        {"contract_forms": ["lease_for_life"]},
        {"contract_forms": ["short_term", "short_term"]},
        {"postal_code": "72348"},
        {"living_area": 0},
        {"floor": -6},
        {"floor": 101},
        {"available_from": "not a date"},
        {"address": "Gatan\x001"},
        {"address": ""},
        {"municipality": "9999"},
        {"area": ""},
        {"area": "x" * 33},
    ],
)
def test_invalid_vacancy_bodies_are_422(world: World, bad: dict[str, Any]) -> None:
    response = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(**bad))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert world.rows() == 0


def test_malformed_external_ref_is_422(world: World) -> None:
    for ref in ("-leading-dash", "x" * 65, "a%20b"):
        response = world.mimer_client.put(f"/v1/vacancies/{ref}", json=vacancy())
        assert response.status_code == 422, ref
    assert world.rows() == 0


def test_municipality_without_an_agreement_is_422(world: World) -> None:
    response = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(municipality="0680"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "municipality" in response.json()["detail"]
    assert world.rows() == 0


def test_area_must_be_an_area_of_the_municipality(world: World) -> None:
    response = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(area="NOWHERE"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("area:")
    assert world.rows() == 0


def test_stale_if_match_is_412_and_changes_nothing(world: World) -> None:
    world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    current = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(rent=7500))
    assert current.headers["ETag"] == '"2"'
    stale = world.mimer_client.put(
        "/v1/vacancies/LGH-1001", json=vacancy(rent=9999), headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    stale_delete = world.mimer_client.delete("/v1/vacancies/LGH-1001", headers={"If-Match": '"1"'})
    assert stale_delete.status_code == 412
    after = world.mimer_client.get("/v1/vacancies/LGH-1001")
    assert after.json()["rent"] == 7500
    assert after.json()["status"] == "open"
    assert after.headers["ETag"] == '"2"'

    fresh = world.mimer_client.put(
        "/v1/vacancies/LGH-1001", json=vacancy(rent=9999), headers={"If-Match": '"2"'}
    )
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] == '"3"'


def test_if_match_on_a_missing_vacancy_is_412(world: World) -> None:
    response = world.mimer_client.put(
        "/v1/vacancies/LGH-1001", json=vacancy(), headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert world.rows() == 0


def test_withdraw_is_idempotent_and_a_repost_reopens(world: World) -> None:
    world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    first = world.mimer_client.delete("/v1/vacancies/LGH-1001")
    assert first.status_code == 204
    again = world.mimer_client.delete("/v1/vacancies/LGH-1001")
    assert again.status_code == 204
    withdrawn = world.mimer_client.get("/v1/vacancies/LGH-1001")
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.headers["ETag"] == '"2"'
    assert world.mimer_client.delete("/v1/vacancies/NEVER-POSTED").status_code == 404

    reopened = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert reopened.headers["ETag"] == '"3"'
    assert world.rows() == 1


def test_a_let_vacancy_cannot_be_changed_or_withdrawn(world: World) -> None:
    world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy())
    world.set_status(world.mimer, "LGH-1001", "let")
    response = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy(rent=1))
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert world.mimer_client.delete("/v1/vacancies/LGH-1001").status_code == 409
    after = world.mimer_client.get("/v1/vacancies/LGH-1001").json()
    assert (after["status"], after["rent"]) == ("let", 7400)


def test_landlord_lists_own_vacancies_with_status_filter(world: World) -> None:
    for ref in ("A1", "A2", "A3"):
        world.mimer_client.put(f"/v1/vacancies/{ref}", json=vacancy())
    world.balder_client.put("/v1/vacancies/B1", json=vacancy())
    world.mimer_client.delete("/v1/vacancies/A2")

    refs = [v["external_ref"] for v in world.mimer_client.get("/v1/vacancies").json()["items"]]
    assert sorted(refs) == ["A1", "A2", "A3"]
    withdrawn = world.mimer_client.get("/v1/vacancies", params={"status": "withdrawn"})
    assert [v["external_ref"] for v in withdrawn.json()["items"]] == ["A2"]
    assert world.mimer_client.get("/v1/vacancies", params={"status": "gone"}).status_code == 422

    first = world.mimer_client.get("/v1/vacancies", params={"limit": 2}).json()
    assert len(first["items"]) == 2
    rest = world.mimer_client.get(
        "/v1/vacancies", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert sorted(v["external_ref"] for v in first["items"] + rest["items"]) == sorted(refs)
    assert rest["next_cursor"] is None


def test_coordinator_lists_open_vacancies_of_its_own_municipality_only(
    world: World, api: Api
) -> None:
    world.mimer_client.put("/v1/vacancies/A1", json=vacancy())
    world.balder_client.put("/v1/vacancies/B1", json=vacancy(area="CENTRUM"))
    world.balder_client.put("/v1/vacancies/B2", json=vacancy())
    world.balder_client.delete("/v1/vacancies/B2")

    listed = world.coordinator.get("/v1/vacancies", params={"municipality": "1980"})
    assert listed.status_code == 200
    assert sorted(v["external_ref"] for v in listed.json()["items"]) == ["A1", "B1"]
    # Readable without extra calls: the landlord's and the area's names beside the ids.
    assert sorted(
        (v["landlord_name"], v["area"], v["area_name"]) for v in listed.json()["items"]
    ) == [
        ("Balder", "CENTRUM", "Centrum"),
        ("Mimer", "BACKBY", "Bäckby"),
    ]
    withdrawn = world.coordinator.get(
        "/v1/vacancies", params={"municipality": "1980", "status": "withdrawn"}
    )
    assert [v["external_ref"] for v in withdrawn.json()["items"]] == ["B2"]

    other = world.coordinator.get("/v1/vacancies", params={"municipality": "0680"})
    assert other.status_code == 404
    assert other.headers["content-type"] == PROBLEM
    by_default = world.coordinator.get("/v1/vacancies")
    assert by_default.status_code == 200
    assert by_default.json()["items"] == listed.json()["items"]
    jonkoping = api.client("coordinator", municipality="0680")
    assert jonkoping.get("/v1/vacancies", params={"municipality": "1980"}).status_code == 404
    assert jonkoping.get("/v1/vacancies", params={"municipality": "0680"}).json()["items"] == []


def test_only_landlords_write_and_coordinators_and_landlords_list(world: World, api: Api) -> None:
    social = api.client("social_services", municipality="1980")
    for client in (world.coordinator, social, api.admin):
        response = client.put("/v1/vacancies/LGH-1001", json=vacancy())
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM
        assert client.delete("/v1/vacancies/LGH-1001").status_code == 403
        assert client.get("/v1/vacancies/LGH-1001").status_code == 403
    for client in (social, api.admin):
        assert client.get("/v1/vacancies", params={"municipality": "1980"}).status_code == 403
    assert api.anonymous.get("/v1/vacancies").status_code == 401
    assert world.rows() == 0


def test_landlord_cannot_touch_households(world: World) -> None:
    """Landlords never see or write household data (docs/domain.md §2, §6). Until the households
    routes exist the request is refused anyway (404/405); once they do, it must be 403."""
    response = world.mimer_client.post("/v1/households", json={})
    assert response.status_code >= 400
    assert response.headers["content-type"] == PROBLEM
    households_exist = any(
        getattr(route, "path", "") == "/v1/households" for route in world.api.app.routes
    )
    if households_exist:
        assert response.status_code == 403


def test_if_match_compares_strongly(world: World) -> None:
    """RFC 9110 §13.1.1: If-Match uses the strong comparison, so a weak tag never matches,
    not even `W/"1"` against the current `"1"`; the exact tag and `*` do."""
    path = "/v1/vacancies/WEAK-1"
    created = world.mimer_client.put(path, json=vacancy())
    assert created.headers["ETag"] == '"1"'
    for weak in ('W/"1"', ' W/"1" ', 'W/"1", W/"2"'):
        refused = world.mimer_client.put(path, json=vacancy(rent=7500), headers={"If-Match": weak})
        assert refused.status_code == 412, weak
        assert refused.headers["content-type"] == PROBLEM
    assert world.mimer_client.get(path).json()["rent"] == 7400
    strong = world.mimer_client.put(path, json=vacancy(rent=7500), headers={"If-Match": '"1"'})
    assert strong.status_code == 200
    assert strong.headers["ETag"] == '"2"'
    listed = world.mimer_client.put(
        path, json=vacancy(rent=7600), headers={"If-Match": 'W/"2", "2"'}
    )
    assert listed.status_code == 200
    assert listed.headers["ETag"] == '"3"'
    anything = world.mimer_client.put(path, json=vacancy(rent=7700), headers={"If-Match": "*"})
    assert anything.status_code == 200
    assert anything.headers["ETag"] == '"4"'
    assert world.mimer_client.delete(path, headers={"If-Match": 'W/"4"'}).status_code == 412
