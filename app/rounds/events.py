"""What a municipality's coordinators are told when one of its rounds ends (app/events)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.rounds.models import Round
from app.rounds.views import to_summary
from app.vocabulary import EventType, RoundStatus


def announce_finished(session: Session, round_id: str) -> None:
    """`round.succeeded` or `round.failed`, with the round's summary; nothing for a round
    that is not finished (or gone)."""
    round_ = session.get(Round, round_id, populate_existing=True)
    if round_ is None or round_.status not in (RoundStatus.succeeded, RoundStatus.failed):
        return
    event_type = (
        EventType.round_succeeded
        if round_.status == RoundStatus.succeeded
        else EventType.round_failed
    )
    views: list[tuple[Audience, BaseModel]] = [
        (Audience.coordinators(round_.municipality_code), to_summary(round_))
    ]
    emit_views(session, event_type, views, subject_id=round_.id)
