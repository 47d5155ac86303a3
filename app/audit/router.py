"""HTTP for the audit log: a coordinator sees who read or changed a household record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.audit import service, views
from app.audit.schemas import AuditPage
from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.pagination import PageDep, next_cursor
from app.core.problems import AUTHENTICATED, problems
from app.core.types import UUIDStr

router = APIRouter(tags=["audit"])


@router.get(
    "/v1/audit",
    response_model=AuditPage,
    summary="Who read or changed a household record, when and why",
    responses=problems(*AUTHENTICATED, 404),
)
def list_audit_events(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    household: Annotated[UUIDStr, Query(description="The household's id")],
    page: PageDep,
    person: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=255,
            description="Only this person's events: the `sub` their identity provider gave",
        ),
    ] = None,
) -> AuditPage:
    """Oldest first. Events name the credential, role, action and purpose — never the
    record's contents."""
    events = service.list_events(
        session, principal=principal, household_id=household, page=page, person=person
    )
    return AuditPage(
        items=[views.to_read(event) for event in events],
        next_cursor=next_cursor([str(event.id) for event in events], page.limit),
    )
