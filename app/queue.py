"""The job queue's plumbing on PostgreSQL (procrastinate): where its tables live, how to
reach them, and how a request defers a job inside its own transaction — shared by round
jobs (app/jobs.py) and webhook deliveries (app/events/delivery.py)."""

from __future__ import annotations

import procrastinate
import structlog
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = structlog.get_logger("app.queue")

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
