"""Intermediaries and mandates: who may act for which landlord, where and when.

A mandate is what the landlord gave and the municipality's coordinator records (Västerås:
Bostad Västerås "tecknar avtal och tar in lägenheter i enlighet med respektive
fastighetsägares kvot och också följer upp verksamheten"). What a mandate lets the
intermediary reach is not decided here but by `app.auth.landlord_scope`, from the live
mandates loaded at authentication.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.auth import Principal, Role
from app.core.db import local_today, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.intermediaries import repository
from app.intermediaries.models import Intermediary, Mandate
from app.intermediaries.schemas import (
    IntermediaryCreate,
    IntermediaryRead,
    MandateCreate,
    MandateRead,
)
from app.landlords import repository as landlords
from app.municipalities.models import Municipality


def create_intermediary(session: Session, data: IntermediaryCreate) -> Intermediary:
    """Register an intermediary; one organisation number is one intermediary."""
    if repository.org_number_taken(session, data.org_number):
        raise Conflict(f"An intermediary with org_number {data.org_number} is already registered.")
    intermediary = Intermediary(name=data.name, org_number=data.org_number)
    session.add(intermediary)
    session.flush()
    return intermediary


def get_intermediary(session: Session, principal: Principal, intermediary_id: str) -> Intermediary:
    intermediary = repository.get_intermediary_for(session, principal, intermediary_id)
    if intermediary is None:
        raise NotFound("No such intermediary.")
    return intermediary


def list_intermediaries(
    session: Session, principal: Principal, *, after: str | None, limit: int
) -> list[Intermediary]:
    return repository.intermediaries_page(session, principal, after=after, limit=limit)


def to_intermediary_read(intermediary: Intermediary) -> IntermediaryRead:
    return IntermediaryRead(
        id=intermediary.id,
        name=intermediary.name,
        org_number=intermediary.org_number,
        created_at=intermediary.created_at,
    )


def _municipality_of(session: Session, principal: Principal, named: str | None) -> str:
    """The coordinator's own municipality (another → 404); an admin's named one."""

    if principal.role is Role.coordinator and principal.municipality is not None:
        if named is not None and named != principal.municipality:
            raise NotFound("No such municipality.")
        return principal.municipality
    if named is None:
        raise UnprocessableEntity("municipality: required for an admin")
    if session.get(Municipality, named) is None:
        raise UnprocessableEntity("municipality: not registered in the service")
    return named


def _overlaps(mandate: Mandate, start: date, end: date | None) -> bool:
    before = end is not None and end < mandate.valid_from
    after = mandate.valid_to is not None and mandate.valid_to < start
    return not (before or after)


def create_mandate(session: Session, *, principal: Principal, data: MandateCreate) -> Mandate:
    """Record a landlord's mandate to an intermediary in one municipality. The periods of
    one (intermediary, landlord, municipality) never overlap (`409`), so ending one mandate
    is never undone by another still running."""

    municipality = _municipality_of(session, principal, data.municipality)
    if repository.get(session, data.intermediary) is None:
        raise UnprocessableEntity("intermediary: no such intermediary")
    if landlords.get(session, data.landlord) is None:
        raise UnprocessableEntity("landlord: no such landlord")
    start = data.valid_from or local_today()
    if data.valid_to is not None and data.valid_to < start:
        raise UnprocessableEntity("valid_to: before valid_from")
    for other in repository.unended_of(session, data.intermediary, data.landlord, municipality):
        if _overlaps(other, start, data.valid_to):
            raise Conflict(
                f"The intermediary already holds a mandate of this landlord here ({other.id}) "
                "in that period; end it first."
            )
    mandate = Mandate(
        intermediary_id=data.intermediary,
        landlord_id=data.landlord,
        municipality_code=municipality,
        valid_from=start,
        valid_to=data.valid_to,
        created_by=principal.credential_id,
    )
    session.add(mandate)
    session.flush()
    return mandate


def get_mandate(session: Session, *, principal: Principal, mandate_id: str) -> Mandate:
    mandate = repository.get_mandate_for(session, principal, mandate_id)
    if mandate is None:
        raise NotFound("No such mandate.")
    return mandate


def end_mandate(session: Session, *, principal: Principal, mandate_id: str) -> Mandate:
    """End at once (the intermediary's next request no longer reaches the landlord here);
    ending an ended mandate changes nothing."""
    mandate = repository.get_mandate_for(session, principal, mandate_id, lock=True)
    if mandate is None:
        raise NotFound("No such mandate.")
    if mandate.ended_at is None:
        mandate.ended_at = utcnow()
        mandate.ended_by = principal.credential_id
        session.flush()
    return mandate


def list_mandates(
    session: Session,
    *,
    principal: Principal,
    intermediary_id: str | None,
    landlord_id: str | None,
    live: bool | None,
    after: str | None,
    limit: int,
) -> list[Mandate]:
    """The caller's mandates (`repository._mandate_scope`); with `live` only those in force
    today."""
    return repository.mandates_page(
        session,
        principal,
        intermediary_id=intermediary_id,
        landlord_id=landlord_id,
        live_day=local_today() if live else None,
        after=after,
        limit=limit,
    )


def _is_live(mandate: Mandate, today: date) -> bool:
    return (
        mandate.ended_at is None
        and mandate.valid_from <= today
        and (mandate.valid_to is None or today <= mandate.valid_to)
    )


def to_mandate_reads(session: Session, mandates: list[Mandate]) -> list[MandateRead]:
    """The mandates with the intermediary's and the landlord's names, loaded per page."""
    intermediaries, landlords = repository.names(session, mandates)
    today = local_today()
    return [
        MandateRead(
            id=m.id,
            intermediary=m.intermediary_id,
            intermediary_name=intermediaries.get(m.intermediary_id),
            landlord=m.landlord_id,
            landlord_name=landlords.get(m.landlord_id),
            municipality=m.municipality_code,
            valid_from=m.valid_from,
            valid_to=m.valid_to,
            live=_is_live(m, today),
            created_by=m.created_by,
            created_at=m.created_at,
            ended_at=m.ended_at,
            ended_by=m.ended_by,
        )
        for m in mandates
    ]
