"""Audit log queries; the log is append-only, so there is nothing here that changes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


def list_for_household(
    session: Session, household_id: str, *, after: int | None, limit: int
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
    return list(session.scalars(query))
