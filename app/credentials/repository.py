from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.credentials.models import Credential


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
