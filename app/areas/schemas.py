from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.types import Flag, ShortText


class AreaUpsert(BaseModel):
    """An area's flags: `excluded` — no new social placements (Jönköping's vulnerable
    areas); `cap` — at most this many placements per round, to keep them spread."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Bäckby", "excluded": True, "cap": None}]},
    )

    name: ShortText
    excluded: Flag = False
    cap: Annotated[int, Strict(), Field(ge=0, le=10_000)] | None = None


class AreaRead(BaseModel):
    id: str = Field(description="The municipality's own area id")
    municipality: str
    name: str
    excluded: bool
    cap: int | None
    version: int


class AreaList(BaseModel):
    items: list[AreaRead]
