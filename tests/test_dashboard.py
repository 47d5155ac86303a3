"""The coordinator's dashboard: its panels are the API's numbers, it loads nothing from
another host, and only a coordinator's token gets panels."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.dashboard.service import month_bucket, months_between, waiting_histogram
from app.db import utcnow
from app.demo import load_demo

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def _bearer(client: TestClient, line: dict[str, str]) -> dict[str, str]:
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


@pytest.fixture
def demo(app: FastAPI) -> tuple[TestClient, dict[str, dict[str, str]]]:
    printed = load_demo(app.state.settings)
    client = TestClient(app)
    return client, {line["role"]: _bearer(client, line) for line in printed}


def test_the_panels_are_the_api_numbers(demo: tuple[TestClient, dict[str, Any]]) -> None:
    client, headers = demo
    coordinator = headers["coordinator"]
    panels = client.get("/dashboard/panels", headers=coordinator)
    assert panels.status_code == 200, panels.text
    html = panels.text
    open_cases = client.get(
        "/v1/households", params={"status": "open", "limit": 200}, headers=coordinator
    ).json()["items"]
    waiting = re.search(r'id="panel-waiting">\s*<h2>[^<]*<span class="total">(\d+)<', html)
    assert waiting is not None
    assert int(waiting.group(1)) == len(open_cases) > 0
    quota = client.get(
        "/v1/quota", params={"municipality": "1980", "year": utcnow().year}, headers=coordinator
    ).json()
    for row in quota["rows"]:
        shown = re.search(
            rf'data-landlord="{row["landlord"]}"><td>[^<]*</td><td class="n quota">(\d+)</td>'
            rf'<td class="n delivered">(\d+)</td>',
            html,
        )
        assert shown is not None, row
        assert (int(shown.group(1)), int(shown.group(2))) == (row["quota"], row["delivered"])
    assert "<svg" in html
    assert "<script" not in html
    assert EXTERNAL.search(html) is None


def test_only_a_coordinator_gets_panels(demo: tuple[TestClient, dict[str, Any]]) -> None:
    client, headers = demo
    for role in ("social_services", "landlord", "admin"):
        response = client.get("/dashboard/panels", headers=headers[role])
        assert response.status_code == 403, (role, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/dashboard/panels").status_code == 401
    page = client.get("/dashboard")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">' in page.text
    assert EXTERNAL.search(page.text) is None


def test_months_waiting_fall_in_their_buckets() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert months_between(datetime(2026, 11, 3, tzinfo=UTC), now) == 0
    assert months_between(datetime(2026, 11, 2, tzinfo=UTC), now) == 1
    assert months_between(datetime(2025, 12, 2, tzinfo=UTC), now) == 12
    assert [month_bucket(m) for m in (0, 1, 2, 3, 6, 11, 12, 40)] == [
        "0–1 mån",
        "1–3 mån",
        "1–3 mån",
        "3–6 mån",
        "6–12 mån",
        "6–12 mån",
        "12+ mån",
        "12+ mån",
    ]
    histogram = waiting_histogram(
        [
            {"urgency": 3, "registered_at": "2026-01-15T08:00:00+00:00"},
            {"urgency": 0, "registered_at": "2026-11-20T08:00:00+00:00"},
        ],
        now,
    )
    assert histogram["Akut"]["6–12 mån"] == 1
    assert histogram["Normal"]["0–1 mån"] == 1
    assert sum(sum(row.values()) for row in histogram.values()) == 2


def test_artifacts_are_not_committed() -> None:
    ignored = (Path(__file__).resolve().parent.parent / ".gitignore").read_text()
    assert "/var/" in ignored.splitlines()
