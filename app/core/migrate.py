"""Running Alembic migrations from the service (on start) and from the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.core.config import backend

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema; a no-op when it is already there."""
    command.upgrade(alembic_config(database_url), "head")
    if backend(database_url) == "postgresql":
        # import-time: the queue (procrastinate, psycopg) costs 0.5 s and more; SQLite never uses it
        from app.core.queue import ensure_queue_schema

        # The job queue's own tables (procrastinate, schema `procrastinate`); idempotent.
        ensure_queue_schema(database_url)
