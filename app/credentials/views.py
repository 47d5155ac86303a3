"""A credential as the API answers it: who it is for, never its secret."""

from __future__ import annotations

from app.auth import Role
from app.credentials.models import Credential
from app.credentials.schemas import CredentialRead


def to_read(credential: Credential) -> CredentialRead:
    """The credential without its secret (shown once, at creation, and never again)."""
    return CredentialRead(
        id=credential.id,
        role=Role(credential.role),
        municipality=credential.municipality_code,
        landlord=credential.landlord_id,
        intermediary=credential.intermediary_id,
        label=credential.label,
        created_at=credential.created_at,
        revoked_at=credential.revoked_at,
    )
