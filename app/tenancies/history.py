"""Reading a tenancy's journal: what its stored events say, as the rules (app/tenancies/
journal.py, service.py) and the views (views.py) both need it. Kept apart from
the journal, which writes and announces events, so the views can read history without
importing the writing side (and through it the events that publish the views)."""

from __future__ import annotations

from datetime import datetime

from app.tenancies import staircase
from app.tenancies.models import TenancyEvent
from app.vocabulary import EventKind


def happened(events: list[TenancyEvent]) -> list[staircase.Happened]:
    """The stored events as the staircase rules read them."""
    return [staircase.Happened(EventKind(e.kind), e.effective_on, e.reason) for e in events]


def answered_at(events: list[TenancyEvent]) -> dict[str, datetime]:
    """report id → when the municipality's response to it was recorded."""
    return {e.answers: e.recorded_at for e in events if e.kind == EventKind.response and e.answers}
