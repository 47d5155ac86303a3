"""A trusted issuer as the API answers it (public keys only: nothing here is secret)."""

from __future__ import annotations

from app.auth import Role
from app.identity.models import TrustedIssuer
from app.identity.schemas import IssuerRead
from app.vocabulary import SigningAlgorithm


def to_read(row: TrustedIssuer) -> IssuerRead:
    """The issuer's registration, as the admin gave it."""
    return IssuerRead(
        id=row.id,
        issuer=row.issuer,
        municipality=row.municipality_code,
        landlord=row.landlord_id,
        audience=row.audience,
        jwks=row.jwks,
        role_claim=row.role_claim,
        role_map={value: Role(role) for value, role in row.role_map.items()},
        name_claim=row.name_claim,
        algorithms=[SigningAlgorithm(alg) for alg in row.algorithms],
        client_id=row.client_id,
        scopes=row.scopes,
        label=row.label,
        created_at=row.created_at,
    )
