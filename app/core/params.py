"""Path parameters shared by several routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from app.core.types import UUID_PATTERN

MunicipalityPath = Annotated[str, Path(pattern=r"^\d{4}$", examples=["1980"])]


def id_path(description: str | None = None) -> Any:
    """A path parameter holding one of the service's ids; a malformed one is 422 before
    any lookup."""
    return Path(min_length=36, max_length=36, pattern=UUID_PATTERN, description=description)


def id_query(description: str | None = None, alias: str | None = None) -> Any:
    """The same for an optional query parameter naming an object by id."""
    return Query(
        min_length=36, max_length=36, pattern=UUID_PATTERN, description=description, alias=alias
    )
