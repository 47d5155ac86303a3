from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

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
