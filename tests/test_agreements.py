"""Agreements (samarbetsavtal): written by the municipality's coordinator, read by the
landlord, validated against the municipality's areas and the contract forms of docs/domain.md §5."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, AuthedClient

PROBLEM = "application/problem+json"


def agreement(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "quota": 40,
        "exception_quota": 5,
        "excluded_areas": [],
        "income_multiple": 3,
        "accepts_income_support": False,
        "accepts_housing_allowance": True,
        "requires_permanent_employment": True,
        "accepts_payment_remarks": False,
        "accepts_municipal_guarantee": True,
        "requires_home_insurance": True,
        "contract_forms": ["municipal_contract", "support_agreement"],
        "trial_period_months": 18,
        "response_hours": 48,
    }
    body.update(overrides)
    return body


def setup(api: Api) -> tuple[AuthedClient, str]:
    api.municipality("1980")
    landlord = api.landlord("Mimer", "556036-0793")
    return api.client("coordinator", municipality="1980"), landlord


def test_coordinator_creates_then_updates_an_agreement(api: Api) -> None:
    """Balder's letting rules (Nynäshamn): income ≥ 3 × rent, permanent employment."""
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    created = coordinator.put(url, json=agreement())
    assert created.status_code == 201
    assert created.headers["ETag"] == '"1"'
    body = created.json()
    assert body["municipality"] == "1980"
    assert body["landlord"] == landlord
    assert body["year"] == 2026
    assert body["income_multiple"] == 3
    assert body["contract_forms"] == ["municipal_contract", "support_agreement"]

    updated = coordinator.put(url, json=agreement(quota=50), headers={"If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.headers["ETag"] == '"2"'
    assert updated.json()["quota"] == 50
    assert coordinator.get(url).json()["quota"] == 50


def test_identical_put_keeps_the_version(api: Api) -> None:
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    first = coordinator.put(url, json=agreement())
    again = coordinator.put(url, json=agreement())
    assert again.status_code == 200
    assert again.headers["ETag"] == first.headers["ETag"] == '"1"'


def test_stale_if_match_is_412_and_changes_nothing(api: Api) -> None:
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    coordinator.put(url, json=agreement())
    coordinator.put(url, json=agreement(quota=41))
    stale = coordinator.put(url, json=agreement(quota=99), headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    current = coordinator.get(url)
    assert current.json()["quota"] == 41
    assert current.headers["ETag"] == '"2"'


def test_if_match_on_a_missing_agreement_is_412(api: Api) -> None:
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    assert coordinator.put(url, json=agreement(), headers={"If-Match": '"1"'}).status_code == 412
    assert coordinator.get(url).status_code == 404


def test_excluded_areas_must_be_areas_of_the_municipality(api: Api) -> None:
    """Mimer gives no social apartments in designated areas (Västerås)."""
    coordinator, landlord = setup(api)
    area = coordinator.put("/v1/municipalities/1980/areas/BACKBY", json={"name": "Bäckby"})
    assert area.status_code == 201
    url = f"/v1/agreements/1980/{landlord}/2026"
    response = coordinator.put(url, json=agreement(excluded_areas=["BACKBY", "NOWHERE"]))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "excluded_areas" in response.json()["detail"]
    assert coordinator.get(url).status_code == 404
    ok = coordinator.put(url, json=agreement(excluded_areas=["BACKBY"]))
    assert ok.status_code == 201
    assert ok.json()["excluded_areas"] == ["BACKBY"]


def test_bad_contract_forms_are_422(api: Api) -> None:
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    for forms in (["lease_for_life"], [], ["short_term", "short_term"], "short_term"):
        response = coordinator.put(url, json=agreement(contract_forms=forms))
        assert response.status_code == 422, forms
        assert response.headers["content-type"] == PROBLEM
        assert "contract_forms" in response.json()["detail"]
    assert coordinator.get(url).status_code == 404


def test_out_of_range_numbers_and_unknown_fields_are_422(api: Api) -> None:
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    for bad in (
        {"income_multiple": 11},
        {"income_multiple": -1},
        {"income_multiple": True},
        {"income_multiple": "3"},
        {"accepts_income_support": "no"},
        {"quota": "40"},
        {"response_hours": 48.5},
        {"quota": -1},
        {"quota": 10**20},
        {"trial_period_months": 61},
        {"response_hours": 0},
        {"response_hours": 721},
        {"answer_hours": 0},
        {"answer_hours": 721},
        {"answer_hours": None},
        {"answer_hours": 72.0},
        {"excluded_areas": ["bad\x00area"]},
        {"unknown": True},
    ):
        response = coordinator.put(url, json=agreement(**bad))
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == PROBLEM
    assert (
        coordinator.put(f"/v1/agreements/1980/{landlord}/1999", json=agreement()).status_code == 422
    )
    assert (
        coordinator.put(f"/v1/agreements/1980/{landlord}/2101", json=agreement()).status_code == 422
    )
    assert coordinator.get("/v1/agreements").json()["items"] == []


def test_only_coordinators_write_agreements(api: Api) -> None:
    coordinator, landlord = setup(api)
    url = f"/v1/agreements/1980/{landlord}/2026"
    for client in (
        api.admin,
        api.client("social_services", municipality="1980"),
        api.client("landlord", landlord=landlord),
    ):
        response = client.put(url, json=agreement())
        assert response.status_code == 403
        assert response.headers["content-type"] == PROBLEM
    assert coordinator.get(url).status_code == 404


def test_coordinator_cannot_write_another_municipalitys_agreement(api: Api) -> None:
    coordinator, landlord = setup(api)
    api.municipality("0680")
    response = coordinator.put(f"/v1/agreements/0680/{landlord}/2026", json=agreement())
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    jonkoping = api.client("coordinator", municipality="0680")
    assert jonkoping.get("/v1/agreements").json()["items"] == []


def test_unknown_landlord_is_404(api: Api) -> None:
    coordinator, _ = setup(api)
    response = coordinator.put(
        "/v1/agreements/1980/00000000-0000-0000-0000-000000000000/2026", json=agreement()
    )
    assert response.status_code == 404


def test_landlord_reads_only_its_own_agreements(api: Api) -> None:
    coordinator, mimer = setup(api)
    balder = api.landlord("Balder", "556703-7485", "private")
    coordinator.put(f"/v1/agreements/1980/{mimer}/2026", json=agreement())
    coordinator.put(f"/v1/agreements/1980/{balder}/2026", json=agreement(quota=3))
    client = api.client("landlord", landlord=mimer)
    own = client.get(f"/v1/agreements/1980/{mimer}/2026")
    assert own.status_code == 200
    assert own.headers["ETag"] == '"1"'
    assert client.get(f"/v1/agreements/1980/{balder}/2026").status_code == 404
    assert [a["landlord"] for a in client.get("/v1/agreements").json()["items"]] == [mimer]
    assert client.get("/v1/agreements", params={"landlord": balder}).status_code == 404


def test_coordinator_lists_own_municipalitys_agreements_with_filters(api: Api) -> None:
    coordinator, mimer = setup(api)
    api.municipality("0680")
    jonkoping = api.client("coordinator", municipality="0680")
    coordinator.put(f"/v1/agreements/1980/{mimer}/2025", json=agreement())
    coordinator.put(f"/v1/agreements/1980/{mimer}/2026", json=agreement())
    jonkoping.put(f"/v1/agreements/0680/{mimer}/2026", json=agreement())

    items = coordinator.get("/v1/agreements").json()["items"]
    assert sorted((a["municipality"], a["year"]) for a in items) == [("1980", 2025), ("1980", 2026)]
    only_2026 = coordinator.get("/v1/agreements", params={"year": 2026, "landlord": mimer})
    assert [a["year"] for a in only_2026.json()["items"]] == [2026]
    other = coordinator.get("/v1/agreements", params={"municipality": "0680"})
    assert other.status_code == 404
    assert coordinator.get(f"/v1/agreements/0680/{mimer}/2026").status_code == 404
    assert len(api.admin.get("/v1/agreements").json()["items"]) == 3


def test_social_services_may_not_read_agreements(api: Api) -> None:
    coordinator, landlord = setup(api)
    coordinator.put(f"/v1/agreements/1980/{landlord}/2026", json=agreement())
    social = api.client("social_services", municipality="1980")
    assert social.get("/v1/agreements").status_code == 403
    assert social.get(f"/v1/agreements/1980/{landlord}/2026").status_code == 403
