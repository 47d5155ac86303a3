from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.agreements.schemas import ContractForms
from app.core.types import AreaId, Flag, MunicipalityCode, PostalCode, Rent, Rooms, ShortText
from app.intermediaries.schemas import ActedBy
from app.vocabulary import ContractForm, VacancyStatus

LivingArea = Annotated[int, Strict(), Field(ge=1, le=1000, description="Living area, m²")]
Floor = Annotated[int, Strict(), Field(ge=-5, le=100, description="0 is the ground floor")]
AvailableFrom = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class VacancyUpsert(BaseModel):
    """A vacancy under the landlord's own reference: the whole representation, replaced."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "municipality": "1980",
                    "area": "PETTERSBERG",
                    "rooms": 3,
                    "rent": 7100,
                    "elevator": True,
                    "ground_floor": False,
                    "wheelchair": False,
                    "contract_forms": ["municipal_contract", "support_agreement"],
                    "address": "Exempelgatan 1",
                    "postal_code": "723 48",
                    "living_area": 58,
                    "floor": 2,
                    "available_from": "2026-12-01",
                }
            ]
        },
    )

    municipality: MunicipalityCode
    area: AreaId = Field(description="An area id of the municipality")
    rooms: Rooms
    rent: Rent
    elevator: Flag = False
    ground_floor: Flag = False
    wheelchair: Flag = False
    contract_forms: ContractForms
    address: ShortText | None = None
    postal_code: PostalCode | None = Field(default=None, examples=["723 48"])
    living_area: LivingArea | None = None
    floor: Floor | None = None
    available_from: AvailableFrom | None = None


class VacancyRead(BaseModel):
    id: str
    external_ref: str
    landlord: str
    landlord_name: str | None = Field(description="The landlord's name")
    municipality: str
    area: str
    area_name: str | None = Field(description="The area's name")
    rooms: int
    rent: int
    elevator: bool
    ground_floor: bool
    wheelchair: bool
    contract_forms: list[ContractForm]
    address: str | None
    postal_code: str | None
    living_area: int | None
    floor: int | None
    available_from: date | None
    status: VacancyStatus
    quota_apartment: bool = Field(
        default=True,
        description="Handed over under the agreement's quota (every posted vacancy); false "
        "for a flat a move chain freed (Helsingborg 3:6) until the landlord posts it again",
    )
    changed_by: ActedBy | None = Field(
        description="Who last posted, changed or withdrew it: the landlord, or an "
        "intermediary under its mandate"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class VacancyPage(BaseModel):
    items: list[VacancyRead]
    next_cursor: str | None
