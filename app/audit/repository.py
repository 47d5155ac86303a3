"""Audit log queries; the log is append-only, so there is nothing here that changes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth import Principal, municipal_scope
from app.households.models import Household


def household_visible(session: Session, principal: Principal, household_id: str) -> bool:
    """Whether the household is one the caller may read (`municipal_scope`, the rule every
    household read follows): the trail of any other is not found. Read from the table, as
    the audit sits below the households domain that writes to it."""
    query = select(Household.id).where(
        Household.id == household_id, municipal_scope(principal, Household.municipality_code)
    )
    return session.scalar(query) is not None


def list_for_household(
    session: Session,
    household_id: str,
    *,
    after: int | None,
    limit: int,
    person: str | None = None,
) -> list[AuditEvent]:
    """One page of a household's events, oldest first (keyset on the event id)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.household_id == household_id)
        .order_by(AuditEvent.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(AuditEvent.id > after)
    if person is not None:
        query = query.where(AuditEvent.person_subject == person)
    return list(session.scalars(query))
