"""Round jobs in the tests: which database the suite runs on, and running what is queued."""

from __future__ import annotations

import os
from contextlib import nullcontext
from typing import Any, LiteralString

import psycopg
from procrastinate import exceptions
from procrastinate.connector import BaseAsyncConnector
from procrastinate.sync_psycopg_connector import wrap_exceptions
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy.engine import Connection

from app.core.queue import QUEUE_SCHEMA
from app.flows import match_round
from app.jobs.worker import queue_app
from tests.conftest import Api
from tests.transaction import SavepointEngine

POSTGRES = os.environ.get("TEST_DATABASE", "sqlite") == "postgresql"


def run_jobs(api: Api) -> None:
    """Let the queued rounds run. SQLite: the request's background task already ran them
    (TestClient runs background tasks before returning). PostgreSQL: one procrastinate
    worker, in this process, until the queue is empty — on the test's own connection when
    the test is rolled back (tests/transaction.py), since no other connection sees its
    jobs."""
    if not POSTGRES:
        return
    url = api.app.state.settings.database_url
    queue = queue_app(url, api.app.state.sessionmaker)
    engine = api.app.state.engine
    with (
        queue.replace_connector(TestConnectionConnector(engine.connection))
        if isinstance(engine, SavepointEngine)
        else nullcontext()
    ):
        queue.run_worker(
            queues=[match_round.QUEUE],
            wait=False,
            install_signal_handlers=False,
            listen_notify=False,
        )


def _json(value: Any) -> Any:
    """Procrastinate's own wrapping of JSON arguments (its PsycopgConnector does the same)."""
    if isinstance(value, dict):
        return Jsonb(value)
    if isinstance(value, list | tuple):
        return type(value)(_json(item) for item in value)
    return value


class TestConnectionConnector(BaseAsyncConnector):
    """Procrastinate's queries on the rolled-back test's connection: each in a savepoint
    (a refused one, such as a periodic job already queued, leaves the test's transaction
    usable), with the queue's schema first on the search path as the worker's own
    connections have it (app/core/queue.py)."""

    def __init__(self, connection: Connection) -> None:
        self.connection: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]

    async def open_async(self, pool: Any = None) -> None:
        """The test's connection is open already."""

    async def close_async(self) -> None:
        """The test closes its connection."""

    def _run(self, query: LiteralString, arguments: dict[str, Any]) -> list[dict[str, Any]]:
        wrapped = {key: _json(value) for key, value in arguments.items()}
        with (
            wrap_exceptions(),
            self.connection.transaction(),
            self.connection.cursor(row_factory=dict_row) as cursor,
        ):
            previous = cursor.execute("SELECT current_setting('search_path') AS path").fetchone()
            assert previous is not None
            cursor.execute(
                "SELECT set_config('search_path', %s, true)",
                (f"{QUEUE_SCHEMA}, {previous['path']}",),
            )
            cursor.execute(query, wrapped)
            rows = cursor.fetchall() if cursor.description else []
            cursor.execute("SELECT set_config('search_path', %s, true)", (previous["path"],))
            return rows

    async def execute_query_async(self, query: LiteralString, **arguments: Any) -> None:
        self._run(query, arguments)

    async def execute_query_one_async(
        self, query: LiteralString, **arguments: Any
    ) -> dict[str, Any]:
        rows = self._run(query, arguments)
        if not rows:
            raise exceptions.NoResult
        return rows[0]

    async def execute_query_all_async(
        self, query: LiteralString, **arguments: Any
    ) -> list[dict[str, Any]]:
        return self._run(query, arguments)
