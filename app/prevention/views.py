"""Prevention read models per audience: the landlord side's signal (status only, the
tenant's initials), the worklist line (no identity), and the municipality's case (the
identity number for social services only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.prevention import repository
from app.prevention.models import PreventionAction, PreventionCase, PreventionPolicy
from app.prevention.schemas import (
    ActionRead,
    CaseRead,
    CaseSummary,
    PreventionPolicyRead,
    SignalRead,
    TenantRead,
)
from app.prevention.service import Tenant, recovery_days
from app.vocabulary import (
    DisturbanceCode,
    OutreachAction,
    PreventionGroup,
    PreventionOutcome,
    SignalBasis,
    SignalKind,
    SignalStatus,
)


def is_overdue(case: PreventionCase, now: datetime) -> bool:
    """Past the deadline with nobody having reached the tenant, and still open."""
    return case.closed_at is None and case.contacted_at is None and case.due_at < now


def to_signal_view(case: PreventionCase) -> SignalRead:
    """What the landlord hears back: received, contacted or not, a payment plan only when
    the tenant consented to telling it (the status says so only then), closed."""
    status = SignalStatus(case.status)
    return SignalRead(
        id=case.id,
        municipality=case.municipality_code,
        kind=SignalKind(case.kind),
        external_ref=case.external_ref,
        tenant_initials=case.tenant_initials,
        received_at=case.received_at,
        status=status,
        contacted=case.contacted_at is not None,
        payment_plan=case.payment_plan and case.consent_to_tell_landlord,
    )


def to_summary(case: PreventionCase, now: datetime) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        landlord=case.landlord_id,
        kind=SignalKind(case.kind),
        external_ref=case.external_ref,
        priority_groups=[PreventionGroup(group) for group in case.priority_groups],
        priority=case.priority,
        must_contact=case.must_contact,
        received_at=case.received_at,
        due_at=case.due_at,
        overdue=is_overdue(case, now),
        status=SignalStatus(case.status),
        outcome=None if case.outcome is None else PreventionOutcome(case.outcome),
    )


def _action(action: PreventionAction) -> ActionRead:
    return ActionRead(
        code=OutreachAction(action.code),
        on=action.done_on,
        after_hours=action.after_hours,
        amount=action.amount,
        months=action.months,
        role=action.role,
        credential=action.credential_id,
        recorded_at=action.recorded_at,
    )


def to_case_view(
    case: PreventionCase,
    *,
    tenant: Tenant | None,
    actions: list[PreventionAction],
    landlord_name: str,
    now: datetime,
) -> CaseRead:
    """The municipality's case: `tenant` is what the caller may read of the tenant — the
    number only when the service unsealed it for social services; the initials' owner is
    named to nobody else."""
    if case.erased_at is not None:
        shown = None
    elif tenant is not None:
        shown = TenantRead(
            name=tenant.name, personal_identity_number=tenant.personal_identity_number
        )
    else:
        shown = TenantRead(name=None, personal_identity_number=None)
    return CaseRead(
        id=case.id,
        municipality=case.municipality_code,
        landlord=case.landlord_id,
        landlord_name=landlord_name,
        kind=SignalKind(case.kind),
        basis=SignalBasis(case.basis),
        consent_on=case.consent_on,
        disturbance=None if case.disturbance is None else DisturbanceCode(case.disturbance),
        tenant=shown,
        external_ref=case.external_ref,
        address=case.address,
        postal_code=case.postal_code,
        notified_on=case.notified_on,
        debt=case.debt,
        months_in_arrears=case.months_in_arrears,
        monthly_rent=case.monthly_rent,
        children_in_household=case.children_in_household,
        priority_groups=[PreventionGroup(group) for group in case.priority_groups],
        priority=case.priority,
        must_contact=case.must_contact,
        policy_version=case.policy_version,
        received_at=case.received_at,
        due_at=case.due_at,
        overdue=is_overdue(case, now),
        status=SignalStatus(case.status),
        contacted_at=case.contacted_at,
        consent_to_tell_landlord=case.consent_to_tell_landlord,
        actions=[_action(action) for action in actions],
        outcome=None if case.outcome is None else PreventionOutcome(case.outcome),
        children_affected=case.children_affected,
        closed_at=case.closed_at,
        erased=case.erased_at is not None,
        household=case.household_id,
    )


def to_policy_view(
    code: str, policy: PreventionPolicy | None, settings: Settings
) -> PreventionPolicyRead:
    """The policy in force; before any is set, version 0 with the defaults."""
    if policy is None:
        return PreventionPolicyRead(
            municipality=code,
            version=0,
            effective_recovery_days=settings.prevention_recovery_days,
            created_at=None,
        )
    return PreventionPolicyRead(
        municipality=code,
        version=policy.version,
        priority_groups=[PreventionGroup(group) for group in policy.priority_groups],
        always_contact_debt_months=policy.always_contact_debt_months,
        kinds=[SignalKind(kind) for kind in policy.kinds],
        recovery_days=policy.recovery_days,
        first_contact_days=policy.first_contact_days,
        first_contact_working_days=policy.first_contact_working_days,
        effective_recovery_days=recovery_days(policy, settings),
        created_at=policy.created_at,
    )


def case_read(session: Session, case: PreventionCase, tenant: Tenant | None) -> CaseRead:
    """The municipality's case with its actions and its landlord's name."""
    names = repository.landlord_names(session, [case.landlord_id])
    return to_case_view(
        case,
        tenant=tenant,
        actions=repository.actions_of(session, case.id),
        landlord_name=names.get(case.landlord_id, ""),
        now=utcnow(),
    )
