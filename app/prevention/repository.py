"""Prevention queries, always through the caller's scope: the landlord side reaches its own
signals (`landlord_scope`), the municipal side its municipality's cases
(`municipal_scope`); anything else is not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.auth import Principal, landlord_scope, municipal_scope
from app.landlords.models import Landlord
from app.prevention.models import PreventionAction, PreventionCase, PreventionPolicy

WORKLIST_LIMIT = 200


def signal_for(session: Session, principal: Principal, signal_id: str) -> PreventionCase | None:
    """A signal the landlord side sent (a landlord's own, an intermediary's mandated ones)."""
    return session.scalar(
        select(PreventionCase).where(
            PreventionCase.id == signal_id,
            landlord_scope(principal, PreventionCase.landlord_id, PreventionCase.municipality_code),
        )
    )


def signals_for(session: Session, principal: Principal) -> list[PreventionCase]:
    return list(
        session.scalars(
            select(PreventionCase)
            .where(
                landlord_scope(
                    principal, PreventionCase.landlord_id, PreventionCase.municipality_code
                )
            )
            .order_by(PreventionCase.received_at.desc(), PreventionCase.id)
            .limit(WORKLIST_LIMIT)
        )
    )


def case_for(
    session: Session, principal: Principal, case_id: str, *, lock: bool = False
) -> PreventionCase | None:
    """A case of the caller's municipality (social services and coordinators)."""
    query = select(PreventionCase).where(
        PreventionCase.id == case_id,
        municipal_scope(principal, PreventionCase.municipality_code),
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def worklist(
    session: Session,
    municipality: str,
    *,
    open_only: bool,
    due_before: datetime | None,
    overdue_at: datetime | None,
    priority: int | None,
) -> list[PreventionCase]:
    """The municipality's cases, first by priority rank, then by deadline."""
    query = (
        select(PreventionCase)
        .where(PreventionCase.municipality_code == municipality)
        .order_by(PreventionCase.priority, PreventionCase.due_at, PreventionCase.id)
        .limit(WORKLIST_LIMIT)
    )
    if open_only:
        query = query.where(PreventionCase.closed_at.is_(None))
    if due_before is not None:
        query = query.where(PreventionCase.due_at < due_before)
    if overdue_at is not None:
        # Overdue: the deadline passed and nobody reached the tenant.
        query = query.where(
            PreventionCase.due_at < overdue_at,
            PreventionCase.contacted_at.is_(None),
            PreventionCase.closed_at.is_(None),
        )
    if priority is not None:
        query = query.where(PreventionCase.priority <= priority)
    return list(session.scalars(query))


def actions_of(session: Session, case_id: str) -> list[PreventionAction]:
    return list(
        session.scalars(
            select(PreventionAction)
            .where(PreventionAction.case_id == case_id)
            .order_by(PreventionAction.done_on, PreventionAction.recorded_at, PreventionAction.id)
        )
    )


def current_policy(session: Session, municipality: str) -> PreventionPolicy | None:
    return session.scalar(
        select(PreventionPolicy)
        .where(PreventionPolicy.municipality_code == municipality)
        .order_by(PreventionPolicy.version.desc())
        .limit(1)
    )


def policy_version(session: Session, municipality: str, version: int) -> PreventionPolicy | None:
    return session.scalar(
        select(PreventionPolicy).where(
            PreventionPolicy.municipality_code == municipality,
            PreventionPolicy.version == version,
        )
    )


def due_between(session: Session, start: datetime, end: datetime) -> list[PreventionCase]:
    """Open, uncontacted cases of every municipality whose deadline falls in [start, end)."""
    return list(
        session.scalars(
            select(PreventionCase)
            .where(
                PreventionCase.due_at >= start,
                PreventionCase.due_at < end,
                PreventionCase.contacted_at.is_(None),
                PreventionCase.closed_at.is_(None),
            )
            .order_by(PreventionCase.due_at, PreventionCase.id)
        )
    )


def overdue(session: Session, now: datetime) -> list[PreventionCase]:
    """Open, uncontacted cases of every municipality past their deadline."""
    return list(
        session.scalars(
            select(PreventionCase)
            .where(
                PreventionCase.due_at < now,
                PreventionCase.contacted_at.is_(None),
                PreventionCase.closed_at.is_(None),
            )
            .order_by(PreventionCase.due_at, PreventionCase.id)
        )
    )


def expired(session: Session, closed_before: datetime) -> list[PreventionCase]:
    """Closed cases past retention whose identity is still held."""
    return list(
        session.scalars(
            select(PreventionCase).where(
                PreventionCase.closed_at < closed_before, PreventionCase.erased_at.is_(None)
            )
        )
    )


@dataclass(frozen=True, slots=True)
class CaseFact:
    """What the statistics count of a case: no identity, so erasure leaves it whole."""

    landlord_id: str
    kind: str
    received_at: datetime
    due_at: datetime
    contacted_at: datetime | None
    outcome: str | None
    children_affected: int | None
    status: str


def facts(session: Session, municipality: str, start: datetime, end: datetime) -> list[CaseFact]:
    """The cases received in [start, end) in the municipality."""
    rows = session.execute(
        select(
            PreventionCase.landlord_id,
            PreventionCase.kind,
            PreventionCase.received_at,
            PreventionCase.due_at,
            PreventionCase.contacted_at,
            PreventionCase.outcome,
            PreventionCase.children_affected,
            PreventionCase.status,
        ).where(
            PreventionCase.municipality_code == municipality,
            PreventionCase.received_at >= start,
            PreventionCase.received_at < end,
        )
    )
    return [CaseFact(*row) for row in rows]


def agreement_response_hours(
    session: Session, municipality: str, landlord_id: str, year: int
) -> tuple[bool, int | None]:
    """Whether the landlord has an agreement with the municipality this year, and the
    `response_hours` it sets (an early warning's deadline)."""
    row = session.execute(
        select(Agreement.response_hours).where(
            Agreement.municipality_code == municipality,
            Agreement.landlord_id == landlord_id,
            Agreement.year == year,
        )
    ).first()
    return (row is not None, None if row is None else row[0])


def landlord_names(session: Session, ids: list[str]) -> dict[str, str]:
    rows = session.execute(select(Landlord.id, Landlord.name).where(Landlord.id.in_(ids)))
    return {str(row[0]): str(row[1]) for row in rows}


def sealed_cases_for_update(session: Session) -> list[PreventionCase]:
    """Every case that still holds a sealed identity, locked: what a key rotation reseals."""
    return list(
        session.scalars(
            select(PreventionCase)
            .where(PreventionCase.tenant_sealed.is_not(None))
            .order_by(PreventionCase.id)
            .with_for_update()
        )
    )
