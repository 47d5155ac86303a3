"""A tenancy's journal: the one way an event (step, end, remark, vouching …) is written.

Every action on a tenancy — the staircase's in app/tenancies/service.py and a move chain's
in app/flows/move_chain.py — finds the tenancy and checks the event's day the same way, and
writes the event with its audit entry and its landlord-facing announcement the same way;
this module is that shared part, so neither of its users reaches into the other."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal
from app.core.db import local_date, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.tenancies import repository, staircase
from app.tenancies.events import ANNOUNCED, publish
from app.tenancies.history import happened
from app.tenancies.models import Tenancy, TenancyEvent
from app.vocabulary import AuditAction, EventKind, TenancyStatus


def active_for_event(
    session: Session,
    principal: Principal,
    tenancy_id: str,
    kind: EventKind,
    effective_on: date | None,
    today: date,
    *,
    aftercare: bool = False,
) -> tuple[Tenancy, date]:
    """The caller's tenancy, locked, still active, and the event's day checked against it.
    With `aftercare` a transferred tenancy within its after-care takes the event too (a
    landlord's report, Karlstad: "Under påföljande tolv månaders period bistår kommunen
    bostadsföretaget med råd, stöd")."""
    tenancy = repository.get_for(session, principal, tenancy_id, lock=True)
    if tenancy is None:
        raise NotFound("No such tenancy.")
    cared_for = (
        aftercare
        and tenancy.status == TenancyStatus.transferred
        and tenancy.aftercare_until is not None
        and today <= tenancy.aftercare_until
    )
    if tenancy.status != TenancyStatus.active and not cared_for:
        raise Conflict(
            f"The tenancy is {tenancy.status}"
            + (
                f"; its after-care ended on {tenancy.aftercare_until.isoformat()}."
                if tenancy.aftercare_until is not None
                else "."
            ),
            tenancy_status=tenancy.status,
        )
    on = effective_on or today
    history = happened(repository.events_of(session, {tenancy.id}).get(tenancy.id, []))
    since = staircase.earliest_day(
        kind, start=tenancy.start_date, contracted=local_date(tenancy.created_at), events=history
    )
    refusal = staircase.date_refusal(effective_on=on, since=since, today=today)
    if refusal is not None:
        raise UnprocessableEntity(refusal)
    return tenancy, on


def append_event(
    session: Session,
    principal: Principal,
    tenancy: Tenancy,
    *,
    kind: EventKind,
    on: date,
    purpose: str | None,
    **fields: str | datetime | None,
) -> None:
    """The event and, for the household behind the tenancy, an audit `update` (a step or an
    end changes where and how the household lives; a remark is about it)."""
    session.add(
        TenancyEvent(
            tenancy_id=tenancy.id,
            kind=kind.value,
            effective_on=on,
            role=principal.role.value,
            credential_id=principal.credential_id,
            **fields,
        )
    )
    # An event changes the tenancy's view even when no column of the row changed (a
    # remark within an already restarted trial period): synced lists must see it.
    tenancy.updated_at = utcnow()
    session.flush()
    if tenancy.household_id is not None:
        audit.record(
            session,
            principal,
            AuditAction.update,
            [tenancy.household_id],
            purpose=purpose or f"tenancy {kind.value} {tenancy.id}",
        )
    # A vouching statement is about the household, the municipality's own business: the
    # landlord is not told (nor does its view show it).
    if kind in ANNOUNCED:
        publish(session, tenancy, ANNOUNCED[kind])
