"""Optimistic concurrency: `ETag` is the row version; a stale `If-Match` is 412."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from app.core.errors import PreconditionFailed

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description="The `ETag` you last read; the update is refused with 412 if it changed.",
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Refuse the write when the client's view is stale; no header means no check.

    If-Match uses the strong comparison (RFC 9110 §13.1.1): a weak tag `W/"1"` never
    matches, not even our (strong) `"1"`; `*` matches any current version."""
    if if_match is None:
        return
    candidates = {tag.strip() for tag in if_match.split(",")}
    if "*" not in candidates and etag(version) not in candidates:
        raise PreconditionFailed(
            f"If-Match {if_match} does not match the current ETag {etag(version)}."
        )


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)
