from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import AWAITING_ANSWER, LIVE_PROPOSAL_STATUSES, ProposalStatus

LIVE = "status IN ({})".format(", ".join(f"'{status}'" for status in LIVE_PROPOSAL_STATUSES))


class Proposal(Base):
    """A vacancy or a household is in at most one live proposal: guaranteed by partial
    unique indexes, not only by code, so concurrent rounds or accepts cannot double-book."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index(
            "uq_proposals_live_vacancy",
            "vacancy_id",
            unique=True,
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
        Index(
            "uq_proposals_live_household",
            "household_id",
            unique=True,
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
        # The list's (updated_at, id) order within each scope (app/core/pagination.py).
        Index("ix_proposals_landlord_id_updated_at_id", "landlord_id", "updated_at", "id"),
        Index(
            "ix_proposals_municipality_code_updated_at_id",
            "municipality_code",
            "updated_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    round_id: Mapped[str | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    landlord_id: Mapped[str] = mapped_column(ForeignKey("landlords.id"), index=True)
    vacancy_id: Mapped[str] = mapped_column(ForeignKey("vacancies.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    contract_form: Mapped[str] = mapped_column(String(30))
    exception: Mapped[bool] = mapped_column(default=False)
    score: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.proposed, index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    decline_comment: Mapped[str | None] = mapped_column(String(2000), default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    landlord_answered_by: Mapped[str | None] = mapped_column(String(40), default=None)
    """The client_id that gave the landlord's answer (accept or decline)."""
    landlord_answered_via: Mapped[str | None] = mapped_column(String(36), default=None)
    """The intermediary that gave it under the landlord's mandate; none: the landlord."""
    landlord_answered_person: Mapped[str | None] = mapped_column(String(255), default=None)
    """The person who signed in and gave it (their identity provider's `sub`), if one did."""
    landlord_answered_person_name: Mapped[str | None] = mapped_column(String(200), default=None)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def is_overdue(self, now: datetime) -> bool:
        """Awaiting an answer whose deadline passed: `expired` from that moment on, whether
        or not the sweep has written it yet (docs/proposals.md, "Deadlines and expiry")."""
        return (
            self.status in AWAITING_ANSWER
            and self.deadline_at is not None
            and self.deadline_at < now
        )

    def status_at(self, now: datetime) -> str:
        """The status every read shows at `now`: the one the sweep will write, without
        writing it (a GET changes nothing but the audit trail)."""
        return ProposalStatus.expired if self.is_overdue(now) else self.status


def overdue_at(now: datetime) -> ColumnElement[bool]:
    """`Proposal.is_overdue` as SQL, for the sweep's search and the reads' status filter."""
    return (
        Proposal.status.in_(AWAITING_ANSWER)
        & Proposal.deadline_at.is_not(None)
        & (Proposal.deadline_at < now)
    )


def live_at(now: datetime) -> ColumnElement[bool]:
    """SQL: the proposal still holds its vacancy and household at `now` — live, and not
    past the deadline of an awaited answer (that one is expired, written or not)."""
    return Proposal.status.in_(LIVE_PROPOSAL_STATUSES) & ~overdue_at(now)


def status_at_is(status: str, now: datetime) -> ColumnElement[bool]:
    """SQL: the proposal reads as `status` at `now` (`Proposal.status_at`), so a list
    filtered by status agrees with the statuses it shows."""
    if status == ProposalStatus.expired:
        return (Proposal.status == ProposalStatus.expired) | overdue_at(now)
    if status in AWAITING_ANSWER:
        return (Proposal.status == status) & ~overdue_at(now)
    return Proposal.status == status


class ForbiddenPair(Base):
    """A pair that must never be proposed again: declined, expired, or forbidden by the
    coordinator (docs/domain.md §4 rule 6)."""

    __tablename__ = "forbidden_pairs"
    __table_args__ = (UniqueConstraint("household_id", "vacancy_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    vacancy_id: Mapped[str] = mapped_column(ForeignKey("vacancies.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pin(Base):
    """The coordinator's decision that this household must get this vacancy next round."""

    __tablename__ = "pins"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), unique=True)
    vacancy_id: Mapped[str] = mapped_column(ForeignKey("vacancies.id"), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
