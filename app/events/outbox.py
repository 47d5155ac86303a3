"""The outbox: a change emits its events into the session, and they are written in that
session's transaction, just before it commits — a rolled-back change emits nothing, a
committed one is never lost.

Events are buffered on the session and written at `before_commit` rather than where they
are emitted, for two reasons: each audience's sequence row is locked once and for as short
a time as possible, and all of a transaction's streams are locked in one sorted order, so
two transactions writing to the same streams can never deadlock on them. The deliveries of
every subscribed webhook are created in the same step (app/events/delivery.py sends them).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    FromClause,
    String,
    Table,
    TextClause,
    and_,
    bindparam,
    column,
    event,
    insert,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import Insert, ReturningInsert
from sqlalchemy.sql.functions import FunctionElement

from app.core.config import backend
from app.core.db import UTCDateTime, utcnow
from app.events.catalogue import SUBJECT_OF, Audience
from app.events.delivery_jobs import (
    DELIVER,
    DELIVERIES_QUEUED,
    DELIVERIES_WANTED,
    WAITING_JOB,
    queue_delivery_job,
    queue_known,
)
from app.events.models import Event, EventStream, WebhookDelivery, WebhookEndpoint
from app.events.repository import already_emitted
from app.vocabulary import DeliveryStatus, EventType

OUTBOX = "envagin.outbox"


@dataclass(slots=True)
class PendingEvent:
    audience: str
    type: EventType
    subject_id: str
    data: dict[str, Any]
    occurred_at: datetime
    external_ref: str | None = None
    household_id: str | None = None
    dedupe_key: str | None = None


def emit(
    session: Session,
    audience: Audience | str,
    event_type: EventType,
    *,
    subject_id: str,
    data: BaseModel | dict[str, Any],
    external_ref: str | None = None,
    household_id: str | None = None,
    dedupe_key: str | None = None,
    occurred_at: datetime | None = None,
) -> None:
    """Queue one event for one audience in the session's transaction. `data` is the
    audience's own view; `household_id` (never shown) lets erasure find the event."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    if not session.in_transaction():
        session.begin()  # the buffer belongs to a transaction: its rollback must discard it
    pending: list[PendingEvent] = session.info.setdefault(OUTBOX, [])
    pending.append(
        PendingEvent(
            audience=audience.key if isinstance(audience, Audience) else audience,
            type=event_type,
            subject_id=subject_id,
            data=payload,
            occurred_at=occurred_at or utcnow(),
            external_ref=external_ref,
            household_id=household_id,
            dedupe_key=dedupe_key,
        )
    )


def emit_views(
    session: Session,
    event_type: EventType,
    views: list[tuple[Audience, BaseModel]],
    *,
    subject_id: str,
    external_ref: str | None = None,
    household_id: str | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """One change told to several audiences, each with its own view. With `dedupe_key`
    (events a sweep finds due: a deadline, a step) only once, ever; returns whether it
    was emitted."""
    if dedupe_key is not None and (
        already_emitted(session, dedupe_key)
        or any(p.dedupe_key == dedupe_key for p in session.info.get(OUTBOX, []))
    ):
        return False
    dumped: dict[int, dict[str, Any]] = {}  # a view shared by audiences is dumped once
    for audience, view in views:
        if id(view) not in dumped:
            dumped[id(view)] = view.model_dump(mode="json")
        emit(
            session,
            audience,
            event_type,
            subject_id=subject_id,
            data=dumped[id(view)],
            external_ref=external_ref,
            household_id=household_id,
            dedupe_key=dedupe_key,
        )
    return True


_HAS_ENDPOINTS = (
    "EXISTS (SELECT 1 FROM webhook_endpoints AS endpoint"
    " WHERE endpoint.audience = event_streams.audience AND endpoint.enabled)"
)
"""Per stream row, whether its audience has an enabled endpoint, as a correlated subquery
in the upsert's RETURNING (written out: SQLAlchemy renders an INSERT's RETURNING columns
unqualified, which makes `audience` ambiguous in a subquery)."""


# The outbox writes through the tables, not the mapped classes: an INSERT of a mapped class
# through the session takes the ORM's bulk path (identity and attribute bookkeeping per
# row), which cost more than the statements (benchmarks/README.md "Events").
_STREAMS = cast(Table, EventStream.__table__)
_EVENTS = cast(Table, Event.__table__)
_DELIVERIES = cast(Table, WebhookDelivery.__table__)
_ENDPOINTS = cast(Table, WebhookEndpoint.__table__)
_INSERT_EVENTS = insert(_EVENTS).returning(
    _EVENTS.c.id, _EVENTS.c.audience, _EVENTS.c.type, sort_by_parameter_order=True
)


def _sql_function(
    name: str, type_: Any, *, postgresql: str, sqlite: str
) -> type[FunctionElement[Any]]:
    """A SQL expression each database writes its own way: `postgresql` and `sqlite` are
    templates of its arguments ({0}, {1}, …), compiled per dialect."""
    element: type[FunctionElement[Any]] = type(
        name, (FunctionElement,), {"type": type_, "inherit_cache": True, "name": name}
    )
    for dialect, template in (("postgresql", postgresql), ("sqlite", sqlite)):

        def render(el: Any, compiler: Any, _template: str = template, **kw: Any) -> str:
            return _template.format(*(compiler.process(arg, **kw) for arg in el.clauses))

        compiles(element, dialect)(render)
    return element


# `msg_` and 32 random hex digits, made by the database (the form of `new_delivery_id`).
_new_delivery_id = _sql_function(
    "new_delivery_id",
    String(),
    postgresql="'msg_' || replace(CAST(gen_random_uuid() AS text), '-', '')",
    sqlite="'msg_' || lower(hex(randomblob(16)))",
)
# An empty JSON list (SQLite keeps JSON as text, and would make a cast of it 0).
_no_attempts = _sql_function("no_attempts", JSON(), postgresql="CAST('[]' AS json)", sqlite="'[]'")
# subscribed(event_types, type): the endpoint's JSON list of types holds the type.
_subscribed = _sql_function(
    "subscribed",
    Boolean(),
    postgresql="CAST({0} AS jsonb) @> jsonb_build_array({1})",
    sqlite="EXISTS (SELECT 1 FROM json_each({0}) WHERE json_each.value = {1})",
)


def _deliveries_of(
    events: FromClause, now: ColumnElement[Any], where: ColumnElement[bool] | None = None
) -> Insert:
    """The delivery rule, the one place it is written: an event gets one delivery per
    enabled endpoint of its audience subscribed to its type. An INSERT … SELECT over
    `events` (the events just written), read by both databases' paths below."""
    endpoint = _ENDPOINTS
    chosen = select(
        _new_delivery_id(),
        endpoint.c.id,
        events.c.id,
        now,
        literal_column(f"'{DeliveryStatus.pending.value}'"),
        literal_column("0"),
        _no_attempts(),
        now,
        now,
    ).select_from(
        events.join(
            endpoint,
            and_(
                endpoint.c.audience == events.c.audience,
                endpoint.c.enabled,
                _subscribed(endpoint.c.event_types, events.c.type),
            ),
        )
    )
    if where is not None:
        chosen = chosen.where(where)
    return insert(_DELIVERIES).from_select(
        [
            "id",
            "endpoint_id",
            "event_id",
            "next_attempt_at",
            "status",
            "attempt_count",
            "attempts",
            "created_at",
            "updated_at",
        ],
        chosen,
    )


_DELIVER_SQLITE = _deliveries_of(
    _EVENTS,
    bindparam("now", type_=UTCDateTime()),
    _EVENTS.c.id.in_(bindparam("ids", expanding=True)),
)


@functools.cache
def _stream_upsert_sqlite() -> ReturningInsert[Any]:
    """SQLite: the streams' upsert, built once and run with one parameter set per stream
    (SQLAlchemy sends them as one multi-row INSERT, in the order given); each row returns
    its new last number and whether its audience has an endpoint. (SQLite writes one
    transaction at a time: the order of the rows is for PostgreSQL's row locks.)"""
    values = sqlite.insert(_STREAMS)
    return values.on_conflict_do_update(
        index_elements=[_STREAMS.c.audience],
        set_={"last_seq": _STREAMS.c.last_seq + values.excluded.last_seq},
    ).returning(
        _STREAMS.c.audience,
        _STREAMS.c.last_seq,
        literal_column(_HAS_ENDPOINTS, Boolean),
    )


@functools.cache
def _write_postgresql_statement(ask_for_job: bool) -> TextClause:
    """PostgreSQL: numbers, events and deliveries in one statement — the streams' upsert
    (rows in sorted order, so two transactions lock the same streams in the same order;
    the locks are held until commit), the events numbered from it, and their deliveries
    by `_deliveries_of` over the events just written. One round trip instead of three."""
    # With the queue's schema known to exist, whether a delivery job waits already comes
    # back too (else the delivery job's own look-up asks, in a savepoint).
    job = f"({WAITING_JOB.replace(':lock', repr(DELIVER))})" if ask_for_job else "NULL"
    written = table("written", column("id"), column("audience"), column("type"))
    named = postgresql.dialect(paramstyle="named")  # type: ignore[no-untyped-call]
    # Compiled into the text below: `now` is the text's own parameter there.
    now = literal_column("CAST(:now AS timestamptz)", UTCDateTime())
    deliver = _deliveries_of(written, now).compile(dialect=named)
    return text(
        f"""
WITH numbers AS (
    INSERT INTO {_STREAMS.name} AS stream (audience, last_seq)
    SELECT taken.audience, taken.count
    FROM unnest(CAST(:stream_audience AS varchar[]), CAST(:stream_count AS bigint[]))
        AS taken(audience, count)
    ORDER BY taken.audience
    ON CONFLICT (audience) DO UPDATE SET last_seq = stream.last_seq + excluded.last_seq
    RETURNING stream.audience, stream.last_seq
), written AS (
    INSERT INTO {_EVENTS.name} (audience, seq, type, occurred_at, subject_type, subject_id,
        external_ref, household_id, dedupe_key, data)
    SELECT e.audience, numbers.last_seq - e.later, e.type, e.occurred_at, e.subject_type,
        e.subject_id, e.external_ref, e.household_id, e.dedupe_key, CAST(e.data AS json)
    FROM unnest(
        CAST(:audience AS varchar[]), CAST(:later AS bigint[]), CAST(:type AS varchar[]),
        CAST(:occurred_at AS timestamptz[]), CAST(:subject_type AS varchar[]),
        CAST(:subject_id AS varchar[]), CAST(:external_ref AS varchar[]),
        CAST(:household_id AS varchar[]), CAST(:dedupe_key AS varchar[]),
        CAST(:data AS text[])
    ) WITH ORDINALITY AS e(audience, later, type, occurred_at, subject_type, subject_id,
        external_ref, household_id, dedupe_key, data, position)
    JOIN numbers ON numbers.audience = e.audience
    ORDER BY e.position
    RETURNING id, audience, type
), delivered AS (
    {deliver} RETURNING 1
)
SELECT (SELECT array_agg(id ORDER BY id) FROM written), (SELECT count(*) FROM delivered),
    {job}
"""  # noqa: S608 (the models' names and a compiled statement; every value is a parameter)
    ).bindparams(bindparam("now", type_=UTCDateTime()))


def _later(pending: list[PendingEvent]) -> list[int]:
    """Per event, how many events of its audience come after it in this commit: its number
    is its stream's new last number minus that (numbers in the order of emission)."""
    seen: dict[str, int] = {}
    later = [0] * len(pending)
    for index in range(len(pending) - 1, -1, -1):
        audience = pending[index].audience
        later[index] = seen.get(audience, 0)
        seen[audience] = later[index] + 1
    return later


def _write_postgresql(
    session: Session, pending: list[PendingEvent], counts: dict[str, int]
) -> tuple[list[int], bool, bool | None]:
    streams = sorted(counts)
    row = (
        session.connection()
        .execute(
            _write_postgresql_statement(queue_known()),
            {
                "stream_audience": streams,
                "stream_count": [counts[audience] for audience in streams],
                "audience": [item.audience for item in pending],
                "later": _later(pending),
                "type": [item.type.value for item in pending],
                "occurred_at": [_utc(item.occurred_at) for item in pending],
                "subject_type": [SUBJECT_OF[item.type].value for item in pending],
                "subject_id": [item.subject_id for item in pending],
                "external_ref": [item.external_ref for item in pending],
                "household_id": [item.household_id for item in pending],
                "dedupe_key": [item.dedupe_key for item in pending],
                "data": [json.dumps(item.data) for item in pending],
                "now": utcnow(),
            },
        )
        .one()
    )
    waiting = None if row[2] is None else bool(row[2])
    return [int(event_id) for event_id in row[0] or ()], int(row[1]) > 0, waiting


def _write_sqlite(
    session: Session, pending: list[PendingEvent], counts: dict[str, int]
) -> tuple[list[int], bool, bool | None]:
    connection = session.connection()
    streams = [{"audience": audience, "last_seq": counts[audience]} for audience in sorted(counts)]
    last: dict[str, int] = {}
    subscribed = False
    for row in connection.execute(_stream_upsert_sqlite(), streams):
        audience, last_seq, has_endpoints = row
        last[audience] = int(last_seq)
        subscribed = subscribed or bool(has_endpoints)
    rows = [
        {
            "audience": item.audience,
            "seq": last[item.audience] - later,
            "type": item.type.value,
            "occurred_at": item.occurred_at,
            "subject_type": SUBJECT_OF[item.type].value,
            "subject_id": item.subject_id,
            "external_ref": item.external_ref,
            "household_id": item.household_id,
            "dedupe_key": item.dedupe_key,
            "data": item.data,
        }
        for item, later in zip(pending, _later(pending), strict=True)
    ]
    ids = [int(event.id) for event in connection.execute(_INSERT_EVENTS, rows)]
    if not subscribed:
        return ids, False, None
    delivered = connection.execute(_DELIVER_SQLITE, {"ids": ids, "now": utcnow()})
    return ids, delivered.rowcount > 0, None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def write_pending(session: Session, pending: list[PendingEvent]) -> list[int]:
    """Number and insert the events, and create a delivery per subscribed endpoint; returns
    the events' row ids. Core statements on the session's connection (its transaction):
    this runs on every write that tells someone something (benchmarks/events.py measures
    it) — one statement on PostgreSQL, two or three on SQLite."""
    # The statements go to the connection, past the session's autoflush: flush first, so
    # they see the transaction's own changes (an endpoint just disabled gets nothing).
    session.flush()
    counts: dict[str, int] = {}
    for item in pending:
        counts[item.audience] = counts.get(item.audience, 0) + 1
    on_postgresql = backend(session.get_bind().engine.url) == "postgresql"
    write = _write_postgresql if on_postgresql else _write_sqlite
    ids, delivered, job_waiting = write(session, pending, counts)
    if delivered:
        queue_delivery_job(session, job_waiting)
    return ids


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.pop(OUTBOX, None)
    if pending:
        write_pending(session, pending)


@event.listens_for(Session, "after_commit")
def _wake_delivery(session: Session) -> None:
    if session.info.pop(DELIVERIES_WANTED, False):
        DELIVERIES_QUEUED.set()


@event.listens_for(Session, "after_soft_rollback")
def _discard_outbox(session: Session, previous: SessionTransaction) -> None:
    # Only the outermost transaction's rollback discards: a savepoint's does not undo
    # what the transaction emitted before it.
    if previous.parent is None:
        session.info.pop(OUTBOX, None)
        session.info.pop(DELIVERIES_WANTED, None)
