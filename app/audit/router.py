"""HTTP for the audit log: a coordinator (or the data-protection officer with the
coordinator's credential) sees who read or changed which household record, and when."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.audit import service, views
from app.audit.schemas import AuditFilter, AuditPage
from app.auth import Principal, Role, require
from app.core.csv_export import CSV_RESPONSE, CsvWanted, csv_response
from app.core.db import SessionDep
from app.core.pagination import IsoDateTime, PageDep, next_cursor
from app.core.problems import AUTHENTICATED, problems
from app.core.types import UUIDStr
from app.vocabulary import AuditAction

router = APIRouter(tags=["audit"])


async def audit_filter(
    household: Annotated[UUIDStr | None, Query(description="Only this household's")] = None,
    prevention_case: Annotated[
        UUIDStr | None,
        Query(description="Only this eviction-prevention case's (docs/prevention.md)"),
    ] = None,
    actor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=40,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Only what this credential (`client_id`) did",
        ),
    ] = None,
    action: Annotated[AuditAction | None, Query(description="Only this action")] = None,
    since: Annotated[
        IsoDateTime | None, Query(description="From this moment (inclusive), with its zone")
    ] = None,
    until: Annotated[
        IsoDateTime | None, Query(description="Up to this moment (exclusive), with its zone")
    ] = None,
    person: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=255,
            description="Only this person's events: the `sub` their identity provider gave",
        ),
    ] = None,
) -> AuditFilter:
    """The query's filters, gathered once: a new filter is a parameter here and a field of
    `AuditFilter`."""
    return AuditFilter(
        household=household,
        prevention_case=prevention_case,
        actor=actor,
        action=action.value if action else None,
        since=since,
        until=until,
        person=person,
    )


@router.get(
    "/v1/audit",
    response_model=AuditPage,
    summary="Who read or changed which household record, when and why",
    description="The trail of the caller's municipality's household records and "
    "eviction-prevention cases (the record's id in `household`), filtered by household, "
    "prevention case, actor (the credential's `client_id`), person (the `sub` of a person signed "
    "in through an identity provider), action and time (`since`, `until`: "
    "with a zone, e.g. `2026-12-06T00:00:00+01:00`), oldest first. `Accept: text/csv` "
    "answers the page as CSV.",
    responses={**problems(*AUTHENTICATED, 404), **CSV_RESPONSE},
)
def list_audit_events(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    wanted: Annotated[AuditFilter, Depends(audit_filter)],
    page: PageDep,
    csv: CsvWanted,
) -> AuditPage | Response:
    """Events name the credential, role, action and purpose — never the record's
    contents."""
    events = service.list_events(session, principal=principal, wanted=wanted, page=page)
    result = AuditPage(
        items=[views.to_read(principal, event) for event in events],
        next_cursor=next_cursor([str(event.id) for event in events], page.limit),
    )
    return csv_response(result.items, result.next_cursor) if csv else result
