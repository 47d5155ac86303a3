"""What a vacancy's parties are told (app/events): its landlord and the coordinators of its
municipality, both in the vacancy view the API answers them with."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.vacancies.models import Vacancy
from app.vacancies.schemas import VacancyRead
from app.vacancies.views import to_read
from app.vocabulary import EventType


def publish(session: Session, vacancy: Vacancy, event_type: EventType) -> VacancyRead:
    """Tell the vacancy's parties; returns the view they were told (a request answering
    with the same view reuses it)."""
    view = to_read(session, vacancy)
    views: list[tuple[Audience, BaseModel]] = [
        (Audience.landlord(vacancy.landlord_id), view),
        (Audience.coordinators(vacancy.municipality_code), view),
    ]
    emit_views(session, event_type, views, subject_id=vacancy.id, external_ref=vacancy.external_ref)
    return view
