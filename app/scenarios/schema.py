"""The scenario file format: one municipality's model from the sources as configuration.

A scenario names its municipality, areas, landlords with their agreements, the priority
policy and how to make synthetic vacancies and households sized to the figures the sources
give. The agreement, policy, area and household parts are the API's own input models, so a
scenario is validated exactly as the API would validate it; everything else forbids unknown
fields too. Every figure carries a `source` naming the passage it comes from, or saying
that it is an assumption where the sources give none.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from app.agreements.schemas import AgreementUpsert, ContractForms
from app.areas.schemas import AreaUpsert
from app.core.types import (
    AreaId,
    Count,
    Identifier,
    MunicipalityCode,
    OrgNumber,
    Rent,
    Rooms,
    ShortText,
)
from app.households.schemas import HouseholdCreate
from app.policies.schemas import PolicyInput
from app.prevention.schemas import DEMO_NUMBER, PreventionPolicyInput, SignalCreate
from app.vocabulary import LandlordKind, SupportNeed

Source = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="The passage this comes from (document, municipality, quote), or "
        "'assumption: …' where the sources give no figure",
    ),
]
ScenarioName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScenarioArea(_Strict):
    id: AreaId
    area: AreaUpsert
    source: Source


class VacancyMix(_Strict):
    """How the landlord's synthetic vacancies look: `per_year` of them, rooms and areas
    taken in turn from the lists, rent = `rent_base` + `rent_per_room` × (rooms − 1) plus a
    small deterministic spread."""

    per_year: Count
    rooms: Annotated[list[Rooms], Field(min_length=1, max_length=20)]
    areas: Annotated[list[AreaId], Field(min_length=1, max_length=100)]
    rent_base: Rent
    rent_per_room: Annotated[int, Strict(), Field(ge=0, le=20_000)]
    contract_forms: ContractForms
    source: Source


class ScenarioLandlord(_Strict):
    key: Identifier
    name: ShortText
    org_number: OrgNumber
    kind: LandlordKind
    agreement: AgreementUpsert | None = Field(
        default=None,
        description="None: the landlord has no agreement; it takes part only with vacancies "
        "the policy takes on request (`vacancies_on_request`)",
    )
    vacancies: VacancyMix | None = None
    source: Source


class ProfileAssessment(_Strict):
    """How many of a profile's households social services have assessed already (every
    `1/share`-th is left waiting for its assessment), and what the assessment names."""

    share: Annotated[float, Strict(), Field(ge=0, le=1)]
    unit: Identifier
    support: list[SupportNeed] = Field(default_factory=list)
    source: Source


class HouseholdProfile(_Strict):
    """`per_year` synthetic households with this need; `need` is the API's household body
    without `case_ref` and `registered_at` (the loader numbers and dates them), validated
    by the API's own `HouseholdCreate`."""

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,23}$")]
    per_year: Count
    need: dict[str, Any]
    assessment: ProfileAssessment | None = None
    source: Source

    @model_validator(mode="after")
    def _need_is_a_household(self) -> HouseholdProfile:
        given = {"case_ref", "registered_at"} & set(self.need)
        if given:
            raise ValueError(f"need: the loader sets {', '.join(sorted(given))}")
        self.body("CHECK-0001")
        return self

    def body(self, case_ref: str, registered_at: str | None = None) -> HouseholdCreate:
        """The API body of one household of this profile."""
        extra = {} if registered_at is None else {"registered_at": registered_at}
        return HouseholdCreate.model_validate({**self.need, "case_ref": case_ref, **extra})


class ScenarioIntermediary(_Strict):
    """An intermediary (Västerås: Bostad Västerås) holding the mandates of the landlords
    named by key, in the scenario's municipality. The mandated landlords' vacancies are
    posted by the intermediary's credential, as it "tar in lägenheter i enlighet med
    respektive fastighetsägares kvot"."""

    key: Identifier
    name: ShortText
    org_number: OrgNumber
    mandates: Annotated[list[Identifier], Field(min_length=1, max_length=100)]
    source: Source


class ScenarioPolicy(_Strict):
    policy: PolicyInput
    source: Source


class ScenarioSignal(_Strict):
    """`count` demo signals from one landlord (by key): `signal` is the API's signal body
    without `municipality`, `tenant` and `notified_on`, which the loader sets (the tenant a
    synthetic one, its number on a day no one can have been born on; the notice
    `notified_days_ago` days back)."""

    landlord: Identifier
    count: Annotated[int, Strict(), Field(ge=1, le=50)]
    notified_days_ago: Annotated[int, Strict(), Field(ge=0, le=365)] | None = None
    signal: dict[str, Any]
    source: Source

    @model_validator(mode="after")
    def _a_signal(self) -> ScenarioSignal:
        given = {"municipality", "tenant", "notified_on"} & set(self.signal)
        if given:
            raise ValueError(f"signal: the loader sets {', '.join(sorted(given))}")
        self.body("0180", DEMO_NUMBER, None)
        return self

    def body(self, municipality: str, number: str, notified_on: str | None) -> SignalCreate:
        """The API body of one signal."""
        return SignalCreate.model_validate(
            {
                **self.signal,
                "municipality": municipality,
                "tenant": {"name": "Demo Hyresgäst", "personal_identity_number": number},
                "notified_on": notified_on,
            }
        )


class ScenarioPrevention(_Strict):
    """The municipality's eviction-prevention policy and demo signals (docs/prevention.md)."""

    policy: PreventionPolicyInput
    signals: Annotated[list[ScenarioSignal], Field(max_length=20)] = Field(default_factory=list)
    source: Source


class Scenario(_Strict):
    """One municipal model (docs/domain.md §7) as configuration."""

    name: ScenarioName
    municipality: MunicipalityCode
    title: ShortText
    exercises: Annotated[list[ShortText], Field(min_length=1, max_length=20)]
    sources: Annotated[list[Source], Field(min_length=1, max_length=50)]
    areas: Annotated[list[ScenarioArea], Field(min_length=1, max_length=200)]
    landlords: Annotated[list[ScenarioLandlord], Field(min_length=1, max_length=100)]
    intermediaries: Annotated[list[ScenarioIntermediary], Field(max_length=10)] = Field(
        default_factory=list
    )
    policy: ScenarioPolicy | None = None
    households: Annotated[list[HouseholdProfile], Field(min_length=1, max_length=50)]
    prevention: ScenarioPrevention | None = None

    @model_validator(mode="after")
    def _mandates_name_landlords_with_agreements(self) -> Scenario:
        """A mandate is for one of the scenario's landlords that takes part (an agreement),
        and each landlord has at most one intermediary posting its vacancies."""
        taking_part = {lo.key for lo in self.landlords if lo.agreement is not None}
        mandated: list[str] = [key for i in self.intermediaries for key in i.mandates]
        unknown = sorted(set(mandated) - taking_part)
        if unknown:
            raise ValueError(f"intermediaries: no landlord with an agreement: {', '.join(unknown)}")
        if len(mandated) != len(set(mandated)):
            raise ValueError("intermediaries: a landlord's mandate is given twice")
        return self

    @model_validator(mode="after")
    def _vacancies_without_agreement_come_on_request(self) -> Scenario:
        """A landlord without an agreement posts only in the forms the policy takes on
        request (Södertälje's Graflunds); anything else the API would refuse."""
        on_request = set(self.policy.policy.vacancies_on_request) if self.policy else set()
        for landlord in self.landlords:
            if landlord.agreement is None and landlord.vacancies is not None:
                other = set(landlord.vacancies.contract_forms) - on_request
                if other:
                    raise ValueError(
                        f"landlords: {landlord.key} has no agreement; the policy takes no "
                        f"{', '.join(sorted(other))} on request"
                    )
        return self
