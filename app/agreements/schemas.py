from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    model_validator,
)

from app.agreements.lease import quota_from_share
from app.core.types import AreaId, Count, Flag, Multiple, unique_items
from app.vocabulary import (
    PERMISSIVE_LETTING_RULES,
    AgreementBasis,
    ContractForm,
    GuaranteeKind,
    IncidentReason,
    LiftableRequirement,
    Pacing,
    QuotaOverride,
    QuotaShareOf,
    RemarkEffect,
    TargetGroup,
)

ContractForms = Annotated[
    list[ContractForm],
    Field(min_length=1, max_length=len(ContractForm)),
    AfterValidator(unique_items),
]
"""A non-empty list of distinct contract forms; shared by agreements, vacancies, households."""

AreaIds = Annotated[list[AreaId], Field(max_length=500), AfterValidator(unique_items)]

Months = Annotated[int, Strict(), Field(ge=1, le=120)]
"""A whole number of months of a tenancy's life, up to ten years."""

IncomeMultiple = Annotated[
    Multiple,
    Field(description="Gross income must be at least this many times the rent (Balder: 3)"),
]


class TenancyTerms(BaseModel):
    """The terms a contract form is let on under this agreement: a fixed term (renewable or
    not) and the notice period. Nynäshamn sublets "i regel med en månads hyrestid och en
    veckas uppsägningstid"; a Västerås training apartment can be ended "inom 24 timmar";
    Norrköping's three-month contracts are renewed term by term."""

    model_config = ConfigDict(extra="forbid")

    term_months: Annotated[int, Strict(), Field(ge=1, le=60)] | None = Field(
        default=None, description="A fixed term of this many months; none: until further"
    )
    notice_days: Annotated[int, Strict(), Field(ge=0, le=365)] | None = Field(
        default=None,
        description="Days from a termination to the end (Nynäshamn: 7; Västerås' training "
        "apartment: 1, 'inom 24 timmar'); none: the Tenancy Act's, not tracked here",
    )
    renewable: Flag = Field(
        default=False, description="The fixed term can be renewed (a `renewal` event)"
    )
    serious_cause_notice_days: Annotated[int, Strict(), Field(ge=0, le=365)] | None = Field(
        default=None,
        description="Days from the municipality's termination of its subtenant's contract "
        "for a coded serious cause to the end (Västerås' training apartment: 1 — 'vid "
        "allvarliga problem kan den boende vräkas inom 24 timmar'); none: the ordinary "
        "`notice_days`. Never the landlord's: its termination follows `notice_days`",
    )


class ExceptionConditions(BaseModel):
    """What the agreement's exception places ask of a household (Helsingborg 3:5): it lives
    in a tenancy the municipality arranged and has posted to move on from, "Hyresgästen har
    skött sina nuvarande hyresbetalningar" and "Inga störningar eller annan problematik
    föreligger" — no unresolved `late_payment` or `disturbance` remark or incident on that
    tenancy within `no_remarks_months` — and, with `requires_vouching`,
    "Fastighetsförvaltningen går i god för att detta är en välfungerande hyresgäst": the
    coordinator's vouching statement stands (`POST /v1/tenancies/{id}/vouching`)."""

    model_config = ConfigDict(extra="forbid")

    no_remarks_months: Annotated[int, Strict(), Field(ge=1, le=60)] = Field(
        description="No report (a remark or an incident) on the current tenancy within "
        "this many months before the round"
    )
    blocking_reports: (
        Annotated[list[IncidentReason], Field(max_length=len(IncidentReason))] | None
    ) = Field(
        default=None,
        description="The report codes that block ('Inga störningar eller annan problematik "
        "föreligger'); none: any report",
    )
    answered_reports_block: Flag = Field(
        default=True,
        description="A report the municipality answered still blocks (default: it does — an "
        "answered late payment is still not 'skött sina nuvarande hyresbetalningar'); false: "
        "only a report not yet resolved (a measure taken, or nothing to do) blocks",
    )
    requires_vouching: Flag = Field(
        default=True, description="The municipality's vouching statement must stand"
    )


class QuotaShare(BaseModel):
    """A quota stated as a share: Karlstad "cirka tio procent av de tillgängliga
    lägenheterna" (of the turnover), Jönköping each landlord's share of the stock. `base`
    is what the landlord reported (its flats in the municipality, or the vacancies it let in
    the year); the service computes the count (`GET /v1/quota`: `quota_from_share`)."""

    model_config = ConfigDict(extra="forbid")

    of: QuotaShareOf
    percent: Annotated[float, Strict(), Field(gt=0, le=100)]
    base: Annotated[int, Strict(), Field(ge=0, le=1_000_000)]


class LeaseTerms(BaseModel):
    """The fields of an agreement that follow who holds the lease (docs/domain.md §5), kept
    apart from the letting rules they qualify."""

    model_config = ConfigDict(extra="forbid")

    basis: AgreementBasis = Field(
        default=AgreementBasis.cooperation_agreement,
        description="What the commitment rests on: a cooperation agreement, Uppsalahem's owner "
        "directive, Jönköping's development agreement, Helsingborg's land allocation",
    )
    quota_share: QuotaShare | None = Field(
        default=None, description="The quota as a share of the stock or of the turnover"
    )
    accepted_guarantees: list[GuaranteeKind] | None = Field(
        default=None,
        description="The guarantee kinds it accepts (rent guarantee, municipal surety); none: "
        "`accepts_municipal_guarantee` decides for every kind",
    )
    guarantee_lifts: dict[GuaranteeKind, list[LiftableRequirement]] = Field(
        default_factory=dict,
        description="Per accepted kind the letting rules it lifts; a kind left out lifts "
        "all three. Whether income support counts is never lifted (Västerås)",
    )
    placement_refuses_income_support: Flag = Field(
        default=False,
        description="Its own condition for the municipality's subtenants: no household living "
        "on income support (Västerås: only Mimer takes them). The letting rules apply only "
        "where the household holds the lease",
    )
    accepted_target_groups: list[TargetGroup] = Field(
        default_factory=list,
        description="The target groups it takes as the municipality's subtenants (Göteborg); "
        "empty: all",
    )


class AgreementUpsert(LeaseTerms):
    """A cooperation agreement (samarbetsavtal) for one year, replaced as a whole.

    Defaults are the permissive letting rules; each field names its source in docs/domain.md §3.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "quota": 40,
                    "exception_quota": 5,
                    "excluded_areas": ["BACKBY"],
                    "income_multiple": 3,
                    "accepts_income_support": False,
                    "accepts_housing_allowance": True,
                    "requires_permanent_employment": True,
                    "accepts_payment_remarks": False,
                    "accepts_municipal_guarantee": True,
                    "requires_home_insurance": True,
                    "contract_forms": ["municipal_contract", "support_agreement"],
                    "trial_period_months": 18,
                    "answer_hours": 72,
                    "response_hours": 48,
                    "exception_conditions": {"no_remarks_months": 12, "requires_vouching": True},
                }
            ]
        },
    )

    quota: Count = Field(
        description="Apartments the landlord hands over in the year; may be left out when "
        "`quota_share` is given — the service then computes it from the share"
    )
    exception_quota: Count = Field(
        default=0,
        description="Households failing the economic requirements it accepts when the "
        "municipality vouches (Helsingborg: 5)",
    )
    quota_override: QuotaOverride | None = Field(
        default=None,
        description="Needed only to lower `quota` or `exception_quota` below the places the "
        "year has taken (delivered plus held by live proposals), else `409`: "
        "`keep_live_proposals` keeps them live, and each contract still needs a place left "
        "(the first accepts take the places, the rest get `409`). Audited for each household "
        "whose live proposal is kept; not stored",
    )
    pacing: Pacing = Field(
        default=Pacing.none,
        description="`even` spreads the quota over the year: by a day in month m a round may "
        "use at most ⌊quota × m / 12⌋ less what was delivered (a March round a quarter); "
        "`none` lets any round use what remains. The exception quota is not paced",
    )
    excluded_areas: AreaIds = Field(
        default_factory=list, description="Area ids where it gives no social apartments"
    )
    income_multiple: IncomeMultiple = PERMISSIVE_LETTING_RULES["income_multiple"]
    accepts_income_support: Flag = PERMISSIVE_LETTING_RULES["accepts_income_support"]
    accepts_housing_allowance: Flag = PERMISSIVE_LETTING_RULES["accepts_housing_allowance"]
    requires_permanent_employment: Flag = PERMISSIVE_LETTING_RULES["requires_permanent_employment"]
    accepts_payment_remarks: Flag = PERMISSIVE_LETTING_RULES["accepts_payment_remarks"]
    accepts_municipal_guarantee: Flag = PERMISSIVE_LETTING_RULES["accepts_municipal_guarantee"]
    requires_home_insurance: Flag = PERMISSIVE_LETTING_RULES["requires_home_insurance"]
    contract_forms: ContractForms
    trial_period_months: Annotated[int, Strict()] | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Months before a municipal contract is transferred (Göteborg: 18)",
    )
    answer_hours: Annotated[int, Strict()] = Field(
        default=72,
        ge=1,
        le=720,
        description="Hours each side has to answer a released proposal: the landlord, "
        "then the household's side (the proposal's `deadline_at`)",
    )
    response_hours: Annotated[int, Strict()] | None = Field(
        default=None,
        ge=1,
        le=720,
        description="The municipality's promised response to a landlord's report on a "
        "tenancy — a remark or an incident gets a response deadline this many hours away "
        "(Karlstad: 'uttryckning inom 48 timmar'); none: no promise, no deadline",
    )
    tenancy_terms: dict[ContractForm, TenancyTerms] = Field(
        default_factory=dict,
        description="Term and notice per contract form; a form left out has its own "
        "default (`short_term`: three months, renewable — Norrköping's "
        "'tremånaderskontrakt'; every other form: none)",
    )
    exception_conditions: ExceptionConditions | None = Field(
        default=None,
        description="The exception places only for a sitting tenant moving on who meets "
        "these conditions (Helsingborg 3:5: paid the rent, no disturbances, vouched for); "
        "none: for any household that fails the letting rules",
    )
    # --- The transfer to the tenant's own lease (issue 24; docs/tenancies.md) ---
    transfer_needs_landlord_consent: Flag = Field(
        default=True,
        description="The transfer to the tenant after the trial period (the step to "
        "`own_lease`) needs the landlord's consent (`POST /v1/tenancies/{id}/consent`), as "
        "by default ('fastighetsägaren har rätt att välja sina hyresgäster'; Jönköping's "
        "social services only 'rekommenderar'). False waives it: the landlord may refuse "
        "only with a remark recorded in the trial (Göteborg: 'kan … inte motsätta sig "
        "överlåtelsen om det inte varit några problem under provotiden')",
    )
    transfer_latest_months: Months | None = Field(
        default=None,
        description="The trial's latest month: past it without a transfer or a recorded "
        "reason the tenancy is on the lock-in watch (`transfer_overdue`; Norrköping: "
        "'träningsboende i upp till två år'); none: no limit. `trial_period_months` is the "
        "earliest month",
    )
    remark_effect: RemarkEffect = Field(
        default=RemarkEffect.restart,
        description="What a remark does to the trial: `restart` it from the remark, "
        "`extend` it by `remark_extend_months`, or `none`",
    )
    remark_extend_months: Months | None = Field(
        default=None, description="With `remark_effect: extend`: by this many months"
    )
    aftercare_months: Annotated[int, Strict(), Field(ge=0, le=60)] = Field(
        default=0,
        description="After a transfer the landlord may still report remarks and incidents "
        "on the household's own lease for this many months, with the `response_hours` "
        "promise (Karlstad: 'Under påföljande tolv månaders period bistår kommunen "
        "bostadsföretaget med råd, stöd'); 0: none",
    )
    tenure_waiver_months: Months | None = Field(
        default=None,
        description="The own lease is signed with tenure protection waived for this many "
        "months (Karlstad: 'besittningsskyddet avtals bort under en treårsperiod': 36); "
        "shown on the transferred tenancy as `tenure_waived_until`",
    )
    move_on_outside_quota: Annotated[int, Strict(), Field(ge=0, le=10_000)] = Field(
        default=0,
        description="Places a year for households moving on from a municipal contract that "
        "count against no quota (Helsingborg Delmål 3: 'med hyresgaranti utanför rådande "
        "kvot'); counted apart in `GET /v1/quota` as `outside_quota_used`",
    )

    @model_validator(mode="after")
    def _extend_needs_months(self) -> AgreementUpsert:
        if (self.remark_effect is RemarkEffect.extend) != (self.remark_extend_months is not None):
            raise ValueError("remark_extend_months: given exactly when remark_effect is extend")
        return self

    @model_validator(mode="before")
    @classmethod
    def _quota_from_share(cls, data: Any) -> Any:
        """A quota stated as a share (Karlstad: "cirka tio procent av de tillgängliga
        lägenheterna") is computed here, once, and stored as the year's `quota`; a `quota`
        sent beside it must be what the share comes to."""
        if not isinstance(data, dict) or not isinstance(data.get("quota_share"), dict):
            return data
        try:
            share = QuotaShare.model_validate(data["quota_share"])
        except ValidationError:
            return data  # the field's own validation reports what is wrong with it
        computed = quota_from_share(share.model_dump())
        if "quota" in data and data["quota"] != computed:
            raise ValueError(f"quota: the quota_share comes to {computed}, not {data['quota']}")
        return {**data, "quota": computed}


class AgreementRead(LeaseTerms):
    id: str
    municipality: str
    landlord: str
    year: int
    quota: int
    exception_quota: int
    pacing: Pacing
    excluded_areas: list[str]
    income_multiple: float
    accepts_income_support: bool
    accepts_housing_allowance: bool
    requires_permanent_employment: bool
    accepts_payment_remarks: bool
    accepts_municipal_guarantee: bool
    requires_home_insurance: bool
    contract_forms: list[ContractForm]
    trial_period_months: int | None
    answer_hours: int
    response_hours: int | None
    tenancy_terms: dict[ContractForm, TenancyTerms]
    exception_conditions: ExceptionConditions | None
    # --- The transfer to the tenant's own lease (issue 24) ---
    transfer_needs_landlord_consent: bool
    transfer_latest_months: int | None
    remark_effect: RemarkEffect
    remark_extend_months: int | None
    aftercare_months: int
    tenure_waiver_months: int | None
    move_on_outside_quota: int
    version: int
    created_at: datetime
    updated_at: datetime


class AgreementPage(BaseModel):
    items: list[AgreementRead]
    next_cursor: str | None
