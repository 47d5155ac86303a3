"""Household rules: scoping, derived needs, protected identity, the case lifecycle, audit.

The database stores only what the case worker gave; `rooms_min`, `rooms_max` and `max_rent`
are derived here on every read when they were left out, so a change of composition or
income moves them (docs/households.md). Every read and change writes an audit event in the
request's transaction (docs/domain.md §6).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.areas.service import require_areas
from app.audit import service as audit
from app.auth import Principal, municipality_of, sees_protected_identity
from app.core.db import new_id, utcnow
from app.core.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from app.core.etag import check_if_match
from app.core.pagination import Page
from app.households import repository
from app.households.assessment import record_assessment
from app.households.models import Household
from app.households.schemas import (
    SURETY,
    AssessmentInput,
    HouseholdCreate,
    HouseholdUpdate,
    Income,
    check_areas,
    check_children_ages,
    check_rooms,
    settled_for_notice,
)
from app.vocabulary import (
    ESTABLISHMENT_NOTICE_MONTHS,
    AuditAction,
    CloseReason,
    DerivedField,
    GuaranteeKind,
    HouseholdStatus,
    TargetGroup,
)

MAX_ROOMS = 10
"""The largest apartment the service knows (`Rooms` in app/core/types.py)."""
MAX_RENT_SHARE_PERCENT = 40
"""Share of total monthly income a household is expected to be able to pay in rent."""
RENT_ROUNDING_SEK = 100
MAX_DERIVED_RENT = 100_000
"""The highest rent a vacancy can have (`Rent` in app/core/types.py): no use deriving more."""


# --- Derived needs ------------------------------------------------------------------------


def default_rooms(persons: int) -> int:
    """The fewest rooms for a household of `persons` under the Swedish overcrowding norm 2
    (trångboddhetsnorm 2): at most two persons per bedroom, living room and kitchen not
    counted. A single person needs one room (a one-room flat is living room and bedroom at
    once); otherwise one living room plus ceil(persons / 2) bedrooms. Capped at 10 rooms."""
    if persons <= 1:
        return 1
    return min(1 + math.ceil(persons / 2), MAX_ROOMS)


def default_rooms_max(rooms_min: int) -> int:
    """The most rooms worth offering: docs/domain.md §3, "no spare room beyond one" — the
    minimum plus one, capped at 10."""
    return min(rooms_min + 1, MAX_ROOMS)


def default_max_rent(total_income: int) -> int:
    """The highest rent a household can carry by default: 40 % of its total monthly income
    (every source counted, income support and housing allowance included) rounded down to
    the nearest 100 SEK, and never above the highest rent a vacancy can have. 0 for a
    household without income: no vacancy fits until a case worker sets `max_rent`."""
    share = total_income * MAX_RENT_SHARE_PERCENT // 100
    return min(share // RENT_ROUNDING_SEK * RENT_ROUNDING_SEK, MAX_DERIVED_RENT)


def persons(household: Household) -> int:
    return household.adults + household.children


def income_of(household: Household) -> Income:
    return Income.model_validate(household.income or {})


@dataclass(frozen=True, slots=True)
class EffectiveNeeds:
    """A household's rooms and rent limits as matching uses them, and which were derived."""

    rooms_min: int
    rooms_max: int
    max_rent: int
    defaults_applied: tuple[DerivedField, ...]
    notes: tuple[str, ...]


def effective_needs(household: Household) -> EffectiveNeeds:
    """The case worker's values where given, else the derived defaults.

    A derived `rooms_min` never exceeds an explicit `rooms_max` (a family that accepts a
    smaller flat has said so); a derived `rooms_max` follows the effective `rooms_min`.
    """
    derived: list[DerivedField] = []
    notes: list[str] = []
    rooms_min = household.rooms_min
    if rooms_min is None:
        rooms_min = default_rooms(persons(household))
        if household.rooms_max is not None:
            rooms_min = min(rooms_min, household.rooms_max)
        derived.append("rooms_min")
    rooms_max = household.rooms_max
    if rooms_max is None:
        rooms_max = default_rooms_max(rooms_min)
        derived.append("rooms_max")
    max_rent = household.max_rent
    if max_rent is None:
        max_rent = default_max_rent(income_of(household).total)
        derived.append("max_rent")
        if max_rent == 0:
            notes.append(
                "max_rent: derived as 0 because the household has no registered income; "
                "no vacancy fits until income or max_rent is set."
            )
    return EffectiveNeeds(rooms_min, rooms_max, max_rent, tuple(derived), tuple(notes))


def is_protected(household: Household) -> bool:
    return TargetGroup.protected_identity in household.target_groups


def restricted_for(principal: Principal, household: Household) -> bool:
    """Whether the caller sees this case only restricted and may neither change it nor read
    where it may end up (its candidates, its offers): a protected-identity case, for anyone
    who does not see protected identities (`app.auth.sees_protected_identity`: the
    coordinator only, docs/domain.md §6)."""
    return is_protected(household) and not sees_protected_identity(principal)


REFERRED_FIELDS = (
    "adults",
    "children",
    "children_ages",
    "target_groups",
    "income",
    "employment",
    "payment_remarks",
    "debts",
    "municipal_guarantee",
    "home_insurance",
    "drug_free_months",
    "rooms_min",
    "rooms_max",
    "max_rent",
    "needs_elevator",
    "needs_ground_floor",
    "needs_wheelchair",
    "support_plan",
    "contract_forms",
    "urgency",
    "registered_at",
)
"""What a referred case carries to the receiving municipality: what matching needs."""


# --- The case lifecycle -------------------------------------------------------------------


def _own_municipality(principal: Principal) -> str:
    own = municipality_of(principal)
    if own is None:
        raise Forbidden(f"The role {principal.role.value} may not handle household cases.")
    return own


def _load(
    session: Session, principal: Principal, household_id: str, *, lock: bool = False
) -> Household:
    household = repository.get_for(session, principal, household_id, lock=lock)
    if household is None:
        raise NotFound("No such household.")
    return household


def _check_areas_exist(
    session: Session, municipality: str, values: Mapping[str, Any], fields: tuple[str, ...]
) -> None:
    for field in fields:
        if field in values:
            require_areas(session, municipality, values[field], field)


def guarantee_kind_of(household: Household) -> GuaranteeKind | None:
    """The household's guarantee kind; a guarantee recorded only as the old boolean
    `municipal_guarantee` is a municipal surety."""
    if household.guarantee:
        return GuaranteeKind(household.guarantee["kind"])
    return GuaranteeKind.municipal_surety if household.municipal_guarantee else None


def create_household(
    session: Session, *, principal: Principal, data: HouseholdCreate, purpose: str | None
) -> Household:
    """Register a need in the caller's own municipality (never another's: the municipality
    is the caller's, not part of the body)."""
    municipality = _own_municipality(principal)
    values = data.model_dump(mode="json", exclude={"registered_at", "settled_on"})
    _check_areas_exist(session, municipality, values, ("avoid_areas", "preferred_areas"))
    if repository.case_ref_taken(session, municipality, data.case_ref):
        raise Conflict(f"case_ref {data.case_ref} is already used in municipality {municipality}.")
    household = Household(
        municipality_code=municipality,
        registered_at=data.registered_at or utcnow(),
        settled_on=data.settled_on,
        status=HouseholdStatus.open.value,
        **values,
    )
    session.add(household)
    session.flush()
    audit.record(session, principal, AuditAction.create, [household.id], purpose=purpose)
    return household


def get_household(
    session: Session, *, principal: Principal, household_id: str, purpose: str | None
) -> Household:
    """Read one case of the caller's municipality; the read is audited."""
    household = _load(session, principal, household_id)
    audit.record(session, principal, AuditAction.read, [household.id], purpose=purpose)
    return household


def list_households(
    session: Session,
    *,
    principal: Principal,
    status: HouseholdStatus | None,
    page: Page,
    purpose: str | None,
    awaiting_assessment: bool = False,
    establishment_ending_on: date | None = None,
    establishment_notice_months: int = ESTABLISHMENT_NOTICE_MONTHS,
    case_ref: str | None = None,
    case_ref_prefix: str | None = None,
) -> list[Household]:
    """One page of the caller's municipality's cases; each one listed is audited. With
    `establishment_ending_on`, only the newly arrived whose two-year establishment period
    ends within `establishment_notice_months` of that day (the policy's) and has not ended
    (Helsingborg 3:9: the cohort whose contracts end together)."""
    municipality = _own_municipality(principal)
    rows = repository.list_page(
        session,
        municipality,
        status=status.value if status else None,
        after=page.after,
        limit=page.limit,
        awaiting_assessment=awaiting_assessment,
        settled_between=(
            None
            if establishment_ending_on is None
            else settled_for_notice(establishment_ending_on, establishment_notice_months)
        ),
        case_ref=case_ref,
        case_ref_prefix=case_ref_prefix,
    )
    audit.record(session, principal, AuditAction.list, [h.id for h in rows], purpose=purpose)
    return rows


def _validate_merged(session: Session, household: Household, changes: Mapping[str, Any]) -> None:
    """Rules spanning several fields, on the record as it will be after the update."""

    def merged(name: str) -> Any:
        return changes[name] if name in changes else getattr(household, name)

    try:
        check_children_ages(merged("children"), merged("children_ages"))
        check_rooms(merged("rooms_min"), merged("rooms_max"))
        check_areas(merged("avoid_areas"), merged("preferred_areas"))
    except ValueError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    _check_areas_exist(
        session, household.municipality_code, changes, ("avoid_areas", "preferred_areas")
    )
    case_ref = changes.get("case_ref")
    if case_ref is not None and repository.case_ref_taken(
        session, household.municipality_code, case_ref, other_than=household.id
    ):
        raise Conflict(f"case_ref {case_ref} is already used in this municipality.")


def _check_writable(principal: Principal, household: Household, if_match: str | None) -> None:
    if restricted_for(principal, household):
        raise Forbidden("A protected-identity case is changed by the coordinator only.")
    if household.status != HouseholdStatus.open:
        raise Conflict("The case is closed; closed cases do not change.")
    check_if_match(if_match, household.version)


def _guarantee_alias(changes: dict[str, Any]) -> None:
    """Keep `municipal_guarantee` the boolean alias of `guarantee` in a partial update: the
    one sent sets the other; both sent must agree."""
    if "guarantee" in changes:
        granted = changes["guarantee"] is not None
        if changes.get("municipal_guarantee", granted) != granted:
            raise UnprocessableEntity("municipal_guarantee: contradicts the guarantee sent")
        changes["municipal_guarantee"] = granted
    elif "municipal_guarantee" in changes:
        changes["guarantee"] = dict(SURETY) if changes["municipal_guarantee"] else None


def update_household(
    session: Session,
    *,
    principal: Principal,
    household_id: str,
    data: HouseholdUpdate,
    if_match: str | None,
    purpose: str | None,
) -> Household:
    """Apply a partial update of an open case; `null` for a derived field returns it to
    its default. The version (ETag) moves only when something changed."""
    household = _load(session, principal, household_id, lock=True)
    _check_writable(principal, household, if_match)
    changes = data.model_dump(
        mode="json", exclude_unset=True, exclude={"registered_at", "settled_on"}
    )
    for name in ("registered_at", "settled_on"):
        if name in data.model_fields_set:
            changes[name] = getattr(data, name)
    _guarantee_alias(changes)
    _validate_merged(session, household, changes)
    changed = [name for name, value in changes.items() if getattr(household, name) != value]
    if changed:
        for name in changed:
            setattr(household, name, changes[name])
        household.version += 1
        session.flush()
    audit.record(session, principal, AuditAction.update, [household.id], purpose=purpose)
    return household


def close_household(
    session: Session,
    *,
    principal: Principal,
    household_id: str,
    reason: CloseReason,
    if_match: str | None,
    purpose: str | None,
) -> Household:
    """End a case: it leaves future match rounds. Social services may close a protected
    case they cannot read (the household was housed or moved away); a closed case → 409;
    `referred` → 422 (only an accepted referral closes a case so, app/referrals)."""
    if reason is CloseReason.referred:
        raise UnprocessableEntity("reason: referred is set by an accepted referral")
    household = _load(session, principal, household_id, lock=True)
    if household.status != HouseholdStatus.open:
        raise Conflict("The case is already closed.")
    check_if_match(if_match, household.version)
    household.status = HouseholdStatus.closed.value
    household.close_reason = reason.value
    household.closed_at = utcnow()
    household.version += 1
    session.flush()
    audit.record(session, principal, AuditAction.close, [household.id], purpose=purpose)
    return household


def open_referred_case(session: Session, *, source: Household, municipality: str) -> Household:
    """The receiving municipality's case for a household a network member referred to it
    (app/referrals): what matching needs — needs, economy, contract forms, urgency and when
    it registered — never the sending municipality's areas, case reference or assessment
    (docs/referrals.md). The sending municipality is kept in `referred_by`: its social
    services keep their role for the case (`app.auth.case_scope`)."""
    household_id = new_id()
    household = Household(
        id=household_id,
        municipality_code=municipality,
        case_ref=f"NET-{household_id[:8].upper()}",
        referred_by=source.municipality_code,
        status=HouseholdStatus.open.value,
        **{name: getattr(source, name) for name in REFERRED_FIELDS},
    )
    session.add(household)
    session.flush()
    return household


def close_as_referred(session: Session, household: Household) -> None:
    """The sending municipality's case ends when another municipality took it over."""
    household.status = HouseholdStatus.closed.value
    household.close_reason = CloseReason.referred.value
    household.closed_at = utcnow()
    household.version += 1
    session.flush()


def assess_household(
    session: Session,
    *,
    principal: Principal,
    household_id: str,
    data: AssessmentInput,
    if_match: str | None,
    purpose: str | None,
) -> Household:
    """Record the case's assessment (app/households/assessment.py)."""
    household = _load(session, principal, household_id, lock=True)
    _check_writable(principal, household, if_match)
    return record_assessment(
        session, principal=principal, household=household, data=data, purpose=purpose
    )
