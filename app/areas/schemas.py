from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.core.types import Flag, ShortText


class AreaUpsert(BaseModel):
    """An area's flags: `excluded` — no new social placements (Jönköping's vulnerable
    areas); `cap` — at most this many placements per round, and `period_cap` over the
    agreement year, to keep them spread (Jönköping: "geografiskt spridda")."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Bäckby", "excluded": True, "cap": None}]},
    )

    name: ShortText
    excluded: Flag = False
    cap: Annotated[int, Strict(), Field(ge=0, le=10_000)] | None = Field(
        default=None, description="At most this many placements per round"
    )
    period_cap: Annotated[int, Strict(), Field(ge=0, le=10_000)] | None = Field(
        default=None,
        description="At most this many placements over the agreement year: its tenancies "
        "and live proposals count, so a round gets what remains",
    )


class AreaRead(BaseModel):
    id: str = Field(description="The municipality's own area id")
    municipality: str
    name: str
    excluded: bool
    cap: int | None
    period_cap: int | None
    version: int


class AreaList(BaseModel):
    items: list[AreaRead]
