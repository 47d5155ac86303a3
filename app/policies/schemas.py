"""Priority policy: how much each target group, urgency level and month of waiting weighs.

The weights feed the solver's primary objective (docs/domain.md §4: "house as many households as
possible weighted by priority"), so a policy is a municipality's stated priorities made
numeric. Every field is bounded so that no household weight can overflow the solver.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StrictBool

from app.core.types import unique_items
from app.vocabulary import ESTABLISHMENT_NOTICE_MONTHS, ContractForm, GuaranteeIncome

Weight = Annotated[int, Strict(), Field(ge=0, le=10_000)]
BaseWeight = Annotated[int, Strict(), Field(ge=1, le=10_000)]
CapDays = Annotated[int, Strict(), Field(ge=0, le=3_650)]
DrugFreeMonths = Annotated[int, Strict(), Field(ge=0, le=600)]


class TargetGroupWeights(BaseModel):
    """A weight per target group of docs/domain.md §3; a household's weights add up.

    Defaults (`app.policies.service.DEFAULT_TARGET_GROUP_WEIGHTS`) apply to a group left
    out of a PUT body."""

    model_config = ConfigDict(extra="forbid")

    violence_exposed: Weight
    protected_identity: Weight
    newly_arrived: Weight
    substance_recovery: Weight
    psychiatric_disability: Weight
    family_with_children: Weight
    young_adult: Weight
    elderly: Weight
    released_from_prison: Weight
    economic_only: Weight
    housing_first: Weight


class TargetGroupWeightsInput(BaseModel):
    """Target-group weights in a PUT body: any group left out keeps its default."""

    model_config = ConfigDict(extra="forbid")

    violence_exposed: Weight | None = None
    protected_identity: Weight | None = None
    newly_arrived: Weight | None = None
    substance_recovery: Weight | None = None
    psychiatric_disability: Weight | None = None
    family_with_children: Weight | None = None
    young_adult: Weight | None = None
    elderly: Weight | None = None
    released_from_prison: Weight | None = None
    economic_only: Weight | None = None
    housing_first: Weight | None = None


class GuaranteeTerms(BaseModel):
    """One rent guarantee the municipality grants and the conditions its policy states
    (Karlstad: "socialförvaltningen garanterar hyran i tre månader. Garantin omfattar
    klienter som får försörjningsstöd och som inte har skulder som uppgår till mer än
    10 000 kronor"; "Kommunala hyresgarantier ... till personer som har egen inkomst")."""

    model_config = ConfigDict(extra="forbid")

    income: GuaranteeIncome = Field(
        description="`income_support`: for households receiving income support "
        "(försörjningsstöd); `own_income`: for households with an income of their own "
        "(salary, activity compensation, pension, other)"
    )
    max_debts: Annotated[int, Strict(), Field(ge=0, le=10_000_000)] | None = Field(
        default=None, description="Debts (SEK) above this rule the guarantee out; none: no limit"
    )
    months_of_rent: Annotated[int, Strict(), Field(ge=1, le=24)] | None = Field(
        default=None, description="How many months' rent the guarantee covers (Karlstad: 3)"
    )


ContractFormSet = Annotated[
    list[ContractForm], Field(max_length=len(ContractForm)), AfterValidator(unique_items)
]


_EXAMPLE: dict[str, Any] = {
    "target_group_weights": {
        "violence_exposed": 1000,
        "family_with_children": 1000,
        "young_adult": 600,
        "elderly": 600,
        "psychiatric_disability": 600,
    },
    "urgency_weight": [0, 500, 1500, 3000],
    "waiting_weight_per_30_days": 50,
    "waiting_cap_days": 720,
    "base_weight": 100,
}


class PolicyInput(BaseModel):
    """A new version of the municipality's priority policy (a PUT never edits an old one).

    weight = base_weight + Σ target_group_weights[group] + urgency_weight[urgency]
    + waiting_weight_per_30_days × ⌊min(days waited, waiting_cap_days) / 30⌋."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    target_group_weights: TargetGroupWeightsInput = Field(default_factory=TargetGroupWeightsInput)
    urgency_weight: Annotated[list[Weight], Field(min_length=4, max_length=4)] = Field(
        default=[0, 500, 1500, 3000],
        description="Weight per urgency level 0 (normal) … 3 (acute)",
    )
    waiting_weight_per_30_days: Weight = 50
    waiting_cap_days: CapDays = 720
    base_weight: BaseWeight = 100
    economic_only_requires_children: StrictBool = Field(
        default=False,
        description="Accept an `economic_only` case only when social services assessed its "
        "children at risk (`children_at_risk`; Nynäshamn: 'måste det vara en barnfamilj, där "
        "barnen annars riskerar att fara illa')",
    )
    min_drug_free_months: DrugFreeMonths = Field(
        default=0,
        description="A household with `drug_free_months` below this is not matched "
        "(Karlstad: six months drug-free for any social contract); null means not applicable",
    )
    guarantee_terms: Annotated[list[GuaranteeTerms], Field(max_length=10)] = Field(
        default_factory=list,
        description="The rent guarantees the municipality grants: `first_hand_with_guarantee` "
        "needs a granted guarantee (`municipal_guarantee`) and, when terms are listed, a "
        "household meeting one of them (Karlstad: income support and debts ≤ 10 000 SEK, or "
        "an own income)",
    )
    surety_required_for: ContractFormSet = Field(
        default_factory=list,
        description="Contract forms offered only with the municipal surety granted "
        "(`municipal_guarantee`): Västerås' support agreement, 'ett eget kontrakt med "
        "kommunal borgen'; Norrköping's three-month contracts",
    )
    requires_assessment: StrictBool = Field(
        default=False,
        description="Match only households whose assessment social services have recorded "
        "(`PUT /v1/households/{id}/assessment`); the others are unmatched with `not_assessed` "
        "(Jönköping: 'Innan någon får en lägenhet genom socialtjänsten görs en kartläggning')",
    )
    vacancies_on_request: ContractFormSet = Field(
        default_factory=list,
        description="Landlords without an agreement for the year may hand over flats on request "
        "in these contract forms (Södertälje's Graflunds: 'Socialtjänsten kan vid förfrågan få "
        "tillgång till lägenheter i beståndet och står då som förstahandshyresgäst'; Jönköping: "
        "'Bolag som bidrar utan avtal'): no quota, no exception places, nothing counted toward "
        "a quota. Empty: a landlord without an agreement cannot post",
    )
    only_without_own_income: ContractFormSet = Field(
        default_factory=list,
        description="Contract forms only for households without an income of their own "
        "(income support and housing allowance are not one): Norrköping, 'För personer som "
        "saknar inkomst tecknas tremånaderskontrakt'",
    )
    referred_weight: Weight = Field(
        default=0,
        description="Added to the weight of a household another municipality of a network "
        "referred here, as the network agreed (Södertälje: Kompotten)",
    )
    move_on_weight: Weight = Field(
        default=0,
        description="Added to the weight of a household with a move-on need from a municipal "
        "contract (Helsingborg 3:6: 'öka tilldelningen … till dessa hushåll')",
    )
    establishment_notice_months: Annotated[int, Strict(), Field(ge=1, le=24)] = Field(
        default=ESTABLISHMENT_NOTICE_MONTHS,
        description="How many months before a household's two-year establishment period "
        "ends it is on the worklist and announced (Helsingborg 3:9)",
    )


class PolicyRead(BaseModel):
    """The policy in force; version 0 is the built-in default (nothing stored yet)."""

    municipality: str
    version: int
    target_group_weights: TargetGroupWeights
    urgency_weight: list[int]
    waiting_weight_per_30_days: int
    waiting_cap_days: int
    base_weight: int
    economic_only_requires_children: bool
    min_drug_free_months: int
    guarantee_terms: list[GuaranteeTerms]
    surety_required_for: list[ContractForm]
    only_without_own_income: list[ContractForm]
    requires_assessment: bool
    vacancies_on_request: list[ContractForm]
    referred_weight: int
    move_on_weight: int
    establishment_notice_months: int
    created_at: datetime | None
