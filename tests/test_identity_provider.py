"""People sign in through a REAL OpenID Connect provider (panva's certified
`oidc-provider`, tests/identity_provider.py): a Västerås coordinator signs in through
Swagger UI's authorization-code flow with PKCE in Chromium and lists the municipality's
households, the audit trail names her; the provider rotates its signing key and the
service accepts the new one without a restart. Audit rule: who, what, when, why
(docs/domain.md §6); Västerås's coordinator works through Bostad Västerås's lists."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from playwright.sync_api import Page

from app.identity.tokens import IssuerKeys
from tests.browser import CHROMIUM, chromium
from tests.conftest import Api
from tests.identity_provider import AUDIENCE, IdentityProvider, identity_provider
from tests.live import SQLITE_ONLY, LiveServer, live_server, token
from tests.people import bearer

GROUPS = {"vasteras-bostadssamordnare": "coordinator", "vasteras-socialtjanst": "social_services"}
SYSTEM = {"client_id": "rotation-probe", "client_secret": "probe-" + "s" * 40}
PUBLIC_CLIENT = "en-vag-in-swagger"
PERSON = {"sub": "karin.vasteras", "name": "Karin Lund"}


def _registration(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "issuer": provider.issuer,
        "municipality": "1980",
        "audience": AUDIENCE,
        "role_claim": "groups",
        "role_map": GROUPS,
        "client_id": PUBLIC_CLIENT,
        "scopes": ["openid", "profile", "api"],
    }


def _system_client() -> dict[str, Any]:
    return {
        **SYSTEM,
        "grant_types": ["client_credentials"],
        "response_types": [],
        "redirect_uris": [],
    }


def test_the_issuer_rotates_its_key_and_the_service_accepts_the_new_one(
    api: Api, app: FastAPI, tmp_path: Path
) -> None:
    # No cool-down between fetches in this test: the rotation follows at once.
    app.state.issuer_keys = IssuerKeys(cooldown=0)
    accounts = {
        SYSTEM["client_id"]: {"name": "Karin Lund", "groups": ["vasteras-bostadssamordnare"]}
    }
    with identity_provider(tmp_path, clients=[_system_client()], accounts=accounts) as provider:
        api.municipality("1980")
        registered = api.admin.post("/v1/identity-providers", json=_registration(provider))
        assert registered.status_code == 201, registered.text

        before = provider.client_credentials_token(SYSTEM["client_id"], SYSTEM["client_secret"])
        assert bearer(api, before).get("/v1/households").status_code == 200

        provider.rotate("provider-key-2")
        after = provider.client_credentials_token(SYSTEM["client_id"], SYSTEM["client_secret"])
        assert provider.kid == "provider-key-2"
        assert bearer(api, after).get("/v1/households").status_code == 200
        # The old key is no longer published: what it signed is refused.
        assert bearer(api, before).get("/v1/households").status_code == 401


def _list_households(page: Page) -> tuple[str, Any]:
    """Try it out → `GET /v1/households` → Execute; the status and the body."""
    operation = page.locator("#operations-households-list_households")
    if not operation.locator(".opblock-body").is_visible():
        operation.locator(".opblock-summary").first.click()
    try_out = operation.locator("button.try-out__btn")
    if try_out.inner_text().strip() == "Try it out":
        try_out.click()
    # The answer to this click, not the previous one still shown in the page (a second
    # call read the first call's 200 while the machine was busy).
    with page.expect_response(
        lambda answer: "/v1/households" in answer.url and answer.request.method == "GET"
    ) as answered:
        operation.locator("button.execute").click()
    status = str(answered.value.status)
    shown = operation.locator(".live-responses-table .response .response-col_status")
    shown.filter(has_text=status).first.wait_for(timeout=20_000)
    return status, answered.value.text()


def _sign_in(page: Page) -> None:
    """Authorize → the issuer's login in a pop-up → consent → back, signed in."""
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    section = dialog.locator(".auth-container", has=page.locator("#client_id_authorizationCode"))
    assert section.locator("#client_id_authorizationCode").input_value() == PUBLIC_CLIENT
    with page.context.expect_page() as opened:
        section.locator("button.authorize").click()
    _sign_in_at_provider(opened.value)
    # Signed in: the code was exchanged (with the PKCE verifier), Swagger UI offers to log out.
    dialog.locator("button", has_text="Logout").first.wait_for()
    dialog.locator("button", has_text="Close").first.click()


def _sign_in_at_provider(page: Page) -> None:
    """The provider's own login and consent pages (its development interactions)."""
    page.locator('input[name="login"]').fill(PERSON["sub"])
    page.locator('input[name="password"]').fill("any")
    page.locator('button[type="submit"]', has_text="Sign-in").click()
    # The consent page (not the login page's button a second time): Continue.
    page.locator('button[type="submit"]', has_text="Continue").click()


def _drive_dashboard(server: LiveServer, issuer_id: str) -> None:
    """The coordinator's dashboard: sign in through the issuer in the same tab, the panels
    load with the person's token, sign-out forgets it."""
    with chromium() as browser:
        page = browser.page
        page.set_default_timeout(30_000)
        page.goto(f"{server.url}/dashboard?issuer={issuer_id}")
        page.locator("#signin-person").click()
        _sign_in_at_provider(page)
        page.wait_for_selector("#panel-rounds", timeout=30_000)
        assert "code=" not in page.url  # the code is used once and not kept in the address
        assert page.evaluate("sessionStorage.getItem('envagin.dashboard.token')")
        page.locator("#signout").click()
        page.wait_for_selector("#signin:not([hidden])")
        assert page.evaluate("sessionStorage.getItem('envagin.dashboard.token')") is None
        fonts = ("https://fonts.googleapis.com/", "https://fonts.gstatic.com/")
        assert [url for url in browser.blocked if not url.startswith(fonts)] == []


def _drive(server: LiveServer, provider: IdentityProvider, issuer_id: str) -> None:
    with chromium() as browser:
        page = browser.page
        page.set_viewport_size({"width": 1280, "height": 1600})
        page.set_default_timeout(30_000)
        page.goto(f"{server.url}/docs?issuer={issuer_id}")
        page.locator("#operations-households-list_households").wait_for()
        _sign_in(page)
        status, body = _list_households(page)
        assert status == "200", body
        items = json.loads(body)["items"]
        assert items
        assert {item["municipality"] for item in items} == {"1980"}
        browser.screenshot("swagger-ui-person-sign-in")
        # Sign out: Swagger UI forgets the token; the next call is refused.
        page.locator(".auth-wrapper button.authorize").click()
        page.locator(".modal-ux button", has_text="Logout").first.click()
        page.locator(".modal-ux button", has_text="Close").first.click()
        status, _ = _list_households(page)
        assert status == "401"
        # Only the provider's development login page asks another host (for a web font).
        fonts = ("https://fonts.googleapis.com/", "https://fonts.gstatic.com/")
        assert [url for url in browser.blocked if not url.startswith(fonts)] == []


@SQLITE_ONLY
def test_a_person_signs_in_through_swagger_ui_with_pkce_and_the_audit_names_them(
    tmp_path: Path,
) -> None:
    if os.environ.get("CI"):
        assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    with live_server(tmp_path / "server") as server:
        redirects = [f"{server.url}/docs/oauth2-redirect"]
        public: dict[str, Any] = {
            "client_id": PUBLIC_CLIENT,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "redirect_uris": redirects,
        }
        accounts = {
            PERSON["sub"]: {"name": PERSON["name"], "groups": ["vasteras-bostadssamordnare"]}
        }
        with identity_provider(tmp_path / "idp", clients=[public], accounts=accounts) as provider:
            admin = token(server, server.credential("admin")).json()["access_token"]
            headers = {"Authorization": f"Bearer {admin}"}
            registered = httpx.post(
                f"{server.url}/v1/identity-providers",
                json=_registration(provider),
                headers=headers,
                timeout=10,
            )
            assert registered.status_code == 201, registered.text
            issuer_id = registered.json()["id"]
            # The dashboard's redirect names the issuer: the client learns it, the provider
            # restarts with the same keys.
            provider.stop()
            redirects.append(f"{server.url}/dashboard?issuer={issuer_id}")
            provider.config["clients"] = [public]
            provider.start()
            _drive(server, provider, issuer_id)
            _drive_dashboard(server, issuer_id)

            coordinator = server.credential("coordinator")
            system = token(server, coordinator).json()["access_token"]
            households = httpx.get(
                f"{server.url}/v1/households",
                headers={"Authorization": f"Bearer {system}"},
                timeout=10,
            ).json()["items"]
            trail = httpx.get(
                f"{server.url}/v1/audit",
                params={"household": households[0]["id"], "person": PERSON["sub"]},
                headers={"Authorization": f"Bearer {system}"},
                timeout=10,
            ).json()["items"]
            # Her list in Swagger UI, and the dashboard's panels listing as her.
            karin = {"subject": PERSON["sub"], "name": PERSON["name"]}
            assert [(e["action"], e["role"], e["person"]) for e in trail] == [
                ("list", "coordinator", karin),
                ("list", "coordinator", karin),
            ]
