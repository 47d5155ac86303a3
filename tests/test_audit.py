"""The audit log: every read and change of a household record is written in the same
transaction, names who and why, and never what the record contains (docs/domain.md §6)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api

PROBLEM = "application/problem+json"
SECRET_CASE_REF = "KVINNOFRID-77"


@pytest.fixture
def social(api: Api) -> TestClient:
    api.municipality("1980")
    return api.client("social_services", municipality="1980")


@pytest.fixture
def coordinator(api: Api) -> TestClient:
    api.municipality("1980")
    return api.client("coordinator", municipality="1980")


def create(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"case_ref": SECRET_CASE_REF, "adults": 1, "contract_forms": ["housing_first"]}
    body.update(fields)
    response = client.post("/v1/households", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def events(coordinator: TestClient, household_id: str) -> list[dict[str, Any]]:
    response = coordinator.get("/v1/audit", params={"household": household_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_create_read_list_update_close_each_write_an_event(
    social: TestClient, coordinator: TestClient
) -> None:
    household = create(social, debts=4321, income={"salary": 12345})
    path = f"/v1/households/{household['id']}"
    social.get(path, headers={"X-Purpose": "Uppföljning av ärende".encode()})
    social.get("/v1/households")
    social.patch(path, json={"urgency": 2})
    social.post(f"{path}/close", json={"reason": "housed"})
    trail = events(coordinator, household["id"])
    assert [e["action"] for e in trail] == ["create", "read", "list", "update", "close"]
    assert {e["role"] for e in trail} == {"social_services"}
    assert {e["organisation"] for e in trail} == {"1980"}
    assert {e["credential"] for e in trail} == {social.client_id}
    assert {e["household"] for e in trail} == {household["id"]}
    assert trail[1]["purpose"] == "Uppföljning av ärende"
    assert all(e["request_id"] for e in trail)
    assert set(trail[0]) == {
        "at",
        "credential",
        "role",
        "organisation",
        "on_behalf_of",
        "person",
        "action",
        "household",
        "purpose",
        "request_id",
    }
    assert {e["person"] for e in trail} == {None}  # a system's credential, no person
    assert {e["on_behalf_of"] for e in trail} == {None}  # social services act for themselves


def test_audit_events_never_contain_field_values(
    social: TestClient, coordinator: TestClient
) -> None:
    household = create(social, debts=4321, income={"salary": 12345})
    social.patch(f"/v1/households/{household['id']}", json={"case_ref": "NY-REF-99"})
    text = json.dumps(events(coordinator, household["id"]))
    for value in (SECRET_CASE_REF, "NY-REF-99", "4321", "12345", "housing_first"):
        assert value not in text


def test_coordinator_reads_are_audited_too(coordinator: TestClient) -> None:
    household = create(coordinator)
    coordinator.get(f"/v1/households/{household['id']}")
    trail = events(coordinator, household["id"])
    assert [(e["action"], e["role"]) for e in trail] == [
        ("create", "coordinator"),
        ("read", "coordinator"),
    ]


def test_refused_requests_write_no_event(social: TestClient, coordinator: TestClient) -> None:
    """The event is in the request's transaction: a refused change leaves no trace of a
    change that did not happen."""
    household = create(social)
    path = f"/v1/households/{household['id']}"
    assert social.patch(path, json={"urgency": 1}, headers={"If-Match": '"9"'}).status_code == 412
    assert social.patch(path, json={"rooms_min": 0}).status_code == 422
    assert [e["action"] for e in events(coordinator, household["id"])] == ["create"]


def test_only_the_coordinator_of_the_municipality_reads_the_audit_log(
    api: Api, social: TestClient, coordinator: TestClient
) -> None:
    household = create(social)
    params = {"household": household["id"]}
    response = social.get("/v1/audit", params=params)
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert api.admin.get("/v1/audit", params=params).status_code == 403
    landlord = api.client("landlord", landlord=api.landlord())
    assert landlord.get("/v1/audit", params=params).status_code == 403
    api.municipality("0680")
    other = api.client("coordinator", municipality="0680")
    response = other.get("/v1/audit", params=params)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_audit_needs_a_well_formed_household_id(coordinator: TestClient) -> None:
    # Without one, the municipality's whole trail answers (tests/test_audit_query.py).
    assert coordinator.get("/v1/audit", params={"household": "x"}).status_code == 422


def test_audit_log_is_paginated(social: TestClient, coordinator: TestClient) -> None:
    household = create(social)
    for _ in range(4):
        social.get(f"/v1/households/{household['id']}")
    params: dict[str, Any] = {"household": household["id"], "limit": 3}
    first = coordinator.get("/v1/audit", params=params).json()
    assert len(first["items"]) == 3
    second = coordinator.get("/v1/audit", params={**params, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    assert [e["action"] for e in first["items"] + second["items"]] == ["create"] + ["read"] * 4
    bad = coordinator.get("/v1/audit", params={**params, "cursor": "bm90LWFuLWlk"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("purpose", ["x" * 201, "line\x01break"])
def test_purpose_must_be_short_plain_text(social: TestClient, purpose: str) -> None:
    household = create(social)
    response = social.get(f"/v1/households/{household['id']}", headers={"X-Purpose": purpose})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_protected_identity_reads_are_audited_in_restricted_form_too(
    social: TestClient, coordinator: TestClient
) -> None:
    household = create(coordinator, target_groups=["protected_identity"])
    social.get(f"/v1/households/{household['id']}")
    trail = events(coordinator, household["id"])
    assert [(e["action"], e["role"]) for e in trail] == [
        ("create", "coordinator"),
        ("read", "social_services"),
    ]


def test_purpose_is_recorded_as_sent(social: TestClient, coordinator: TestClient) -> None:
    household = create(social)
    social.get(f"/v1/households/{household['id']}", headers={"X-Purpose": "Plain ASCII"})
    assert events(coordinator, household["id"])[-1]["purpose"] == "Plain ASCII"
