"""Event and webhook queries, always within one audience's stream."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from app.events.models import Event, WebhookDelivery, WebhookEndpoint


def feed_page(
    session: Session, audience: str, *, after: int, types: Collection[str], limit: int
) -> list[Event]:
    query = (
        select(Event)
        .where(Event.audience == audience, Event.seq > after)
        .order_by(Event.seq)
        .limit(limit)
    )
    if types:
        query = query.where(Event.type.in_(list(types)))
    return list(session.scalars(query))


def last_seq(session: Session, audience: str) -> int:
    return int(session.scalar(select(func.max(Event.seq)).where(Event.audience == audience)) or 0)


def already_emitted(session: Session, dedupe_key: str) -> bool:
    return bool(session.scalar(select(exists().where(Event.dedupe_key == dedupe_key))))


def endpoint_for(
    session: Session, audience: str, endpoint_id: str, *, lock: bool = False
) -> WebhookEndpoint | None:
    """The audience's endpoint, else None (→ 404: another organisation's id is unknown)."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.audience == audience, WebhookEndpoint.id == endpoint_id
    )
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def endpoints_page(
    session: Session, audience: str, *, after: str | None, limit: int
) -> list[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.audience == audience)
        .order_by(WebhookEndpoint.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(WebhookEndpoint.id > after)
    return list(session.scalars(query))


def deliveries_page(
    session: Session,
    endpoint_id: str,
    *,
    status: str | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[tuple[WebhookDelivery, Event]]:
    """Newest first: an integrator looks at what just happened."""
    query = (
        select(WebhookDelivery, Event)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if before is not None:
        at, delivery_id = before
        query = query.where(
            (WebhookDelivery.created_at < at)
            | ((WebhookDelivery.created_at == at) & (WebhookDelivery.id < delivery_id))
        )
    return [(row[0], row[1]) for row in session.execute(query)]


def delivery_for(
    session: Session, endpoint_id: str, delivery_id: str, *, lock: bool = False
) -> tuple[WebhookDelivery, Event] | None:
    query = (
        select(WebhookDelivery, Event)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.id == delivery_id)
    )
    if lock:
        query = query.with_for_update(of=WebhookDelivery)
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


def all_endpoints_for_update(session: Session) -> list[WebhookEndpoint]:
    """Every endpoint, locked: re-sealing must not race an endpoint's deletion."""
    return list(
        session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id).with_for_update())
    )


def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)


def erase_household_events(session: Session, household_id: str) -> int:
    """Erasure: the events about the household keep their type, time and subject (quota and
    workflow history), never its data."""
    result = session.execute(
        update(Event)
        .where(Event.household_id == household_id)
        .values(data={"erased": True}, household_id=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_before(session: Session, moment: datetime) -> int:
    """Retention: events older than `moment` go, with their deliveries."""
    old = select(Event.id).where(Event.occurred_at < moment)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(old)))
    result = session.execute(delete(Event).where(Event.occurred_at < moment))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
