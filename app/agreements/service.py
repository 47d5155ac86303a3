"""Agreements: a coordinator writes its municipality's; landlords read their own."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.agreements import repository
from app.agreements.models import Agreement
from app.agreements.quota import refuse_lowering_below_use
from app.agreements.schemas import (
    AgreementUpsert,
)
from app.areas.service import require_areas
from app.audit import service as audit
from app.auth import COORDINATOR, Principal, municipality_of, own_municipality
from app.core.db import utcnow
from app.core.errors import NotFound, PreconditionFailed
from app.core.etag import check_if_match
from app.landlords import repository as landlords
from app.vocabulary import AuditAction


def _columns(data: AgreementUpsert) -> dict[str, Any]:
    """The body as column values: enums as their plain strings for the JSON columns."""
    values = data.model_dump(exclude={"quota_override"})
    values["contract_forms"] = [form.value for form in data.contract_forms]
    values["pacing"] = data.pacing.value
    values["remark_effect"] = data.remark_effect.value
    values["tenancy_terms"] = {
        form.value: terms.model_dump() for form, terms in sorted(data.tenancy_terms.items())
    }
    values["exception_conditions"] = (
        data.exception_conditions.model_dump(mode="json") if data.exception_conditions else None
    )
    values.update(lease_columns(data))
    return values


def lease_columns(data: AgreementUpsert) -> dict[str, Any]:
    """The lease-holder block of the body (issue 23) as plain column values."""
    return {
        "basis": data.basis.value,
        "quota_share": data.quota_share.model_dump(mode="json") if data.quota_share else None,
        "accepted_guarantees": (
            None
            if data.accepted_guarantees is None
            else [kind.value for kind in data.accepted_guarantees]
        ),
        "guarantee_lifts": {
            kind.value: [r.value for r in lifts]
            for kind, lifts in sorted(data.guarantee_lifts.items())
        },
        "placement_refuses_income_support": data.placement_refuses_income_support,
        "accepted_target_groups": [group.value for group in data.accepted_target_groups],
    }


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

    An identical body changes nothing, not even the version, so retries are harmless. A
    quota lowered below the places taken needs the body's `quota_override`
    (`refuse_lowering_below_use`), and the override is audited for each household whose
    live proposal it keeps.
    """
    own_municipality(principal, municipality, COORDINATOR)
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
    kept = refuse_lowering_below_use(
        session,
        agreement,
        quota=data.quota,
        exception_quota=data.exception_quota,
        override=data.quota_override,
        now=utcnow(),
    )
    audit.record(
        session,
        principal,
        AuditAction.quota_override,
        kept,
        purpose=f"agreement {year} lowered to quota {data.quota}, exception quota "
        f"{data.exception_quota}: {data.quota_override}",
    )
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
    if municipality_of(principal, COORDINATOR) is not None:
        own_municipality(principal, municipality, COORDINATOR)
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
