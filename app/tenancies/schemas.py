"""Tenancies and quota fulfilment, per audience: a landlord's view names no household."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.agreements.schemas import QuotaShare
from app.core.types import Flag, Identifier, UUIDStr
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
    SeriousCause,
    SupportNeed,
    TenancyStatus,
    TransferAnswerReason,
    TransferDelayReason,
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
    serious_cause: SeriousCause | None = Field(
        default=None,
        description="The municipality's serious cause for ending its subtenant's contract "
        "(`terminated_by_municipality`, a form it sublets): the end comes after the terms' "
        "`serious_cause_notice_days` (Västerås: 'vid allvarliga problem kan den boende "
        "vräkas inom 24 timmar'). Anyone else, or another reason → `422`",
    )
    effective_on: EffectiveOn | None = None


class RenewBody(BaseModel):
    """Renew a fixed term (Norrköping's three-month contract) by another term, from the
    current term's end."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})

    effective_on: EffectiveOn | None = None


class ConsentBody(BaseModel):
    """The landlord's answer to the transfer of the lease to the tenant: consent, or a
    refusal with its coded reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"consent": True, "reason": "agreed"},
                {"consent": False, "reason": "remarks_during_trial"},
            ]
        },
    )

    consent: Flag = Field(default=True, description="true: consents; false: refuses")
    reason: TransferAnswerReason | None = Field(
        default=None,
        description="A refusal's coded reason (required with `consent: false`, never "
        "`agreed`); a consent's is `agreed`",
    )
    effective_on: EffectiveOn | None = None

    @model_validator(mode="after")
    def _refusal_has_a_reason(self) -> ConsentBody:
        refusing = not self.consent
        if refusing and self.reason in (None, TransferAnswerReason.agreed):
            raise ValueError("reason: a refusal needs its coded reason")
        if not refusing and self.reason not in (None, TransferAnswerReason.agreed):
            raise ValueError("reason: a consent's reason is agreed")
        return self


class DelayBody(BaseModel):
    """The coordinator's reason why a tenancy past its latest month is not yet transferred:
    it leaves the lock-in worklist while the reason stands."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "household_not_ready"}]}
    )

    reason: TransferDelayReason

    @model_validator(mode="after")
    def _not_the_landlords(self) -> DelayBody:
        if self.reason is TransferDelayReason.landlord_refused:
            raise ValueError("reason: landlord_refused is recorded by the landlord's refusal")
        return self


class RegisterBody(BaseModel):
    """A contract that began before the service (Södertälje "ungefär 400 kommunkontrakt"):
    the household, the landlord and its own reference for the flat, the contract form, the
    day it began and, for a tenancy already up the staircase, the form it is on now."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household": "7f0c5a9e-3c1d-4d3b-9a51-0c1e2f3a4b5c",
                    "landlord": "2b1d0c9e-8f7a-4b6c-9d5e-1a2b3c4d5e6f",
                    "external_ref": "LGH-1204",
                    "contract_form": "municipal_contract",
                    "started_on": "2025-03-01",
                }
            ]
        },
    )

    household: UUIDStr
    landlord: UUIDStr
    external_ref: Identifier = Field(description="The landlord's own reference for the flat")
    contract_form: ContractForm = Field(description="The form the contract began in")
    started_on: Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))] = Field(
        description="The day the contract began; never in the future. It counts toward the "
        "quota of this day's year"
    )
    step: ContractForm | None = Field(
        default=None,
        description="The staircase form it is on now, when it has climbed since it began "
        "(a training apartment now a support agreement); none: still `contract_form`",
    )
    step_on: Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))] | None = Field(
        default=None, description="With `step`: the day it reached that form"
    )
    exception: Flag = Field(
        default=False, description="It took one of the landlord's exception places"
    )


class ImportBody(BaseModel):
    """Many running contracts at once; each row is answered on its own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tenancies": [
                        {
                            "household": "7f0c5a9e-3c1d-4d3b-9a51-0c1e2f3a4b5c",
                            "landlord": "2b1d0c9e-8f7a-4b6c-9d5e-1a2b3c4d5e6f",
                            "external_ref": "LGH-1204",
                            "contract_form": "municipal_contract",
                            "started_on": "2025-03-01",
                        }
                    ]
                }
            ]
        },
    )

    tenancies: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=500)] = Field(
        description="Rows in the shape of `POST /v1/tenancies`' body"
    )


class ImportRow(BaseModel):
    """One row's answer: `201` with the tenancy's id, or the problem's status and detail."""

    index: int
    status: int
    tenancy: str | None = None
    detail: str | None = None


class ImportResult(BaseModel):
    created: int
    failed: int
    results: list[ImportRow]


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
        RemarkReason
        | IncidentReason
        | ResponseAction
        | EndReason
        | VouchingStatement
        | TransferAnswerReason
        | TransferDelayReason
        | None
    ) = Field(
        description="A remark's, an incident's or an end's code; a response's action; a "
        "vouching statement; the landlord's answer to a transfer; a delay's reason"
    )
    serious_cause: SeriousCause | None = Field(
        default=None, description="An end for a serious cause: the cause"
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
    proposal: str | None = Field(description="None for a registered running contract")
    municipality: str
    landlord: str
    landlord_name: str | None = Field(description="The landlord's name")
    vacancy: str | None = Field(description="None for a registered contract's unposted flat")
    external_ref: str = Field(description="The landlord's own reference for the vacancy")
    area: str = Field(description="The vacancy's area id")
    area_name: str | None = Field(description="The area's name")
    household: str | None = Field(description="None once the closed case was erased")
    case_ref: str | None = Field(description="Social services' case reference; None once erased")
    contract_form: ContractForm
    exception: bool = Field(description="Counted against the landlord's exception quota")
    outside_quota: bool = Field(
        default=False,
        description="A move-on placement on one of the agreement's places outside the quota "
        "(Helsingborg Delmål 3): counted apart, not against the quota",
    )
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
        description="Days from a termination to the end (Nynäshamn: 7); none: not tracked"
    )
    serious_cause_notice_days: int | None = Field(
        default=None,
        description="Days from the municipality's termination for a serious cause to the "
        "end (Västerås' training apartment: 1, 'inom 24 timmar'); none: the ordinary notice",
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
    transfer_delay: TransferDelayReason | None = Field(
        default=None,
        description="The standing reason an overdue transfer waits (the municipality's)",
    )
    establishment_ends_on: date | None = Field(
        default=None,
        description="The household's two-year establishment period under the Settlement "
        "Act ends (its `settled_on` + 24 months; Helsingborg 3:9); none: not settled",
    )
    registered: bool = Field(
        default=False,
        description="A contract that began before the service, registered as running",
    )
    transfer_latest_on: date | None = Field(
        default=None,
        description="The agreement's latest month of the trial, from the start (Norrköping: "
        "two years); none: no limit",
    )
    transfer_overdue: bool = Field(
        default=False,
        description="Active past `transfer_latest_on` without a transfer or a standing "
        "delay: on the lock-in watch",
    )
    transfer_answer: TransferAnswerReason | None = Field(
        default=None,
        description="The landlord's standing answer to the transfer in the current form: "
        "`agreed`, or a refusal's reason; none: not answered",
    )
    transfer_answer_due_at: datetime | None = Field(
        default=None,
        description="Where the transfer waits for the landlord's consent and none is "
        "given: its answer is due by then — the agreement's `answer_hours` after the "
        "transfer became possible (the trial's end, or the registration of a running "
        "contract past it). A later answer is still taken; the lock-in watch follows it",
    )
    aftercare_until: date | None = Field(
        default=None,
        description="Transferred: the landlord's remarks and incidents are still taken and "
        "answered until this day (Karlstad: twelve months)",
    )
    tenure_waived_until: date | None = Field(
        default=None,
        description="Transferred: tenure protection is waived on the own lease until this "
        "day (Karlstad: 'besittningsskyddet avtals bort under en treårsperiod')",
    )
    events: list[TenancyEventRead]
    created_at: datetime


class TenancyLandlordView(BaseModel):
    """A landlord's own tenancy: the apartment and the contract, no household."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["landlord"] = "landlord"
    id: str
    proposal: str | None = Field(description="None for a registered running contract")
    municipality: str
    vacancy: str | None = Field(description="None for a registered contract's unposted flat")
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
        description="Days from a termination to the end (Nynäshamn: 7); none: not tracked"
    )
    serious_cause_notice_days: int | None = Field(
        default=None,
        description="Days from the municipality's termination for a serious cause to the "
        "end (Västerås' training apartment: 1, 'inom 24 timmar'); none: the ordinary notice",
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
    registered: bool = Field(
        default=False,
        description="A contract that began before the service, registered as running",
    )
    transfer_latest_on: date | None = Field(
        default=None,
        description="The agreement's latest month of the trial, from the start (Norrköping: "
        "two years); none: no limit",
    )
    transfer_overdue: bool = Field(
        default=False,
        description="Active past `transfer_latest_on` without a transfer or a standing "
        "delay: on the lock-in watch",
    )
    transfer_answer: TransferAnswerReason | None = Field(
        default=None,
        description="The landlord's standing answer to the transfer in the current form: "
        "`agreed`, or a refusal's reason; none: not answered",
    )
    transfer_answer_due_at: datetime | None = Field(
        default=None,
        description="Where the transfer waits for the landlord's consent and none is "
        "given: its answer is due by then — the agreement's `answer_hours` after the "
        "transfer became possible (the trial's end, or the registration of a running "
        "contract past it). A later answer is still taken; the lock-in watch follows it",
    )
    aftercare_until: date | None = Field(
        default=None,
        description="Transferred: the landlord's remarks and incidents are still taken and "
        "answered until this day (Karlstad: twelve months)",
    )
    tenure_waived_until: date | None = Field(
        default=None,
        description="Transferred: tenure protection is waived on the own lease until this "
        "day (Karlstad: 'besittningsskyddet avtals bort under en treårsperiod')",
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
    quota: int | None = Field(
        description="Apartments committed in the agreement; null for a landlord that lets "
        "flats on request without one (`on_request`)"
    )
    delivered: int = Field(
        description="Tenancies (active, transferred or ended) counted toward the year"
    )
    exception_quota: int
    exceptions_used: int
    remaining: int | None = Field(
        description="quota - delivered, never below 0; null without a quota"
    )
    outside_quota: int = Field(
        description="Move-on places a year outside the quota (the agreement's "
        "`move_on_outside_quota`; Helsingborg Delmål 3)"
    )
    outside_quota_used: int = Field(
        description="Tenancies of households moving on that took a place outside the quota: "
        "not in `delivered`"
    )
    pacing: str = Field(description="`none`, or `even`: the quota spread over the year")
    expected_to_date: int | None = Field(
        description="The share of the quota due by today under the pacing (the whole quota "
        "without pacing): ⌊quota × month / 12⌋ with `even`; null without a quota"
    )
    quota_share: QuotaShare | None = Field(
        default=None,
        description="The quota as the agreement states it, as a share of the landlord's "
        "stock or reported turnover (Karlstad: 'cirka tio procent av de tillgängliga "
        "lägenheterna'); null for a quota stated as a number",
    )
    quota_from_share: int | None = Field(
        default=None,
        description="The count the share comes to (percent × base, rounded), beside the "
        "committed `quota`",
    )
    on_request: bool = Field(
        default=False,
        description="No agreement for the year: the municipality takes the landlord's flats "
        "on request (its policy's `vacancies_on_request`; Södertälje's Graflunds). No quota, "
        "and nothing it lets counts toward one",
    )


class QuotaTotals(BaseModel):
    quota: int
    delivered: int
    exception_quota: int
    exceptions_used: int
    remaining: int
    outside_quota: int
    outside_quota_used: int


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
