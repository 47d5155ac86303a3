from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.identity.models import TrustedIssuer


def get(session: Session, issuer_id: str) -> TrustedIssuer | None:
    return session.get(TrustedIssuer, issuer_id)


def by_url(session: Session, issuer: str) -> TrustedIssuer | None:
    return session.scalar(select(TrustedIssuer).where(TrustedIssuer.issuer == issuer))


def list_page(session: Session, *, after: str | None, limit: int) -> list[TrustedIssuer]:
    query = select(TrustedIssuer).order_by(TrustedIssuer.id).limit(limit)
    if after is not None:
        query = query.where(TrustedIssuer.id > after)
    return list(session.scalars(query))
