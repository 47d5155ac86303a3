"""Audit log queries; the log is append-only, so there is nothing here that changes it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.audit.schemas import AuditFilter
from app.auth import Principal, municipal_scope
from app.households.models import Household
from app.prevention.models import PreventionCase


def household_visible(session: Session, principal: Principal, household_id: str) -> bool:
    """Whether the household is one the caller may read (`municipal_scope`, the rule every
    household read follows): the trail of any other is not found. Read from the table, as
    the audit sits below the households domain that writes to it."""
    query = select(Household.id).where(
        Household.id == household_id, municipal_scope(principal, Household.municipality_code)
    )
    return session.scalar(query) is not None


def prevention_case_visible(session: Session, principal: Principal, case_id: str) -> bool:
    """Whether the prevention case is one of the caller's municipality (`municipal_scope`,
    as every case read): the trail of any other is not found."""
    query = select(PreventionCase.id).where(
        PreventionCase.id == case_id,
        municipal_scope(principal, PreventionCase.municipality_code),
    )
    return session.scalar(query) is not None


def conditions(wanted: AuditFilter) -> list[ColumnElement[bool]]:
    """The SQL conditions of a filter, one per field set."""
    out: list[ColumnElement[bool]] = []
    if wanted.household is not None:
        out.append(AuditEvent.household_id == wanted.household)
    if wanted.prevention_case is not None:
        out.append(AuditEvent.household_id == wanted.prevention_case)
    if wanted.actor is not None:
        out.append(AuditEvent.credential_id == wanted.actor)
    if wanted.action is not None:
        out.append(AuditEvent.action == wanted.action)
    if wanted.since is not None:
        out.append(AuditEvent.at >= wanted.since)
    if wanted.until is not None:
        out.append(AuditEvent.at < wanted.until)
    if wanted.person is not None:
        out.append(AuditEvent.person_subject == wanted.person)
    return out


def list_in_municipality(
    session: Session, municipality: str, wanted: AuditFilter, *, after: int | None, limit: int
) -> list[AuditEvent]:
    """One page of the events on the municipality's household records and prevention
    cases that match, oldest first (keyset on the event id). The trail is the
    municipality's by its records: an event on another municipality's case is never in it,
    whoever acted."""
    query = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.household_id.in_(
                    select(Household.id).where(Household.municipality_code == municipality)
                ),
                AuditEvent.household_id.in_(
                    select(PreventionCase.id).where(
                        PreventionCase.municipality_code == municipality
                    )
                ),
            ),
            *conditions(wanted),
        )
        .order_by(AuditEvent.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(AuditEvent.id > after)
    return list(session.scalars(query))
