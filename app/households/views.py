"""A household as the API answers it: the full record with its derived needs for whoever may
read it, the restricted one (case reference and status) for a protected identity read by
anyone but a coordinator (docs/domain.md §6)."""

from __future__ import annotations

from app.auth import Principal
from app.households.models import Household
from app.households.schemas import (
    AssessmentRead,
    HouseholdRead,
    HouseholdRestricted,
    establishment_ends_on,
)
from app.households.service import effective_needs, income_of, is_protected, persons, restricted_for
from app.vocabulary import CloseReason, HouseholdStatus, TargetGroup


def assessment_read(household: Household) -> AssessmentRead | None:
    """The household's needs assessment as recorded, or None before one was made."""
    if household.assessment is None:
        return None
    return AssessmentRead.model_validate(household.assessment)


def to_view(principal: Principal, household: Household) -> HouseholdRead | HouseholdRestricted:
    """The representation this caller may see."""
    if restricted_for(principal, household):
        return HouseholdRestricted(
            id=household.id, case_ref=household.case_ref, status=HouseholdStatus(household.status)
        )
    needs = effective_needs(household)
    income = income_of(household)
    return HouseholdRead(
        id=household.id,
        municipality=household.municipality_code,
        case_ref=household.case_ref,
        status=HouseholdStatus(household.status),
        close_reason=CloseReason(household.close_reason) if household.close_reason else None,
        closed_at=household.closed_at,
        adults=household.adults,
        children=household.children,
        children_ages=household.children_ages,
        persons=persons(household),
        target_groups=[TargetGroup(group) for group in household.target_groups],
        newly_arrived=TargetGroup.newly_arrived in household.target_groups,
        protected_identity=is_protected(household),
        income=income,
        income_total=income.total,
        employment=household.employment,
        payment_remarks=household.payment_remarks,
        debts=household.debts,
        municipal_guarantee=household.municipal_guarantee,
        guarantee=household.guarantee,
        children_at_risk=household.children_at_risk,
        home_insurance=household.home_insurance,
        drug_free_months=household.drug_free_months,
        rooms_min=needs.rooms_min,
        rooms_max=needs.rooms_max,
        max_rent=needs.max_rent,
        needs_elevator=household.needs_elevator,
        needs_ground_floor=household.needs_ground_floor,
        needs_wheelchair=household.needs_wheelchair,
        avoid_areas=household.avoid_areas,
        preferred_areas=household.preferred_areas,
        support_plan=household.support_plan,
        assessment=assessment_read(household),
        contract_forms=household.contract_forms,
        urgency=household.urgency,
        registered_at=household.registered_at,
        settled_on=household.settled_on,
        establishment_ends_on=establishment_ends_on(household.settled_on),
        defaults_applied=list(needs.defaults_applied),
        notes=list(needs.notes),
        version=household.version,
        created_at=household.created_at,
        updated_at=household.updated_at,
    )
