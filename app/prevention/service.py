"""The rules of eviction prevention: who may send a signal and on which legal basis, its
deadline, its triage under the municipality's policy, the tenant's identity sealed and read
only by social services (every read audited), outreach and outcomes, the landlord's
withdrawal, and erasure after retention (docs/prevention.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from personnummer import personnummer
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import (
    COORDINATOR,
    MUNICIPAL_SIDE,
    Principal,
    Role,
    acting_for,
    own_municipality,
)
from app.core.config import Settings
from app.core.db import STOCKHOLM, local_date, local_today, utcnow
from app.core.errors import Conflict, NotFound, ServiceUnavailable, UnprocessableEntity
from app.core.months import add_months
from app.core.sealing import SealedValue, UnsealError, sealer_of
from app.municipalities.repository import exists as municipality_exists
from app.prevention import repository
from app.prevention.models import PreventionAction, PreventionCase, PreventionPolicy
from app.prevention.schemas import (
    ActionCreate,
    OutcomeCreate,
    PreventionPolicyInput,
    PriorityGroupsInput,
    SignalCreate,
)
from app.vocabulary import (
    CONTACT_ACTIONS,
    STATUTORY_SIGNALS,
    AuditAction,
    OutreachAction,
    PreventionGroup,
    PreventionOutcome,
    SignalBasis,
    SignalKind,
    SignalStatus,
)

UNDER_AGE = 25
"""Södertälje: "unga under 25 år"."""
OVER_AGE = 65
"""Södertälje: "äldre över 65 år"."""
SATURDAY = 5
"""`date.weekday()` of the first day of the weekend."""


# --- The tenant's identity, sealed -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tenant:
    name: str
    personal_identity_number: str


def _associated(case_id: str) -> str:
    # Bound to the case: a sealed identity copied onto another case does not unseal.
    return f"prevention-tenant:{case_id}"


def seal_tenant(session: Session, case_id: str, tenant: Tenant) -> str:
    plain = json.dumps({"name": tenant.name, "pin": tenant.personal_identity_number})
    return sealer_of(session).seal(_associated(case_id), plain)


def unseal_tenant(session: Session, case: PreventionCase) -> Tenant | None:
    if case.tenant_sealed is None:
        return None
    data = json.loads(sealer_of(session).unseal(_associated(case.id), case.tenant_sealed))
    return Tenant(name=data["name"], personal_identity_number=data["pin"])


def sealed_identities(session: Session) -> Iterator[SealedValue]:
    """Every case's sealed identity, bound to its case, for a key rotation's `reseal`
    (app/flows/key_rotation.py)."""
    for case in repository.sealed_cases_for_update(session):
        yield SealedValue(case, "tenant_sealed", _associated(case.id))


def initials(name: str) -> str:
    """What the landlord reads back of the tenant: the initials, so it can tell its own
    signals apart, nothing more."""
    return "".join(f"{part[0].upper()}." for part in name.split() if part)[:8]


def age_on(number: str, day: date) -> int | None:
    """The tenant's age on `day`, from the identity number; None for a birth day after it
    (the demo's impossible dates)."""
    born: date = personnummer.Personnummer(number).get_date()
    if born > day:
        return None
    before_birthday = (day.month, day.day) < (born.month, born.day)
    return int(day.year - born.year - before_birthday)


# --- The policy -------------------------------------------------------------------------------


def policy_of(session: Session, municipality: str) -> PreventionPolicy | None:
    return repository.current_policy(session, municipality)


def recovery_days(policy: PreventionPolicy | None, settings: Settings) -> int:
    """The återvinningsfrist in days: the policy's reading, else the setting (three weeks,
    12 kap. 44 § jordabalken)."""
    if policy is not None and policy.recovery_days is not None:
        return policy.recovery_days
    return settings.prevention_recovery_days


def put_policy(
    session: Session, *, principal: Principal, code: str, data: PreventionPolicyInput
) -> PreventionPolicy:
    """A new version of the municipality's policy; the cases already triaged keep theirs."""
    own = own_municipality(principal, code, COORDINATOR)
    current = repository.current_policy(session, own)
    policy = PreventionPolicy(
        municipality_code=own,
        version=1 if current is None else current.version + 1,
        priority_groups=[group.value for group in data.priority_groups],
        always_contact_debt_months=data.always_contact_debt_months,
        kinds=[kind.value for kind in data.kinds],
        recovery_days=data.recovery_days,
        first_contact_days=data.first_contact_days,
        first_contact_working_days=data.first_contact_working_days,
        created_by=principal.credential_id,
    )
    session.add(policy)
    session.flush()
    return policy


def get_policy(session: Session, *, principal: Principal, code: str) -> PreventionPolicy | None:
    own = own_municipality(principal, code, COORDINATOR)
    return repository.current_policy(session, own)


# --- Intake -----------------------------------------------------------------------------------


def check_basis(data: SignalCreate, today: date) -> None:
    """Never without a legal basis: an early warning passes only with the tenant's consent
    under the agreement, recorded with its day; the 12:44 message needs the day the tenant
    was notified, from which the återvinningsfrist runs."""
    if data.kind not in STATUTORY_SIGNALS and data.basis is not SignalBasis.agreement_with_consent:
        raise UnprocessableEntity(
            f"basis: an early warning ({data.kind.value}) passes only with the tenant's "
            "consent under the agreement: agreement_with_consent and consent_on"
        )
    if data.basis is SignalBasis.agreement_with_consent and data.consent_on is None:
        raise UnprocessableEntity("consent_on: the day the tenant consented is required")
    if data.consent_on is not None and data.consent_on > today:
        raise UnprocessableEntity("consent_on: must not be in the future")
    if data.kind is SignalKind.termination_notice and data.notified_on is None:
        raise UnprocessableEntity(
            "notified_on: the day the tenant was notified is required for a termination "
            "notice (the återvinningsfrist runs from it)"
        )
    if data.kind is SignalKind.disturbance and data.disturbance is None:
        raise UnprocessableEntity("disturbance: a disturbance warning names its code")
    if data.kind is not SignalKind.disturbance and data.disturbance is not None:
        raise UnprocessableEntity("disturbance: only for a disturbance warning")


def day_start(text: str) -> datetime:
    """The instant a Swedish calendar day given as `YYYY-MM-DD` begins; `422` for no day."""
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise UnprocessableEntity("due_before: not a day (YYYY-MM-DD)") from exc
    return datetime.combine(day, time(), tzinfo=STOCKHOLM)


def _end_of_day(day: date) -> datetime:
    """The instant a Swedish calendar day ends."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=STOCKHOLM)


def due_at(
    *,
    data: SignalCreate,
    received_at: datetime,
    policy: PreventionPolicy | None,
    settings: Settings,
    response_hours: int | None,
) -> datetime:
    """When social services must have acted: a termination notice by the end of the
    återvinningsfrist (the day the tenant was notified plus `recovery_days`); an early
    warning within the agreement's `response_hours`; an eviction application or date within
    `prevention_urgent_hours` (and before the eviction's day). A policy's first-contact
    target brings any of them forward."""
    urgent = received_at + timedelta(hours=settings.prevention_urgent_hours)
    if data.kind is SignalKind.termination_notice and data.notified_on is not None:
        due = _end_of_day(data.notified_on + timedelta(days=recovery_days(policy, settings)))
    elif data.kind in STATUTORY_SIGNALS:
        due = urgent
        if data.kind is SignalKind.eviction_date and data.notified_on is not None:
            due = min(due, datetime.combine(data.notified_on, time(), tzinfo=STOCKHOLM))
    else:
        due = received_at + timedelta(
            hours=response_hours if response_hours is not None else settings.prevention_urgent_hours
        )
    if policy is not None and policy.first_contact_days is not None:
        due = min(due, received_at + timedelta(days=policy.first_contact_days))
    if policy is not None and policy.first_contact_working_days is not None:
        arrived = local_date(received_at)
        due = min(due, _end_of_day(working_days_after(arrived, policy.first_contact_working_days)))
    return due


def working_days_after(day: date, count: int) -> date:
    """The `count`th working day after `day`: Monday to Friday. Swedish public holidays are
    not counted out — no well-kept holiday calendar is among the dependencies —, so a
    target across a holiday falls a day early, never late (docs/prevention.md)."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            count -= 1
    return day


def groups_of(data: SignalCreate, number: str, today: date) -> list[PreventionGroup]:
    """The priority groups a signal shows: children in the household, the tenant's age."""
    groups = []
    if data.children_in_household:
        groups.append(PreventionGroup.families_with_children)
    age = age_on(number, today)
    if age is not None and age < UNDER_AGE:
        groups.append(PreventionGroup.under_25)
    if age is not None and age > OVER_AGE:
        groups.append(PreventionGroup.over_65)
    return groups


def rank(groups: list[str], policy: PreventionPolicy | None) -> int:
    """The worklist rank under the policy: the position of the first of the policy's
    groups the case is in; behind them all when it is in none."""
    if policy is None:
        return 0
    for position, group in enumerate(policy.priority_groups):
        if group in groups:
            return position
    return len(policy.priority_groups)


def must_contact(
    *,
    debt: int | None,
    monthly_rent: int | None,
    months: int | None,
    policy: PreventionPolicy | None,
) -> bool:
    """Over the policy's threshold (e.g. a debt above one month's rent): always contact."""
    if policy is None or policy.always_contact_debt_months is None:
        return False
    threshold = policy.always_contact_debt_months
    if debt is not None and monthly_rent:
        return debt > threshold * monthly_rent
    return months is not None and months > threshold


def _landlord_of(principal: Principal, landlord: str | None, municipality: str) -> str:
    named = acting_for(principal, landlord, municipality)
    if named is not None:
        return named
    if principal.role is Role.intermediary:
        raise UnprocessableEntity(
            "landlord: required for an intermediary (the landlord it acts for)"
        )
    if principal.landlord_id is None:
        raise NotFound("No such landlord.")
    return principal.landlord_id


def create_signal(
    session: Session,
    *,
    principal: Principal,
    data: SignalCreate,
    landlord: str | None,
    settings: Settings,
) -> PreventionCase:
    """The landlord side's signal becomes a case of the municipality's social services."""
    landlord_id = _landlord_of(principal, landlord, data.municipality)
    if not municipality_exists(session, data.municipality):
        raise UnprocessableEntity(f"municipality: {data.municipality} does not use the service")
    today = local_today()
    check_basis(data, today)
    if data.notified_on is not None and data.notified_on > today + timedelta(days=366):
        raise UnprocessableEntity("notified_on: more than a year ahead")
    policy = repository.current_policy(session, data.municipality)
    if policy is not None and policy.kinds and data.kind.value not in policy.kinds:
        raise UnprocessableEntity(
            f"kind: municipality {data.municipality} does not take {data.kind.value} signals"
        )
    has_agreement, response_hours = repository.agreement_response_hours(
        session, data.municipality, landlord_id, today.year
    )
    if data.kind not in STATUTORY_SIGNALS and not has_agreement:
        raise UnprocessableEntity(
            f"kind: an early warning passes under an agreement with municipality "
            f"{data.municipality}, and the landlord has none this year"
        )
    received = utcnow()
    number = data.tenant.personal_identity_number
    groups = [group.value for group in groups_of(data, number, today)]
    case = PreventionCase(
        municipality_code=data.municipality,
        landlord_id=landlord_id,
        sent_by_role=principal.role.value,
        kind=data.kind.value,
        basis=data.basis.value,
        consent_on=data.consent_on,
        disturbance=None if data.disturbance is None else data.disturbance.value,
        tenant_initials=initials(data.tenant.name),
        external_ref=data.external_ref,
        address=data.address,
        postal_code=data.postal_code,
        notified_on=data.notified_on,
        debt=data.debt,
        months_in_arrears=data.months_in_arrears,
        monthly_rent=data.monthly_rent,
        children_in_household=data.children_in_household,
        priority_groups=groups,
        priority=rank(groups, policy),
        must_contact=must_contact(
            debt=data.debt,
            monthly_rent=data.monthly_rent,
            months=data.months_in_arrears,
            policy=policy,
        ),
        policy_version=None if policy is None else policy.version,
        received_at=received,
        due_at=due_at(
            data=data,
            received_at=received,
            policy=policy,
            settings=settings,
            response_hours=response_hours,
        ),
        status=SignalStatus.received,
    )
    session.add(case)
    session.flush()  # the id binds the sealed identity to the case
    case.tenant_sealed = seal_tenant(session, case.id, Tenant(data.tenant.name, number))
    session.flush()
    return case


# --- The landlord side ------------------------------------------------------------------------


def get_signal(session: Session, *, principal: Principal, signal_id: str) -> PreventionCase:
    case = repository.signal_for(session, principal, signal_id)
    if case is None:
        raise NotFound("No such signal.")
    return case


def list_signals(session: Session, *, principal: Principal) -> list[PreventionCase]:
    return repository.signals_for(session, principal)


def withdraw_signal(session: Session, *, principal: Principal, signal_id: str) -> PreventionCase:
    """The landlord withdraws (the tenant paid): the case closes as withdrawn."""
    case = get_signal(session, principal=principal, signal_id=signal_id)
    if case.closed_at is not None:
        raise Conflict("The case is already closed.")
    _close(case, PreventionOutcome.withdrawn_by_landlord, None)
    return case


# --- The municipal side -----------------------------------------------------------------------


def _load_case(
    session: Session, principal: Principal, case_id: str, *, lock: bool = False
) -> PreventionCase:
    case = repository.case_for(session, principal, case_id, lock=lock)
    if case is None:
        raise NotFound("No such case.")
    return case


def reads_identity(principal: Principal) -> bool:
    """Only the municipality's social services read the tenant's identity number."""
    return principal.role is Role.social_services


def case_for_social_services(
    session: Session, *, principal: Principal, case_id: str
) -> PreventionCase:
    """A case of the caller's municipality, locked for a change (404 for any other)."""
    return _load_case(session, principal, case_id, lock=True)


def link_household(
    session: Session,
    *,
    principal: Principal,
    case: PreventionCase,
    household_id: str,
    purpose: str | None,
) -> None:
    """The case names the housing need opened from it (`check_no_household` first)."""
    case.household_id = household_id
    case.version += 1
    audit.record(session, principal, AuditAction.update, [case.id], purpose=purpose)
    session.flush()


def check_no_household(case: PreventionCase) -> None:
    """One housing need per case: a second → `409`, before anything is created."""
    if case.household_id is not None:
        raise Conflict(
            f"A housing need is already opened from this case: /v1/households/{case.household_id}"
        )


def get_case(
    session: Session, *, principal: Principal, case_id: str, purpose: str | None
) -> tuple[PreventionCase, Tenant | None]:
    """One case; the read is audited. Social services read the tenant's identity and must
    say why (`X-Purpose`); a coordinator reads the case without the number."""
    case = _load_case(session, principal, case_id)
    tenant = None
    if reads_identity(principal) and case.tenant_sealed is not None:
        if purpose is None:
            raise UnprocessableEntity(
                "X-Purpose: required to read a tenant's identity (every read is audited "
                "with its purpose)"
            )
        try:
            tenant = unseal_tenant(session, case)
        except UnsealError as exc:
            # The key that sealed it was dropped before `reseal` ran: the operator's to
            # mend (put the old key back, reseal); the client is told so, not given a 500.
            raise ServiceUnavailable(
                "The tenant's identity on this case cannot be unsealed: the key that sealed "
                "it is no longer configured. The operator must restore it and run "
                "`python -m app webhooks reseal`."
            ) from exc
    audit.record(session, principal, AuditAction.read, [case.id], purpose=purpose)
    return case, tenant


def list_cases(
    session: Session,
    *,
    principal: Principal,
    due_before: datetime | None,
    overdue: bool,
    priority: int | None,
    closed: bool,
    purpose: str | None,
) -> list[PreventionCase]:
    """The worklist (open cases by priority, then deadline) or the overdue view; the cases
    listed are audited as listed (the list carries no identity)."""
    own = own_municipality(principal, None, MUNICIPAL_SIDE)
    cases = repository.worklist(
        session,
        own,
        open_only=not closed,
        due_before=due_before,
        overdue_at=utcnow() if overdue else None,
        priority=priority,
    )
    audit.record(session, principal, AuditAction.list, [case.id for case in cases], purpose=purpose)
    return cases


@dataclass(frozen=True, slots=True)
class Change:
    """What an action changed that others hear of."""

    contacted: bool = False
    payment_plan_told: bool = False


def record_action(
    session: Session, *, principal: Principal, case_id: str, data: ActionCreate, purpose: str | None
) -> tuple[PreventionCase, Change]:
    """An outreach step. The first step that reached the tenant marks the case contacted;
    a payment plan reaches the landlord only once the tenant consented to it."""
    case = _load_case(session, principal, case_id, lock=True)
    if case.closed_at is not None:
        raise Conflict("The case is closed.")
    if data.on > local_today():
        raise UnprocessableEntity("on: must not be in the future")
    if data.on < local_date(case.received_at) - timedelta(days=366):
        raise UnprocessableEntity("on: long before the signal arrived")
    plan = data.code is OutreachAction.payment_plan_agreed
    if plan and (data.amount is None or data.months is None):
        raise UnprocessableEntity("amount, months: a payment plan states both")
    if not plan and (data.amount is not None or data.months is not None):
        raise UnprocessableEntity("amount, months: only for payment_plan_agreed")
    if data.after_hours and data.code is not OutreachAction.home_visit:
        raise UnprocessableEntity("after_hours: only for a home visit")
    session.add(
        PreventionAction(
            case_id=case.id,
            code=data.code.value,
            done_on=data.on,
            after_hours=data.after_hours,
            amount=data.amount,
            months=data.months,
            role=principal.role.value,
            credential_id=principal.credential_id,
        )
    )
    contacted = False
    if data.code in CONTACT_ACTIONS and case.contacted_at is None:
        case.contacted_at = utcnow()
        case.status = SignalStatus.contacted
        contacted = True
    if plan:
        case.payment_plan = True
    if data.code is OutreachAction.consent_to_contact_landlord:
        case.consent_to_tell_landlord = True
    told = False
    if (
        case.payment_plan
        and case.consent_to_tell_landlord
        and case.status != SignalStatus.payment_plan
    ):
        if case.contacted_at is None:
            case.contacted_at = utcnow()
            contacted = True
        case.status = SignalStatus.payment_plan
        told = True
    case.version += 1
    audit.record(session, principal, AuditAction.update, [case.id], purpose=purpose)
    session.flush()
    return case, Change(contacted=contacted, payment_plan_told=told)


def set_groups(
    session: Session,
    *,
    principal: Principal,
    case_id: str,
    data: PriorityGroupsInput,
    purpose: str | None,
) -> PreventionCase:
    """Social services set the case's priority groups; the case is ranked again under the
    policy version it was triaged under, so a later policy does not reorder old cases."""
    case = _load_case(session, principal, case_id, lock=True)
    if case.closed_at is not None:
        raise Conflict("The case is closed.")
    policy = (
        None
        if case.policy_version is None
        else repository.policy_version(session, case.municipality_code, case.policy_version)
    )
    case.priority_groups = [group.value for group in data.priority_groups]
    case.priority = rank(case.priority_groups, policy)
    case.version += 1
    audit.record(session, principal, AuditAction.update, [case.id], purpose=purpose)
    session.flush()
    return case


def _close(case: PreventionCase, outcome: PreventionOutcome, children: int | None) -> None:
    case.outcome = outcome.value
    case.children_affected = children
    case.closed_at = utcnow()
    case.status = SignalStatus.closed
    case.version += 1


def record_outcome(
    session: Session,
    *,
    principal: Principal,
    case_id: str,
    data: OutcomeCreate,
    purpose: str | None,
) -> PreventionCase:
    """How the case ended; an eviction counts the children it affected."""
    case = _load_case(session, principal, case_id, lock=True)
    if case.closed_at is not None:
        raise Conflict("The case is already closed.")
    if data.code is PreventionOutcome.withdrawn_by_landlord:
        raise UnprocessableEntity("code: only the landlord withdraws its signal")
    if data.code is PreventionOutcome.evicted and data.children_affected is None:
        raise UnprocessableEntity("children_affected: an eviction counts the children affected")
    if data.code is not PreventionOutcome.evicted and data.children_affected is not None:
        raise UnprocessableEntity("children_affected: only for an eviction")
    _close(case, data.code, data.children_affected)
    audit.record(session, principal, AuditAction.close, [case.id], purpose=purpose)
    session.flush()
    return case


# --- Retention ---------------------------------------------------------------------------------

ERASER = "prevention-retention"


def erase_expired(session: Session, now: datetime, retention_months: int) -> list[str]:
    """Closed cases past retention lose the tenant's identity, the flat's address and the
    landlord's reference; what the statistics count stays. Returns the cases' ids."""
    cutoff = add_months(now.date(), -retention_months)
    closed_before = datetime.combine(cutoff, time(), tzinfo=now.tzinfo)
    erased = []
    for case in repository.expired(session, closed_before):
        case.tenant_sealed = None
        case.tenant_initials = None
        case.address = None
        case.postal_code = None
        case.external_ref = None
        case.erased_at = now
        erased.append(case.id)
    audit.record_system(
        session, ERASER, AuditAction.erase, erased, purpose="retention after closing"
    )
    return erased
