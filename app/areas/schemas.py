from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.types import ShortText


class AreaUpsert(BaseModel):
    """An area's flags: `excluded` — no new social placements (Jönköping's vulnerable
    areas); `cap` — at most this many placements per round, to keep them spread."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Bäckby", "excluded": True, "cap": None}]},
    )

    name: ShortText
    excluded: bool = False
    cap: int | None = Field(default=None, ge=0, le=10_000)


class AreaRead(BaseModel):
    id: str = Field(description="The municipality's own area id")
    municipality: str
    name: str
    excluded: bool
    cap: int | None
    version: int


class AreaList(BaseModel):
    items: list[AreaRead]
