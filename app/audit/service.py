"""Recording audit events in the caller's transaction, so no change goes unlogged, and
reading them back for the municipality's coordinator."""

from __future__ import annotations

import structlog
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.models import AuditEvent
from app.audit.schemas import AuditFilter
from app.auth import COORDINATOR, Principal, own_municipality
from app.core.db import utcnow
from app.core.errors import NotFound, UnprocessableEntity
from app.core.pagination import Page

_MAX_EVENT_ID = 2**63 - 1


def record(
    session: Session,
    principal: Principal,
    action: str,
    household_ids: list[str],
    *,
    purpose: str | None = None,
    on_behalf_of: str | None = None,
) -> None:
    """One event per household touched, in ONE multi-row INSERT, committed or rolled back
    with the request. Only ids, the caller and the purpose: never the record's values, so an
    erased case's trail stays (docs/privacy.md). The organisation is the caller's own; an
    intermediary names the landlord it acted for in `on_behalf_of`."""
    if not household_ids:
        return
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    at = utcnow()
    person = principal.person
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": at,
                "credential_id": principal.credential_id,
                "role": principal.role.value,
                "organisation": principal.organisation,
                "on_behalf_of": on_behalf_of,
                "person_subject": None if person is None else person.subject,
                "person_name": None if person is None else person.name,
                "action": str(action),
                "household_id": household_id,
                "purpose": purpose,
                "request_id": request_id,
            }
            for household_id in household_ids
        ],
    )


SYSTEM_ROLE = "system"
"""The role named in events the service writes on its own (automatic erasure)."""


def record_system(
    session: Session, actor: str, action: str, household_ids: list[str], *, purpose: str
) -> None:
    """Events of the service's own doing (a retention job), with no caller: the `actor`
    stands in the credential column, `system` in the role."""
    if not household_ids:
        return
    at = utcnow()
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": at,
                "credential_id": actor,
                "role": SYSTEM_ROLE,
                "organisation": None,
                "on_behalf_of": None,
                "action": str(action),
                "household_id": household_id,
                "purpose": purpose,
                "request_id": None,
            }
            for household_id in household_ids
        ],
    )


def _event_cursor(after: str | None) -> int | None:
    """Audit cursors name the last event id seen; anything else is not ours."""
    if after is None:
        return None
    if not after.isdigit() or int(after) > _MAX_EVENT_ID:
        raise UnprocessableEntity("cursor: not a cursor this service issued")
    return int(after)


def list_events(
    session: Session, *, principal: Principal, wanted: AuditFilter, page: Page
) -> list[AuditEvent]:
    """The audit trail of the coordinator's municipality, filtered: one household's or one
    prevention case's (another municipality's is 404, as everywhere), or who did what when
    across its cases — the data-protection officer's question "who read what today"."""
    if wanted.since is not None and wanted.until is not None and wanted.since >= wanted.until:
        raise UnprocessableEntity("until: must be after since")
    if wanted.household is not None and wanted.prevention_case is not None:
        raise UnprocessableEntity("household, prevention_case: one record at a time")
    if wanted.household is not None and not repository.household_visible(
        session, principal, wanted.household
    ):
        raise NotFound("No such household.")
    if wanted.prevention_case is not None and not repository.prevention_case_visible(
        session, principal, wanted.prevention_case
    ):
        raise NotFound("No such prevention case.")
    return repository.list_in_municipality(
        session,
        own_municipality(principal, roles=COORDINATOR),
        wanted,
        after=_event_cursor(page.after),
        limit=page.limit,
    )
