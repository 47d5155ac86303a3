"""Settings from the environment; unsafe values are refused before the service starts."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.core.sealing import parse_key

DEFAULT_SIGNING_KEY = "development-only-signing-key-change-me-0000000000"
"""Public (it is in the repository): anyone can mint tokens with it, so it is accepted only in
development or tests, and served only on loopback (`Settings.refuse_public_key_on`)."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

Environment = Literal["development", "test", "production"]


class UnsafeSettings(ValueError):
    """Settings that would be unsafe where the service is about to run."""


Backend = Literal["sqlite", "postgresql"]


def backend(database_url: str | URL) -> Backend:
    """Which database a URL names: the one place that tells SQLite from PostgreSQL (an
    engine's or a session's too: `backend(session.get_bind().engine.url)`). Anything else
    is refused: the service runs on these two only."""
    try:
        name = make_url(database_url).get_backend_name()
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {exc}") from None
    if name == "sqlite":
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise ValueError(f"unsupported database {name!r}: use sqlite or postgresql")


class Settings(BaseSettings):
    """Every setting the service reads, prefixed `ENVAGIN_` (except `DATABASE_URL`)."""

    model_config = SettingsConfigDict(env_prefix="ENVAGIN_", extra="ignore")

    # Unset: production on PostgreSQL (where real cases live), development on SQLite; so a
    # bare start against a production database never runs with development's defaults.
    environment: Environment | None = None
    database_url: str = Field(
        default="sqlite:///./var/envagin.db",
        validation_alias=AliasChoices("DATABASE_URL", "ENVAGIN_DATABASE_URL"),
    )
    signing_key: str = DEFAULT_SIGNING_KEY
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    # A token naming a signing key not seen yet makes the service fetch its issuer's keys
    # again (the issuer rotated), at most once per this many seconds (docs/identity.md).
    oidc_key_cooldown_seconds: float = Field(default=30, ge=0, le=3600)
    log_level: str = "INFO"
    log_json: bool = True
    # Abuse limits (per process): requests per credential, token requests per client address,
    # and the largest request body accepted.
    rate_limit: str = "1200/minute"
    token_rate_limit: str = "60/minute"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Days after a case is closed at which its personal data are erased by
    # `python -m app erase-expired` (docs/privacy.md); 0 = never (erasure on request only).
    retention_days: int = Field(default=0, ge=0, le=36_500)
    # The longest a feed request waits for an event (`wait`); lower it behind a proxy whose
    # idle timeout is shorter than 30 seconds. Fractions are allowed (the API fuzz waits
    # 0.05 s per call instead of a whole second).
    long_poll_seconds: float = Field(default=30, ge=0, le=30)
    # Seconds without a heartbeat after which a worker counts as dead and its round is
    # run again by another worker (docs/operations.md); heartbeats come every 5 s.
    worker_stalled_seconds: float = Field(default=30.0, ge=10.0, le=600.0)
    # Where `python -m app worker` notes that it is healthy (`worker --check` reads it);
    # default: envagin-worker.health in the temporary directory.
    worker_health_file: str | None = None
    # Days the event feed keeps an event (and its webhook deliveries) (docs/events.md).
    event_retention_days: int = Field(default=30, ge=1, le=3650)
    # Eviction prevention (docs/prevention.md). The återvinningsfrist: a tenant given notice
    # for late rent keeps the lease by paying within three weeks of being notified (12 kap.
    # 44 § jordabalken), the deadline of a termination notice; a municipality's policy may
    # not shorten it. Months after a prevention case closes at which the tenant's identity
    # and the flat's address are erased (the counts stay); hours social services have to
    # act on an eviction application or an eviction's date.
    prevention_recovery_days: int = Field(default=21, ge=1, le=365)
    prevention_retention_months: int = Field(default=24, ge=1, le=120)
    prevention_urgent_hours: int = Field(default=72, ge=1, le=720)
    # Argon2 cost; lowered only by the test suite, where thousands of secrets are hashed.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65_536, ge=64)

    # Keys that seal webhook signing secrets in the database (app/core/sealing.py):
    # comma-separated, 32 bytes each in URL-safe base64, the first seals; empty: one key
    # derived from the signing key. `python -m app webhooks new-key` prints a key.
    webhook_secret_keys: str = ""

    @model_validator(mode="after")
    def _refuse_default_key_outside_development(self) -> Settings:
        if self.environment is None:
            self.environment = "production" if self.backend == "postgresql" else "development"
        # A known signing key lets anyone mint tokens: never accept it where data are real.
        if self.environment == "production" and self.signing_key == DEFAULT_SIGNING_KEY:
            raise ValueError(
                "ENVAGIN_SIGNING_KEY must be set in production (the environment on PostgreSQL "
                "unless ENVAGIN_ENVIRONMENT says otherwise): the built-in key is public"
            )
        if self.environment == "production" and len(self.signing_key) < 32:
            raise ValueError("ENVAGIN_SIGNING_KEY must be at least 32 characters")
        return self

    @field_validator("database_url")
    @classmethod
    def _a_supported_database(cls, value: str) -> str:
        backend(value)  # raises ValueError naming the problem
        return value

    @field_validator("webhook_secret_keys")
    @classmethod
    def _keys_that_seal(cls, value: str) -> str:
        for text in value.split(","):
            if text.strip():
                parse_key(text)  # raises ValueError naming the problem
        return value

    @property
    def webhook_keys(self) -> list[str]:
        return [text.strip() for text in self.webhook_secret_keys.split(",") if text.strip()]

    @field_validator("rate_limit", "token_rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        from limits import parse

        parse(value)  # raises ValueError naming the problem
        return value

    @property
    def backend(self) -> Backend:
        return backend(self.database_url)

    def refuse_public_key_on(self, host: str) -> None:
        """The built-in key is served on loopback only: on any other address a token minted
        with it would reach whoever can reach the port. Raises UnsafeSettings saying why."""
        if self.signing_key == DEFAULT_SIGNING_KEY and host not in LOOPBACK_HOSTS:
            raise UnsafeSettings(
                f"serving on {host} with the built-in signing key, which is public: set "
                "ENVAGIN_SIGNING_KEY (at least 32 characters), or serve on 127.0.0.1"
            )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
