"""Swagger UI in a real browser on a closed network: Debian's chromium, driven through
Playwright's Python API (never `playwright install`: no browser is downloaded), with every
request to another host blocked. `/docs` renders, *Authorize* with the demo landlord's
client credentials succeeds, *Try it out* on `PUT /v1/vacancies/{external_ref}` answers
201, and after a reload the next call is still authorized (`persistAuthorization`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from playwright.sync_api import Page

from tests.browser import ARTIFACTS, CHROMIUM, chromium
from tests.live import SQLITE_ONLY, LiveServer, live_server

pytestmark = SQLITE_ONLY


def _put_vacancy(page: Page, external_ref: str) -> str:
    """Try it out → `PUT /v1/vacancies/{external_ref}` → Execute; the answer's status."""
    operation = page.locator("#operations-vacancies-put_vacancy")
    if not operation.locator(".opblock-body").is_visible():
        operation.locator(".opblock-summary").first.click()
    try_out = operation.locator("button.try-out__btn")
    if try_out.inner_text().strip() == "Try it out":
        try_out.click()
    operation.locator('tr[data-param-name="external_ref"] input').fill(external_ref)
    body = {
        "municipality": "1980",
        "area": "PETTERSBERG",
        "rooms": 2,
        "rent": 7100,
        "contract_forms": ["municipal_contract", "support_agreement"],
    }
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=20_000)
    return status.inner_text().strip()


def _drive(server: LiveServer) -> None:
    landlord = server.credential("landlord", "Demobostäder (allmännyttan)")
    with chromium() as browser:
        page = browser.page
        page.set_viewport_size({"width": 1280, "height": 1600})
        page.set_default_timeout(30_000)
        page.goto(f"{server.url}/docs")
        page.locator("#operations-vacancies-put_vacancy").wait_for()
        assert "En väg in" in page.locator(".info .title").inner_text()

        page.locator(".auth-wrapper button.authorize").click()
        dialog = page.locator(".modal-ux")
        dialog.locator("#client_id_clientCredentials").fill(landlord["client_id"])
        dialog.locator("#client_secret_clientCredentials").fill(landlord["client_secret"])
        dialog.locator(".auth-btn-wrapper button.authorize").first.click()
        # Authorized: the token was fetched, and Swagger UI offers to log out.
        dialog.locator("button", has_text="Logout").wait_for()
        dialog.locator("button", has_text="Close").first.click()

        assert _put_vacancy(page, "BROWSER-1") == "201"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        operation = page.locator("#operations-vacancies-put_vacancy")
        operation.screenshot(path=str(ARTIFACTS / "swagger-ui-put-vacancy.png"))

        page.reload()
        page.locator("#operations-vacancies-put_vacancy").wait_for()
        assert _put_vacancy(page, "BROWSER-2") == "201"  # still authorized: no 401
        browser.screenshot("swagger-ui")  # var/test-artifacts/, not committed
        assert browser.blocked == []


def test_swagger_ui_works_offline_in_chromium_and_keeps_the_authorization(
    tmp_path: Path,
) -> None:
    if os.environ.get("CI"):
        assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    with live_server(tmp_path / "server") as server:
        _drive(server)
