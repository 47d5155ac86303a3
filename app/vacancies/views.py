"""The vacancy as the API answers it and its events tell it: each with its landlord's and
its area's names, loaded for a whole page at once (app/references.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import references
from app.intermediaries.schemas import acted_by
from app.vacancies.models import Vacancy
from app.vacancies.schemas import VacancyRead
from app.vocabulary import ContractForm, VacancyStatus


def to_reads(session: Session, vacancies: list[Vacancy]) -> list[VacancyRead]:
    """The vacancies as the API answers them, each with its landlord's name and its area's
    name, loaded for the whole page at once (app/references.py)."""
    refs = references.load(session, vacancies=(v.id for v in vacancies))
    return [_read(vacancy, refs) for vacancy in vacancies]


def to_read(session: Session, vacancy: Vacancy) -> VacancyRead:
    """One vacancy as the API answers it (see `to_reads`)."""
    return to_reads(session, [vacancy])[0]


def _read(vacancy: Vacancy, refs: references.References) -> VacancyRead:
    ref = refs.vacancy(vacancy.id)
    return VacancyRead(
        id=vacancy.id,
        external_ref=vacancy.external_ref,
        landlord=vacancy.landlord_id,
        landlord_name=refs.landlord_name(vacancy.landlord_id),
        municipality=vacancy.municipality_code,
        area=vacancy.area,
        area_name=ref.area_name if ref else None,
        rooms=vacancy.rooms,
        rent=vacancy.rent,
        elevator=vacancy.elevator,
        ground_floor=vacancy.ground_floor,
        wheelchair=vacancy.wheelchair,
        contract_forms=[ContractForm(form) for form in vacancy.contract_forms],
        address=vacancy.address,
        postal_code=vacancy.postal_code,
        living_area=vacancy.living_area,
        floor=vacancy.floor,
        available_from=vacancy.available_from,
        status=VacancyStatus(vacancy.status),
        quota_apartment=vacancy.quota_apartment,
        version=vacancy.version,
        changed_by=acted_by(
            vacancy.changed_by_credential,
            vacancy.changed_by_intermediary,
            vacancy.landlord_id,
            (vacancy.changed_by_person, vacancy.changed_by_person_name),
        ),
        created_at=vacancy.created_at,
        updated_at=vacancy.updated_at,
    )
