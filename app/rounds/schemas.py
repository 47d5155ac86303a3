"""Match rounds: the request, and the round with its statistics, proposals and the reasons
every unmatched household was left out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, model_validator

from app.policies.schemas import PolicyInput
from app.vocabulary import OtherRound, RoundStatus, SatOutReason


class QuotaOverrideInput(BaseModel):
    """A landlord's quotas in a what-if round; a field left out keeps the agreement's."""

    model_config = ConfigDict(extra="forbid")

    quota: Annotated[int, Strict(), Field(ge=0, le=100_000)] | None = None
    exception_quota: Annotated[int, Strict(), Field(ge=0, le=100_000)] | None = None


class RoundCreate(BaseModel):
    """Start a round for the coordinator's municipality over its open vacancies and needs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"year": 2026, "newly_arrived_min": 2, "time_limit_s": 30}]
        },
    )

    year: Annotated[int, Strict(), Field(ge=2000, le=2100)] | None = Field(
        default=None, description="The agreement year whose quotas apply; default this year"
    )
    newly_arrived_min: Annotated[int, Strict(), Field(ge=0, le=10_000)] | None = Field(
        default=None,
        description="At least this many newly arrived households (bosättningslagen "
        "2016:38); default: what remains of the year's settlement figure "
        "(`PUT /v1/municipalities/{code}/settlement/{year}`), 0 when none is recorded. A "
        "floor the round cannot reach does not fail it: it houses as many as it can and "
        "reports `newly_arrived_shortfall`",
    )
    time_limit_s: Annotated[int, Strict(), Field(ge=1, le=300)] = Field(
        default=30, description="The solver's time limit in seconds"
    )
    dry_run: StrictBool = Field(
        default=False,
        description="A what-if round: the same pipeline on the current snapshot, with the "
        "overrides below, keeping its result and writing no proposals nor anything else. It "
        "blocks no real round (one what-if round at a time per municipality). docs/what-if.md",
    )
    policy: PolicyInput | None = Field(
        default=None,
        description="What-if only: the priority policy to weigh by, in place of the one in "
        "force (the body of `PUT /v1/municipalities/{code}/policy`)",
    )
    agreements: Annotated[dict[str, QuotaOverrideInput], Field(max_length=500)] | None = Field(
        default=None,
        description="What-if only: per landlord id, the year's quota and exception quota in "
        "place of its agreement's (what was delivered this year still counts)",
    )

    @model_validator(mode="after")
    def _overrides_only_in_what_if(self) -> RoundCreate:
        if not self.dry_run and (self.policy is not None or self.agreements is not None):
            raise ValueError("policy and agreements overrides are for what-if rounds (dry_run)")
        return self


class RoundStats(BaseModel):
    """The solver's result: `optimal` (proven), `feasible` (time limit hit; `bound` says how
    far off it may be) or `infeasible` (`reason` says why)."""

    status: str
    objective: int
    bound: int
    reason: str | None = None
    seconds: float | None = None
    eligible_pairs: int | None = None
    solver: dict[str, Any] = Field(default_factory=dict, description="Everything else reported")


class RoundProgress(BaseModel):
    """What the solver of a running round last reported (stored at most once a second): it
    is alive, and how close it is."""

    reported_at: datetime
    phase: str | None = Field(description="The solver's phase, e.g. pricing or the integer solve")
    figures: dict[str, str | int | float | bool | None] = Field(
        description="The rest of its report (`matching.Progress`): the column-generation "
        "round (`pricing_round`), the best proven bound (`bound`), the best objective found "
        "so far (`objective`) and the seconds since the solve began (`seconds`)"
    )


class RoundProposal(BaseModel):
    id: str | None = Field(
        description="The proposal; null in a what-if round, which proposes nothing"
    )
    round: str
    vacancy: str
    external_ref: str = Field(description="The landlord's own reference for the vacancy")
    household: str
    case_ref: str | None = Field(description="Social services' case reference")
    landlord: str
    landlord_name: str | None = Field(description="The landlord's name")
    area: str = Field(description="The vacancy's area id")
    area_name: str | None = Field(description="The area's name")
    contract_form: str
    exception: bool = Field(description="Uses one of the landlord's exception places")
    score: dict[str, Any] = Field(description="weight, preferred_area, spare_rooms")
    status: str = Field(description="The proposal's status now")


class RuleExplained(BaseModel):
    """One eligibility rule an unmatched household's vacancies failed, in words."""

    rule: str = Field(description="The rule's code (`failed`, `failing`)")
    vacancies: int = Field(description="How many vacancies fail it (every failing rule counted)")
    sv: str = Field(description="The rule in one Swedish line")
    en: str = Field(description="The rule in one English line")


class UnmatchedHousehold(BaseModel):
    household: str
    case_ref: str | None = Field(description="Social services' case reference")
    eligible_vacancies: int
    failed: dict[str, int] = Field(
        description="Per eligibility rule, the vacancies whose first failing rule it was"
    )
    failing: dict[str, int] = Field(
        default_factory=dict,
        description="Per eligibility rule, the vacancies failing it, every failing rule of a "
        "vacancy counted: a flat too small and without a lift counts under `rooms` and "
        "`accessibility` (`failed` shows only the first)",
    )
    explained: list[RuleExplained] = Field(
        default_factory=list,
        description="`failing` in words, most vacancies first",
    )
    reason: str = Field(
        description="Why it was left without a vacancy: the solver's explanation; "
        "`policy: …` when the municipality's policy does not accept the need; `pin: …` when "
        "its pin is no longer eligible (the pin, the vacancy and the failing rule are named; "
        "the household is held out of the round until the pin is deleted)"
    )


class SatOutHousehold(BaseModel):
    """An open household that took no part in the round, and why."""

    household: str
    case_ref: str | None = Field(description="Social services' case reference")
    reason: SatOutReason = Field(
        description="`live_proposal`: it already held a live proposal; `active_tenancy`: it "
        "lives in a placed flat with no move-on need; `not_assessed`: the policy requires an "
        "assessment it lacks; `policy_refused`: the policy does not accept its need now; "
        "`pin_broken`: its pin is no longer eligible"
    )
    sv: str = Field(description="The reason in one line of Swedish")
    en: str = Field(description="The reason in one line of English")
    detail: str | None = Field(
        default=None,
        description="The policy's or the pin's own words (ids only), for the last two reasons",
    )


class RoundRead(BaseModel):
    id: str
    municipality: str
    status: RoundStatus
    dry_run: bool = Field(description="A what-if round: its proposals were never made")
    year: int
    policy_version: int
    newly_arrived_min: int
    newly_arrived_shortfall: int | None = Field(
        default=None,
        description="How many newly arrived households the round fell short of "
        "`newly_arrived_min` (the solver's `stats.newly_arrived_shortfall`); null until "
        "the round has a result",
    )
    time_limit_s: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why a failed round failed; nothing was changed")
    progress: RoundProgress | None = Field(
        default=None, description="While the round runs: what the solver last reported; else null"
    )
    stats: RoundStats | None
    proposals: list[RoundProposal]
    unmatched: list[UnmatchedHousehold]
    sat_out: list[SatOutHousehold] = Field(
        default_factory=list,
        description="Open households the round left out before solving, each with its reason "
        "(a policy refusal and a broken pin are in `unmatched` too, as before)",
    )
    sat_out_by_reason: dict[str, int] | None = Field(
        default=None, description="`sat_out` counted per reason; null until done"
    )


class RoundSummary(BaseModel):
    id: str
    municipality: str
    status: RoundStatus
    dry_run: bool
    year: int
    policy_version: int
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    proposed: int | None = Field(
        default=None, description="Households the round proposed a flat to; null until done"
    )
    unmatched: int | None = Field(
        default=None, description="Households it left out (`unmatched`); null until done"
    )
    sat_out_by_reason: dict[str, int] | None = Field(
        default=None,
        description="Open households that took no part, counted per reason (the round's "
        "`sat_out`); null until done, and for a round stored before it was recorded",
    )


class RoundPage(BaseModel):
    items: list[RoundSummary]
    next_cursor: str | None


class WaitingDays(BaseModel):
    """Days from registration to the round's start."""

    households: int
    median: float | None
    p90: float | None = Field(description="90th percentile (nearest rank)")


class LandlordPlacementCount(BaseModel):
    landlord: str
    name: str | None
    kind: str
    placements: int


class RoundOutcome(BaseModel):
    """One round's result in the figures a comparison sets side by side."""

    round: str
    status: RoundStatus
    created_at: datetime
    year: int
    households: int = Field(description="Households in the round")
    households_housed: int
    total_weight: int = Field(description="Σ weight of the households housed")
    housed_by_target_group: dict[str, int] = Field(
        description="A household in several groups counts in each"
    )
    housed_by_urgency: dict[str, int] = Field(description="By the case's urgency now (0–3)")
    waiting_days_housed: WaitingDays
    waiting_days_still_waiting: WaitingDays
    placements_by_landlord: list[LandlordPlacementCount]
    placements_by_kind: dict[str, int] = Field(description="public and private")
    placements_by_area: dict[str, int]
    exception_places: int


class ComparedHousehold(BaseModel):
    household: str
    case_ref: str | None = Field(description="None once the case was erased")
    in_other_round: OtherRound = Field(
        description="What happened to it in the round that did not house it: `sat_out` "
        "(see `sat_out_reason`), `unmatched` (it took part and got no flat), or "
        "`not_in_round` (not among that round's households, no reason recorded)"
    )
    sat_out_reason: SatOutReason | None = Field(
        default=None, description="Why it sat the other round out, when it did"
    )


class RoundComparison(BaseModel):
    """Two rounds of the municipality side by side, and who was housed differently."""

    first: RoundOutcome
    second: RoundOutcome
    housed_in_both: int
    housed_only_in_first: list[ComparedHousehold]
    housed_only_in_second: list[ComparedHousehold]
