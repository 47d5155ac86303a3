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

from app.core.db import local_year
from app.dashboard import client as dashboard_client
from app.dashboard.panels import local_minute
from app.dashboard.service import (
    _round_line,
    _with_comparisons,
    month_bucket,
    months_between,
    waiting_histogram,
)
from app.scenarios.demo import load_demo
from tests.worlds.demo import bearer_headers

# The demo world: `load_demo` opens an engine of its own and commits.
pytestmark = pytest.mark.commits

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def demo(app: FastAPI) -> tuple[TestClient, dict[str, dict[str, str]]]:
    printed = load_demo(app.state.settings)
    client = TestClient(app)
    return client, {line["role"]: bearer_headers(client, line) for line in printed}


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
        "/v1/quota", params={"municipality": "1980", "year": local_year()}, headers=coordinator
    ).json()
    for row in quota["rows"]:
        shown = re.search(
            rf'data-landlord="{row["landlord"]}"><td>[^<]*</td><td class="n quota">(\d+)</td>'
            rf'<td class="n expected">(\d+)</td><td class="n delivered">(\d+)</td>',
            html,
        )
        assert shown is not None, row
        assert tuple(int(n) for n in shown.groups()) == (
            row["quota"],
            row["expected_to_date"],
            row["delivered"],
        )
    assert "<svg" in html
    assert "<script" not in html
    assert EXTERNAL.search(html) is None


def test_a_list_longer_than_the_dashboard_reads_is_said_not_undercounted(
    demo: tuple[TestClient, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard reads at most MAX_PAGES pages of a list; a longer one is named above
    the panels instead of being counted short in silence."""
    client, headers = demo
    coordinator = headers["coordinator"]
    whole = client.get("/dashboard/panels", headers=coordinator).text
    assert 'id="cut-short"' not in whole
    open_cases = client.get(
        "/v1/households", params={"status": "open", "limit": 200}, headers=coordinator
    ).json()["items"]
    assert len(open_cases) > 2
    monkeypatch.setattr(dashboard_client, "PAGE_LIMIT", 1)
    monkeypatch.setattr(dashboard_client, "MAX_PAGES", 2)
    cut = client.get("/dashboard/panels", headers=coordinator)
    assert cut.status_code == 200, cut.text
    notice = re.search(r'id="cut-short"[^>]*>([^<]*)<', cut.text)
    assert notice is not None
    assert "öppna ärenden" in notice.group(1)
    assert "Fler än 2 poster" in notice.group(1)
    waiting = re.search(r'id="panel-waiting">\s*<h2>[^<]*<span class="total">(\d+)<', cut.text)
    assert waiting is not None
    assert int(waiting.group(1)) == 2


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


def test_times_are_shown_in_swedish_time_with_their_zone() -> None:
    assert local_minute("2026-12-02T08:05:00+00:00") == "2026-12-02 09:05 CET"
    assert local_minute(datetime(2026, 7, 1, 8, 5, tzinfo=UTC)) == "2026-07-01 10:05 CEST"
    assert local_minute(None) is None


def test_months_waiting_fall_in_their_buckets() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert months_between(datetime(2026, 11, 3, tzinfo=UTC), now) == 0
    assert months_between(datetime(2026, 11, 2, tzinfo=UTC), now) == 1
    assert months_between(datetime(2025, 12, 2, tzinfo=UTC), now) == 12
    # Swedish calendar days: 23:30 UTC on 31 October is 00:30 on 1 November in Stockholm,
    # and 23:30 UTC on 30 November is 1 December there — one whole month, not none.
    assert (
        months_between(
            datetime(2026, 10, 31, 23, 30, tzinfo=UTC), datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
        )
        == 1
    )
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


def test_a_running_round_shows_its_progress_and_finished_ones_compare() -> None:
    summary = {"id": "r3", "status": "running", "created_at": "2026-12-02T08:00:00+00:00"}
    detail = {
        "progress": {
            "phase": "pricing",
            "figures": {"bound": 2000, "objective": 1500, "pricing_round": 4},
        }
    }
    running = _round_line(summary, detail)
    assert (running.progress_percent, running.phase) == (75, "pricing")
    assert _round_line({**summary, "status": "queued"}, None).progress_percent is None
    done = [
        _round_line({**summary, "id": rid, "status": status}, None)
        for rid, status in (
            ("r3", "running"),
            ("r2", "succeeded"),
            ("r1", "failed"),
            ("r0", "succeeded"),
        )
    ]
    assert [line.compare_with for line in _with_comparisons(done)] == [None, "r0", None, None]


def test_the_apis_refusal_is_the_dashboards(demo: tuple[TestClient, dict[str, Any]]) -> None:
    """Comparing rounds that do not exist is the API's 404, never a 500."""
    client, headers = demo
    missing = "3f1c0e1e-8f4c-4b7a-9a53-0d4b2f6f7c11"
    response = client.get(
        "/dashboard/compare",
        params={"first": missing, "second": missing},
        headers=headers["coordinator"],
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "No such round."
