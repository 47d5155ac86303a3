"""Match rounds: the request, and the round with its statistics, proposals and the reasons
every unmatched household was left out."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict


class RoundStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


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
    newly_arrived_min: Annotated[int, Strict(), Field(ge=0, le=10_000)] = Field(
        default=0,
        description="At least this many newly arrived households (the settlement figure, "
        "bosättningslagen 2016:38)",
    )
    time_limit_s: Annotated[int, Strict(), Field(ge=1, le=300)] = Field(
        default=30, description="The solver's time limit in seconds"
    )


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


class RoundProposal(BaseModel):
    id: str
    round: str
    vacancy: str
    household: str
    contract_form: str
    exception: bool = Field(description="Uses one of the landlord's exception places")
    score: dict[str, Any] = Field(description="weight, preferred_area, spare_rooms")
    status: str = Field(description="The proposal's status now")


class UnmatchedHousehold(BaseModel):
    household: str
    eligible_vacancies: int
    failed: dict[str, int] = Field(
        description="Per eligibility rule, the vacancies whose first failing rule it was"
    )
    reason: str = Field(
        description="Why it was left without a vacancy: the solver's explanation; "
        "`policy: …` when the municipality's policy does not accept the need; `pin: …` when "
        "its pin is no longer eligible (the pin, the vacancy and the failing rule are named; "
        "the household is held out of the round until the pin is deleted)"
    )


class RoundRead(BaseModel):
    id: str
    municipality: str
    status: RoundStatus
    year: int
    policy_version: int
    newly_arrived_min: int
    time_limit_s: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why a failed round failed; nothing was changed")
    stats: RoundStats | None
    proposals: list[RoundProposal]
    unmatched: list[UnmatchedHousehold]


class RoundSummary(BaseModel):
    id: str
    municipality: str
    status: RoundStatus
    year: int
    policy_version: int
    created_at: datetime
    finished_at: datetime | None
    error: str | None


class RoundPage(BaseModel):
    items: list[RoundSummary]
    next_cursor: str | None
