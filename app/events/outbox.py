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
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import JSON, Table, event, insert, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import ReturningInsert

from app.config import backend
from app.db import utcnow
from app.events.catalogue import SUBJECT_OF, Audience, EventType
from app.events.models import Event, EventStream, WebhookDelivery, WebhookEndpoint, new_delivery_id

OUTBOX = "envagin.outbox"
DELIVERIES_QUEUED = threading.Event()
"""Set when a commit created webhook deliveries: wakes this process's delivery thread
(SQLite); on PostgreSQL a procrastinate job is deferred in the transaction instead."""


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
    if dedupe_key is not None:
        from app.events.repository import already_emitted

        if already_emitted(session, dedupe_key) or any(
            p.dedupe_key == dedupe_key for p in session.info.get(OUTBOX, [])
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


_OF_THE_STREAM = (
    f"FROM {WebhookEndpoint.__tablename__} AS endpoint WHERE endpoint.audience = "
    f"{EventStream.__tablename__}.audience AND endpoint.enabled)"
)
_ENDPOINTS_OF_STREAM = {
    # A correlated subquery in RETURNING, written out: SQLAlchemy renders the columns of an
    # INSERT's RETURNING unqualified, which makes `audience` ambiguous in a subquery.
    True: "(SELECT json_agg(json_build_array(endpoint.id, endpoint.event_types)) " + _OF_THE_STREAM,
    False: "(SELECT json_group_array(json_array(endpoint.id, json(endpoint.event_types))) "
    + _OF_THE_STREAM,
}
"""Per stream row, its audience's enabled endpoints as a JSON list of [id, event types]
(PostgreSQL, SQLite)."""


# The outbox writes through the tables, not the mapped classes: an INSERT of a mapped class
# through the session takes the ORM's bulk path (identity and attribute bookkeeping per
# row), which cost more than the statements (benchmarks/README.md "Events").
_STREAMS = cast(Table, EventStream.__table__)
_EVENTS = cast(Table, Event.__table__)
_DELIVERIES = cast(Table, WebhookDelivery.__table__)
_INSERT_EVENTS = insert(_EVENTS).returning(
    _EVENTS.c.id, _EVENTS.c.audience, _EVENTS.c.type, sort_by_parameter_order=True
)
# With RETURNING, SQLAlchemy sends the rows as one multi-row INSERT ("insertmanyvalues");
# without it, psycopg's executemany pipelines one statement per row.
_INSERT_DELIVERIES = insert(_DELIVERIES).returning(_DELIVERIES.c.id)


@functools.cache
def _stream_upsert(on_postgresql: bool) -> ReturningInsert[tuple[str, int, Any]]:
    """The streams' upsert, built once and run with one parameter set per stream: a
    statement with its rows as literal values is compiled anew on every run (SQLAlchemy
    cannot cache it), which cost more than the statement itself. SQLAlchemy sends the
    parameter sets as one multi-row INSERT, in the order given."""
    insert_ = postgresql.insert if on_postgresql else sqlite.insert
    values = insert_(_STREAMS)
    return values.on_conflict_do_update(
        index_elements=[_STREAMS.c.audience],
        set_={"last_seq": _STREAMS.c.last_seq + values.excluded.last_seq},
    ).returning(
        _STREAMS.c.audience,
        _STREAMS.c.last_seq,
        literal_column(_ENDPOINTS_OF_STREAM[on_postgresql], JSON),
    )


def _take_numbers(
    session: Session, counts: dict[str, int]
) -> tuple[dict[str, int], list[tuple[str, str, list[str]]]]:
    """Reserve numbers in each audience's stream, in one upsert whose rows come in sorted
    order (so two transactions lock the same streams in the same order); returns the last
    number taken per audience and the audiences' enabled webhook endpoints (audience, id,
    event types). The row locks are held until commit.

    The endpoints come back with the numbers, as a subquery of the upsert's RETURNING, so
    a write that tells someone something costs one statement here, not two (benchmarks/
    events.py, "Events")."""
    on_postgresql = backend(session.get_bind().engine.url) == "postgresql"
    rows = [{"audience": audience, "last_seq": counts[audience]} for audience in sorted(counts)]
    result = session.connection().execute(_stream_upsert(on_postgresql), rows)
    last: dict[str, int] = {}
    subscribed: list[tuple[str, str, list[str]]] = []
    for audience, last_seq, listed_endpoints in result:
        last[audience] = int(last_seq)
        for endpoint_id, event_types in listed_endpoints or ():
            subscribed.append((audience, endpoint_id, list(event_types or ())))
    return last, subscribed


def write_pending(session: Session, pending: list[PendingEvent]) -> list[int]:
    """Number and insert the events, and create a delivery per subscribed endpoint; returns
    the events' row ids. Core statements, one per table: this runs on every write that
    tells someone something (benchmarks/events.py measures it)."""
    # The statements below go to the connection, past the session's autoflush: flush first,
    # so they see the transaction's own changes (an endpoint just disabled gets nothing).
    session.flush()
    counts: dict[str, int] = {}
    for item in pending:
        counts[item.audience] = counts.get(item.audience, 0) + 1
    last, endpoints = _take_numbers(session, counts)
    next_seq = {audience: last[audience] - counts[audience] + 1 for audience in counts}
    rows = []
    for item in pending:
        rows.append(
            {
                "audience": item.audience,
                "seq": next_seq[item.audience],
                "type": item.type.value,
                "occurred_at": item.occurred_at,
                "subject_type": SUBJECT_OF[item.type].value,
                "subject_id": item.subject_id,
                "external_ref": item.external_ref,
                "household_id": item.household_id,
                "dedupe_key": item.dedupe_key,
                "data": item.data,
            }
        )
        next_seq[item.audience] += 1
    # Core statements on the session's connection (its transaction), past the ORM layer.
    written = session.connection().execute(_INSERT_EVENTS, rows).all()
    if endpoints:
        now = utcnow()
        deliveries = [
            {
                "id": new_delivery_id(),
                "endpoint_id": endpoint_id,
                "event_id": event.id,
                "next_attempt_at": now,
                "status": "pending",
                "attempt_count": 0,
                "attempts": [],
                "created_at": now,
                "updated_at": now,
            }
            for event in written
            for audience, endpoint_id, event_types in endpoints
            if audience == event.audience and event.type in event_types
        ]
        if deliveries:
            session.connection().execute(_INSERT_DELIVERIES, deliveries)
            queue_delivery_job(session)
    return [int(event.id) for event in written]


def queue_delivery_job(session: Session) -> None:
    """Make sure a worker sends what this transaction queued: on PostgreSQL a procrastinate
    job deferred in the transaction (one waiting job is enough: it drains them all); on
    SQLite the in-process delivery thread is woken after the commit."""
    session.info["envagin.deliveries"] = True
    if backend(session.get_bind().engine.url) == "postgresql":
        from app.events.delivery import defer_delivery

        defer_delivery(session)


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.pop(OUTBOX, None)
    if pending:
        write_pending(session, pending)


@event.listens_for(Session, "after_commit")
def _wake_delivery(session: Session) -> None:
    if session.info.pop("envagin.deliveries", False):
        DELIVERIES_QUEUED.set()


@event.listens_for(Session, "after_soft_rollback")
def _discard_outbox(session: Session, previous: SessionTransaction) -> None:
    # Only the outermost transaction's rollback discards: a savepoint's does not undo
    # what the transaction emitted before it.
    if previous.parent is None:
        session.info.pop(OUTBOX, None)
        session.info.pop("envagin.deliveries", None)
