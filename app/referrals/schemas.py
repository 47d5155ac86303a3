"""Networks, referrals and the reciprocal ledger, per audience: the referral's `case` holds
only what the receiving side needs to match (docs/referrals.md)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.types import Count, Flag, MunicipalityCode, ShortText, UUIDStr
from app.vocabulary import (
    ContractForm,
    ReferralDeclineReason,
    ReferralSide,
    ReferralStatus,
    TargetGroup,
)


class NetworkCreate(BaseModel):
    """A network of municipalities (Södertälje: Kompotten), made by an admin."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Kompotten", "answer_hours": 72, "reciprocal": True}]
        },
    )

    name: ShortText
    answer_hours: int = Field(default=72, ge=1, le=24 * 30, description="Time to answer")
    reciprocal: Flag = Field(
        default=False, description="Each member houses as many as it sends over a year"
    )


class MembershipPut(BaseModel):
    """A municipality's membership of the network for a period (`valid_to` inclusive)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"valid_from": "2026-01-01"}]}
    )

    valid_from: date | None = Field(default=None, description="Today when left out")
    valid_to: date | None = Field(default=None, description="None: until further notice")


class MemberRead(BaseModel):
    municipality: str
    valid_from: date
    valid_to: date | None


class NetworkRead(BaseModel):
    id: str
    name: str
    answer_hours: int
    reciprocal: bool
    members: list[MemberRead]
    created_at: datetime


class NetworkPage(BaseModel):
    items: list[NetworkRead]
    next_cursor: str | None


class ReferralCreate(BaseModel):
    """The sending coordinator refers one of its open cases (violence-exposed or with
    protected identity) to a member of a shared network, or offers it to the whole network
    (`to_municipality` left out)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "household": "6d1f0a3c-2b4e-4f5a-8c7d-9e0f1a2b3c4d",
                    "network": "0b6f5a0e-2d7c-4c1e-9f43-8a2b1d6e5c70",
                    "to_municipality": "0680",
                }
            ]
        },
    )

    household: UUIDStr
    network: UUIDStr
    to_municipality: MunicipalityCode | None = Field(
        default=None, description="None: offered to every member of the network"
    )
    receiver_visible: Flag = Field(
        default=False,
        description="The sending social services chose to let the sending side see the "
        "receiving municipality before the household is housed (a protected identity "
        "hides it otherwise)",
    )


class Disclosure(BaseModel):
    """The sending social services' choice: may the sending side see the receiving
    municipality of a protected-identity household before it is housed?"""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"receiver_visible": True}]}
    )

    receiver_visible: Flag


class ReferralDecline(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "no_capacity"}]}
    )

    reason: ReferralDeclineReason


class ReferralAnswer(BaseModel):
    """Accepting or withdrawing takes no parameters: `{}` or no body."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class ReferredCase(BaseModel):
    """What the receiving side needs to match the household: needs, economy and contract
    forms — never the sending municipality's areas or its case reference."""

    adults: int
    children: int
    target_groups: list[TargetGroup]
    income_total: int
    rooms_min: int
    rooms_max: int
    max_rent: int
    needs_elevator: bool
    needs_ground_floor: bool
    needs_wheelchair: bool
    municipal_guarantee: bool
    support_plan: bool
    contract_forms: list[ContractForm]
    urgency: int


class ReferralRead(BaseModel):
    """A referral as one side reads it. `from_municipality` and `to_municipality` read
    `network` where that side may not learn the other (a protected identity: the receiver
    never learns the origin; the sender learns the receiver once the household is housed,
    or when its social services chose so)."""

    id: str
    network: str
    network_name: str
    side: ReferralSide = Field(description="Which side of the referral the caller is on")
    status: ReferralStatus
    from_municipality: str
    to_municipality: str | None = Field(description="None: offered to the whole network")
    household: str | None = Field(description="The sending case (the sending side only)")
    received_household: str | None = Field(description="The receiving case, once accepted")
    received_status: str | None = Field(description="The receiving case's status")
    case: ReferredCase | None = Field(description="The needs, while it is the receiver's")
    decline_reason: ReferralDeclineReason | None
    receiver_visible: bool
    answer_due_at: datetime
    answered_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ReferralPage(BaseModel):
    items: list[ReferralRead]
    next_cursor: str | None


class LedgerMember(BaseModel):
    municipality: str
    given: Count = Field(description="Households it referred that another member accepted")
    received: Count = Field(description="Referred households it accepted")
    balance: int = Field(description="received − given")


class LedgerPair(BaseModel):
    from_municipality: str
    to_municipality: str
    count: Count


class Ledger(BaseModel):
    """The network's exchange in one year, counted when a referral is accepted: exact, for
    its member coordinators only (published statistics suppress small counts)."""

    network: str
    year: int
    reciprocal: bool
    members: list[LedgerMember]
    pairs: list[LedgerPair]
