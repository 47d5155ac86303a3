"""Webhook signing secrets at rest, sealed with AES-256-GCM.

The service must read a webhook's secret to sign every delivery, so it cannot keep only a
hash as it does for credentials. Sealed, a copy of the database (a dump, a backup, a
replica read by analysts) does not hand out the secrets that let anyone forge deliveries
to a landlord's or a municipality's receiver: that needs the key from the settings too.

The key: `ENVAGIN_WEBHOOK_SECRET_KEYS`, comma-separated, each 32 random bytes in URL-safe
base64 (`python -m app webhooks new-key` prints one); the first seals, every one unseals,
so a key is rotated by putting the new one first and running `python -m app webhooks
reseal`. Without the setting the key is derived from `ENVAGIN_SIGNING_KEY` (HKDF), which
keeps a small installation to one secret; set the list before rotating the signing key.

A sealed value names the key that sealed it and is bound to its endpoint (the endpoint id
is the associated data), so a sealed secret copied onto another endpoint does not unseal.
A value written before sealing existed is read as it is until `reseal` seals it.

The same sealer keeps the tenant's identity of an eviction-prevention case (app/prevention,
bound to the case's id). `reseal` walks every sealed value of every domain (`SealedValue`,
gathered by app/flows/key_rotation.py), so no value is left under a key about to be dropped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

SEALER = "envagin.sealer"
"""The `Session.info` key under which the app's and the worker's session factories carry
their `Sealer` (app/main.py, app/jobs/worker.py)."""

FORMAT = "a1"
"""Version of the sealed form: `a1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`."""

_NONCE_BYTES = 12


class UnsealError(Exception):
    """The sealed value is damaged, or sealed with a key the settings no longer hold."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(key: bytes) -> str:
    """Six characters naming a key (not revealing it) inside each value it sealed."""
    return _b64(hashlib.sha256(key).digest())[:6]


def parse_key(text: str) -> bytes:
    """One configured key: 32 bytes in URL-safe base64; ValueError otherwise."""
    try:
        key = _unb64(text.strip())
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a webhook secret key must be URL-safe base64") from exc
    if len(key) != 32:
        raise ValueError("a webhook secret key must be 32 bytes (URL-safe base64)")
    return key


def derived_key(signing_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"en-vag-in webhook secrets"
    ).derive(signing_key.encode())


def new_key() -> str:
    return _b64(os.urandom(32))


@dataclass(frozen=True, slots=True)
class Sealer:
    """Seals with the first key, unseals with any."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, configured: list[str], signing_key: str) -> Sealer:
        raw = [parse_key(text) for text in configured] or [derived_key(signing_key)]
        return cls(tuple((key_id(key), key) for key in raw))

    def seal(self, endpoint_id: str, secret: str) -> str:
        kid, key = self.keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, secret.encode(), endpoint_id.encode())
        return f"{FORMAT}.{kid}.{_b64(nonce + sealed)}"

    def unseal(self, endpoint_id: str, stored: str) -> str:
        if not is_sealed(stored):
            return stored
        _, kid, body = stored.split(".", 2)
        for candidate, key in self.keys:
            if candidate != kid:
                continue
            try:
                data = _unb64(body)
                nonce, sealed = data[:_NONCE_BYTES], data[_NONCE_BYTES:]
                return AESGCM(key).decrypt(nonce, sealed, endpoint_id.encode()).decode()
            except (InvalidTag, binascii.Error, ValueError) as exc:
                raise UnsealError("the sealed webhook secret is damaged") from exc
        raise UnsealError(f"no configured key {kid} sealed this webhook secret")

    def is_current(self, stored: str) -> bool:
        """Whether `stored` is sealed with the key that seals now (`reseal` skips it)."""
        return is_sealed(stored) and stored.split(".", 2)[1] == self.keys[0][0]


def is_sealed(stored: str) -> bool:
    return stored.startswith(FORMAT + ".") and stored.count(".") >= 2


def sealer_of(session: Session) -> Sealer:
    """The sealer of the session's factory; a session made elsewhere has none (an error in
    the code, not in a request)."""
    sealer = session.info.get(SEALER)
    if not isinstance(sealer, Sealer):
        raise RuntimeError("this session's factory carries no webhook secret sealer")
    return sealer


@dataclass(frozen=True, slots=True)
class SealedValue:
    """One value kept sealed: the row and attribute that hold it, and what it is bound to
    (the associated data it was sealed with). Each domain that seals offers its own."""

    row: object
    attribute: str
    bound_to: str


def reseal(sealer: Sealer, values: Iterable[SealedValue]) -> dict[str, int]:
    """Seal every value with the key that seals now: the one mechanism of key rotation for
    every sealed column. A value no configured key opens is counted and left as it is (it
    stays unreadable until the old key is back)."""
    counts = {"resealed": 0, "current": 0, "unreadable": 0}
    for value in values:
        stored = getattr(value.row, value.attribute)
        if not isinstance(stored, str):
            continue
        if sealer.is_current(stored):
            counts["current"] += 1
            continue
        try:
            plain = sealer.unseal(value.bound_to, stored)
        except UnsealError:
            counts["unreadable"] += 1
            continue
        setattr(value.row, value.attribute, sealer.seal(value.bound_to, plain))
        counts["resealed"] += 1
    return counts
