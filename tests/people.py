"""People signing in through an OpenID Connect issuer the test controls: an issuer with its
own RSA keys given inline (a closed network's registration), tokens minted as the issuer
would, and a client holding one person's token (docs/identity.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import Api, AuthedClient

AUDIENCE = "en-vag-in-test"
ROLE_MAP = {"envagin-coordinators": "coordinator", "envagin-socialtjanst": "social_services"}
GROUP_OF = {role: group for group, role in ROLE_MAP.items()}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class InlineIssuer:
    """A municipality's identity provider as far as tokens go: keys, claims, signatures."""

    def __init__(self, issuer: str, *, kid: str = "key-1") -> None:
        self.issuer = issuer
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def register(self, api: Api, *, municipality: str) -> dict[str, Any]:
        """The admin trusts this issuer for the municipality's people."""
        response = api.admin.post(
            "/v1/identity-providers",
            json={
                "issuer": self.issuer,
                "municipality": municipality,
                "audience": AUDIENCE,
                "jwks": {"keys": [self.public_jwk()]},
                "role_claim": "groups",
                "role_map": ROLE_MAP,
            },
        )
        assert response.status_code == 201, response.text
        registered: dict[str, Any] = response.json()
        return registered

    def claims(self, subject: str, name: str, role: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "name": name,
            "groups": [GROUP_OF[role]],
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return claims

    def mint(self, subject: str, name: str, role: str = "coordinator", **overrides: Any) -> str:
        """A token as the issuer signs it (RS256 with its key, naming the key's id)."""
        return jwt.encode(
            self.claims(subject, name, role, **overrides),
            self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )

    def mint_hs256_with_public_key(self, subject: str, name: str) -> str:
        """The key-confusion attack: HMAC over the token with the issuer's PUBLIC key (which
        anyone may read) as the secret. PyJWT will not make one, so it is made by hand."""
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.kid}).encode())
        payload = _b64(json.dumps(self.claims(subject, name, "coordinator")).encode())
        signing_input = f"{header}.{payload}".encode()
        signature = hmac.new(self.public_pem(), signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def mint_unsigned(self, subject: str, name: str) -> str:
        """`alg: none`: no signature at all."""
        header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(self.claims(subject, name, "coordinator")).encode())
        return f"{header}.{payload}."


def bearer(api: Api, token: str, caller: str = "person") -> AuthedClient:
    """A client of the app sending this bearer token."""
    client = AuthedClient(api.app)
    if api.portal is not None:
        client.portal = api.portal
    client.headers["Authorization"] = f"Bearer {token}"
    client.client_id = caller
    return client


def person_client(
    api: Api, issuer: InlineIssuer, role: str, *, subject: str, name: str
) -> AuthedClient:
    """A client signed in as one person of the issuer's organisation, in one role."""
    return bearer(api, issuer.mint(subject, name, role), f"person:{subject}")
