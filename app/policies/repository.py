"""Policy rows: a version per change, the newest is in force."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.policies.models import Policy


def current(session: Session, municipality: str) -> Policy | None:
    """The newest version, or None when the municipality never stored a policy."""
    return session.scalar(
        select(Policy)
        .where(Policy.municipality_code == municipality)
        .order_by(Policy.version.desc())
        .limit(1)
    )


def by_version(session: Session, municipality: str, version: int) -> Policy | None:
    return session.scalar(
        select(Policy).where(Policy.municipality_code == municipality, Policy.version == version)
    )
