"""The yearly follow-up as a coordinator reads it. Every count is a `Count`: the number, or
`"<5"` where it is below five (docs/statistics.md: small counts identify people in a small
municipality)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.vocabulary import LandlordKind

SUPPRESSED: Literal["<5"] = "<5"
Count = int | Literal["<5"]


class Breakdown(BaseModel):
    """A total and its parts; parts may overlap (a household in two target groups counts
    in both) where `overlapping` says so."""

    total: Count
    parts: dict[str, Count] = Field(description="Count per key, keys sorted")
    overlapping: bool = False


class LandlordPlacements(BaseModel):
    landlord: str
    name: str
    kind: LandlordKind
    placements: Count
    exception_places: Count


class AreaPlacements(BaseModel):
    area: str
    name: str | None = Field(description="The area's name; null for an area no longer defined")
    placements: Count


class PlacementStatistics(BaseModel):
    """Households housed: tenancies counted toward the year's agreements (as `/v1/quota`
    counts them), by the quarter of the contract day."""

    total: Count
    exception_places: Count
    outside_quota_places: Count = Field(
        description="Move-on placements on places outside the quota (Helsingborg Delmål 3), "
        "in `total` but in no quota"
    )
    by_target_group: Breakdown
    by_landlord: list[LandlordPlacements]
    by_landlord_kind: Breakdown
    by_area: list[AreaPlacements]
    by_contract_form: Breakdown
    by_quarter: Breakdown


class SideAnswers(BaseModel):
    accepted: Count
    declined: Breakdown = Field(description="Declines by reason code")


class ProposalStatistics(BaseModel):
    """Proposals released during the year and what became of them by now. The landlord
    answers first, so a proposal the household answered was accepted by the landlord; one
    that expired or was withdrawn after the landlord's accept counts as expired or withdrawn
    only."""

    released: Count
    by_quarter: Breakdown
    landlord: SideAnswers
    household: SideAnswers
    expired: Count
    withdrawn: Count
    awaiting_answer: Count


class Waiting(BaseModel):
    """Days from registration to contract of the households housed. Median and 90th
    percentile are left out (null) when fewer than five households are behind them."""

    households: Count
    median_days: float | None
    p90_days: float | None


class StaircaseStatistics(BaseModel):
    steps: Breakdown = Field(description="Steps that took effect in the year, by the rung reached")
    transfers_to_own_lease: Count
    ended: Breakdown = Field(description="Tenancies ended in the year, by reason")
    transfer_overdue: Breakdown = Field(
        default_factory=lambda: Breakdown(total=0, parts={}),
        description="Today's lock-in watch: active tenancies past their agreement's latest "
        "month without a transfer or a recorded reason, by landlord id (Nynäshamn: 'en viss "
        "inlåsningsseffekt … incitament för hyresvärderna att fortsätta att ha kontrakt med "
        "kommunen')",
    )


class SettlementStatistics(BaseModel):
    """The Settlement Act's yearly figure (kommuntal) and the newly arrived housed through
    the year's placements."""

    figure: int | None = Field(
        description="The figure the coordinator recorded for the year; null when none is"
    )
    newly_arrived_housed: Count
    fulfilment_percent: float | None = Field(
        description="Housed as a share of the figure; null without a figure or when the "
        "housed count is suppressed (the share would tell it)"
    )


class PreventionStatistics(BaseModel):
    """Eviction prevention in the year (docs/prevention.md): signals received by kind and
    landlord, how many were contacted before their deadline, the outcomes, evictions
    executed and the children they affected, and the days from a signal to first contact."""

    signals: Breakdown = Field(description="Signals received in the year, by kind")
    by_landlord: Breakdown = Field(description="Signals received, by landlord id")
    contacted_within_deadline: Count
    outcomes: Breakdown = Field(description="Cases closed, by outcome")
    evictions: Count
    children_affected: Count = Field(description="Children affected by the evictions")
    median_days_to_contact: float | None = Field(
        description="Median days from a signal to first contact; null below five contacts"
    )


class ReferralStatistics(BaseModel):
    """Households referred within networks of municipalities, counted in the year a referral
    was accepted: given to another member, received from one (docs/referrals.md). The exact
    counts are in the network's ledger, for its members' coordinators only."""

    given: Count
    received: Count


class StatisticsRead(BaseModel):
    municipality: str
    year: int
    suppressed_below: int = Field(description="Counts below this are shown as `<5`")
    placements: PlacementStatistics
    proposals: ProposalStatistics
    waiting: Waiting
    staircase: StaircaseStatistics
    settlement: SettlementStatistics
    prevention: PreventionStatistics
    referrals: ReferralStatistics
