from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime, new_id, utcnow
from app.vocabulary import DeliveryStatus

BIGINT = BigInteger().with_variant(Integer, "sqlite")


class EventStream(Base):
    """The last sequence number given out in one audience's stream. Taking the next numbers
    updates this row, so on PostgreSQL two transactions writing to the same stream take
    their numbers in commit order: a reader that has seen event n never later finds an
    n - 1 it missed (no gap for a cursor to skip)."""

    __tablename__ = "event_streams"

    audience: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BIGINT, default=0)


class Event(Base):
    """One change as one audience sees it: `data` is that audience's own view of the
    resource at the moment of the change, written in the change's transaction (an outbox).
    `seq` is the event's public id, increasing within the audience's stream."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("audience", "seq"),
        UniqueConstraint("audience", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True, autoincrement=True)
    audience: Mapped[str] = mapped_column(String(60))
    seq: Mapped[int] = mapped_column(BIGINT)
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(36))
    external_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    # Not shown: which household the event is about, so erasure can find its events.
    household_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    # Not shown: makes an event that a sweep writes (a deadline, a step due) happen once.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), default=None, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebhookEndpoint(Base):
    """An audience's subscription: where to deliver which event types, and the secret the
    deliveries are signed with (Standard Webhooks). The secret is kept because every
    delivery is signed with it; it is shown once, at creation."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    audience: Mapped[str] = mapped_column(String(60), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(500), default=None)
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_by: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """One event on its way to one endpoint. Its id is the `webhook-id` of every attempt,
    so a receiver can drop a repeat. `next_attempt_at` is also the lease: a worker that
    takes a delivery moves it a minute ahead first, so a worker killed mid-send leaves it to
    be sent again (at least once)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.pending)
    attempt_count: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


STARTED = "started"
"""Marks an attempt in a delivery's `attempts` that was claimed for sending and whose
answer is not recorded yet (app/events/delivery.py); never shown as such."""
SENDING = "sending"
"""The `error` shown for a started attempt while its lease runs: no answer yet."""
INTERRUPTED = "interrupted"
"""The `error` of an attempt whose worker died before its answer was recorded: the
receiver may or may not have it."""


def ended(attempt: dict[str, Any], error: str) -> dict[str, Any]:
    """A started attempt without an answer, as it is shown or kept: `error` says why."""
    return {**{k: v for k, v in attempt.items() if k != STARTED}, "error": error}


def new_delivery_id() -> str:
    """`msg_…`, the form Standard Webhooks' examples use for `webhook-id`."""
    return "msg_" + new_id().replace("-", "")
