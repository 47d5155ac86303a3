"""Landlords: organisation numbers, one landlord per number, who may read which landlord."""

from __future__ import annotations

from tests.conftest import Api

PROBLEM = "application/problem+json"
AGREEMENT = {"quota": 10, "contract_forms": ["municipal_contract"]}


def test_admin_registers_a_landlord(api: Api) -> None:
    response = api.admin.post(
        "/v1/landlords", json={"name": "Mimer", "org_number": "556036-0793", "kind": "public"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["org_number"] == "556036-0793"
    assert body["kind"] == "public"
    assert api.admin.get(f"/v1/landlords/{body['id']}").json()["name"] == "Mimer"


def test_org_number_with_wrong_check_digit_is_422(api: Api) -> None:
    response = api.admin.post(
        "/v1/landlords", json={"name": "Mimer", "org_number": "556036-0794", "kind": "public"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "org_number" in response.json()["detail"]


def test_org_number_must_have_the_dash_format(api: Api) -> None:
    response = api.admin.post(
        "/v1/landlords", json={"name": "Mimer", "org_number": "5560360793", "kind": "public"}
    )
    assert response.status_code == 422


def test_unknown_kind_and_unknown_fields_are_422(api: Api) -> None:
    bad_kind = api.admin.post(
        "/v1/landlords", json={"name": "X", "org_number": "556036-0793", "kind": "cooperative"}
    )
    assert bad_kind.status_code == 422
    extra = api.admin.post(
        "/v1/landlords",
        json={"name": "X", "org_number": "556036-0793", "kind": "public", "quota": 3},
    )
    assert extra.status_code == 422
    assert extra.headers["content-type"] == PROBLEM
    assert api.admin.get("/v1/landlords").json()["items"] == []


def test_duplicate_org_number_is_409(api: Api) -> None:
    api.landlord("Mimer", "556036-0793")
    response = api.admin.post(
        "/v1/landlords", json={"name": "Other", "org_number": "556036-0793", "kind": "private"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM


def test_only_admin_registers_landlords(api: Api) -> None:
    api.municipality("1980")
    landlord_id = api.landlord()
    body = {"name": "X", "org_number": "556703-7485", "kind": "private"}
    for client in (
        api.client("coordinator", municipality="1980"),
        api.client("social_services", municipality="1980"),
        api.client("landlord", landlord=landlord_id),
    ):
        response = client.post("/v1/landlords", json=body)
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM
    assert api.anonymous.post("/v1/landlords", json=body).status_code == 401


def test_landlord_reads_itself_but_not_another_landlord(api: Api) -> None:
    mimer = api.landlord("Mimer", "556036-0793")
    balder = api.landlord("Balder", "556703-7485", "private")
    client = api.client("landlord", landlord=mimer)
    assert client.get(f"/v1/landlords/{mimer}").status_code == 200
    response = client.get(f"/v1/landlords/{balder}")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert [item["id"] for item in client.get("/v1/landlords").json()["items"]] == [mimer]


def test_coordinator_reads_only_landlords_with_an_agreement_in_its_municipality(
    api: Api,
) -> None:
    api.municipality("1980")
    api.municipality("0680")
    mimer = api.landlord("Mimer", "556036-0793")
    vatterhem = api.landlord("Vätterhem", "556074-7569")
    vasteras = api.client("coordinator", municipality="1980")
    jonkoping = api.client("coordinator", municipality="0680")
    assert vasteras.put(f"/v1/agreements/1980/{mimer}/2025", json=AGREEMENT).status_code == 201
    assert jonkoping.put(f"/v1/agreements/0680/{vatterhem}/2026", json=AGREEMENT).status_code == 201

    assert vasteras.get(f"/v1/landlords/{mimer}").status_code == 200
    assert vasteras.get(f"/v1/landlords/{vatterhem}").status_code == 404
    assert [item["id"] for item in vasteras.get("/v1/landlords").json()["items"]] == [mimer]
    assert [item["id"] for item in jonkoping.get("/v1/landlords").json()["items"]] == [vatterhem]


def test_social_services_may_not_read_landlords(api: Api) -> None:
    api.municipality("1980")
    mimer = api.landlord()
    social = api.client("social_services", municipality="1980")
    assert social.get(f"/v1/landlords/{mimer}").status_code == 403
    assert social.get("/v1/landlords").status_code == 403


def test_unknown_or_malformed_landlord_id_is_404_or_422(api: Api) -> None:
    assert api.admin.get("/v1/landlords/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.admin.get("/v1/landlords/not-a-uuid").status_code == 422


def test_admin_lists_landlords_page_by_page(api: Api) -> None:
    numbers = ["556036-0793", "556703-7485", "556074-7569", "556677-1217", "212000-0142"]
    created = {api.landlord(f"L{i}", number) for i, number in enumerate(numbers)}
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.admin.get("/v1/landlords", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created)
    assert api.admin.get("/v1/landlords", params={"limit": 201}).status_code == 422
