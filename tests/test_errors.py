"""Errors a client can cause are problem+json and change nothing."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict
from tests.conftest import Api


def test_unknown_path_is_a_404_problem(api: Api) -> None:
    response = api.anonymous.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/healthz", "GET"),
        ("DELETE", "/v1/municipalities", "GET, POST"),
        ("PATCH", "/v1/vacancies/ref-1", "DELETE, GET, PUT"),
    ],
)
def test_wrong_method_lists_every_allowed_method(
    api: Api, method: str, path: str, allowed: str
) -> None:
    response = api.anonymous.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"


def test_a_body_that_is_not_json_is_a_problem_and_creates_nothing(api: Api) -> None:
    response = api.admin.post(
        "/v1/municipalities",
        content=b"\xff\xfe not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert api.admin.get("/v1/municipalities").json()["items"] == []


def test_validation_problems_name_the_field_but_never_echo_the_value(api: Api) -> None:
    api.municipality("1980")
    social = api.client("social_services", municipality="1980")
    response = social.post(
        "/v1/households",
        json={"case_ref": "K-1", "adults": 1, "contract_forms": ["nope-secret-value"]},
    )
    assert response.status_code == 422
    assert "contract_forms" in response.json()["detail"]
    assert "nope-secret-value" not in response.text


def test_an_extension_member_cannot_overwrite_the_problem_s_own() -> None:
    """`status=` as an extension would have replaced the problem's status and failed as a
    500 at render time; it fails where the error is raised instead."""
    with pytest.raises(TypeError, match="status"):
        Conflict("x", status="ended")
    assert Conflict("x", tenancy_status="ended").extra == {"tenancy_status": "ended"}


def test_a_validator_s_message_has_no_pydantic_prefix(api: Api) -> None:
    api.municipality("1980")
    social = api.client("social_services", municipality="1980")
    response = social.post(
        "/v1/households",
        json={
            "case_ref": "19121212-1212",
            "adults": 1,
            "contract_forms": ["municipal_contract"],
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert "Value error" not in response.text
    assert body["errors"] == [
        {
            "field": "case_ref",
            "message": "must be the municipality's case reference, never a personnummer",
            "type": "value_error",
        }
    ]


def test_every_422_has_errors_even_when_a_service_refuses(api: Api) -> None:
    """One shape of 422: a refusal by a rule names its field in `errors` just as request
    validation does; one about no single field names none."""
    api.municipality("1980")
    response = api.admin.get("/v1/credentials", params={"cursor": "AQ"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "cursor", "message": "not a cursor this service issued", "type": "value_error"}
    ]
    landlord_refusal = api.admin.post(
        "/v1/credentials", json={"role": "admin", "municipality": "1980"}
    )
    assert landlord_refusal.status_code == 422
    assert landlord_refusal.json()["errors"][0]["field"] == ""
    assert landlord_refusal.json()["errors"][0]["message"] == landlord_refusal.json()["detail"]
