"""The dashboard in a real Chromium against a live server, with every other host blocked."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.browser import chromium
from tests.live import LiveServer, live_server, token


def sign_in(page: Any, server: LiveServer, client_id: str, secret: str) -> None:
    """Open the dashboard and submit its sign-in form, as a coordinator would."""
    page.goto(f"{server.url}/dashboard")
    page.fill("#client_id", client_id)
    page.fill("#client_secret", secret)
    page.click("form#signin button[type=submit]")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with live_server(tmp_path_factory.mktemp("dashboard")) as live:
        yield live


def test_a_coordinator_signs_in_and_sees_every_panel(server: LiveServer) -> None:
    """In a real Chromium with every other host blocked: sign in with the demo
    coordinator's client credentials, see the five panels with the API's numbers, reload
    and still be signed in (the token is in the tab's sessionStorage)."""
    pair = server.credential("coordinator")
    bearer = {"Authorization": f"Bearer {token(server, pair).json()['access_token']}"}
    open_cases = httpx.get(
        f"{server.url}/v1/households", params={"status": "open", "limit": 200}, headers=bearer
    ).json()["items"]
    with chromium() as browser:
        page = browser.page
        sign_in(page, server, pair["client_id"], pair["client_secret"])
        page.wait_for_selector("#panel-rounds", timeout=30_000)
        for panel in ("quota", "waiting", "awaiting", "due", "rounds"):
            assert page.is_visible(f"#panel-{panel}"), panel
        assert page.inner_text("#panel-waiting .total") == str(len(open_cases))
        assert page.locator("#panel-quota svg").count() == 1
        browser.screenshot("dashboard")
        page.reload()
        page.wait_for_selector("#panel-rounds", timeout=30_000)
        assert page.is_hidden("form#signin")
    assert browser.blocked == []


def test_a_wrong_secret_is_told_and_shows_nothing(server: LiveServer) -> None:
    pair = server.credential("coordinator")
    with chromium() as browser:
        page = browser.page
        sign_in(page, server, pair["client_id"], "not-the-secret")
        # A CSS wait: the page's CSP refuses the string evaluation wait_for_function needs.
        page.wait_for_selector("#signin-error:not(:empty)", timeout=30_000)
        assert page.locator("#panel-quota").count() == 0
    assert browser.blocked == []


def _succeeded(server: LiveServer, bearer: dict[str, str], round_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = httpx.get(
            f"{server.url}/v1/rounds/{round_id}", headers=bearer, timeout=10
        ).json()
        if body["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_two_rounds_are_compared_from_the_rounds_panel(server: LiveServer) -> None:
    """Two what-if rounds (they change nothing in the demo world), then the rounds panel's
    link sets the newer beside the older, with the API's numbers."""
    pair = server.credential("coordinator")
    bearer = {"Authorization": f"Bearer {token(server, pair).json()['access_token']}"}
    ids = []
    for body in ({"dry_run": True}, {"dry_run": True, "agreements": {}}):
        started = httpx.post(f"{server.url}/v1/rounds", json=body, headers=bearer, timeout=10)
        assert started.status_code == 202, started.text
        assert _succeeded(server, bearer, started.json()["id"])["status"] == "succeeded"
        ids.append(started.json()["id"])
    expected = httpx.get(
        f"{server.url}/v1/rounds/{ids[0]}/compare/{ids[1]}", headers=bearer, timeout=10
    ).json()
    with chromium() as browser:
        page = browser.page
        sign_in(page, server, pair["client_id"], pair["client_secret"])
        page.wait_for_selector("#panel-rounds a.compare", timeout=30_000)
        page.click(f'a.compare[data-second="{ids[1]}"]')
        page.wait_for_selector("#comparison-table", timeout=30_000)
        assert page.inner_text("#comparison .housed-first") == str(
            expected["first"]["households_housed"]
        )
        assert page.inner_text("#comparison .housed-second") == str(
            expected["second"]["households_housed"]
        )
        browser.screenshot("dashboard-comparison")
    assert browser.blocked == []
