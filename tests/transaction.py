"""Each API test inside one database transaction that is rolled back at its end.

Instead of emptying every table after each test (tests/cleanup.py, still used by the tests
marked `commits`), the test's app is pointed at one connection whose transaction the test
never commits:

- `app.state.sessionmaker` makes its sessions on that connection with
  `join_transaction_mode="create_savepoint"` (app/core/db.py): the request's session, the
  idempotency claim, a background round and the tests' own sessions each commit or roll
  back a savepoint, so a test still sees what a request committed, and a refused request
  still changes nothing;
- `app.state.engine` becomes a `SavepointEngine` on the same connection, so the health
  check and tests that read rows with raw SQL see the test's data too.

On SQLite the connection's driver runs in autocommit mode and SQLAlchemy emits the BEGIN
itself (app/core/db.py's engine events): the pysqlite recipe that makes SAVEPOINT work.
The outer transaction holds SQLite's write lock for the test, so anything that writes over
another connection (a worker thread, a second app, another process) waits: such a test is
marked `commits` and gets real commits and the emptying instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from app.core.db import session_factory


class OuterCommitRefused(RuntimeError):
    """Something committed the test's outer transaction: the test would leave rows behind."""


class SavepointConnection:
    """The test's connection as `engine.connect()` hands it out: the caller's transaction
    is a savepoint, so its `commit()` releases (and `rollback()` undoes) only its own work."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._savepoint = connection.begin_nested()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __enter__(self) -> SavepointConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def commit(self) -> None:
        self._savepoint.commit()
        self._savepoint = self._connection.begin_nested()

    def rollback(self) -> None:
        self._savepoint.rollback()
        self._savepoint = self._connection.begin_nested()

    def close(self) -> None:
        """Like closing a connection: what was not committed is rolled back."""
        if self._savepoint.is_active:
            self._savepoint.rollback()


class SavepointEngine:
    """`app.state.engine` within a rolled-back test: `connect()` and `begin()` as on an
    Engine, each a savepoint on the test's one connection; the rest read from the engine."""

    def __init__(self, engine: Engine, connection: Connection) -> None:
        self._engine = engine
        self.connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def connect(self) -> SavepointConnection:
        return SavepointConnection(self.connection)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.connection.begin_nested():
            yield self.connection

    def dispose(self) -> None:
        """The test's connection stays open until the test ends."""


def require_commits(application: FastAPI, what: str) -> None:
    """Refuse, with the remedy, what cannot work on one rolled-back connection: requests
    or workers at once on several threads would share it (called by tests/worlds helpers
    that start such work)."""
    if isinstance(application.state.engine, SavepointEngine):
        raise OuterCommitRefused(
            f"{what} needs real commits: mark the test `@pytest.mark.commits` (docs/testing.md)"
        )


@contextmanager
def rolled_back(application: FastAPI) -> Iterator[Connection]:
    """Run the block with `application` on one connection whose transaction is rolled back
    at the end; the app's engine and session factory are put back afterwards. Within a
    block already rolled back (a world built once for a module, `shared_world`), the inner
    block is a savepoint on the same connection, rolled back at its end: each test starts
    from the world as built."""
    current = application.state.engine
    if isinstance(current, SavepointEngine):
        savepoint = current.connection.begin_nested()
        try:
            yield current.connection
        finally:
            if savepoint.is_active:
                savepoint.rollback()
        return
    engine: Engine = current
    factory = application.state.sessionmaker
    connection = engine.connect()
    outer = connection.begin()

    def refuse_commit(_connection: Connection) -> None:
        raise OuterCommitRefused(
            "the test committed its rolled-back transaction: mark it `commits` "
            "(docs/testing.md) or commit through app.state.sessionmaker"
        )

    event.listen(connection, "commit", refuse_commit)
    application.state.engine = SavepointEngine(engine, connection)
    application.state.sessionmaker = session_factory(connection, application.state.settings)
    try:
        yield connection
    finally:
        application.state.engine = engine
        application.state.sessionmaker = factory
        if outer.is_active:
            outer.rollback()
        connection.close()
    left = leftovers(engine)
    if left:
        from tests.cleanup import empty_database

        empty_database(engine)
        raise OuterCommitRefused(
            f"rows committed outside the test's transaction stayed in {left}: something "
            "opened an engine of its own; mark the test `commits` (docs/testing.md)"
        )


def leftovers(engine: Engine) -> list[str]:
    """The tables that hold rows after a rolled-back test: one query, so every test can
    afford it, and a test that committed elsewhere cannot leave rows to the next."""
    import app.main  # noqa: F401  (every model registered)
    from app.core.db import Base

    tables = [table.name for table in Base.metadata.sorted_tables]
    probes = ", ".join(f"(SELECT 1 FROM {name} LIMIT 1) AS {name}" for name in tables)
    with engine.connect() as connection:
        row = connection.execute(text(f"SELECT {probes}")).one()
    return [name for name, present in zip(tables, row, strict=True) if present]
