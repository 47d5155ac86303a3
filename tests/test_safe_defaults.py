"""Safe by default (issue 29): the built-in signing key is public, so a start that could
reach real cases refuses it and says why, and a token minted with it opens nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import jwt
import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from structlog.testing import capture_logs

from app.auth import TOKEN_AUDIENCE, read_token
from app.core.config import DEFAULT_SIGNING_KEY, Settings, UnsafeSettings
from app.core.errors import Unauthorized
from tests.conftest import Api

POSTGRES_URL = "postgresql+psycopg://envagin:a-database-password@127.0.0.1:1/envagin"
STRONG_KEY = "a-production-signing-key-" + "k" * 32


def _bare_settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> Settings:
    """Settings as a bare start reads them: nothing of ours in the environment."""
    for name in list(os.environ):
        if name.startswith("ENVAGIN_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    return Settings(**values)  # type: ignore[arg-type]


def test_postgresql_means_production_unless_said_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _bare_settings(monkeypatch, database_url="sqlite://").environment == "development"
    assert (
        _bare_settings(monkeypatch, database_url=POSTGRES_URL, signing_key=STRONG_KEY).environment
        == "production"
    )
    explicit = _bare_settings(monkeypatch, database_url=POSTGRES_URL, environment="test")
    assert explicit.environment == "test"


def test_the_public_key_is_refused_on_postgresql_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="ENVAGIN_SIGNING_KEY must be set in production"):
        _bare_settings(monkeypatch, database_url=POSTGRES_URL)


def test_the_public_key_is_served_on_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _bare_settings(monkeypatch, database_url="sqlite://")
    settings.refuse_public_key_on("127.0.0.1")
    with pytest.raises(
        UnsafeSettings, match=r"serving on 0\.0\.0\.0 with the built-in signing key"
    ):
        settings.refuse_public_key_on("0.0.0.0")
    keyed = _bare_settings(monkeypatch, database_url="sqlite://", signing_key=STRONG_KEY)
    keyed.refuse_public_key_on("0.0.0.0")


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ENVAGIN_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_serve_against_postgresql_without_a_key_exits_with_the_reason() -> None:
    """Nothing is bound or migrated: the settings are refused first, in one line that names
    the setting and does not echo the database URL (its password)."""
    done = _cli("serve", "--port", "0", DATABASE_URL=POSTGRES_URL)
    assert done.returncode == 2
    assert "refused" in done.stderr
    assert "ENVAGIN_SIGNING_KEY" in done.stderr
    assert "a-database-password" not in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_on_a_public_address_with_the_public_key_exits_with_the_reason() -> None:
    done = _cli("serve", "--host", "0.0.0.0", "--port", "0", DATABASE_URL="sqlite://")
    assert done.returncode == 2
    assert "serving on 0.0.0.0 with the built-in signing key" in done.stderr


def _forged(credential_id: str) -> str:
    now = int(time.time())
    claims = {"sub": credential_id, "aud": TOKEN_AUDIENCE, "iat": now, "exp": now + 600}
    return jwt.encode(claims, DEFAULT_SIGNING_KEY, algorithm="HS256")


def test_a_token_forged_with_the_public_key_opens_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For a real client id, as an attacker who read the repository would mint it."""
    client_id = api.admin.client_id
    production = _bare_settings(
        monkeypatch, database_url="sqlite://", environment="production", signing_key=STRONG_KEY
    )
    with pytest.raises(Unauthorized):
        read_token(production, _forged(client_id))
    answer = api.anonymous.get(
        "/v1/municipalities", headers={"Authorization": f"Bearer {_forged(client_id)}"}
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_an_outage_is_logged_when_it_starts_and_when_it_ends(api: Api) -> None:
    """Every request during a database outage is a 503 with Retry-After, but the log says
    it twice only: at the first refusal and, with the count, at the first answer after."""
    admin = api.admin
    working = api.app.state.sessionmaker
    unreachable = create_engine("sqlite:////nonexistent-directory/envagin.db")
    with capture_logs() as lines:
        api.app.state.sessionmaker = sessionmaker(unreachable)
        try:
            refused = [admin.get("/v1/municipalities") for _ in range(3)]
        finally:
            api.app.state.sessionmaker = working
        assert [answer.status_code for answer in refused] == [503, 503, 503]
        assert all(answer.headers["Retry-After"] for answer in refused)
        assert admin.get("/v1/municipalities").status_code == 200
        assert admin.get("/v1/municipalities").status_code == 200
    outage = [line for line in lines if line["event"].startswith("database_unavailable")]
    assert [line["event"] for line in outage] == [
        "database_unavailable",
        "database_unavailable_ended",
    ]
    assert outage[1]["refused_requests"] == 3
