from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.core.types import OrgNumber, ShortText
from app.vocabulary import LandlordKind


class LandlordCreate(BaseModel):
    """A landlord, identified by its organisationsnummer (the check digit is verified)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Mimer", "org_number": "556036-0793", "kind": "public"}]
        },
    )

    name: ShortText
    org_number: OrgNumber
    kind: LandlordKind


class LandlordRead(BaseModel):
    id: str
    name: str
    org_number: str
    kind: LandlordKind
    created_at: datetime


class LandlordPage(BaseModel):
    items: list[LandlordRead]
    next_cursor: str | None
