"""Creating, revoking and exchanging credentials for tokens."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session

from app.auth import Role, issue_token
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import InvalidClient, NotFound, UnprocessableEntity
from app.core.security import hasher, new_secret, verify_secret
from app.credentials import repository
from app.credentials.models import Credential
from app.credentials.schemas import CredentialCreate
from app.intermediaries.models import Intermediary
from app.landlords.models import Landlord
from app.municipalities.models import Municipality


def _check_organisation(session: Session, data: CredentialCreate) -> None:

    if data.role is Role.admin:
        if data.municipality or data.landlord or data.intermediary:
            raise UnprocessableEntity("An admin credential belongs to no organisation.")
    elif data.role is Role.landlord:
        if data.landlord is None or data.municipality is not None or data.intermediary:
            raise UnprocessableEntity("A landlord credential needs `landlord` and only that.")
        if session.get(Landlord, data.landlord) is None:
            raise UnprocessableEntity("landlord: no such landlord")
    elif data.role is Role.intermediary:
        if data.intermediary is None or data.municipality is not None or data.landlord:
            raise UnprocessableEntity(
                "An intermediary credential needs `intermediary` and only that."
            )
        if session.get(Intermediary, data.intermediary) is None:
            raise UnprocessableEntity("intermediary: no such intermediary")
    else:
        if data.municipality is None or data.landlord is not None or data.intermediary:
            raise UnprocessableEntity(
                f"A {data.role.value} credential needs `municipality` and only that."
            )
        if session.get(Municipality, data.municipality) is None:
            raise UnprocessableEntity("municipality: not registered in the service")


def create_credential(
    session: Session, settings: Settings, data: CredentialCreate
) -> tuple[Credential, str]:
    """A new credential and its secret, which is returned here once and never stored."""
    _check_organisation(session, data)
    secret = new_secret()
    credential = Credential(
        id="cid_" + secrets.token_urlsafe(12),
        secret_hash=hasher(settings).hash(secret),
        role=data.role.value,
        municipality_code=data.municipality,
        landlord_id=data.landlord,
        intermediary_id=data.intermediary,
        label=data.label,
    )
    session.add(credential)
    session.flush()
    return credential, secret


def list_credentials(session: Session, *, after: str | None, limit: int) -> list[Credential]:
    """A page of credentials in id order (admins only, checked by the router)."""
    return repository.list_page(session, after=after, limit=limit)


def revoke_credential(session: Session, credential_id: str) -> None:
    """Revoke at once: tokens are checked against the credential on every request."""
    credential = repository.get(session, credential_id)
    if credential is None:
        raise NotFound("No such credential.")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()


def exchange_for_token(
    session: Session, settings: Settings, client_id: str, client_secret: str
) -> tuple[str, int]:
    """OAuth2 client credentials grant: a valid id and secret buy a short-lived token."""
    credential = (
        repository.get_active(session, client_id) if CLIENT_ID.fullmatch(client_id) else None
    )
    if credential is None:
        # Spend the same time as a real verification so ids cannot be probed by timing.
        verify_secret(settings, settings_dummy_hash(settings), client_secret)
        raise InvalidClient()
    if not verify_secret(settings, credential.secret_hash, client_secret):
        raise InvalidClient()
    return issue_token(settings, credential.id)


CLIENT_ID = re.compile(r"cid_[A-Za-z0-9_-]{1,40}")
_DUMMY: dict[tuple[int, int], str] = {}


def settings_dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_time_cost, settings.argon2_memory_cost)
    if key not in _DUMMY:
        _DUMMY[key] = hasher(settings).hash(new_secret())
    return _DUMMY[key]
