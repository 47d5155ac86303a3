"""Tenancies and quota fulfilment, per audience: a landlord's view names no household."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.agreements.schemas import ContractForm


class TenancyStatus(enum.StrEnum):
    """`active` while the household lives there under the municipality's arrangement;
    `transferred` once it holds its own lease and the municipality's part is over (the last
    step of the staircase, överlåtelse); `ended` when the tenancy ended. All three count
    toward the agreement year's quota: the landlord delivered the apartment."""

    active = "active"
    transferred = "transferred"
    ended = "ended"


COUNTED_STATUSES = tuple(status.value for status in TenancyStatus)


class Rung(enum.StrEnum):
    """Where a step leads: the next contract form, or `own_lease` — the household's own
    first-hand lease with no municipal arrangement left (the tenancy is then
    `transferred`)."""

    support_agreement = "support_agreement"
    own_lease = "own_lease"


class EventKind(enum.StrEnum):
    """What happened: a `step` up the staircase, a `remark` (restarts the trial period), an
    `incident` (a landlord's report of a problem that needs the municipality), the
    municipality's `response` to a landlord's remark or incident, the `end`."""

    step = "step"
    remark = "remark"
    incident = "incident"
    response = "response"
    end = "end"


class RemarkReason(enum.StrEnum):
    """What the landlord remarks on (the Tenancy Act's grounds; Västerås: 'störningar eller
    betalningsförsummelse'). A code, never a description of the household."""

    disturbance = "disturbance"
    late_payment = "late_payment"
    damage = "damage"
    other = "other"


class IncidentReason(enum.StrEnum):
    """What kind of problem the landlord needs the municipality for (Karlstad:
    "Socialtjänsten garanterar dessutom hyresvärden uttryckning inom 48 timmar plus åtgärd
    om det skulle uppstå problem"). A code, never a description of the household."""

    disturbance = "disturbance"
    damage = "damage"
    late_payment = "late_payment"
    safety = "safety"
    other = "other"


class ResponseAction(enum.StrEnum):
    """What the municipality did about a landlord's report: came out (`visited`,
    "uttryckning"), took a measure (`measure_taken`, "åtgärd"), found nothing to do
    (`no_action_needed`), `other`. A code, never a description of the household."""

    visited = "visited"
    measure_taken = "measure_taken"
    no_action_needed = "no_action_needed"
    other = "other"


class EndReason(enum.StrEnum):
    moved_out = "moved_out"
    terminated_by_landlord = "terminated_by_landlord"
    terminated_by_municipality = "terminated_by_municipality"
    other = "other"


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
        json_schema_extra={"examples": [{"to": "support_agreement", "effective_on": "2027-12-01"}]},
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


class TenancyEventRead(BaseModel):
    """One event in a tenancy's history, oldest first."""

    kind: EventKind
    effective_on: date
    from_form: ContractForm | None = Field(description="A step: the form left")
    to: Rung | None = Field(description="A step: the rung reached")
    reason: RemarkReason | IncidentReason | ResponseAction | EndReason | None = Field(
        description="A remark's, an incident's or an end's code; a response's action"
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
    vacancy: str
    external_ref: str
    household: str | None = Field(description="None once the closed case was erased")
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
    ended_on: date | None = Field(description="Transferred or ended on this day")
    response_due_at: datetime | None = Field(
        description="The earliest response deadline of a landlord's report not yet "
        "answered; past it, the tenancy is on the `response_overdue` worklist"
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
    ended_on: date | None = Field(description="Transferred or ended on this day")
    response_due_at: datetime | None = Field(
        description="The earliest response deadline of a landlord's report not yet "
        "answered; past it, the tenancy is on the `response_overdue` worklist"
    )
    events: list[TenancyEventRead]
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
    delivered: int = Field(
        description="Tenancies (active, transferred or ended) counted toward the year"
    )
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
