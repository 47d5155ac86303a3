"""The human references a municipality's views carry beside the ids (issue 11): the
household's `case_ref`, the vacancy's `external_ref`, the landlord's `name` and the area's
name.

A view is built for a whole page at once: `load` runs at most three queries however many
rows the page holds (households; vacancies joined with their areas; landlords), never one
per row. Only municipality-facing views use it; a landlord's views keep their own minimal
set (docs/domain.md §6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.households.models import Household
from app.landlords.models import Landlord
from app.vacancies.models import Vacancy
from app.vocabulary import HouseholdStatus


@dataclass(frozen=True)
class VacancyRef:
    """What names a vacancy to a person: its landlord's reference and where it is."""

    external_ref: str
    landlord: str
    area: str
    area_name: str | None


@dataclass(frozen=True)
class References:
    """Look-ups by id for one page of views; a missing id (or an erased case) gives `None`."""

    case_refs: dict[str, str] = field(default_factory=dict)
    vacancies: dict[str, VacancyRef] = field(default_factory=dict)
    landlord_names: dict[str, str] = field(default_factory=dict)

    def case_ref(self, household_id: str | None) -> str | None:
        return self.case_refs.get(household_id) if household_id is not None else None

    def vacancy(self, vacancy_id: str) -> VacancyRef | None:
        return self.vacancies.get(vacancy_id)

    def landlord_name(self, landlord_id: str | None) -> str | None:
        return self.landlord_names.get(landlord_id) if landlord_id is not None else None


def _present(ids: Iterable[str | None]) -> set[str]:
    return {i for i in ids if i is not None}


def load(
    session: Session,
    *,
    households: Iterable[str | None] = (),
    vacancies: Iterable[str | None] = (),
    landlords: Iterable[str | None] = (),
) -> References:
    """The references of the given households, vacancies and landlords (a vacancy's
    landlord comes with it) in at most three queries."""
    household_ids, vacancy_ids, landlord_ids = (
        _present(households),
        _present(vacancies),
        _present(landlords),
    )
    case_refs: dict[str, str] = {}
    if household_ids:
        # An erased case keeps no reference of its own (app/flows/erasure.py).
        query = select(Household.id, Household.case_ref).where(
            Household.id.in_(household_ids), Household.status != HouseholdStatus.erased
        )
        case_refs = {row.id: row.case_ref for row in session.execute(query)}
    vacancy_refs: dict[str, VacancyRef] = {}
    if vacancy_ids:
        query_v = (
            select(Vacancy.id, Vacancy.external_ref, Vacancy.landlord_id, Vacancy.area, Area.name)
            .outerjoin(
                Area,
                and_(
                    Area.municipality_code == Vacancy.municipality_code,
                    Area.code == Vacancy.area,
                ),
            )
            .where(Vacancy.id.in_(vacancy_ids))
        )
        for row in session.execute(query_v):
            vacancy_refs[row.id] = VacancyRef(
                external_ref=row.external_ref,
                landlord=row.landlord_id,
                area=row.area,
                area_name=row.name,
            )
    landlord_ids |= {v.landlord for v in vacancy_refs.values()}
    names: dict[str, str] = {}
    if landlord_ids:
        query_l = select(Landlord.id, Landlord.name).where(Landlord.id.in_(landlord_ids))
        names = {row.id: row.name for row in session.execute(query_l)}
    return References(case_refs=case_refs, vacancies=vacancy_refs, landlord_names=names)


__all__ = ["References", "VacancyRef", "load"]
