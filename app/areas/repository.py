from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.areas.models import Area


def get(session: Session, municipality: str, code: str) -> Area | None:
    return session.scalar(
        select(Area).where(Area.municipality_code == municipality, Area.code == code)
    )


def list_for_municipality(session: Session, municipality: str) -> list[Area]:
    return list(
        session.scalars(
            select(Area).where(Area.municipality_code == municipality).order_by(Area.code)
        )
    )


def missing_codes(session: Session, municipality: str, codes: Collection[str]) -> list[str]:
    """Those of `codes` that are not areas of the municipality, sorted."""
    if not codes:
        return []
    found = set(
        session.scalars(
            select(Area.code).where(Area.municipality_code == municipality, Area.code.in_(codes))
        )
    )
    return sorted(set(codes) - found)


def has_agreement(session: Session, municipality: str, landlord_id: str) -> bool:
    """Whether the landlord has an agreement with the municipality for any year: a
    landlord sees the areas of the municipalities it has one with."""
    return (
        session.scalar(
            select(Agreement.id)
            .where(
                Agreement.municipality_code == municipality, Agreement.landlord_id == landlord_id
            )
            .limit(1)
        )
        is not None
    )
