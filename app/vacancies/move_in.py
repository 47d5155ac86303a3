"""When a household can move into a vacancy: one rule, read by the proposal's view (the
move-in day a live proposal shows) and by the contract that makes the tenancy (its start),
so the day promised is the day the tenancy begins."""

from __future__ import annotations

from datetime import date

from app.vacancies.models import Vacancy


def start_date_for(vacancy: Vacancy, today: date) -> date:
    """The move-in day: when the vacancy is available, never in the past."""
    if vacancy.available_from is not None and vacancy.available_from > today:
        return vacancy.available_from
    return today
