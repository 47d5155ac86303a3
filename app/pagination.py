"""Keyset pagination: a capped `limit` and an opaque cursor naming the last id seen."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from app.errors import UnprocessableEntity

MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    after: str | None


def encode_cursor(last_key: str) -> str:
    return base64.urlsafe_b64encode(last_key.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise UnprocessableEntity("cursor: not a cursor this service issued") from exc
    if not raw.isprintable():
        raise UnprocessableEntity("cursor: not a cursor this service issued")
    return raw


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="`next_cursor` of the previous page",
        ),
    ] = None,
) -> Page:
    """Parse the page parameters once for every list endpoint."""
    return Page(limit=limit, after=_decode_cursor(cursor) if cursor else None)


PageDep = Annotated[Page, Depends(page_params)]


def next_cursor(keys: list[str], limit: int) -> str | None:
    """The cursor for the following page, or None when this page was the last."""
    return encode_cursor(keys[-1]) if len(keys) == limit and keys else None
