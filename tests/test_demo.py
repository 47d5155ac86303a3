"""`make run`'s demo data: a newcomer gets working credentials and sees demo vacancies."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.scenarios.demo import load_demo
from tests.worlds.demo import bearer_headers

# `load_demo` opens an engine of its own and commits.
pytestmark = pytest.mark.commits


def test_demo_prints_a_working_credential_for_each_role(app: FastAPI) -> None:
    printed = load_demo(app.state.settings)
    assert {line["role"] for line in printed} == {
        "admin",
        "coordinator",
        "social_services",
        "landlord",
        "intermediary",
    }
    client = TestClient(app)
    coordinator = next(line for line in printed if line["role"] == "coordinator")
    listed = client.get(
        "/v1/vacancies?municipality=1980", headers=bearer_headers(client, coordinator)
    )
    assert listed.status_code == 200
    assert len(listed.json()["items"]) >= 4
    social = next(line for line in printed if line["role"] == "social_services")
    households = client.get("/v1/households", headers=bearer_headers(client, social))
    assert households.status_code == 200
    assert all(item["case_ref"].startswith("DEMO-") for item in households.json()["items"])


def test_the_demo_intermediary_acts_for_the_landlord_that_mandated_it(app: FastAPI) -> None:
    """As Bostad Västerås does for Västerås' landlords: the demo intermediary sees Demo
    Fastigheter AB's vacancies (its mandate) and none of Demobostäder's (no mandate)."""
    printed = load_demo(app.state.settings)
    client = TestClient(app)
    line = next(line for line in printed if line["role"] == "intermediary")
    assert line["intermediary"] == "Demoförmedlingen AB"
    listed = client.get("/v1/vacancies", headers=bearer_headers(client, line))
    assert listed.status_code == 200, listed.text
    assert sorted(v["external_ref"] for v in listed.json()["items"]) == ["DF-77", "DF-78"]
    assert {v["landlord_name"] for v in listed.json()["items"]} == {"Demo Fastigheter AB"}


def test_restarting_rotates_demo_credentials_and_keeps_the_data(app: FastAPI) -> None:
    first = load_demo(app.state.settings)
    second = load_demo(app.state.settings)
    client = TestClient(app)
    old_landlord = next(line for line in first if line["role"] == "landlord")
    refused = client.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": old_landlord["client_id"],
            "client_secret": old_landlord["client_secret"],
        },
    )
    assert refused.status_code == 401
    new_landlord = next(line for line in second if line["role"] == "landlord")
    own = client.get("/v1/vacancies", headers=bearer_headers(client, new_landlord))
    assert own.status_code == 200
    assert len(own.json()["items"]) == 4
