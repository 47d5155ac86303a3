from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.core.types import MunicipalityCode, ShortText


class MunicipalityCreate(BaseModel):
    """Register a municipality by its kommunkod; the name defaults to the official one."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "0680", "name": "Jönköping"}]}
    )

    code: MunicipalityCode
    name: ShortText | None = None


class MunicipalityRead(BaseModel):
    code: str
    name: str
    created_at: datetime


class MunicipalityPage(BaseModel):
    items: list[MunicipalityRead]
    next_cursor: str | None
