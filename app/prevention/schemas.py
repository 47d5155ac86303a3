"""Eviction prevention as landlords send it and as the municipality reads it.

The tenant's personal identity number is accepted here and nowhere else in the service. The
exception is structural: `PersonalIdentityNumber` is a type of its own, declared in this
module and used by `SignalTenant` only; every other field of every schema keeps the guard of
app/core/types.py (tests/test_prevention.py walks the OpenAPI document for the one format).
Output schemas are per audience: `SignalRead` for the landlord side (status only, the
tenant's initials), `CaseRead` for the municipality, whose `tenant` carries the number only
for social services.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from personnummer import personnummer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints

from app.core.types import (
    Count,
    Flag,
    Identifier,
    Money,
    Multiple,
    MunicipalityCode,
    PostalCode,
    Rent,
    ShortText,
    unique_items,
)
from app.vocabulary import (
    DisturbanceCode,
    OutreachAction,
    PreventionGroup,
    PreventionOutcome,
    SignalBasis,
    SignalKind,
    SignalStatus,
)

PERSONNUMMER_FORMAT = "personnummer"
"""The JSON schema `format` of the one field that takes an identity number: a walk finds it."""

DEMO_NUMBER = "20901231-1230"
"""A valid check digit on a day no one can have been born on (31 December 2090): the
examples and the demo use numbers like it, never one that could be a person's."""


def _valid_personnummer(text: str) -> str:
    """The number in its long form `YYYYMMDD-NNNN`, if the library accepts it (a date, the
    day + 60 of a samordningsnummer too, and the check digit); the refusal never echoes it."""
    try:
        number = personnummer.Personnummer(text)
    except personnummer.PersonnummerException as exc:
        raise ValueError("not a valid personal identity number (check digit or date)") from exc
    long_form = number.format(True)
    return f"{long_form[:8]}-{long_form[8:]}"


PersonalIdentityNumber = Annotated[
    str,
    StringConstraints(min_length=10, max_length=13, pattern=r"^\d{6}(\d{2})?[-+]?\d{4}$"),
    AfterValidator(_valid_personnummer),
    Field(
        description="The tenant's personnummer or samordningsnummer: accepted in this field "
        "only, sealed at rest, read back by the municipality's social services only",
        json_schema_extra={"format": PERSONNUMMER_FORMAT},
        examples=[DEMO_NUMBER],
    ),
]


class SignalTenant(BaseModel):
    """Who social services must find: the one place a personnummer enters the service."""

    model_config = ConfigDict(extra="forbid")

    name: ShortText
    personal_identity_number: PersonalIdentityNumber


_SIGNAL_EXAMPLE: dict[str, Any] = {
    "municipality": "1980",
    "kind": "termination_notice",
    "basis": "statutory_notice",
    "tenant": {"name": "Testa Testsson", "personal_identity_number": DEMO_NUMBER},
    "external_ref": "LGH-1001",
    "address": "Storgatan 1",
    "postal_code": "723 48",
    "notified_on": "2026-11-30",
    "debt": 14000,
    "months_in_arrears": 2,
    "monthly_rent": 7000,
    "children_in_household": True,
}


class SignalCreate(BaseModel):
    """A landlord's signal. `termination_notice`, `eviction_application` and
    `eviction_date` are sent by law (`basis: statutory_notice`; `notified_on` is the day the
    tenant was notified, the application's day, the eviction's day); an early warning
    (`late_payment`, `disturbance`, `other`) passes only with the tenant's consent under the
    agreement (`basis: agreement_with_consent` and `consent_on`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_SIGNAL_EXAMPLE]})

    municipality: MunicipalityCode
    kind: SignalKind
    basis: SignalBasis
    consent_on: date | None = Field(
        default=None, description="The day the tenant consented (an early warning's basis)"
    )
    disturbance: DisturbanceCode | None = None
    tenant: SignalTenant
    external_ref: Identifier = Field(description="The landlord's own reference of the flat")
    address: ShortText
    postal_code: PostalCode | None = None
    notified_on: date | None = None
    debt: Money | None = None
    months_in_arrears: Annotated[int, Strict(), Field(ge=0, le=120)] | None = None
    monthly_rent: Rent | None = None
    children_in_household: Flag | None = None


class SignalRead(BaseModel):
    """What the landlord side reads back of its own signal: the status, never the
    municipality's work (a payment plan shows only with the tenant's consent)."""

    id: str
    municipality: str
    kind: SignalKind
    external_ref: str | None
    tenant_initials: str | None
    received_at: datetime
    status: SignalStatus
    contacted: bool
    payment_plan: bool


class SignalPage(BaseModel):
    items: list[SignalRead]


class TenantRead(BaseModel):
    """The tenant as the municipality reads it: the number for social services only."""

    name: str | None
    personal_identity_number: str | None = Field(
        description="Social services only; null for a coordinator and after erasure"
    )


class ActionRead(BaseModel):
    code: OutreachAction
    on: date
    after_hours: bool
    amount: int | None
    months: int | None
    role: str
    credential: str
    recorded_at: datetime


class CaseRead(BaseModel):
    """A prevention case as the municipality works it."""

    id: str
    municipality: str
    landlord: str
    landlord_name: str
    kind: SignalKind
    basis: SignalBasis
    consent_on: date | None
    disturbance: DisturbanceCode | None
    tenant: TenantRead | None = Field(description="Null after erasure")
    external_ref: str | None
    address: str | None
    postal_code: str | None
    notified_on: date | None
    debt: int | None
    months_in_arrears: int | None
    monthly_rent: int | None
    children_in_household: bool | None
    priority_groups: list[PreventionGroup]
    priority: int = Field(description="Rank under the policy at intake; 0 is first")
    must_contact: bool = Field(description="Over the policy's debt threshold: always contact")
    policy_version: int | None
    received_at: datetime
    due_at: datetime
    overdue: bool
    status: SignalStatus
    contacted_at: datetime | None
    consent_to_tell_landlord: bool
    actions: list[ActionRead]
    outcome: PreventionOutcome | None
    children_affected: int | None
    closed_at: datetime | None
    erased: bool
    household: str | None = Field(
        description="The housing need social services opened from the case "
        "(`GET /v1/households/{id}`); null while none is"
    )


class CaseSummary(BaseModel):
    """A line of the worklist: the case, its deadline and priority; no identity."""

    id: str
    landlord: str
    kind: SignalKind
    external_ref: str | None
    priority_groups: list[PreventionGroup]
    priority: int
    must_contact: bool
    received_at: datetime
    due_at: datetime
    overdue: bool
    status: SignalStatus
    outcome: PreventionOutcome | None


class CasePage(BaseModel):
    items: list[CaseSummary]


class ActionCreate(BaseModel):
    """One outreach step. `amount` and `months` belong to `payment_plan_agreed`;
    `after_hours` to a home visit (families who do not answer in office hours)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "home_visit", "on": "2026-12-01"}]},
    )

    code: OutreachAction
    on: date
    after_hours: Flag = False
    amount: Money | None = None
    months: Annotated[int, Strict(), Field(ge=1, le=120)] | None = None


class OutcomeCreate(BaseModel):
    """How the case ended; `children_affected` for an eviction."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "lease_regained"}]}
    )

    code: PreventionOutcome
    on: date | None = None
    children_affected: Count | None = None


def _groups(values: list[PreventionGroup]) -> list[PreventionGroup]:
    return list(unique_items(values))


class PriorityGroupsInput(BaseModel):
    """The priority groups social services find a case in: the signal's (children in the
    household, the tenant's age) corrected, or one no landlord could know
    (`suspected_mental_illness`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"priority_groups": ["suspected_mental_illness"]}]},
    )

    priority_groups: Annotated[list[PreventionGroup], AfterValidator(_groups)]


class PreventionPolicyInput(BaseModel):
    """A municipality's prevention policy: priority groups in order, the debt threshold over
    which a tenant is always contacted (in months of rent), the kinds it takes, its reading
    of the återvinningsfrist and a first-contact target in days."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "priority_groups": [
                        "families_with_children",
                        "under_25",
                        "over_65",
                        "suspected_mental_illness",
                    ],
                    "always_contact_debt_months": 1,
                }
            ]
        },
    )

    priority_groups: Annotated[list[PreventionGroup], AfterValidator(_groups)] = []
    always_contact_debt_months: Multiple | None = Field(
        default=None, description="Months of rent owed over which a tenant is always contacted"
    )
    kinds: Annotated[list[SignalKind], AfterValidator(unique_items)] = Field(
        default_factory=list, description="The kinds taken; empty: every kind"
    )
    recovery_days: Annotated[int, Strict(), Field(ge=1, le=365)] | None = Field(
        default=None, description="The återvinningsfrist in days; null: the setting (21)"
    )
    first_contact_days: Annotated[int, Strict(), Field(ge=1, le=60)] | None = Field(
        default=None, description="A first-contact target in calendar days after arrival"
    )
    first_contact_working_days: Annotated[int, Strict(), Field(ge=1, le=40)] | None = Field(
        default=None,
        description="A first-contact target in working days (Monday to Friday; public "
        "holidays are not counted out): by the end of that working day after arrival",
    )


class PreventionPolicyRead(PreventionPolicyInput):
    model_config = ConfigDict(extra="ignore")

    municipality: str
    version: int
    effective_recovery_days: int
    created_at: datetime | None
