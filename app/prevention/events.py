"""What a prevention case tells its parties (app/events): the landlord that sent the signal
hears its status view (received, contacted, a payment plan only with the tenant's consent,
closed); the municipality's social services and coordinators hear the worklist line. No
event carries the tenant's identity: events are kept in plain JSON and sent on, so the
number stays sealed in the case."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.prevention import repository
from app.prevention.models import PreventionCase
from app.prevention.views import to_signal_view, to_summary
from app.vocabulary import EventType

APPROACHING = timedelta(hours=24)
"""How long before its deadline an uncontacted case is announced as approaching."""

MUNICIPAL_ONLY = frozenset(
    {EventType.prevention_deadline_approaching, EventType.prevention_overdue}
)
"""The municipality's own deadlines: the landlord is not told of them."""


def publish(
    session: Session,
    case: PreventionCase,
    event_type: EventType,
    *,
    now: datetime,
    dedupe_key: str | None = None,
    tell_landlord: bool = True,
) -> bool:
    summary = to_summary(case, now)
    views: list[tuple[Audience, BaseModel]] = [
        (Audience.social_services(case.municipality_code), summary),
        (Audience.coordinators(case.municipality_code), summary),
    ]
    if tell_landlord and event_type not in MUNICIPAL_ONLY:
        views.append((Audience.landlord(case.landlord_id), to_signal_view(case)))
    return emit_views(
        session,
        event_type,
        views,
        subject_id=case.id,
        external_ref=case.external_ref,
        dedupe_key=dedupe_key,
    )


def announce_deadlines(session: Session, now: datetime) -> int:
    """The sweep: each open, uncontacted case is announced once as its deadline nears
    (`prevention.deadline_approaching`) and once when it has passed (`prevention.overdue`)."""
    announced = 0
    for case in repository.due_between(session, now, now + APPROACHING):
        key = f"prevention_due:{case.id}:{case.due_at.isoformat()}"
        if publish(
            session, case, EventType.prevention_deadline_approaching, now=now, dedupe_key=key
        ):
            announced += 1
    for case in repository.overdue(session, now):
        key = f"prevention_overdue:{case.id}:{case.due_at.isoformat()}"
        if publish(session, case, EventType.prevention_overdue, now=now, dedupe_key=key):
            announced += 1
    return announced
