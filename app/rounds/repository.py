"""Round rows: scoped reads, the atomic claim, and the partial-unique-index guarded insert."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import COORDINATOR, Principal, municipal_scope
from app.households.models import Household
from app.proposals.models import Proposal
from app.rounds.models import Round
from app.vocabulary import HouseholdStatus, RoundStatus


def get_for(session: Session, principal: Principal, round_id: str) -> Round | None:
    """The round if it belongs to the caller's municipality (coordinators only)."""
    return session.scalar(
        select(Round).where(
            Round.id == round_id, municipal_scope(principal, Round.municipality_code, COORDINATOR)
        )
    )


def active(
    session: Session, municipality: str | None = None, *, dry_run: bool | None = None
) -> list[Round]:
    """Queued and running rounds (of one municipality, or all; real or what-if ones only
    when `dry_run` says which)."""
    query = select(Round).where(Round.status.in_(("queued", "running")))
    if municipality is not None:
        query = query.where(Round.municipality_code == municipality)
    if dry_run is not None:
        query = query.where(Round.dry_run.is_(dry_run))
    return list(session.scalars(query))


def agreed_landlords(session: Session, municipality: str, year: int) -> set[str]:
    """The landlords with an agreement of the municipality for the year."""
    return set(
        session.scalars(
            select(Agreement.landlord_id).where(
                Agreement.municipality_code == municipality, Agreement.year == year
            )
        )
    )


def list_page(
    session: Session, municipality: str, *, after: tuple[datetime, str] | None, limit: int
) -> list[Round]:
    """Newest first; the cursor is the (created_at, id) of the last round seen."""
    query = (
        select(Round)
        .where(Round.municipality_code == municipality)
        .order_by(Round.created_at.desc(), Round.id.desc())
        .limit(limit)
    )
    if after is not None:
        created, round_id = after
        query = query.where(
            or_(Round.created_at < created, (Round.created_at == created) & (Round.id < round_id))
        )
    return list(session.scalars(query))


def proposals_of(session: Session, round_id: str) -> list[Proposal]:
    return list(
        session.scalars(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id))
    )


def requeue(session: Session, round_id: str, note: str) -> bool:
    """running → queued again, after its worker died (it wrote nothing: a re-run is safe);
    `note` says so on the round."""
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == RoundStatus.running)
        .values(status=RoundStatus.queued, started_at=None, error=note)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def running(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).where(Round.status == RoundStatus.running)))


def claim(session: Session, round_id: str, now: datetime) -> bool:
    """queued → running, atomically: of several workers exactly one gets True. An earlier,
    interrupted run's progress goes: this run reports its own."""
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == RoundStatus.queued)
        .values(status=RoundStatus.running, started_at=now, progress=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def store_progress(
    session: Session, round_id: str, *, claimed_at: datetime, progress: dict[str, Any]
) -> bool:
    """The running round's latest progress report, if the run claimed at `claimed_at` still
    holds it (a run taken for dead, or a finished round, is not overwritten)."""
    result = session.execute(
        update(Round)
        .where(
            Round.id == round_id,
            Round.status == RoundStatus.running,
            Round.started_at == claimed_at,
        )
        .values(progress=progress)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_failed(session: Session, round_id: str, error: str, now: datetime) -> bool:
    """A queued or running round → failed with its reason (a finished one stays)."""
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.status.in_(("queued", "running")))
        .values(status=RoundStatus.failed, error=error[:2000], finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def queued_ids(session: Session, *, created_before: datetime | None = None) -> list[str]:
    query = select(Round.id).where(Round.status == RoundStatus.queued).order_by(Round.created_at)
    if created_before is not None:
        query = query.where(Round.created_at < created_before)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a round comparison reads from a case as it is now."""

    case_ref: str | None
    urgency: int
    registered_at: datetime | None


def case_facts(session: Session, household_ids: Collection[str]) -> dict[str, CaseFacts]:
    """The cases behind a round's households; an erased case has no reference and no
    registration time any more."""
    if not household_ids:
        return {}
    rows = session.execute(
        select(
            Household.id,
            Household.case_ref,
            Household.urgency,
            Household.registered_at,
            Household.status,
        ).where(Household.id.in_(list(household_ids)))
    ).all()
    return {
        row.id: CaseFacts(
            case_ref=None if row.status == HouseholdStatus.erased else row.case_ref,
            urgency=row.urgency,
            registered_at=None if row.status == HouseholdStatus.erased else row.registered_at,
        )
        for row in rows
    }
