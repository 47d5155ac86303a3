"""Secret hashing with argon2; parameters come from settings."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.config import Settings


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost
    )


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def verify_secret(settings: Settings, secret_hash: str, secret: str) -> bool:
    try:
        return hasher(settings).verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
