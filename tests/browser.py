"""Debian's Chromium through Playwright, for the tests that look at a page as a person
would (Swagger UI, the dashboard): headless, a fresh profile, and every request to another
host refused and remembered — a page that needs the internet fails its test."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"
"""Screenshots kept after a run (var/ is not committed)."""


@dataclass
class Browser:
    page: Any
    blocked: list[str] = field(default_factory=list)
    """Every request to another host the page attempted."""

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """The page as a person sees it, kept for a reader of the run: the whole page, or
        (`full_page=False`) the first screen, for a page many screens tall."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def chromium(allowed_host: str = "127.0.0.1") -> Iterator[Browser]:
    """A page in a fresh headless Chromium that may talk to `allowed_host` only."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="envagin-chromium-"))
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=ARGS
            )
            try:
                browser = Browser(page=context.pages[0] if context.pages else context.new_page())

                def _route(route: Any) -> None:
                    url = route.request.url
                    if urlsplit(url).hostname == allowed_host or url.startswith(("data:", "blob:")):
                        route.continue_()
                    else:
                        browser.blocked.append(url)
                        route.abort()

                context.route("**/*", _route)
                yield browser
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
