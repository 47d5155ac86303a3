"""Household needs: municipal scoping, validation, derived defaults, the case lifecycle,
optimistic concurrency and protected identity."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.households.service import default_max_rent, default_rooms, default_rooms_max
from tests.conftest import Api

PROBLEM = "application/problem+json"


def need(**fields: Any) -> dict[str, Any]:
    """A minimal valid household body, with overrides."""
    body: dict[str, Any] = {
        "case_ref": "VAS-2026-0001",
        "adults": 1,
        "contract_forms": ["municipal_contract"],
    }
    body.update(fields)
    return body


def create(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/v1/households", json=need(**fields))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def social(api: Api) -> TestClient:
    """Social services of Västerås (1980)."""
    api.municipality("1980")
    return api.client("social_services", municipality="1980")


@pytest.fixture
def coordinator(api: Api) -> TestClient:
    api.municipality("1980")
    return api.client("coordinator", municipality="1980")


# --- Creating and reading ---------------------------------------------------------------


def test_social_services_create_a_case_in_their_own_municipality(social: TestClient) -> None:
    response = social.post("/v1/households", json=need())
    assert response.status_code == 201
    body = response.json()
    assert body["municipality"] == "1980"
    assert body["status"] == "open"
    assert response.headers["Location"] == f"/v1/households/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    read = social.get(f"/v1/households/{body['id']}")
    assert read.status_code == 200
    assert read.json() == body


def test_municipality_cannot_be_given_in_the_body(social: TestClient) -> None:
    response = social.post("/v1/households", json=need(municipality="0680"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_coordinator_also_registers_cases(coordinator: TestClient) -> None:
    assert coordinator.post("/v1/households", json=need()).status_code == 201


def test_duplicate_case_ref_in_a_municipality_is_409(api: Api, social: TestClient) -> None:
    create(social)
    response = social.post("/v1/households", json=need())
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    # Another municipality may use the same reference.
    api.municipality("0680")
    other = api.client("social_services", municipality="0680")
    assert other.post("/v1/households", json=need()).status_code == 201


def test_list_shows_own_municipality_paginated_and_filtered(api: Api, social: TestClient) -> None:
    ids = {create(social, case_ref=f"C-{n}")["id"] for n in range(3)}
    api.municipality("0680")
    create(api.client("social_services", municipality="0680"), case_ref="C-9")
    first = social.get("/v1/households", params={"limit": 2}).json()
    assert len(first["items"]) == 2
    second = social.get(
        "/v1/households", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert second["next_cursor"] is None
    assert {h["id"] for h in first["items"] + second["items"]} == ids
    closed = next(iter(ids))
    social.post(f"/v1/households/{closed}/close", json={"reason": "housed"})
    only_closed = social.get("/v1/households", params={"status": "closed"}).json()["items"]
    assert [h["id"] for h in only_closed] == [closed]
    assert social.get("/v1/households", params={"limit": 201}).status_code == 422
    assert social.get("/v1/households", params={"status": "lost"}).status_code == 422


# --- Access -----------------------------------------------------------------------------


def test_social_services_cannot_see_patch_or_close_another_municipalitys_case(
    api: Api, social: TestClient
) -> None:
    household = create(social)
    api.municipality("0680")
    outsiders = [
        api.client("social_services", municipality="0680"),
        api.client("coordinator", municipality="0680"),
    ]
    path = f"/v1/households/{household['id']}"
    for outsider in outsiders:
        responses = [
            outsider.get(path),
            outsider.patch(path, json={"urgency": 3}),
            outsider.post(f"{path}/close", json={"reason": "moved"}),
        ]
        for response in responses:
            assert response.status_code == 404
            assert response.headers["content-type"] == PROBLEM
        assert outsider.get("/v1/households").json()["items"] == []
    after = social.get(path).json()
    assert (after["urgency"], after["status"], after["version"]) == (0, "open", 1)


def test_landlord_is_forbidden_every_household_operation(api: Api, social: TestClient) -> None:
    """Landlords never see household data (docs/domain.md §6)."""
    household = create(social)
    landlord = api.client("landlord", landlord=api.landlord())
    path = f"/v1/households/{household['id']}"
    responses = [
        landlord.post("/v1/households", json=need(case_ref="L-1")),
        landlord.get("/v1/households"),
        landlord.get(path),
        landlord.patch(path, json={"urgency": 3}),
        landlord.post(f"{path}/close", json={"reason": "housed"}),
    ]
    for response in responses:
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM


def test_admin_operates_the_service_but_does_not_read_cases(api: Api, social: TestClient) -> None:
    household = create(social)
    path = f"/v1/households/{household['id']}"
    assert api.admin.get(path).status_code == 403
    assert api.admin.get("/v1/households").status_code == 403
    assert api.admin.post("/v1/households", json=need(case_ref="A-1")).status_code == 403


def test_anonymous_is_401(api: Api) -> None:
    assert api.anonymous.get("/v1/households").status_code == 401


# --- Validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case_ref", ["850101-1234", "198501011234", "19850101-1234", "8501011234", "850101+1234"]
)
def test_personnummer_as_case_ref_is_rejected(social: TestClient, case_ref: str) -> None:
    """A case reference is the municipality's own, never a personal identity number."""
    response = social.post("/v1/households", json=need(case_ref=case_ref))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "case_ref" in response.json()["detail"]
    assert case_ref not in response.text  # the error never echoes the value


# 850101-1236 and 811228-9874 pass the Luhn check over YYMMDDNNNC; 850161-1233 is the
# samordningsnummer (day + 60) of 1 January 1985.
@pytest.mark.parametrize(
    "case_ref",
    [
        "P19850101-1236",
        "1985-01-01-1236",
        "19850101_1236",
        "850101.1236",
        "85-01-01:1236",
        "X19850101-1236-Y",
        "VAS-811228-9874",
        "811228.98.74",
        "SAM-850161-1233",
    ],
)
def test_a_personnummer_hidden_in_a_case_ref_is_rejected(social: TestClient, case_ref: str) -> None:
    """Any run of digits and separators that makes a date and a valid Luhn check digit,
    10 or 12 digits, is a personal identity number whatever separates its digits (issue 12),
    and is refused without echoing the value; PATCH refuses it too."""
    response = social.post("/v1/households", json=need(case_ref=case_ref))
    assert response.status_code == 422, case_ref
    assert "case_ref" in response.json()["detail"]
    assert case_ref not in response.text
    household = create(social)
    patched = social.patch(f"/v1/households/{household['id']}", json={"case_ref": case_ref})
    assert patched.status_code == 422
    assert case_ref not in patched.text


@pytest.mark.parametrize(
    "case_ref",
    ["DEMO-003", "JKP-FAMILY", "2026-0001", "VAS-2026-0142", "ARENDE-2026-000123"],
)
def test_ordinary_case_refs_are_accepted(social: TestClient, case_ref: str) -> None:
    """Case numbers with years and serials are the municipality's references and are
    stored: their digits make no date with a valid check digit."""
    response = social.post("/v1/households", json=need(case_ref=case_ref))
    assert response.status_code == 201, response.text
    assert response.json()["case_ref"] == case_ref


def test_unknown_fields_are_422_problem(social: TestClient) -> None:
    response = social.post("/v1/households", json=need(personnummer="x"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    household = create(social)
    response = social.patch(f"/v1/households/{household['id']}", json={"name": "x"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    response = social.post(
        "/v1/households", json=need(case_ref="B", income={"salary": 1, "lottery": 5})
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "fields",
    [
        {"adults": 0},
        {"adults": 21},
        {"children": 21},
        {"children": 2, "children_ages": [3]},
        {"children": 1, "children_ages": [18]},
        {"target_groups": ["elderly", "elderly"]},
        {"target_groups": ["tourist"]},
        {"contract_forms": []},
        {"contract_forms": ["short_term", "short_term"]},
        {"contract_forms": ["sublet"]},
        {"rooms_min": 4, "rooms_max": 3},
        {"rooms_min": 11},
        {"max_rent": 0},
        {"drug_free_months": 601},
        {"urgency": 4},
        {"debts": -1},
        {"debts": 10**30},
        {"employment": "freelance"},
        {"registered_at": "2999-01-01T00:00:00Z"},
        {"registered_at": "0001-01-01T00:00:00+01:00"},
        {"registered_at": "2026-01-01T00:00:00"},
        {"registered_at": 1700000000},
        {"registered_at": "1700000000"},
        {"adults": "2"},
        {"needs_elevator": 1},
        {"urgency": True},
        {"case_ref": ""},
        {"case_ref": "A\x00B"},
        {"avoid_areas": ["A1"], "preferred_areas": ["A1"]},
    ],
)
def test_invalid_needs_are_422(social: TestClient, fields: dict[str, Any]) -> None:
    response = social.post("/v1/households", json=need(**fields))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert social.get("/v1/households").json()["items"] == []


def test_areas_must_exist_in_the_municipality(social: TestClient, coordinator: TestClient) -> None:
    coordinator.put("/v1/municipalities/1980/areas/BACKBY", json={"name": "Bäckby"})
    response = social.post("/v1/households", json=need(avoid_areas=["BACKBY", "NOWHERE"]))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith("avoid_areas")
    assert "NOWHERE" in response.json()["detail"]
    response = social.post("/v1/households", json=need(preferred_areas=["ELSEWHERE"]))
    assert response.json()["detail"].startswith("preferred_areas")
    household = create(social, avoid_areas=["BACKBY"])
    assert household["avoid_areas"] == ["BACKBY"]
    response = social.patch(
        f"/v1/households/{household['id']}", json={"preferred_areas": ["NOWHERE"]}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("preferred_areas")


def test_patch_rejects_null_where_it_means_nothing(social: TestClient) -> None:
    household = create(social)
    response = social.patch(f"/v1/households/{household['id']}", json={"adults": None})
    assert response.status_code == 422
    assert "adults" in response.json()["detail"]


def test_purpose_header_is_bounded(social: TestClient) -> None:
    response = social.get("/v1/households", headers={"X-Purpose": "x" * 201})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


# --- Derived defaults -------------------------------------------------------------------


def test_one_adult_gets_one_to_two_rooms(social: TestClient) -> None:
    household = create(social, adults=1)
    assert (household["rooms_min"], household["rooms_max"]) == (1, 2)
    assert set(household["defaults_applied"]) == {"rooms_min", "rooms_max", "max_rent"}


def test_two_adults_two_children_get_three_to_four_rooms(social: TestClient) -> None:
    """Overcrowding norm 2: at most two persons per bedroom, plus a living room."""
    household = create(social, adults=2, children=2, children_ages=[3, 7])
    assert (household["rooms_min"], household["rooms_max"]) == (3, 4)
    assert household["persons"] == 4


def test_max_rent_is_40_percent_of_income_rounded_down(social: TestClient) -> None:
    income = {"salary": 10_000, "income_support": 9_500, "housing_allowance": 2_750}
    household = create(social, income=income)
    # 40 % of 22 250 = 8 900
    assert household["income_total"] == 22_250
    assert household["max_rent"] == 8_900
    assert household["notes"] == []


def test_no_income_derives_max_rent_zero_and_says_so(social: TestClient) -> None:
    household = create(social)
    assert household["max_rent"] == 0
    assert "max_rent" in household["defaults_applied"]
    assert any(note.startswith("max_rent") for note in household["notes"])


def test_explicit_values_override_the_defaults(social: TestClient) -> None:
    household = create(social, rooms_min=2, rooms_max=2, max_rent=7_000)
    assert (household["rooms_min"], household["rooms_max"], household["max_rent"]) == (2, 2, 7000)
    assert household["defaults_applied"] == []


def test_explicit_rooms_min_moves_the_derived_max(social: TestClient) -> None:
    household = create(social, rooms_min=3)
    assert (household["rooms_min"], household["rooms_max"]) == (3, 4)
    assert household["defaults_applied"] == ["rooms_max", "max_rent"]


def test_explicit_small_rooms_max_caps_the_derived_min(social: TestClient) -> None:
    """A family that accepts a smaller flat has said so: min never exceeds the given max."""
    household = create(social, adults=1, children=3, children_ages=[1, 2, 3], rooms_max=2)
    assert (household["rooms_min"], household["rooms_max"]) == (2, 2)


def test_changing_composition_moves_the_derived_defaults(social: TestClient) -> None:
    household = create(social, income={"salary": 20_000})
    assert (household["rooms_min"], household["rooms_max"], household["max_rent"]) == (1, 2, 8000)
    path = f"/v1/households/{household['id']}"
    changed = social.patch(
        path, json={"adults": 2, "children": 3, "income": {"salary": 30_000}}
    ).json()
    assert (changed["rooms_min"], changed["rooms_max"], changed["max_rent"]) == (4, 5, 12000)


def test_patch_null_returns_a_field_to_its_default(social: TestClient) -> None:
    household = create(social, rooms_min=3, max_rent=5_000)
    path = f"/v1/households/{household['id']}"
    back = social.patch(path, json={"rooms_min": None, "max_rent": None}).json()
    assert (back["rooms_min"], back["rooms_max"], back["max_rent"]) == (1, 2, 0)
    assert set(back["defaults_applied"]) == {"rooms_min", "rooms_max", "max_rent"}


def test_newly_arrived_is_derived_from_target_groups(social: TestClient) -> None:
    household = create(social, target_groups=["newly_arrived", "family_with_children"])
    assert household["newly_arrived"] is True
    assert create(social, case_ref="X-2")["newly_arrived"] is False


@pytest.mark.parametrize(
    ("persons", "rooms"), [(1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (6, 4), (40, 10)]
)
def test_default_rooms_follows_norm_2(persons: int, rooms: int) -> None:
    assert default_rooms(persons) == rooms


def test_default_rooms_max_allows_one_spare_room_up_to_ten() -> None:
    assert default_rooms_max(3) == 4
    assert default_rooms_max(10) == 10


@pytest.mark.parametrize(
    ("income", "rent"), [(0, 0), (249, 0), (250, 100), (22_250, 8_900), (10**7, 100_000)]
)
def test_default_max_rent_rounds_down_to_100(income: int, rent: int) -> None:
    assert default_max_rent(income) == rent


# --- Updates, concurrency and the lifecycle -----------------------------------------------


def test_patch_changes_only_the_fields_sent_and_moves_the_etag(social: TestClient) -> None:
    household = create(social, urgency=1, needs_elevator=True)
    path = f"/v1/households/{household['id']}"
    response = social.patch(path, json={"urgency": 3}, headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    assert (response.json()["urgency"], response.json()["needs_elevator"]) == (3, True)
    same = social.patch(path, json={"urgency": 3})
    assert same.headers["ETag"] == '"2"'  # nothing changed, the version stays


def test_stale_if_match_is_412_and_changes_nothing(social: TestClient) -> None:
    household = create(social)
    path = f"/v1/households/{household['id']}"
    assert social.patch(path, json={"urgency": 2}).status_code == 200
    response = social.patch(path, json={"urgency": 3}, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.headers["content-type"] == PROBLEM
    assert social.get(path).json()["urgency"] == 2
    stale_close = social.post(
        f"{path}/close", json={"reason": "housed"}, headers={"If-Match": '"1"'}
    )
    assert stale_close.status_code == 412
    assert social.get(path).json()["status"] == "open"


def test_patch_cannot_break_cross_field_rules(social: TestClient) -> None:
    household = create(social, children=1, children_ages=[5], rooms_max=3)
    path = f"/v1/households/{household['id']}"
    assert social.patch(path, json={"children": 2}).status_code == 422
    assert social.patch(path, json={"rooms_min": 4}).status_code == 422
    ok = social.patch(path, json={"children": 2, "children_ages": [5, 1]})
    assert ok.status_code == 200


def test_patch_to_a_taken_case_ref_is_409(social: TestClient) -> None:
    create(social, case_ref="A")
    other = create(social, case_ref="B")
    response = social.patch(f"/v1/households/{other['id']}", json={"case_ref": "A"})
    assert response.status_code == 409


def test_closing_a_case_and_closed_cases_do_not_change(social: TestClient) -> None:
    household = create(social)
    path = f"/v1/households/{household['id']}"
    closed = social.post(f"{path}/close", json={"reason": "housed", "comment": "Bostad ordnad"})
    assert closed.status_code == 200
    body = closed.json()
    assert (body["status"], body["close_reason"]) == ("closed", "housed")
    assert body["closed_at"] is not None
    assert "Bostad ordnad" not in closed.text  # the comment is not stored
    again = social.post(f"{path}/close", json={"reason": "moved"})
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    patched = social.patch(path, json={"urgency": 3})
    assert patched.status_code == 409
    assert social.get(path).json()["urgency"] == 0


def test_close_reason_must_be_known(social: TestClient) -> None:
    household = create(social)
    response = social.post(f"/v1/households/{household['id']}/close", json={"reason": "bored"})
    assert response.status_code == 422


# --- Protected identity -----------------------------------------------------------------


def test_protected_identity_is_hidden_from_social_services(
    social: TestClient, coordinator: TestClient
) -> None:
    """docs/domain.md §6: protected-identity records are readable by coordinators only."""
    created = social.post(
        "/v1/households",
        json=need(target_groups=["protected_identity", "violence_exposed"], debts=1234),
    )
    assert created.status_code == 201
    restricted = created.json()
    assert restricted == {
        "view": "restricted",
        "id": restricted["id"],
        "case_ref": "VAS-2026-0001",
        "status": "open",
        "protected_identity": True,
    }
    path = f"/v1/households/{restricted['id']}"
    assert social.get(path).json() == restricted
    assert social.get("/v1/households").json()["items"] == [restricted]
    full = coordinator.get(path).json()
    assert full["view"] == "full"
    assert full["protected_identity"] is True
    assert full["debts"] == 1234
    assert coordinator.get("/v1/households").json()["items"][0]["view"] == "full"


def test_social_services_cannot_change_a_protected_case_but_can_close_it(
    social: TestClient, coordinator: TestClient
) -> None:
    household = create(coordinator, target_groups=["protected_identity"])
    path = f"/v1/households/{household['id']}"
    response = social.patch(path, json={"target_groups": []})
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert coordinator.get(path).json()["target_groups"] == ["protected_identity"]
    closed = social.post(f"{path}/close", json={"reason": "moved"})
    assert closed.status_code == 200
    assert closed.json()["view"] == "restricted"
    assert closed.json()["status"] == "closed"


def test_adding_protection_hides_the_case_from_social_services_at_once(
    social: TestClient,
) -> None:
    household = create(social)
    path = f"/v1/households/{household['id']}"
    response = social.patch(path, json={"target_groups": ["protected_identity"]})
    assert response.status_code == 200
    assert response.json()["view"] == "restricted"


@pytest.mark.commits  # other threads read and write at once
def test_concurrent_patches_with_the_same_etag_one_wins(api: Api, social: TestClient) -> None:
    """The row is locked for the update, so two writers holding the same ETag cannot both
    pass `If-Match`: exactly one succeeds, the other gets 412."""
    household = create(social)
    path = f"/v1/households/{household['id']}"
    other = api.client("social_services", municipality="1980")
    barrier = threading.Barrier(2)

    def patch(client: TestClient, urgency: int) -> int:
        barrier.wait()
        response = client.patch(path, json={"urgency": urgency}, headers={"If-Match": '"1"'})
        return int(response.status_code)

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(patch, [social, other], [2, 3]))
    assert statuses == [200, 412]
    assert social.get(path).json()["version"] == 2
