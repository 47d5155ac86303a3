"""ReDoc loads nothing from another host: the served bundle is the shipped one without its
CDN logo, and `/redoc` loads the served bundle (the browser proof, every other host
blocked: tests/test_workday_browser.py)."""

from __future__ import annotations

from app.http.docs import REDOC_CDN_LOGO, REDOC_JS_URL
from tests.conftest import Api


def test_the_served_redoc_bundle_names_no_cdn_and_the_page_loads_it(api: Api) -> None:
    bundle = api.anonymous.get(REDOC_JS_URL)
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert len(bundle.content) > 100_000  # the whole bundle, not a stub
    assert "cdn.redoc.ly" not in bundle.text
    assert REDOC_CDN_LOGO not in bundle.text
    page = api.anonymous.get("/redoc").text
    assert f'src="{REDOC_JS_URL}"' in page
    assert "cdn.redoc.ly" not in page
