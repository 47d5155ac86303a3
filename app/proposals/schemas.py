"""Proposal representations per audience, and the bodies of the workflow operations.

A landlord and a municipality never share a response schema: `ProposalLandlordView` lists
only what docs/domain.md §6 lets a landlord see, so over-exposure is impossible by construction
(tests/test_proposals.py walks its JSON schema). `ProposalRead` is the municipality's view.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.types import LongText, UUIDStr
from app.intermediaries.schemas import ActedBy
from app.vocabulary import ContractForm, DeclineReason, ForbiddenReason, ProposalStatus


class DeclineBody(BaseModel):
    """A coded reason (statistics and later rounds use it) and an optional free comment."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "unit_unavailable", "comment": "Water damage found."}]
        },
    )

    reason: DeclineReason = Field(
        description="Landlord: economic_requirements, references, household_size, "
        "unit_unavailable, other. Household side: location, size, rent, accessibility, "
        "declined_offer, other."
    )
    comment: LongText | None = Field(default=None, description="At most 2000 characters")


class PairBody(BaseModel):
    """A (household, vacancy) pair of the coordinator's municipality."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household": "7d7c4c36-1f5e-4b7e-9a57-6f0f1f0e2a11",
                    "vacancy": "0b9f7f0e-6b5c-4d8e-8a43-2e1f3c4d5e6f",
                }
            ]
        },
    )

    household: UUIDStr
    vacancy: UUIDStr


class Decline(BaseModel):
    """The landlord's own decline, as the landlord sees it."""

    reason: str
    comment: str | None


class ProposalLandlordView(BaseModel):
    """What a landlord sees of a proposal for its own vacancy (docs/domain.md §6): the
    household's size, whether a municipal guarantee and a support plan exist, and nothing
    else about it — no household id, target groups, income, areas, case reference, score,
    protected identity, nor the exception flag (it would tell the landlord that the
    household fails its economic requirements; docs/proposals.md)."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["landlord"] = "landlord"
    id: str
    status: ProposalStatus
    vacancy: str = Field(description="The vacancy's id")
    external_ref: str = Field(description="The landlord's own reference for the vacancy")
    contract_form: ContractForm
    household_size: int = Field(description="Adults and children")
    rooms: int
    municipal_guarantee: bool
    support_plan: bool
    move_in_date: date | None
    deadline_at: datetime | None = Field(description="Answer before this, or it expires")
    decline: Decline | None = Field(description="The landlord's own decline, if it declined")
    landlord_answer_by: ActedBy | None = Field(
        description="Who gave the landlord's answer: the landlord, or an intermediary under "
        "its mandate"
    )


class ProposedFlat(BaseModel):
    """The flat itself, as social services read it to the household before it answers:
    what it costs, where it is, how one gets in."""

    rent: int = Field(description="SEK per month")
    address: str | None
    postal_code: str | None
    area_name: str | None = Field(description="The area's name")
    rooms: int
    living_area: int | None = Field(description="Square metres")
    floor: int | None = Field(description="0 is the ground floor")
    elevator: bool = Field(description="The building has a lift")
    wheelchair: bool = Field(description="Accessible by wheelchair")
    move_in_date: date | None


class ProposalRead(BaseModel):
    """The municipality's view (coordinator, social services): everything the workflow
    knows, including the household, the score and whether an exception place is used."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["municipality"] = "municipality"
    id: str
    round: str | None
    municipality: str
    landlord: str
    landlord_name: str | None = Field(description="The landlord's name")
    vacancy: str
    external_ref: str = Field(description="The landlord's own reference for the vacancy")
    area: str = Field(description="The vacancy's area id")
    area_name: str | None = Field(description="The area's name")
    household: str
    case_ref: str | None = Field(description="Social services' case reference")
    contract_form: ContractForm
    exception: bool = Field(description="Uses one of the landlord's exception places")
    score: dict[str, Any] = Field(
        description="Why the round chose this pair: `weight` is the household's priority under "
        "the municipality's policy (urgency, target groups, months waiting; the round "
        "maximises the sum of the weights housed), `preferred_area` whether the flat is in an "
        "area the household prefers, `spare_rooms` the rooms beyond the household's minimum "
        "(fewer is a tighter fit)"
    )
    status: ProposalStatus
    flat: ProposedFlat | None = Field(
        default=None,
        description="The proposed flat in full once the proposal is released (null before): "
        "rent, address, postal code, floor, lift, living area and move-in date",
    )
    decline_reason: str | None
    decline_comment: str | None
    household_size: int
    rooms: int
    municipal_guarantee: bool
    support_plan: bool
    move_in_date: date | None
    deadline_at: datetime | None
    released_at: datetime | None
    answered_at: datetime | None
    landlord_answer_by: ActedBy | None = Field(
        description="Who gave the landlord's answer: the landlord, or an intermediary under "
        "its mandate"
    )
    tenancy: str | None = Field(description="The tenancy a contracted proposal became")
    version: int
    created_at: datetime
    updated_at: datetime


class ProposalRestricted(BaseModel):
    """What social services see of a proposal for a protected-identity household (docs/domain.md
    §6: its records are readable by coordinators only): that the proposal exists, its state
    and deadline — nothing that tells where the household may live (no vacancy, landlord,
    reference, rooms, score or move-in date). The coordinator sees the full view."""

    model_config = ConfigDict(extra="forbid")

    view: Literal["restricted"] = "restricted"
    id: str
    household: str
    status: ProposalStatus
    deadline_at: datetime | None
    protected_identity: Literal[True] = True


ProposalView = Annotated[
    ProposalRead | ProposalLandlordView | ProposalRestricted, Field(discriminator="view")
]


class ProposalPage(BaseModel):
    items: list[ProposalView]
    next_cursor: str | None


class PairNames(BaseModel):
    """What names a pin's or a forbidden pair's two sides to the coordinator beside the
    ids (as the proposal view does): the case reference, the landlord's own reference and
    name, and the area's name. `case_ref` is null once the case is erased."""

    case_ref: str | None = Field(description="Social services' case reference")
    external_ref: str | None = Field(description="The landlord's own reference for the vacancy")
    landlord: str | None = Field(description="The vacancy's landlord's id")
    landlord_name: str | None = Field(description="The landlord's name")
    area_name: str | None = Field(description="The vacancy's area's name")


class PinRead(PairNames):
    id: str
    municipality: str
    household: str
    vacancy: str
    created_by: str | None
    created_at: datetime


class PinPage(BaseModel):
    items: list[PinRead]
    next_cursor: str | None


class ForbiddenPairRead(PairNames):
    id: str
    municipality: str
    household: str
    vacancy: str
    reason: ForbiddenReason
    created_by: str | None
    created_at: datetime


class ForbiddenPairPage(BaseModel):
    items: list[ForbiddenPairRead]
    next_cursor: str | None
