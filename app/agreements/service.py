"""Agreements: a coordinator writes its municipality's; landlords read their own."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.agreements import repository
from app.agreements.models import Agreement
from app.agreements.schemas import AgreementRead, AgreementUpsert, ExceptionConditions, TenancyTerms
from app.areas.service import require_areas
from app.auth import Principal, Role
from app.core.errors import NotFound, PreconditionFailed
from app.core.etag import check_if_match
from app.landlords import repository as landlords
from app.vocabulary import ContractForm, Pacing, letting_rules_of


def _columns(data: AgreementUpsert) -> dict[str, Any]:
    """The body as column values: enums as their plain strings for the JSON columns."""
    values = data.model_dump()
    values["contract_forms"] = [form.value for form in data.contract_forms]
    values["pacing"] = data.pacing.value
    values["tenancy_terms"] = {
        form.value: terms.model_dump() for form, terms in sorted(data.tenancy_terms.items())
    }
    values["exception_conditions"] = (
        data.exception_conditions.model_dump() if data.exception_conditions else None
    )
    return values


def upsert_agreement(
    session: Session,
    *,
    principal: Principal,
    municipality: str,
    landlord_id: str,
    year: int,
    data: AgreementUpsert,
    if_match: str | None,
) -> tuple[Agreement, bool]:
    """Create or replace the agreement; returns it and whether it was created.

    An identical body changes nothing, not even the version, so retries are harmless.
    """
    if principal.role is not Role.coordinator or principal.municipality != municipality:
        raise NotFound("No such municipality.")
    if landlords.get(session, landlord_id) is None:
        raise NotFound("No such landlord.")
    require_areas(session, municipality, data.excluded_areas, "excluded_areas")
    agreement = repository.get_for_update(session, municipality, landlord_id, year)
    values = _columns(data)
    if agreement is None:
        if if_match is not None:
            raise PreconditionFailed("If-Match was given but the agreement does not exist.")
        agreement = Agreement(
            municipality_code=municipality, landlord_id=landlord_id, year=year, **values
        )
        session.add(agreement)
        session.flush()
        return agreement, True
    check_if_match(if_match, agreement.version)
    if any(getattr(agreement, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(agreement, key, value)
        agreement.version += 1
        session.flush()
    return agreement, False


def get_agreement(
    session: Session, *, principal: Principal, municipality: str, landlord_id: str, year: int
) -> Agreement:
    agreement = repository.get_for(session, principal, municipality, landlord_id, year)
    if agreement is None:
        raise NotFound("No such agreement.")
    return agreement


def list_agreements(
    session: Session,
    *,
    principal: Principal,
    municipality: str | None,
    landlord_id: str | None,
    year: int | None,
    after: str | None,
    limit: int,
) -> list[Agreement]:
    """A filter naming another organisation is 404, as reading its object would be."""
    if (
        principal.role is Role.coordinator
        and municipality is not None
        and municipality != principal.municipality
    ):
        raise NotFound("No such municipality.")
    if (
        principal.landlord_side
        and landlord_id is not None
        and not principal.may_act_for(landlord_id, municipality)
    ):
        raise NotFound("No such landlord.")
    return repository.list_page_for(
        session,
        principal,
        municipality=municipality,
        landlord_id=landlord_id,
        year=year,
        after=after,
        limit=limit,
    )


def to_read(agreement: Agreement) -> AgreementRead:
    return AgreementRead(
        id=agreement.id,
        municipality=agreement.municipality_code,
        landlord=agreement.landlord_id,
        year=agreement.year,
        quota=agreement.quota,
        exception_quota=agreement.exception_quota,
        pacing=Pacing(agreement.pacing),
        excluded_areas=list(agreement.excluded_areas),
        **letting_rules_of(agreement),
        contract_forms=[ContractForm(form) for form in agreement.contract_forms],
        trial_period_months=agreement.trial_period_months,
        answer_hours=agreement.answer_hours,
        response_hours=agreement.response_hours,
        transfer_needs_landlord_consent=agreement.transfer_needs_landlord_consent,
        tenancy_terms={
            ContractForm(form): TenancyTerms.model_validate(terms)
            for form, terms in (agreement.tenancy_terms or {}).items()
        },
        exception_conditions=(
            ExceptionConditions.model_validate(agreement.exception_conditions)
            if agreement.exception_conditions
            else None
        ),
        version=agreement.version,
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
    )
