"""How a commit that created webhook deliveries gets a worker to send them: on PostgreSQL a
procrastinate job deferred in the same transaction, on SQLite the in-process delivery
thread woken after the commit. The outbox (which creates deliveries), the feed's ping and
retry, and the sender (app/events/delivery.py) all read this one place, so none of them
imports another for the queue's names."""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.config import backend
from app.core.queue import defer_in_transaction

QUEUE = "webhooks"
DELIVER = "deliver_webhooks"
DELIVERIES_QUEUED = threading.Event()
"""Set when a commit created webhook deliveries: wakes this process's delivery thread
(SQLite); on PostgreSQL a procrastinate job is deferred in the transaction instead."""
DELIVERIES_WANTED = "envagin.deliveries"
"""The session's note that its transaction created deliveries (read after the commit)."""

WAITING_JOB = (
    "SELECT EXISTS (SELECT 1 FROM procrastinate.procrastinate_jobs "
    "WHERE queueing_lock = :lock AND status = 'todo')"
)
"""Whether a delivery job waits already (`:lock` is `DELIVER`); the outbox's statement
asks it too, once the queue's schema is known to exist (`queue_known`)."""
_WAITING = text(WAITING_JOB)


def queue_known() -> bool:
    """Whether this process has seen the queue's schema (then a statement may read it)."""
    return _queue_ready


_queue_ready = False
"""Whether this process has seen the queue's schema (it is never dropped while running)."""


def defer_delivery(session: Session, waiting: bool | None = None) -> None:
    """PostgreSQL: a delivery job in the session's transaction — unless one is waiting
    already, which will send these too (one indexed lookup instead of an insert that
    would fail on the queueing lock). Should that job start before this commit and finish
    without seeing these deliveries, the minute's sweep sends them. `waiting`: the answer
    of the outbox's own statement, which asks once the schema is known (`queue_known`)."""
    global _queue_ready
    if waiting is not None:
        pass
    elif _queue_ready:
        waiting = session.connection().execute(_WAITING, {"lock": DELIVER}).scalar()
    else:
        try:  # in a savepoint until the queue's schema was seen: a failure aborts only it
            with session.begin_nested():
                waiting = session.execute(_WAITING, {"lock": DELIVER}).scalar()
            _queue_ready = True
        except Exception:  # no queue schema: defer_in_transaction reports it
            waiting = False
    if not waiting:
        defer_in_transaction(session, DELIVER, queue=QUEUE, queueing_lock=DELIVER)


def queue_delivery_job(session: Session, job_waiting: bool | None = None) -> None:
    """Make sure a worker sends what this transaction queued: on PostgreSQL a procrastinate
    job deferred in the transaction (one waiting job is enough: it drains them all); on
    SQLite the in-process delivery thread is woken after the commit."""
    session.info[DELIVERIES_WANTED] = True
    if backend(session.get_bind().engine.url) == "postgresql":
        defer_delivery(session, job_waiting)
