"""Engine, declarative base and the per-request session that commits or rolls back once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from app.core.config import Settings, backend
from app.core.errors import AppError
from app.core.sealing import SEALER, Sealer

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC and read back timezone-aware on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base; constraint names are deterministic so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    """A random, unguessable id: ids are never sequential, so they cannot be enumerated."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current instant, in UTC: what the database keeps and the API returns."""
    return datetime.now(UTC)


STOCKHOLM = ZoneInfo("Europe/Stockholm")
"""The service is Swedish: a calendar day or year means Europe/Stockholm, not UTC."""


def local_date(moment: datetime) -> date:
    """The Swedish calendar day of an instant. The database keeps UTC instants, but a
    placement at 00:30 on 1 January in Sweden (23:30 UTC on 31 December) belongs to the new
    day and year. A naive datetime is taken as UTC (UTCDateTime stores UTC and reads it
    back aware; a naive one can only come from outside)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).date()


def local_today() -> date:
    """Today in Sweden: the day "today" means for due steps, live mandates and start dates."""
    return local_date(utcnow())


def local_year() -> int:
    """This year in Sweden: the default agreement, statistics and settlement year."""
    return local_today().year


def local_year_start(year: int) -> datetime:
    """The instant `year` begins in Sweden (midnight 1 January, Europe/Stockholm), for
    selecting the instants of a calendar year."""
    return datetime(year, 1, 1, tzinfo=STOCKHOLM)


def session_factory(bind: Engine | Connection, settings: Settings) -> sessionmaker[Session]:
    """How the app and the worker make sessions: each carries what its work needs from the
    settings beside the connection — the sealer of webhook secrets (app/core/sealing.py).

    Bound to an engine (the service), each session has a connection and a transaction of
    its own. Bound to a connection already in a transaction (the test suite's rolled-back
    tests, tests/transaction.py), each session's commit or rollback is a savepoint in it."""

    sealer = Sealer.of(settings.webhook_keys, settings.signing_key)
    return sessionmaker(
        bind,
        expire_on_commit=False,
        info={SEALER: sealer},
        join_transaction_mode="create_savepoint",
    )


def create_db_engine(url: str) -> Engine:
    """An engine tuned per backend: SQLite in WAL mode with foreign keys, PostgreSQL pooled."""
    if backend(url) == "sqlite":
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=NullPool if path == ":memory:" else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Autocommit off in the driver; SQLAlchemy issues BEGIN itself (see below), so
            # that a write transaction takes the lock at its start and waits, not fails.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def get_session(request: Request) -> Iterator[Session]:
    """The request's one session: commits once when the handler returns, else rolls back.

    Used with `scope="function"`, so the commit happens before the response is sent and a
    failed commit becomes an error response instead of a lost write.
    """

    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        try:
            yield session
            session.commit()
            request.app.state.database_outage.answered()
        except AppError as exc:
            # A refusal that stands on a change time made, not the client (an overdue
            # proposal expiring as it is answered), keeps that change; any other rolls back.
            if exc.keeps_changes:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def end_read_transaction(session: Session) -> None:
    """End a request's transaction that has only read, before it waits (a long poll):
    on SQLite an open transaction holds the write lock, on PostgreSQL a pooled
    connection. Refuses a session with unflushed changes — those commit once, at the end."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_read_transaction: the session has changes")
    session.commit()
