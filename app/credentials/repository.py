from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.credentials.models import Credential


def active_principal(
    session: Session, credential_id: str
) -> Row[str, str, str | None, str | None, str | None] | None:
    """(id, role, municipality, landlord, intermediary) of a live credential, or None: the
    one query every authenticated request makes, as a plain row (no ORM object to build and
    track). An intermediary's mandates are a second query (app/auth.py)."""
    return session.execute(
        select(
            Credential.id,
            Credential.role,
            Credential.municipality_code,
            Credential.landlord_id,
            Credential.intermediary_id,
        ).where(Credential.id == credential_id, Credential.revoked_at.is_(None))
    ).first()


def get_active(session: Session, credential_id: str) -> Credential | None:
    """A credential that exists and is not revoked."""
    credential = session.get(Credential, credential_id)
    if credential is None or credential.revoked_at is not None:
        return None
    return credential


def get(session: Session, credential_id: str) -> Credential | None:
    return session.get(Credential, credential_id)


def list_page(session: Session, *, after: str | None, limit: int) -> list[Credential]:
    query = select(Credential).order_by(Credential.id).limit(limit)
    if after is not None:
        query = query.where(Credential.id > after)
    return list(session.scalars(query))
