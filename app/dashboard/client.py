"""The dashboard reads what the coordinator could read anyway: every figure comes from the
public API, called in-process with the coordinator's own token. So the dashboard cannot
show more than the API would, its numbers are the API's, and a rule changed in a service
changes the dashboard with it."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from app.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
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
}
"""The API's refusals a dashboard request passes on as they are."""


class ApiReader:
    """GETs against the app itself, as the caller."""

    def __init__(self, app: FastAPI, authorization: str) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
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
        """The API's answer; its refusal is the dashboard's (the same status and detail),
        anything else it cannot use is a 503."""
        response = await self._client.get(path, params=params)
        if response.is_success:
            return response.json()
        relayed = RELAYED.get(response.status_code)
        if relayed is None:
            raise ServiceUnavailable("The dashboard could not read the API; try again.")
        try:
            detail = str(response.json().get("detail") or response.reason_phrase)
        except ValueError:
            detail = response.reason_phrase
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
