"""A person's token from a trusted OpenID Connect issuer, verified: which issuer, whose
signature, for whom, until when — and which role in which organisation it maps to.

Verification is PyJWT's: the signature with the issuer's published key (found by `kid`),
`iss`, `aud`, `exp` and `nbf`, against an allow-list of asymmetric algorithms only, so a
token with `alg: none` or one signed HS256 with the issuer's *public* key is refused before
any key is looked at. Keys come inline or from the issuer's discovery document; the JWKS is
cached and fetched again when a token names a key not seen yet (the issuer rotated), at
most once per cool-down, so random `kid`s cannot turn the service against the issuer.

This sits beside app/auth.py (which builds the principal from what this returns) and reads
only the issuers' table, so every repository above may keep building on the principal.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Forbidden, Unauthorized
from app.identity.models import TrustedIssuer
from app.vocabulary import SigningAlgorithm

ASYMMETRIC_ALGORITHMS = frozenset(algorithm.value for algorithm in SigningAlgorithm)
"""The only algorithms an issuer may be trusted with: a public key verifies, never signs."""

LEEWAY_SECONDS = 30
"""Clock skew tolerated on `exp` and `nbf` between the issuer and the service."""

DISCOVERY_PATH = "/.well-known/openid-configuration"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
INVALID = "The bearer token is invalid or expired."


def issuer_url_allowed(url: str) -> bool:
    """An issuer is reached over HTTPS; plain HTTP only on loopback (local development and
    the tests' provider), as OpenID Connect Discovery §4 requires."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


@dataclass(frozen=True, slots=True)
class PersonToken:
    """What a verified person's token says: who (issuer, subject, name) and what they may
    do (the role their claim maps to, in the issuer's organisation)."""

    issuer_id: str
    subject: str
    name: str | None
    role: str
    municipality: str | None
    landlord_id: str | None

    @property
    def caller_id(self) -> str:
        """A stable id for the person in the columns that name a caller (`created_by`,
        the rate limiter's and idempotency's keys): one per issuer and subject, at most
        40 characters, revealing neither."""
        digest = hashlib.sha256(f"{self.issuer_id}\0{self.subject}".encode()).hexdigest()
        return "person_" + digest[:32]


def discovery(issuer: str, timeout: float = 10) -> dict[str, Any]:
    """The issuer's discovery document, checked to name the issuer itself (OpenID Connect
    Discovery §4.3: a document for another issuer is not this one's)."""
    url = issuer.rstrip("/") + DISCOVERY_PATH
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (checked scheme)
        document = json.load(response)
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise ValueError(f"discovery document at {url} names another issuer")
    checked: dict[str, Any] = document
    return checked


class IssuerKeys:
    """The issuers' signing keys, per process: a `PyJWKClient` per issuer whose keys come
    from its discovery document (cached `lifespan` seconds, fetched again on an unknown
    `kid` at most once per `cooldown` seconds), and the discovery documents themselves."""

    def __init__(self, *, lifespan: float = 3600, cooldown: float = 30) -> None:
        self.lifespan = lifespan
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}
        self._clients: dict[str, jwt.PyJWKClient] = {}

    def document(self, issuer: str) -> dict[str, Any]:
        """The issuer's discovery document, fetched once per `lifespan`."""
        with self._lock:
            cached = self._documents.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < self.lifespan:
            return cached[1]
        document = discovery(issuer)
        with self._lock:
            self._documents[issuer] = (time.monotonic(), document)
        return document

    def client(self, issuer: str) -> jwt.PyJWKClient:
        with self._lock:
            client = self._clients.get(issuer)
        if client is None:
            uri = self.document(issuer)["jwks_uri"]
            if not isinstance(uri, str) or not issuer_url_allowed(uri):
                raise ValueError("jwks_uri: not an https URL")
            client = jwt.PyJWKClient(
                uri, lifespan=self.lifespan, cooldown_duration=self.cooldown, timeout=10
            )
            with self._lock:
                client = self._clients.setdefault(issuer, client)
        return client

    def signing_key(self, row: TrustedIssuer, token: str, header: dict[str, Any]) -> jwt.PyJWK:
        """The key that should have signed the token, by its `kid`; inline keys are read
        from the row, so changing them takes effect at the next request."""
        kid = header.get("kid")
        if row.jwks is not None:
            keys = jwt.PyJWKSet.from_dict(row.jwks).keys
            matching = [key for key in keys if kid is None or key.key_id == kid]
            if len(matching) != 1:
                raise jwt.InvalidKeyError("no single inline key matches the token's kid")
            return matching[0]
        return self.client(row.issuer).get_signing_key_from_jwt(token)


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by its dotted path (`realm_access.roles` in Keycloak, `roles` in Entra ID)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def mapped_role(row: TrustedIssuer, claims: dict[str, Any]) -> str:
    """The one role the token's group or role claim maps to. None: the person has no role
    in the service (403); several: the issuer's mapping is ambiguous for them (403), as
    one token acts in one role."""
    value = _claim(claims, row.role_claim)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = {
        row.role_map[item] for item in values if isinstance(item, str) and item in row.role_map
    }
    if not roles:
        raise Forbidden(f"The token's `{row.role_claim}` claim maps to no role in the service.")
    if len(roles) > 1:
        raise Forbidden(
            f"The token's `{row.role_claim}` claim maps to several roles: "
            f"{', '.join(sorted(roles))}; one token acts in one role."
        )
    return roles.pop()


def unverified_issuer(token: str) -> str | None:
    """The `iss` a token claims before anything about it is verified: only to choose how
    to verify it (the service's own tokens carry none)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise Unauthorized(INVALID) from exc
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def verify_person_token(session: Session, keys: IssuerKeys, issuer: str, token: str) -> PersonToken:
    """The person behind a token of a trusted issuer; any defect is the same 401."""
    row = session.scalar(select(TrustedIssuer).where(TrustedIssuer.issuer == issuer))
    if row is None:
        raise Unauthorized(INVALID)
    allowed = [alg for alg in row.algorithms if alg in ASYMMETRIC_ALGORITHMS]
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in allowed:
            raise jwt.InvalidAlgorithmError("algorithm not allowed for this issuer")
        key = keys.signing_key(row, token, header)
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=allowed,
            audience=row.audience,
            issuer=row.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "sub"]},
        )
    except (jwt.PyJWTError, OSError, ValueError, KeyError) as exc:
        raise Unauthorized(INVALID) from exc
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise Unauthorized(INVALID)
    name = claims.get(row.name_claim) or claims.get("preferred_username")
    return PersonToken(
        issuer_id=row.id,
        subject=subject,
        name=name[:200] if isinstance(name, str) else None,
        role=mapped_role(row, claims),
        municipality=row.municipality_code,
        landlord_id=row.landlord_id,
    )
