"""Pins and forbidden pairs as the coordinator reads them: each side named the way the
proposal view names it (app/references.py), loaded for the whole page at once, so a
coordinator sees "JKP-0142 → Vätterhem VH-1, Centrum" rather than two bare ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app import references
from app.proposals.models import ForbiddenPair, Pin
from app.proposals.schemas import ForbiddenPairRead, PinRead
from app.vocabulary import ForbiddenReason


def _names(refs: references.References, household_id: str, vacancy_id: str) -> dict[str, Any]:
    vacancy = refs.vacancy(vacancy_id)
    return {
        "case_ref": refs.case_ref(household_id),
        "external_ref": vacancy.external_ref if vacancy else None,
        "landlord": vacancy.landlord if vacancy else None,
        "landlord_name": refs.landlord_name(vacancy.landlord) if vacancy else None,
        "area_name": vacancy.area_name if vacancy else None,
    }


def _refs(session: Session, pairs: Sequence[Pin | ForbiddenPair]) -> references.References:
    return references.load(
        session,
        households=(p.household_id for p in pairs),
        vacancies=(p.vacancy_id for p in pairs),
    )


View = TypeVar("View", PinRead, ForbiddenPairRead)


def _view(
    cls: type[View], pair: Pin | ForbiddenPair, refs: references.References, **extra: Any
) -> View:
    return cls(
        id=pair.id,
        municipality=pair.municipality_code,
        household=pair.household_id,
        vacancy=pair.vacancy_id,
        created_by=pair.created_by,
        created_at=pair.created_at,
        **_names(refs, pair.household_id, pair.vacancy_id),
        **extra,
    )


def pin_reads(session: Session, pins: Sequence[Pin]) -> list[PinRead]:
    refs = _refs(session, pins)
    return [_view(PinRead, pin, refs) for pin in pins]


def forbidden_reads(session: Session, pairs: Sequence[ForbiddenPair]) -> list[ForbiddenPairRead]:
    refs = _refs(session, pairs)
    return [
        _view(ForbiddenPairRead, pair, refs, reason=ForbiddenReason(pair.reason)) for pair in pairs
    ]
