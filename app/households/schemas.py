"""Household need (the case) as social services post it and as municipal staff read it.

Input models forbid unknown fields and bound every value, so junk is refused with 422 before
the database. Output models are per audience: `HouseholdRead` (the full case, municipal
staff) and `HouseholdRestricted` (what social services see of a protected-identity case,
docs/domain.md §6). Landlords never get either.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.agreements.schemas import ContractForms
from app.core.months import add_months
from app.core.types import (
    IDENTIFIER_PATTERN,
    AreaId,
    Flag,
    Identifier,
    Money,
    Rent,
    Rooms,
    ShortText,
    UUIDStr,
    contains_identity_number,
    unique_items,
)
from app.vocabulary import (
    ESTABLISHMENT_MONTHS,
    CloseReason,
    ContractForm,
    DerivedField,
    Employment,
    GuaranteeKind,
    HouseholdStatus,
    LandlordKind,
    SupportNeed,
    TargetGroup,
)

# A Swedish personnummer or samordningsnummer (YYMMDD-NNNN, YYYYMMDDNNNN, …): a case
# reference must never be one (docs/domain.md §3: "never a personal identity number"), so
# here the shape alone is refused too, whatever its check digit.
_PERSONNUMMER = re.compile(r"^\d{6,8}[-+]?\d{4}$")
# Clock skew tolerated between a case worker's system and ours for `registered_at`.
_CLOCK_SKEW = timedelta(minutes=5)
_EARLIEST_REGISTRATION = datetime(1970, 1, 1, tzinfo=UTC)


def _not_a_personnummer(value: str) -> str:
    if _PERSONNUMMER.fullmatch(value) or contains_identity_number(value):
        raise ValueError("must be the municipality's case reference, never a personnummer")
    return value


_RFC3339_START = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339_text(value: Any) -> Any:
    """Only an RFC 3339 date-time string, as the schema says: no Unix timestamps."""
    if not isinstance(value, str) or not _RFC3339_START.match(value):
        raise ValueError("must be an RFC 3339 date-time with a UTC offset")
    return value


def _registered_in_the_past(value: datetime) -> datetime:
    """A waiting time starts in the past; far-off years are refused before they can overflow
    the UTC conversion in the database layer."""
    try:
        at = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("is not a representable point in time") from exc
    if at < _EARLIEST_REGISTRATION:
        raise ValueError("must be 1970 or later")
    if at > datetime.now(UTC) + _CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return at


# An identifier with the case reference's own, stricter guard in place of the free-text one,
# so that a refused value says what the field is for.
CaseRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN),
    AfterValidator(_not_a_personnummer),
    Field(description="The municipality's own case reference; never a personnummer"),
]
Adults = Annotated[int, Strict(), Field(ge=1, le=20)]
Children = Annotated[int, Strict(), Field(ge=0, le=20)]
ChildAge = Annotated[int, Strict(), Field(ge=0, le=17)]
ChildrenAges = Annotated[list[ChildAge], Field(max_length=20, description="One age per child")]
TargetGroups = Annotated[
    list[TargetGroup], Field(max_length=len(TargetGroup)), AfterValidator(unique_items)
]
AreaList = Annotated[list[AreaId], Field(max_length=100), AfterValidator(unique_items)]
DrugFreeMonths = Annotated[int, Strict(), Field(ge=0, le=600)]
Urgency = Annotated[int, Strict(), Field(ge=0, le=3, description="0 normal … 3 acute")]
RegisteredAt = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_text),
    AfterValidator(_registered_in_the_past),
    Field(description="When the need was registered (waiting time); not in the future"),
]


class Income(BaseModel):
    """Monthly income in SEK by source (docs/domain.md §3); omitted sources are 0."""

    model_config = ConfigDict(extra="forbid")

    salary: Money = 0
    income_support: Money = Field(default=0, description="försörjningsstöd")
    housing_allowance: Money = Field(default=0, description="bostadsbidrag")
    activity_compensation: Money = Field(default=0, description="aktivitetsersättning")
    pension: Money = 0
    other: Money = 0

    @property
    def total(self) -> int:
        return (
            self.salary
            + self.income_support
            + self.housing_allowance
            + self.activity_compensation
            + self.pension
            + self.other
        )


class Guarantee(BaseModel):
    """The household's guarantee, told apart by kind (docs/domain.md §3): a rent guarantee
    (hyresgaranti — Karlstad: "tre månadshyror" covered, over a year) or a full municipal
    surety (kommunal borgen — Västerås' support agreements, Norrköping's short contracts).
    Which letting rules it lifts is each agreement's to say."""

    model_config = ConfigDict(extra="forbid")

    kind: GuaranteeKind
    months_covered: Annotated[int, Strict(), Field(ge=1, le=60)] | None = Field(
        default=None, description="Months of rent a rent guarantee covers (Karlstad: 3)"
    )
    valid_until: date | None = Field(default=None, description="The last day it runs")


SURETY: dict[str, Any] = {"kind": "municipal_surety", "months_covered": None, "valid_until": None}
"""What `municipal_guarantee: true` alone records: a municipal surety."""


_EXAMPLE: dict[str, Any] = {
    "case_ref": "VAS-2026-0142",
    "adults": 1,
    "children": 2,
    "children_ages": [4, 9],
    "target_groups": ["violence_exposed", "family_with_children"],
    "income": {"income_support": 14000, "housing_allowance": 4500},
    "employment": "none",
    "payment_remarks": True,
    "municipal_guarantee": False,
    "home_insurance": True,
    "avoid_areas": ["VALLBY"],
    "preferred_areas": ["PETTERSBERG"],
    "support_plan": True,
    "contract_forms": ["municipal_contract", "support_agreement"],
    "urgency": 2,
}


def check_children_ages(children: int, ages: list[int] | None) -> None:
    if ages is not None and len(ages) != children:
        raise ValueError("children_ages: must list exactly one age per child (or be null)")


def check_rooms(rooms_min: int | None, rooms_max: int | None) -> None:
    if rooms_min is not None and rooms_max is not None and rooms_min > rooms_max:
        raise ValueError("rooms_min: must not exceed rooms_max")


def check_areas(avoid: list[str], preferred: list[str]) -> None:
    both = sorted(set(avoid) & set(preferred))
    if both:
        raise ValueError(f"preferred_areas: also in avoid_areas: {', '.join(both)}")


SettledOn = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


def establishment_ends_on(settled_on: date | None) -> date | None:
    """The end of the two-year establishment period (bosättningslagen 2016:38)."""
    return add_months(settled_on, ESTABLISHMENT_MONTHS) if settled_on is not None else None


def settled_for_notice(today: date, notice_months: int) -> tuple[date, date]:
    """The settlement days whose establishment period has not ended by `today` and ends
    within `notice_months` of it: settled after the first day and by the second (the
    worklist and the sweep alike, Helsingborg 3:9)."""
    return (
        add_months(today, -ESTABLISHMENT_MONTHS),
        add_months(today, notice_months - ESTABLISHMENT_MONTHS),
    )


class HouseholdCreate(BaseModel):
    """A household's need. `rooms_min`, `rooms_max` and `max_rent` may be left out: they are
    then derived from the household's size and income (see docs/households.md)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    case_ref: CaseRef
    adults: Adults
    children: Children = 0
    children_ages: ChildrenAges | None = None
    target_groups: TargetGroups = []
    income: Income = Field(default_factory=Income)
    employment: Employment = Employment.none
    payment_remarks: Flag = False
    debts: Money = 0
    municipal_guarantee: Flag = Field(
        default=False,
        description="Deprecated alias of `guarantee`: true records a municipal surety",
    )
    guarantee: Guarantee | None = Field(default=None, description="The guarantee granted")
    children_at_risk: Flag = Field(
        default=False,
        description="Social services' assessment that the children would otherwise be at risk "
        "(Nynäshamn). Never shown to a landlord",
    )
    home_insurance: Flag = False
    drug_free_months: DrugFreeMonths | None = None
    rooms_min: Rooms | None = None
    rooms_max: Rooms | None = None
    max_rent: Rent | None = None
    needs_elevator: Flag = False
    needs_ground_floor: Flag = False
    needs_wheelchair: Flag = False
    avoid_areas: AreaList = Field(
        default=[], description="Hard: never placed here. Never shown to a landlord."
    )
    preferred_areas: AreaList = Field(default=[], description="Soft: school, work, network")
    support_plan: Flag = Field(default=False, description="boendestöd in place")
    contract_forms: ContractForms
    urgency: Urgency = 0
    registered_at: RegisteredAt | None = Field(
        default=None, description="When the need was registered; defaults to now"
    )
    settled_on: SettledOn | None = Field(
        default=None,
        description="Newly arrived: the day of the anvisning under the Settlement Act "
        "(bosättningslagen 2016:38); the two-year establishment period ends 24 months later "
        "(Helsingborg 3:9: 'den tvååriga etableringstiden')",
    )

    @model_validator(mode="after")
    def _consistent(self) -> HouseholdCreate:
        check_children_ages(self.children, self.children_ages)
        if self.guarantee is not None and not self.municipal_guarantee:
            if "municipal_guarantee" in self.model_fields_set:
                raise ValueError("municipal_guarantee: false contradicts the guarantee sent")
            self.municipal_guarantee = True
        if self.municipal_guarantee and self.guarantee is None:
            self.guarantee = Guarantee.model_validate(SURETY)
        check_rooms(self.rooms_min, self.rooms_max)
        check_areas(self.avoid_areas, self.preferred_areas)
        return self


class HouseholdUpdate(BaseModel):
    """A partial update: only the fields sent change. `null` is accepted only where it
    means something: `rooms_min`, `rooms_max`, `max_rent` (back to the derived default),
    `drug_free_months` (not applicable) and `children_ages` (unknown). `income` is replaced
    as a whole (omitted sources become 0)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {
            "rooms_min",
            "rooms_max",
            "max_rent",
            "drug_free_months",
            "children_ages",
            "guarantee",
            "settled_on",
        }
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"adults": 2, "rooms_min": None, "urgency": 3}]},
    )

    case_ref: CaseRef | None = None
    adults: Adults | None = None
    children: Children | None = None
    children_ages: ChildrenAges | None = None
    target_groups: TargetGroups | None = None
    income: Income | None = None
    employment: Employment | None = None
    payment_remarks: Flag | None = None
    debts: Money | None = None
    municipal_guarantee: Flag | None = None
    guarantee: Guarantee | None = None
    children_at_risk: Flag | None = None
    home_insurance: Flag | None = None
    drug_free_months: DrugFreeMonths | None = None
    rooms_min: Rooms | None = None
    rooms_max: Rooms | None = None
    max_rent: Rent | None = None
    needs_elevator: Flag | None = None
    needs_ground_floor: Flag | None = None
    needs_wheelchair: Flag | None = None
    avoid_areas: AreaList | None = None
    preferred_areas: AreaList | None = None
    support_plan: Flag | None = None
    contract_forms: ContractForms | None = None
    urgency: Urgency | None = None
    registered_at: RegisteredAt | None = None
    settled_on: SettledOn | None = None

    @model_validator(mode="after")
    def _no_null_where_null_means_nothing(self) -> HouseholdUpdate:
        for name in sorted(self.model_fields_set - self.NULLABLE):
            if getattr(self, name) is None:
                raise ValueError(f"{name}: must not be null")
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Document `null` only for the fields that accept it, so the contract says what
        the validation does."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, prop in target.get("properties", {}).items():
            if name in cls.NULLABLE or "anyOf" not in prop:
                continue
            options = [o for o in prop["anyOf"] if o.get("type") != "null"]
            if len(options) == 1:
                del prop["anyOf"]
                prop.pop("default", None)
                prop.update(options[0])
        return schema


class HouseholdClose(BaseModel):
    """Why a case ends. The comment is not stored: free text about a case is exactly the
    special-category data the service keeps out of its records (docs/domain.md §6)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "housed"}]}
    )

    reason: CloseReason
    comment: ShortText | None = Field(
        default=None, description="Accepted for the caller's convenience; not stored"
    )


class MoveOnBody(BaseModel):
    """A move-on need for the household living in a second-hand tenancy (Helsingborg 3:6:
    "Många av hushållen kan och behöver komma vidare till ett förstahandskontrakt").
    `contract_forms` replaces the forms the case is matched for (left out: kept)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"contract_forms": ["municipal_contract"]}]},
    )

    contract_forms: ContractForms | None = None


class MoveOnRead(BaseModel):
    """A posted move-on need: the case, open again and up for matching, and the tenancy it
    lives in until the move."""

    household: str
    case_ref: str = Field(description="Social services' case reference")
    tenancy: str = Field(description="The tenancy the household moves on from")
    contract_form: ContractForm = Field(description="The tenancy's current contract form")
    move_on_since: datetime
    contract_forms: list[ContractForm] = Field(description="The forms it is matched for")


class HouseholdRead(BaseModel):
    """The full case, for the municipality's own staff. `rooms_min`, `rooms_max` and
    `max_rent` are the effective values; `defaults_applied` names those that were derived
    rather than given."""

    view: Literal["full"] = "full"
    id: str
    municipality: str
    case_ref: str
    status: HouseholdStatus
    close_reason: CloseReason | None
    closed_at: datetime | None
    adults: int
    children: int
    children_ages: list[int] | None
    persons: int
    target_groups: list[TargetGroup]
    newly_arrived: Flag = Field(description="Derived: `newly_arrived` is a target group")
    protected_identity: Flag = Field(
        description="Derived: `protected_identity` is a target group (coordinators only)"
    )
    income: Income
    income_total: int
    employment: Employment
    payment_remarks: bool
    debts: int
    municipal_guarantee: bool
    guarantee: Guarantee | None
    children_at_risk: bool
    home_insurance: bool
    drug_free_months: int | None
    rooms_min: int
    rooms_max: int
    max_rent: int
    needs_elevator: bool
    needs_ground_floor: bool
    needs_wheelchair: bool
    avoid_areas: list[str]
    preferred_areas: list[str]
    support_plan: bool
    assessment: AssessmentRead | None = Field(
        default=None, description="Social services' assessment; null until one is recorded"
    )
    contract_forms: list[ContractForm]
    urgency: int
    registered_at: datetime
    settled_on: date | None = Field(
        default=None, description="The day of the anvisning under the Settlement Act"
    )
    establishment_ends_on: date | None = Field(
        default=None,
        description="The two-year establishment period ends (`settled_on` + 24 months)",
    )
    defaults_applied: list[DerivedField]
    notes: list[str] = Field(description="Human-readable remarks on derived values")
    version: int
    created_at: datetime
    updated_at: datetime


class HouseholdRestricted(BaseModel):
    """What social services see of a protected-identity case: that it exists and its state,
    nothing that could reveal where the household lives or is placed (docs/domain.md §6)."""

    view: Literal["restricted"] = "restricted"
    id: str
    case_ref: str
    status: HouseholdStatus
    protected_identity: Literal[True] = True


HouseholdView = Annotated[HouseholdRead | HouseholdRestricted, Field(discriminator="view")]


class HouseholdPage(BaseModel):
    items: list[HouseholdView]
    next_cursor: str | None


class Candidate(BaseModel):
    """One open vacancy the household is eligible for, as the solver judges the pair."""

    vacancy: str = Field(description="The vacancy's id")
    external_ref: str = Field(description="The landlord's own reference for the vacancy")
    landlord: str = Field(description="The landlord's id")
    landlord_name: str | None = Field(description="The landlord's name")
    landlord_kind: LandlordKind
    area: str
    area_name: str | None = Field(description="The area's name")
    rooms: int
    rent: int
    contract_form: ContractForm = Field(
        description="The form the pair would get: the first of the household's forms that "
        "the vacancy offers, the agreement accepts, the household may use and that passes — "
        "the agreement's placement conditions where the municipality holds the lease, the "
        "landlord's letting rules where the household does (docs/lease-holders.md)"
    )
    exception: bool = Field(
        description="The household fails the landlord's economic requirements and would use "
        "one of its exception places — always through a lease of its own"
    )
    fit: int = Field(
        description="The solver's fit points (its third objective tier): +100 in a preferred "
        "area, −10 per spare room, up to −10 for rent relative to max_rent"
    )
    preferred_area: bool
    spare_rooms: int = Field(description="rooms − the household's rooms_min")
    quota_exhausted: bool = Field(
        description="The landlord has no place left in the year's agreement: eligible, but "
        "no round places the household here until places free up (listed last)"
    )


class CandidateList(BaseModel):
    """A household's candidates now; nothing is reserved."""

    household: str
    year: int = Field(description="The agreement year whose quotas and letting rules apply")
    in_live_proposal: bool = Field(
        description="The household is already in a live proposal (or an active tenancy): the "
        "next round leaves it out until that ends"
    )
    open_vacancies: int = Field(
        description="Vacancies a round would consider now: open, of a landlord with an "
        "agreement for the year, not in a live proposal"
    )
    eligible: int = Field(description="How many of them the household is eligible for")
    failed: dict[str, int] = Field(
        description="Per eligibility rule, the vacancies whose first failing rule it was "
        "(rules with none left out); the counts add up to open_vacancies − eligible"
    )
    items: list[Candidate] = Field(
        description="The eligible vacancies, ranked: places the solver can use this period "
        "first, then by fit (best first), then by vacancy id; at most `limit`"
    )


class AssessmentInput(BaseModel):
    """Social services' assessment of a case before any match (Jönköping: "Innan någon får
    en lägenhet genom socialtjänsten görs en kartläggning"), replaced whole."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "assessed_on": "2026-11-20",
                    "unit": "lokalkontor-ost",
                    "support": ["housing_support", "home_visits"],
                }
            ]
        },
    )

    assessed_on: date = Field(
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="The day it was made; not later than today",
    )
    unit: Identifier = Field(
        description="The assessing organisation unit, as the municipality's own code "
        "(e.g. `lokalkontor-ost`)"
    )
    support: Annotated[
        list[SupportNeed], Field(max_length=len(SupportNeed)), AfterValidator(unique_items)
    ] = Field(
        default_factory=list, description="The support needed; it becomes the tenancy's conditions"
    )


class AssessmentRead(BaseModel):
    assessed_on: date
    unit: str
    support: list[SupportNeed]


class CohortMoveOnBody(BaseModel):
    """Move-on needs for a whole cohort at once (Helsingborg 3:9: the newly arrived whose
    establishment period ends together); each household is answered on its own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"households": ["7f0c5a9e-3c1d-4d3b-9a51-0c1e2f3a4b5c"]}]},
    )

    households: Annotated[list[UUIDStr], Field(min_length=1, max_length=200)]
    contract_forms: ContractForms | None = None


class CohortMoveOnRow(BaseModel):
    """One household's answer: `200` with its move-on need, or the problem's status."""

    household: str
    status: int
    move_on: MoveOnRead | None = None
    detail: str | None = None


class CohortMoveOnResult(BaseModel):
    posted: int
    failed: int
    results: list[CohortMoveOnRow]
