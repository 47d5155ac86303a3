"""Intermediary and mandate queries, through the caller's scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, exists, select, true
from sqlalchemy.orm import Session

from app.auth import COORDINATOR, Principal, Role, municipal_scope
from app.intermediaries.models import Intermediary, Mandate, live_on
from app.landlords.models import Landlord


def org_number_taken(session: Session, org_number: str) -> bool:
    return session.scalar(select(exists().where(Intermediary.org_number == org_number))) or False


def get(session: Session, intermediary_id: str) -> Intermediary | None:
    """Unscoped: only for services that check existence on the caller's behalf."""
    return session.get(Intermediary, intermediary_id)


def _visible_intermediaries(principal: Principal) -> Select[Intermediary]:
    """Admins all; an intermediary itself; a coordinator those with a mandate (any period)
    in its municipality; a landlord those it gave a mandate."""
    query = select(Intermediary)
    if principal.role is Role.admin:
        return query
    if principal.role is Role.intermediary and principal.intermediary_id is not None:
        return query.where(Intermediary.id == principal.intermediary_id)
    mandates = _mandate_scope(principal)
    return query.where(exists().where(Mandate.intermediary_id == Intermediary.id, mandates))


def get_intermediary_for(
    session: Session, principal: Principal, intermediary_id: str
) -> Intermediary | None:
    query = _visible_intermediaries(principal)
    return session.scalar(query.where(Intermediary.id == intermediary_id))


def intermediaries_page(
    session: Session, principal: Principal, *, after: str | None, limit: int
) -> list[Intermediary]:
    query = _visible_intermediaries(principal).order_by(Intermediary.id).limit(limit)
    if after is not None:
        query = query.where(Intermediary.id > after)
    return list(session.scalars(query))


def _mandate_scope(principal: Principal) -> ColumnElement[bool]:
    """Mandates the caller may see: admins all, an intermediary its own, a landlord those
    it gave (any period: the history is theirs), a coordinator its municipality's
    (`municipal_scope`)."""
    if principal.role is Role.admin:
        return true()
    if principal.role is Role.intermediary and principal.intermediary_id is not None:
        return Mandate.intermediary_id == principal.intermediary_id
    if principal.role is Role.landlord and principal.landlord_id is not None:
        return Mandate.landlord_id == principal.landlord_id
    return municipal_scope(principal, Mandate.municipality_code, COORDINATOR)


def get_mandate_for(
    session: Session, principal: Principal, mandate_id: str, *, lock: bool = False
) -> Mandate | None:
    """The mandate if the caller may see it, else None (→ 404)."""
    query = select(Mandate).where(Mandate.id == mandate_id, _mandate_scope(principal))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def mandates_page(
    session: Session,
    principal: Principal,
    *,
    intermediary_id: str | None,
    landlord_id: str | None,
    live_day: date | None,
    after: str | None,
    limit: int,
) -> list[Mandate]:
    query = select(Mandate).where(_mandate_scope(principal)).order_by(Mandate.id).limit(limit)
    if intermediary_id is not None:
        query = query.where(Mandate.intermediary_id == intermediary_id)
    if landlord_id is not None:
        query = query.where(Mandate.landlord_id == landlord_id)
    if live_day is not None:
        query = query.where(live_on(live_day))
    if after is not None:
        query = query.where(Mandate.id > after)
    return list(session.scalars(query))


def unended_of(
    session: Session, intermediary_id: str, landlord_id: str, municipality: str
) -> list[Mandate]:
    """The same triple's mandates not ended (their periods must not overlap a new one)."""
    return list(
        session.scalars(
            select(Mandate).where(
                Mandate.intermediary_id == intermediary_id,
                Mandate.landlord_id == landlord_id,
                Mandate.municipality_code == municipality,
                Mandate.ended_at.is_(None),
            )
        )
    )


def names(session: Session, mandates: list[Mandate]) -> tuple[dict[str, str], dict[str, str]]:
    """(intermediary names, landlord names) for a page of mandates, in two queries."""
    intermediary_ids = {m.intermediary_id for m in mandates}
    landlord_ids = {m.landlord_id for m in mandates}
    intermediaries: dict[str, str] = {}
    landlords: dict[str, str] = {}
    if intermediary_ids:
        intermediaries = {
            row.id: row.name
            for row in session.execute(
                select(Intermediary.id, Intermediary.name).where(
                    Intermediary.id.in_(intermediary_ids)
                )
            )
        }
    if landlord_ids:
        landlords = {
            row.id: row.name
            for row in session.execute(
                select(Landlord.id, Landlord.name).where(Landlord.id.in_(landlord_ids))
            )
        }
    return intermediaries, landlords
