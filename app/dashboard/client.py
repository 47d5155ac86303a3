"""The dashboard reads what the coordinator could read anyway: every figure comes from the
public API, called in-process with the coordinator's own token. So the dashboard cannot
show more than the API would, its numbers are the API's, and a rule changed in a service
changes the dashboard with it.

A panel load costs the caller one request of its rate limit: the panel request itself. Its
calls to the API are marked in their ASGI scope (`BUDGET_SPENT`) and pass the limiter, so a
burst never leaves a panel half read (docs/dashboard.md)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth import BUDGET_SPENT
from app.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
)

PAGE_LIMIT = 200
MAX_PAGES = 50
"""A dashboard over more than 10 000 open cases would be a report, not a glance; where a
list is longer the dashboard says so (`ApiReader.cut_short`) rather than undercount."""


RELAYED: dict[int, type[AppError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: UnprocessableEntity,
    429: TooManyRequests,
    503: ServiceUnavailable,
}
"""The API's refusals a dashboard request passes on as they are, with their `Retry-After`."""
RETRY_AFTER_SECONDS = "1"
"""What a dashboard answer that could not read the API asks the caller to wait."""


def budget_spent(app: ASGIApp) -> ASGIApp:
    """`app`, entered with the scope marked as already paid for by the panel request."""

    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, BUDGET_SPENT: True}, receive, send)

    return call


class ApiReader:
    """GETs against the app itself, as the caller."""

    def __init__(self, app: FastAPI, authorization: str) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=budget_spent(app)),
            base_url="http://dashboard.internal",
            headers={"Authorization": authorization, "Accept": "application/json"},
        )
        self.cut_short: list[str] = []
        """The lists read only up to `MAX_PAGES` pages, by the label they were read with."""

    async def __aenter__(self) -> ApiReader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def get(self, path: str, **params: Any) -> Any:
        """The API's answer; its refusal is the dashboard's (the same status, detail and
        `Retry-After`), anything else it cannot use is a 503 with `Retry-After`."""
        response = await self._client.get(path, params=params)
        if response.is_success:
            return response.json()
        relayed = RELAYED.get(response.status_code)
        if relayed is None:
            raise ServiceUnavailable(
                "The dashboard could not read the API; try again.",
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        try:
            detail = str(response.json().get("detail") or response.reason_phrase)
        except ValueError:
            detail = response.reason_phrase
        retry_after = response.headers.get("Retry-After")
        if relayed in (TooManyRequests, ServiceUnavailable):
            raise relayed(detail, headers={"Retry-After": retry_after or RETRY_AFTER_SECONDS})
        raise relayed(detail)

    async def all_items(self, path: str, label: str, **params: Any) -> list[dict[str, Any]]:
        """Every page of a list, following `next_cursor`, up to `MAX_PAGES` pages; a list
        cut there is named by its `label` in `cut_short`."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = await self.get(
                path, **params, limit=PAGE_LIMIT, **({"cursor": cursor} if cursor else {})
            )
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        else:
            self.cut_short.append(label)
        return items
