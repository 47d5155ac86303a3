"""The job queue's plumbing on PostgreSQL (procrastinate): where its tables live, how to
reach and install them, and how a request defers a job inside its own transaction — shared
by round jobs (app/flows/round_scheduler.py), webhook deliveries (app/events/delivery_jobs.py) and
the worker processes that run them (app/jobs/worker.py)."""

from __future__ import annotations

import procrastinate
import structlog
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.core.config import backend

log = structlog.get_logger("app.core.queue")

QUEUE_SCHEMA = "procrastinate"
"""The queue's tables, types and functions live in their own PostgreSQL schema: the
service's schema stays exactly what its migrations make (tests/test_migrations.py)."""


def conninfo(database_url: str, *, queue: bool = False) -> str:
    """libpq's form of a SQLAlchemy URL (`postgresql+psycopg://…` → `postgresql://…`);
    with `queue`, its connections find the queue's schema first."""
    url = make_url(database_url).set(drivername="postgresql")
    if queue:
        url = url.update_query_dict({"options": f"-csearch_path={QUEUE_SCHEMA},public"})
    return url.render_as_string(hide_password=False)


_DEFERRER = procrastinate.App(connector=procrastinate.PsycopgConnector())
"""Defers by task name on a connection we pass in; it never opens a pool of its own."""


def defer_in_transaction(
    session: Session, task: str, *, queue: str, queueing_lock: str, **arguments: str
) -> bool:
    """Insert a job in the session's own transaction (PostgreSQL), so it exists exactly
    when the change that needs it commits. A job already waiting under the same
    `queueing_lock` will do the work: that is success. Any other failure (the queue's
    schema missing) leaves the work to the periodic sweeps, and the request still succeeds:
    a savepoint keeps the failed insert from aborting the transaction."""
    try:
        with session.begin_nested():
            connection = session.connection()
            previous = connection.execute(text("SELECT current_setting('search_path')")).scalar()
            set_path = text("SELECT set_config('search_path', :path, true)")
            connection.execute(set_path, {"path": f"{QUEUE_SCHEMA}, {previous}"})
            _DEFERRER.configure_task(
                task,
                queue=queue,
                connection=connection.connection.driver_connection,
                queueing_lock=queueing_lock,
            ).defer(**arguments)
            # On failure the savepoint's rollback undoes the search_path too (set_config
            # with is_local applies to the transaction, and a savepoint rolls it back).
            connection.execute(set_path, {"path": previous})
        return True
    except AlreadyEnqueued:
        return True
    except Exception as exc:  # the sweep is the fallback
        log.warning("job_defer_failed", task=task, error=type(exc).__name__, detail=str(exc)[:300])
        return False


_SCHEMA_LOCK = 0x656E7661  # "enva": one schema installer at a time across processes


def ensure_queue_schema(database_url: str) -> bool:
    """Apply procrastinate's schema once (PostgreSQL only); True when it was applied now.
    Safe to call from every process at start: an advisory lock serialises the check."""
    if backend(database_url) != "postgresql":
        return False
    import psycopg
    from procrastinate.schema import SchemaManager

    with (
        psycopg.connect(conninfo(database_url), autocommit=True) as connection,
        connection.transaction(),
    ):
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        exists = connection.execute(
            f"SELECT to_regclass('{QUEUE_SCHEMA}.procrastinate_jobs') IS NOT NULL"
        ).fetchone()
        if exists and exists[0]:
            return False
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}")
        connection.execute(f"SET LOCAL search_path TO {QUEUE_SCHEMA}")
        connection.execute(SchemaManager.get_schema())
    return True
