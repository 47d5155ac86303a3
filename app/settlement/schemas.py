"""The Settlement Act's yearly figure (kommuntal) and how far the year has come."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict


class SettlementFigureInput(BaseModel):
    """The municipality's figure for the year (bosättningslagen 2016:38), replaced whole."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"figure": 120}]})

    figure: Annotated[int, Strict(), Field(ge=0, le=100_000)] = Field(
        description="Newly arrived households the municipality is to settle in the year"
    )


class SettlementStatus(BaseModel):
    """The year's figure, the newly arrived housed so far (tenancies counted toward the
    year), those in a live proposal of the year, and what remains: the floor the next round
    takes for newly arrived (`newly_arrived_min`)."""

    municipality: str
    year: int
    figure: int
    housed: int = Field(description="Newly arrived households in a tenancy of the year")
    in_proposals: int = Field(description="Newly arrived households in a live proposal of the year")
    remaining: int = Field(description="figure - housed - in_proposals, never below 0")
    updated_at: datetime | None = Field(description="When the figure was recorded; null: none")
