"""Recording audit events in the caller's transaction, so no change goes unlogged."""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth import Principal


def record(
    session: Session,
    principal: Principal,
    action: str,
    household_ids: list[str],
    *,
    purpose: str | None = None,
) -> None:
    """One event per household touched; committed or rolled back with the request."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    session.add_all(
        AuditEvent(
            credential_id=principal.credential_id,
            role=principal.role.value,
            organisation=principal.organisation,
            action=action,
            household_id=household_id,
            purpose=purpose,
            request_id=request_id,
        )
        for household_id in household_ids
    )
