"""A landlord withdraws a vacancy: the vacancy is no longer offered, and its live proposal,
if any, is withdrawn with it, so the household is free for the next round (the pair is not
forbidden: the household did nothing wrong). The vacancy's rules are app/vacancies/
service.py's, the proposal's app/proposals/service.py's; this flow puts them in one
transaction, the proposal's event before the vacancy's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import Principal
from app.proposals.service import withdraw_for_withdrawn_vacancy
from app.vacancies import service as vacancies
from app.vacancies.models import Vacancy
from app.vocabulary import VacancyStatus


def withdraw_vacancy(
    session: Session,
    *,
    principal: Principal,
    external_ref: str,
    if_match: str | None,
    landlord: str | None = None,
) -> Vacancy:
    """Withdraw the landlord's vacancy with its live proposal. Withdrawing twice is
    harmless; a let vacancy cannot be withdrawn (409)."""
    vacancy = vacancies.locked_for_withdrawal(
        session,
        principal=principal,
        external_ref=external_ref,
        if_match=if_match,
        landlord=landlord,
    )
    if vacancy.status != VacancyStatus.withdrawn:
        withdraw_for_withdrawn_vacancy(session, vacancy.id)
        vacancies.mark_withdrawn(session, principal=principal, vacancy=vacancy)
    return vacancy
