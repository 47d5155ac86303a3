"""The assessment before any match (Jönköping): "Innan någon får en lägenhet genom
socialtjänsten görs en kartläggning där man går igenom orsaken till problemen, vad personen
har gjort för att lösa dem och vilken typ av stöd som behövs … och lämnas sedan till
bostadssamordnaren."

Social services record that it was made — the day, the assessing unit and the support
needed as codes; what it says stays in the social services' own records. A policy with
`requires_assessment` matches a household only once it is assessed (the one rule:
`not_assessed`, read by `app.policies.service.needs_refusal`: the round leaves the case
unmatched by it, the candidates view lists nothing by it, through `forms_left`), and the
support it names becomes the tenancy's conditions ("I kontraktet med hyresgästen finns en
tilläggsbestämelse om att den boende måste ta emot hembesök")."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal
from app.core.db import local_today
from app.core.errors import Conflict, UnprocessableEntity
from app.households.models import Household
from app.households.schemas import AssessmentInput
from app.vocabulary import AuditAction, HouseholdStatus


def is_assessed(household: Household) -> bool:
    return household.assessment is not None


def conditions_of(household: Household | None) -> list[str] | None:
    """The support codes a tenancy is let with: the assessment's, or None without one."""
    if household is None or household.assessment is None:
        return None
    return list(household.assessment.get("support", []))


def record_assessment(
    session: Session,
    *,
    principal: Principal,
    household: Household,
    data: AssessmentInput,
    purpose: str | None,
) -> Household:
    """Record (or replace) the assessment of an open case; the version moves when it
    changed. A day in the future is refused: an assessment is made, not planned."""
    if household.status != HouseholdStatus.open:
        raise Conflict("The case is closed; its assessment can no longer change.")
    if data.assessed_on > local_today():
        raise UnprocessableEntity("assessed_on: must not be in the future")
    document: dict[str, Any] = data.model_dump(mode="json")
    if household.assessment != document:
        household.assessment = document
        household.version += 1
        session.flush()
    audit.record(session, principal, AuditAction.update, [household.id], purpose=purpose)
    return household
