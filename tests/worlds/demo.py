"""The demo world of `make run` (app/scenarios/demo.py): its printed credentials as the
headers a client sends."""

from __future__ import annotations

from fastapi.testclient import TestClient


def bearer_headers(client: TestClient, line: dict[str, str]) -> dict[str, str]:
    """The Authorization header of a printed demo credential."""
    response = client.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": line["client_id"],
            "client_secret": line["client_secret"],
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
