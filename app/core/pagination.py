"""Keyset pagination: a capped `limit` and an opaque cursor naming the last row seen.

Most lists page in id order and the cursor names the last id. The lists integrators sync
(vacancies, households, proposals, tenancies) page in `(updated_at, id)` order instead and
take `updated_since`: a client that keeps the time of its last sync sees every change,
oldest first (README.md, "Lists")."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AwareDatetime, BeforeValidator
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import UnprocessableEntity
from app.core.types import UUID_PATTERN

MAX_LIMIT = 200
NOT_ISSUED = "cursor: not a cursor this service issued"


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
        raise UnprocessableEntity(NOT_ISSUED) from exc
    if not raw.isprintable():
        raise UnprocessableEntity(NOT_ISSUED)
    return raw


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, at most 200")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` of the previous page",
    ),
]


async def page_params(limit: Limit = 50, cursor: Cursor = None) -> Page:
    """Parse the page parameters once for every list endpoint (async: no I/O, no thread
    hop; docs/architecture.md)."""
    return Page(limit=limit, after=_decode_cursor(cursor) if cursor else None)


PageDep = Annotated[Page, Depends(page_params)]


def next_cursor(keys: list[str], limit: int) -> str | None:
    """The cursor for the following page, or None when this page was the last."""
    return encode_cursor(keys[-1]) if len(keys) == limit and keys else None


# --- Lists in (updated_at, id) order ---------------------------------------------------------

_ISSUED_KEYSET = re.compile(r"^[^|]+\|" + UUID_PATTERN[1:])


@dataclass(frozen=True, slots=True, order=True)
class Keyset:
    """A position in `(updated_at, id)` order; a page holds the rows strictly after it.
    `updated_since=t` is the position `(t, "")`: every id sorts after the empty string,
    so the rows after it are exactly those changed at or after `t`."""

    updated_at: datetime
    id: str

    def text(self) -> str:
        """The position as `<UTC isoformat>|<id>`, the form a cursor carries."""
        return f"{self.updated_at.astimezone(UTC).isoformat()}|{self.id}"

    @classmethod
    def from_text(cls, raw: str) -> Keyset:
        """The inverse of `text()` (for a position the service made itself)."""
        at, _, row_id = raw.rpartition("|")
        return cls(datetime.fromisoformat(at), row_id)


def _issued_keyset(raw: str) -> Keyset:
    """A decoded client cursor, strictly: exactly what `sync_cursor` issues (a UTC
    isoformat and an id), else 422."""
    if _ISSUED_KEYSET.fullmatch(raw) is None:
        raise UnprocessableEntity(NOT_ISSUED)
    try:
        position = Keyset.from_text(raw)
    except ValueError as exc:
        raise UnprocessableEntity(NOT_ISSUED) from exc
    if position.text() != raw:
        raise UnprocessableEntity(NOT_ISSUED)
    return position


def _iso_date_time(value: Any) -> Any:
    """Only an ISO 8601 date-time text (not a Unix timestamp, which pydantic would read
    too); whether it names its timezone is checked by `AwareDatetime`."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be an ISO 8601 date-time with a timezone")


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_date_time)]
"""A moment in a query: ISO 8601 with its timezone, never a bare number."""


UpdatedSince = Annotated[
    AwareDatetime | None,
    BeforeValidator(_iso_date_time),
    Query(
        description="Only rows changed at or after this moment: an ISO 8601 date-time with "
        "a timezone, e.g. `2026-12-01T08:00:00Z`. Keep the time of each sync and pass it "
        "next time, with `cursor` for the following pages.",
        examples=["2026-12-01T08:00:00Z"],
    ),
]


async def sync_page_params(
    limit: Limit = 50, cursor: Cursor = None, updated_since: UpdatedSince = None
) -> Page:
    """The page parameters of a list in `(updated_at, id)` order. `after` is the position
    the page starts after (`Keyset.text()`): the later of the cursor's and
    `updated_since`'s, since both are lower bounds on the same order."""
    bounds: list[Keyset] = []
    if cursor:
        bounds.append(_issued_keyset(_decode_cursor(cursor)))
    if updated_since is not None:
        bounds.append(Keyset(updated_since.astimezone(UTC), ""))
    return Page(limit=limit, after=max(bounds).text() if bounds else None)


SyncPageDep = Annotated[Page, Depends(sync_page_params)]


def after_keyset(
    updated_at: InstrumentedAttribute[datetime], row_id: InstrumentedAttribute[str], after: str
) -> ColumnElement[bool]:
    """`(updated_at, id) > position`, written out for databases without row comparison;
    `after` is a `SyncPageDep` page's `after`."""
    position = Keyset.from_text(after)
    return or_(
        updated_at > position.updated_at,
        and_(updated_at == position.updated_at, row_id > position.id),
    )


def sync_cursor(rows: Sequence[tuple[datetime, str]], limit: int) -> str | None:
    """The cursor after the last `(updated_at, id)` of a full page; None after the last."""
    if len(rows) < limit or not rows:
        return None
    return encode_cursor(Keyset(*rows[-1]).text())


SYNC_DESCRIPTION = (
    " In order of the last change, oldest first: `updated_since` keeps only rows changed "
    "at or after that moment, so a client passing the time of its previous sync (and "
    "`next_cursor` for the following pages) sees every change."
)
"""The sentence each synced list adds to its OpenAPI description."""
