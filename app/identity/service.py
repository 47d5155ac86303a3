"""Registering the OpenID Connect issuers an organisation trusts for its people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy.orm import Session

from app.auth import MUNICIPAL_SIDE, Role
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.identity import repository
from app.identity.models import TrustedIssuer
from app.identity.schemas import IssuerCreate
from app.identity.tokens import IssuerKeys, issuer_url_allowed
from app.landlords.models import Landlord
from app.municipalities.models import Municipality


def _check_organisation(session: Session, data: IssuerCreate) -> None:
    """One organisation, and roles that belong to its side: a municipality's people are
    coordinators or social secretaries, a landlord's are the landlord."""
    if (data.municipality is None) == (data.landlord is None):
        raise UnprocessableEntity("An issuer belongs to one `municipality` or one `landlord`.")
    if data.municipality is not None:
        if session.get(Municipality, data.municipality) is None:
            raise UnprocessableEntity("municipality: not registered in the service")
        allowed = MUNICIPAL_SIDE
    else:
        if session.get(Landlord, data.landlord) is None:
            raise UnprocessableEntity("landlord: no such landlord")
        allowed = frozenset({Role.landlord})
    wrong = sorted({role.value for role in data.role_map.values() if role not in allowed})
    if wrong:
        raise UnprocessableEntity(f"role_map: {', '.join(wrong)} is not a role of this side")


def _check_keys(jwks: dict[str, Any]) -> None:
    """Inline keys are public asymmetric keys: a shared secret (`oct`) or a private part
    would let whoever reads the registration mint tokens."""
    entries = jwks.get("keys")
    if not isinstance(entries, list) or not entries:
        raise UnprocessableEntity("jwks: a JWK Set with at least one key")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            raise UnprocessableEntity("jwks: only RSA, EC or OKP public keys")
        if any(part in entry for part in ("d", "p", "q", "dp", "dq", "qi")):
            raise UnprocessableEntity("jwks: a private key; give the public key only")
    try:
        jwt.PyJWKSet.from_dict(jwks)
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise UnprocessableEntity(f"jwks: {exc}") from exc


def register_issuer(session: Session, keys: IssuerKeys, data: IssuerCreate) -> TrustedIssuer:
    """A new trusted issuer. Without inline keys its discovery document is read now, so an
    issuer the service cannot reach is refused at registration, not at a person's sign-in."""
    _check_organisation(session, data)
    if not issuer_url_allowed(data.issuer):
        raise UnprocessableEntity("issuer: an https URL (http only on loopback)")
    if repository.by_url(session, data.issuer) is not None:
        raise Conflict("This issuer is already trusted; one issuer acts for one organisation.")
    if data.jwks is not None:
        _check_keys(data.jwks)
    else:
        try:
            keys.document(data.issuer)
        except (OSError, ValueError) as exc:
            raise UnprocessableEntity(f"issuer: no discovery document ({exc})") from exc
    row = TrustedIssuer(
        id=str(uuid.uuid4()),
        issuer=data.issuer,
        municipality_code=data.municipality,
        landlord_id=data.landlord,
        audience=data.audience,
        jwks=data.jwks,
        role_claim=data.role_claim,
        role_map={value: role.value for value, role in data.role_map.items()},
        name_claim=data.name_claim,
        algorithms=[alg.value for alg in data.algorithms],
        client_id=data.client_id,
        scopes=data.scopes,
        label=data.label,
    )
    session.add(row)
    session.flush()
    return row


def list_issuers(session: Session, *, after: str | None, limit: int) -> list[TrustedIssuer]:
    return repository.list_page(session, after=after, limit=limit)


def remove_issuer(session: Session, issuer_id: str) -> None:
    """The issuer is no longer trusted: its tokens are refused from the next request."""
    row = repository.get(session, issuer_id)
    if row is None:
        raise NotFound("No such issuer.")
    session.delete(row)


@dataclass(frozen=True, slots=True)
class BrowserSignIn:
    """What a browser needs to sign a person in at an issuer: authorization code with PKCE
    and a public client, so the page holds no secret (docs/identity.md)."""

    issuer: str
    client_id: str
    scopes: list[str]
    authorization_endpoint: str
    token_endpoint: str


def browser_sign_in(session: Session, keys: IssuerKeys, issuer_id: str) -> BrowserSignIn | None:
    """The sign-in of a trusted issuer with a public client, from its discovery document;
    None when there is none or its document cannot be read (the page then offers the
    client-credentials sign-in alone)."""
    row = repository.get(session, issuer_id)
    if row is None or row.client_id is None:
        return None
    try:
        document = keys.document(row.issuer)
        authorization, token = document["authorization_endpoint"], document["token_endpoint"]
    except (OSError, ValueError, KeyError):
        return None
    if not all(isinstance(url, str) and issuer_url_allowed(url) for url in (authorization, token)):
        return None
    return BrowserSignIn(row.issuer, row.client_id, list(row.scopes), authorization, token)
