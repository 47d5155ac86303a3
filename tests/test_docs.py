"""The documentation pages work on a closed network: every script, style and icon they
load is served by the service itself (the browser proves it in tests/test_browser.py)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Api

EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=:(]\s*['"]?(?:https?:)?//""", re.IGNORECASE)


def test_the_home_page_leads_to_swagger_ui(api: Api) -> None:
    response = api.anonymous.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/docs"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_a_documentation_page_loads_nothing_from_another_host(api: Api, page: str) -> None:
    html = api.anonymous.get(page).text
    assert EXTERNAL.search(html) is None, html
    assets = re.findall(r"""(?:src|href)="(/[^"]+)\"""", html)
    assert assets, "the page names its assets"
    for asset in assets:
        served = api.anonymous.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000, asset


def test_swagger_ui_keeps_the_authorization_over_a_reload(api: Api) -> None:
    html = api.anonymous.get("/docs").text
    assert '"persistAuthorization": true' in html
    assert '"validatorUrl": null' in html  # the document is never sent to a validator
    assert "/docs/oauth2-redirect" in html
    assert api.anonymous.get("/docs/oauth2-redirect").status_code == 200


def test_a_token_answer_is_never_cached(api: Api) -> None:
    created = api.admin.post("/v1/credentials", json={"role": "admin"}).json()
    response = api.anonymous.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
            "scope": "",  # Swagger UI sends it; RFC 6749 §3.2: unknown parameters are ignored
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
