"""Municipalities and areas: official codes, own-municipality scoping."""

from __future__ import annotations

from tests.conftest import Api


def test_only_official_kommunkod_is_accepted(api: Api) -> None:
    assert api.admin.post("/v1/municipalities", json={"code": "1980"}).status_code == 201
    response = api.admin.post("/v1/municipalities", json={"code": "9999"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "code" in response.json()["detail"]


def test_official_name_is_the_default(api: Api) -> None:
    api.municipality("1280")
    assert api.admin.get("/v1/municipalities/1280").json()["name"] == "Malmö"


def test_registering_twice_is_409(api: Api) -> None:
    api.municipality("1980")
    assert api.admin.post("/v1/municipalities", json={"code": "1980"}).status_code == 409


def test_coordinator_sees_only_own_municipality(api: Api) -> None:
    api.municipality("1980")
    api.municipality("0680")
    coordinator = api.client("coordinator", municipality="1980")
    assert coordinator.get("/v1/municipalities/1980").status_code == 200
    assert coordinator.get("/v1/municipalities/0680").status_code == 404


def test_coordinator_puts_areas_idempotently(api: Api) -> None:
    api.municipality("0680")
    coordinator = api.client("coordinator", municipality="0680")
    body = {"name": "Råslätt", "excluded": True}
    first = coordinator.put("/v1/municipalities/0680/areas/RASLATT", json=body)
    assert first.status_code == 201
    again = coordinator.put("/v1/municipalities/0680/areas/RASLATT", json=body)
    assert again.status_code == 200
    assert again.headers["ETag"] == first.headers["ETag"]
    items = coordinator.get("/v1/municipalities/0680/areas").json()["items"]
    assert [(a["id"], a["excluded"]) for a in items] == [("RASLATT", True)]


def test_coordinator_cannot_touch_another_municipalitys_areas(api: Api) -> None:
    api.municipality("0680")
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    response = coordinator.put("/v1/municipalities/0680/areas/A1", json={"name": "X"})
    assert response.status_code == 404
    assert coordinator.get("/v1/municipalities/0680/areas").status_code == 404


def test_area_body_rejects_unknown_fields(api: Api) -> None:
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    response = coordinator.put(
        "/v1/municipalities/1980/areas/A1", json={"name": "X", "status": "open"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
