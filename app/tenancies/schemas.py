"""Tenancies and quota fulfilment, per audience: a landlord's view names no household."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.settlement.schemas import SettlementStatus
from app.vocabulary import (
    ContractForm,
    EndReason,
    EventKind,
    IncidentReason,
    LandlordKind,
    RemarkReason,
    ResponseAction,
    Rung,
    SupportNeed,
    TenancyStatus,
    VouchingStatement,
)

COUNTED_STATUSES = tuple(status.value for status in TenancyStatus)


EffectiveOn = Annotated[
    date,
    Field(
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="The day it takes effect; today when left out. Never in the future, "
        "never before the current contract form began.",
    ),
]


class StepBody(BaseModel):
    """One step up the housing staircase. `to` names the rung the caller expects, so a
    retry or a stale screen cannot step twice."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "own_lease"}]},
    )

    to: Rung
    effective_on: EffectiveOn | None = None


class RemarkBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "late_payment"}]}
    )

    reason: RemarkReason
    effective_on: EffectiveOn | None = None


class IncidentBody(BaseModel):
    """A landlord's report of a problem that needs the municipality; it happens now, so its
    response deadline runs from now."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "disturbance"}]}
    )

    reason: IncidentReason


class ResponseBody(BaseModel):
    """The coordinator's response to a landlord's report (a remark or an incident)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"action": "visited"}]}
    )

    action: ResponseAction


class EndBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "moved_out"}]}
    )

    reason: EndReason
    effective_on: EffectiveOn | None = None


class RenewBody(BaseModel):
    """Renew a fixed term (Norrköping's three-month contract) by another term, from the
    current term's end."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})

    effective_on: EffectiveOn | None = None


class ConsentBody(BaseModel):
    """The landlord consents to the transfer of the lease to the tenant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})

    effective_on: EffectiveOn | None = None


class VouchingBody(BaseModel):
    """The coordinator's dated vouching statement for the tenant of an active tenancy."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"statement": "well_functioning_tenant"}]},
    )

    statement: VouchingStatement
    effective_on: EffectiveOn | None = None


class TenancyEventRead(BaseModel):
    """One event in a tenancy's history, oldest first."""

    kind: EventKind
    effective_on: date
    from_form: ContractForm | None = Field(description="A step: the form left")
    to: Rung | None = Field(description="A step: the rung reached")
    reason: (
        RemarkReason | IncidentReason | ResponseAction | EndReason | VouchingStatement | None
    ) = Field(
        description="A remark's, an incident's or an end's code; a response's action; a "
        "vouching statement"
    )
    role: str = Field(description="Who recorded it: coordinator or landlord")
    recorded_at: datetime
    report_id: str | None = Field(
        default=None,
        description="A landlord's report (its remark or incident): the id the coordinator "
        "responds to (`POST /v1/tenancies/{id}/reports/{report_id}/response`)",
    )
    response_due_at: datetime | None = Field(
        default=None,
        description="A landlord's report: the municipality's response is due by then (the "
        "agreement's `response_hours` after it was recorded); none without a promise",
    )
    answered_at: datetime | None = Field(
        default=None, description="A landlord's report: when the coordinator responded"
    )
    answers: str | None = Field(default=None, description="A response: the report it answers")


class TenancyRead(BaseModel):
    """The municipality's view of a tenancy."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["municipality"] = "municipality"
    id: str
    proposal: str
    municipality: str
    landlord: str
    landlord_name: str | None = Field(description="The landlord's name")
    vacancy: str
    external_ref: str = Field(description="The landlord's own reference for the vacancy")
    area: str = Field(description="The vacancy's area id")
    area_name: str | None = Field(description="The area's name")
    household: str | None = Field(description="None once the closed case was erased")
    case_ref: str | None = Field(description="Social services' case reference; None once erased")
    contract_form: ContractForm
    exception: bool = Field(description="Counted against the landlord's exception quota")
    agreement_year: int = Field(description="The agreement period it counts toward")
    start_date: date
    form_since: date = Field(description="The day the current contract form began")
    trial_period_end: date | None = Field(
        description="The current form's trial period ends; a remark restarts it. The next "
        "step is possible from this day."
    )
    next_step: Rung | None = Field(description="The staircase's next rung; none at the top")
    status: TenancyStatus
    ended_on: date | None = Field(
        description="Transferred or ended on this day; a termination ends after the "
        "notice period (`notice_days`), a fixed term at `term_end`"
    )
    term_months: int | None = Field(description="A fixed term of this many months; none: no term")
    term_end: date | None = Field(
        description="The current fixed term ends (renewed: moved by another term)"
    )
    renewable: bool = Field(description="The fixed term can be renewed")
    notice_days: int | None = Field(
        description="Days from a termination to the end (Nynäshamn: 7; Västerås' training "
        "apartment: 1); none: not tracked"
    )
    response_due_at: datetime | None = Field(
        description="The earliest response deadline of a landlord's report not yet "
        "answered; past it, the tenancy is on the `response_overdue` worklist"
    )
    conditions: list[SupportNeed] = Field(
        default_factory=list,
        description="The support the household's assessment named, the tenancy's conditions "
        "(Jönköping: home visits accepted)",
    )
    quota_apartment: bool = Field(
        default=True,
        description="Counts toward the landlord's quota; false when let from a flat a move "
        "chain freed that its landlord did not post again",
    )
    moved_from: str | None = Field(
        default=None,
        description="The tenancy the household moved on from (a move chain, Helsingborg 3:6)",
    )
    moved_to: str | None = Field(
        default=None, description="The tenancy the household moved on to; it ended `moved_on`"
    )
    move_on_since: datetime | None = Field(
        default=None,
        description="A move-on need was posted for the household living here "
        "(`POST /v1/households/{id}/move-on`); it takes part in match rounds until it moves",
    )
    vouched_on: date | None = Field(
        default=None,
        description="The day of the municipality's standing vouching statement for the tenant "
        "(Helsingborg 3:5: 'går i god för'); none when none stands",
    )
    events: list[TenancyEventRead]
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
    form_since: date = Field(description="The day the current contract form began")
    trial_period_end: date | None = Field(
        description="The current form's trial period ends; a remark restarts it. The next "
        "step is possible from this day."
    )
    next_step: Rung | None = Field(description="The staircase's next rung; none at the top")
    status: TenancyStatus
    ended_on: date | None = Field(
        description="Transferred or ended on this day; a termination ends after the "
        "notice period (`notice_days`), a fixed term at `term_end`"
    )
    term_months: int | None = Field(description="A fixed term of this many months; none: no term")
    term_end: date | None = Field(
        description="The current fixed term ends (renewed: moved by another term)"
    )
    renewable: bool = Field(description="The fixed term can be renewed")
    notice_days: int | None = Field(
        description="Days from a termination to the end (Nynäshamn: 7; Västerås' training "
        "apartment: 1); none: not tracked"
    )
    response_due_at: datetime | None = Field(
        description="The earliest response deadline of a landlord's report not yet "
        "answered; past it, the tenancy is on the `response_overdue` worklist"
    )
    support_plan: bool = Field(
        description="Support comes with the tenancy (a support plan exists); which support "
        "is the municipality's to know"
    )
    quota_apartment: bool = Field(
        default=True,
        description="Counts toward the landlord's quota; false when let from a flat a move "
        "chain freed that the landlord did not post again",
    )
    events: list[TenancyEventRead]
    created_at: datetime


TenancyView = Annotated[TenancyRead | TenancyLandlordView, Field(discriminator="view")]


class TenancyPage(BaseModel):
    items: list[TenancyView]
    next_cursor: str | None


class QuotaRow(BaseModel):
    """One landlord's commitment for the year against what it delivered."""

    landlord: str
    name: str
    kind: LandlordKind
    quota: int = Field(description="Apartments committed in the agreement")
    delivered: int = Field(
        description="Tenancies (active, transferred or ended) counted toward the year"
    )
    exception_quota: int
    exceptions_used: int
    remaining: int = Field(description="quota - delivered, never below 0")
    pacing: str = Field(description="`none`, or `even`: the quota spread over the year")
    expected_to_date: int = Field(
        description="The share of the quota due by today under the pacing (the whole quota "
        "without pacing): ⌊quota × month / 12⌋ with `even`"
    )


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
    settlement: SettlementStatus | None = Field(
        default=None,
        description="The coordinator's view only: the year's settlement figure "
        "(bosättningslagen 2016:38), the newly arrived housed so far and what remains; "
        "null when none is recorded (and for a landlord)",
    )
