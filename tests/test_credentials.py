"""Credentials and tokens: OAuth2 client credentials, scoped roles, revocation."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest

from tests.conftest import Api


def test_token_from_form_body_and_from_basic_auth(api: Api) -> None:
    api.municipality("1980")
    created = api.admin.post(
        "/v1/credentials", json={"role": "coordinator", "municipality": "1980"}
    ).json()
    form = api.anonymous.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert form.status_code == 200
    assert form.json()["token_type"] == "bearer"
    basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode())
    header = api.anonymous.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic.decode()}"},
    )
    assert header.status_code == 200


def test_wrong_secret_is_401_problem(api: Api) -> None:
    client_id = api.admin.client_id
    response = api.anonymous.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "x"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == "invalid_client"


def test_no_token_is_401_and_bad_token_is_401(api: Api) -> None:
    assert api.anonymous.get("/v1/municipalities").status_code == 401
    response = api.anonymous.get(
        "/v1/municipalities", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_request_without_credentials_is_refused_before_a_session_opens(api: Api) -> None:
    """The 401 needs no database: the guard reads the Authorization header first."""
    landlord = api.client("landlord", landlord=api.landlord())
    opened: list[object] = []
    make = api.app.state.sessionmaker

    def counted() -> Any:
        opened.append(landlord)
        return make()

    api.app.state.sessionmaker = counted
    response = api.anonymous.get("/v1/households")
    assert response.status_code == 401, response.text
    assert opened == []
    assert landlord.get("/v1/households").status_code == 403  # read its credential
    assert len(opened) == 1


def test_only_admin_creates_credentials(api: Api) -> None:
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    response = coordinator.post("/v1/credentials", json={"role": "admin"})
    assert response.status_code == 403


def test_secret_is_never_returned_after_creation(api: Api) -> None:
    api.municipality("1980")
    api.client("social_services", municipality="1980")
    listed = api.admin.get("/v1/credentials").json()["items"]
    assert listed
    assert all("client_secret" not in item and "secret_hash" not in item for item in listed)


def test_credential_needs_its_organisation(api: Api) -> None:
    response = api.admin.post("/v1/credentials", json={"role": "coordinator"})
    assert response.status_code == 422
    unknown = api.admin.post(
        "/v1/credentials", json={"role": "coordinator", "municipality": "0180"}
    )
    assert unknown.status_code == 422


def test_revoked_credential_tokens_stop_working_at_once(api: Api) -> None:
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    assert coordinator.get("/v1/municipalities/1980").status_code == 200
    revoked = api.admin.delete(f"/v1/credentials/{coordinator.client_id}")
    assert revoked.status_code == 204
    assert coordinator.get("/v1/municipalities/1980").status_code == 401


def test_a_malformed_client_id_is_401_and_never_reaches_the_database(api: Api) -> None:
    response = api.anonymous.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "cid_\x00x", "client_secret": "s"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_bearer_token_is_verified_once_per_request(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rate limiter verifies the token to key its window; authentication reuses that
    result for the same token instead of verifying again (one HMAC and decode per call)."""
    coordinator = api.client("coordinator", municipality=api.municipality())
    calls = []
    real = jwt.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    for _ in range(2):
        response = coordinator.get("/v1/municipalities/1980/areas")
        assert response.status_code == 200, response.text
    assert len(calls) == 2  # one per request
    forged = coordinator.get(
        "/v1/municipalities/1980/areas", headers={"Authorization": "Bearer x.y.z"}
    )
    assert forged.status_code == 401
