"""Tenancies and quota fulfilment, per audience: a landlord's view names no household."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.agreements.schemas import ContractForm


class TenancyStatus(enum.StrEnum):
    """`active` while the household lives there; `ended` afterwards (both count toward the
    agreement year's quota: the landlord delivered the apartment)."""

    active = "active"
    ended = "ended"


COUNTED_STATUSES = (TenancyStatus.active.value, TenancyStatus.ended.value)


class TenancyRead(BaseModel):
    """The municipality's view of a tenancy."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["municipality"] = "municipality"
    id: str
    proposal: str
    municipality: str
    landlord: str
    vacancy: str
    external_ref: str
    household: str | None = Field(description="None once the closed case was erased")
    contract_form: ContractForm
    exception: bool = Field(description="Counted against the landlord's exception quota")
    agreement_year: int = Field(description="The agreement period it counts toward")
    start_date: date
    trial_period_end: date | None
    status: TenancyStatus
    created_at: datetime


class TenancyLandlordView(BaseModel):
    """A landlord's own tenancy: the apartment and the contract, no household."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["landlord"] = "landlord"
    id: str
    proposal: str
    municipality: str
    vacancy: str
    external_ref: str
    contract_form: ContractForm
    agreement_year: int
    start_date: date
    trial_period_end: date | None
    status: TenancyStatus
    created_at: datetime


TenancyView = Annotated[TenancyRead | TenancyLandlordView, Field(discriminator="view")]


class TenancyPage(BaseModel):
    items: list[TenancyView]
    next_cursor: str | None


class LandlordKind(enum.StrEnum):
    public = "public"
    private = "private"


class QuotaRow(BaseModel):
    """One landlord's commitment for the year against what it delivered."""

    landlord: str
    name: str
    kind: LandlordKind
    quota: int = Field(description="Apartments committed in the agreement")
    delivered: int = Field(description="Tenancies (active or ended) counted toward the year")
    exception_quota: int
    exceptions_used: int
    remaining: int = Field(description="quota - delivered, never below 0")


class QuotaTotals(BaseModel):
    quota: int
    delivered: int
    exception_quota: int
    exceptions_used: int
    remaining: int


class QuotaSplit(BaseModel):
    """Public housing companies (allmännyttan) and private landlords apart (Norrköping:
    private ~65 %, public ~30 %) and together."""

    public: QuotaTotals
    private: QuotaTotals
    all: QuotaTotals


class QuotaReport(BaseModel):
    municipality: str
    year: int
    rows: list[QuotaRow]
    totals: QuotaSplit
