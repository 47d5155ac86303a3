"""Emptying the test database between tests although `audit_events` is append-only.

The migration `audit_events_append_only` puts a trigger on `audit_events` that refuses every
UPDATE and DELETE (docs/privacy.md). A test database must still be emptied after each test
that commits for real (the `commits` marker; the others are rolled back, tests/transaction.py);
this is the one place allowed to get past the trigger, and it does so without weakening it
for the application:

- PostgreSQL: `SET LOCAL session_replication_role = replica` switches off ordinary triggers
  for this transaction only. Only a superuser may set it (the test server's `app` role is
  one; the service's production role must not be), so the application cannot use it.
- SQLite has no such switch: the trigger is dropped, the rows deleted and the trigger
  re-created from its own stored definition, all in one transaction.
"""

from __future__ import annotations

from sqlalchemy import Engine, text


def empty_database(engine: Engine) -> None:
    """Delete every row of every table of the service, audit log included."""
    import app.main  # noqa: F401  (every model registered)
    from app.core.config import backend
    from app.core.db import Base

    with engine.begin() as connection:
        triggers: list[tuple[str, str]] = []
        if backend(engine.url) == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            triggers = [
                (str(name), str(sql))
                for name, sql in connection.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master "
                        "WHERE type = 'trigger' AND tbl_name = 'audit_events'"
                    )
                )
            ]
            for name, _sql in triggers:
                connection.execute(text(f'DROP TRIGGER "{name}"'))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(text(f"DELETE FROM {table.name}"))
        for _name, sql in triggers:
            connection.execute(text(sql))
