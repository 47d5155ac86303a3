"""Move chains out of the municipality's second-hand housing (Helsingborg 3:5 and 3:6).

Helsingborg 3:6: "Cirka etthundrafemtio hushåll inom det bostadssociala programmet är före
detta så kallade klienter … men är numera enbart hyresgäster hos fastighetsförvaltningen.
Många av hushållen kan och behöver komma vidare till ett förstahandskontrakt." Three pieces:

* a **move-on need** (`post_move_on`): social services or the coordinator re-open the case
  of a household living in an active second-hand tenancy; the household keeps its home
  until the move and, through that link only, takes part in match rounds despite its
  active tenancy (`app/rounds/translate.py` reads `Tenancy.move_on_since`);
* the **3:5 conditions** on an agreement's exception places (`exception_refusal`): "Hyresgästen
  har skött sina nuvarande hyresbetalningar", "Inga störningar eller annan problematik
  föreligger", "Fastighetsförvaltningen går i god för att detta är en välfungerande
  hyresgäst" — decided here, handed to the solver as data (`exception_qualified`);
* the **chain** (`leave_for_move`): contracting the move-on proposal ends the old tenancy
  `moved_on` on the move-in day and puts its flat back in the pool as an open vacancy of its
  landlord — no quota apartment unless the landlord posts it again — for the next round.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.agreements.schemas import ExceptionConditions
from app.audit import service as audit
from app.auth import Principal, Role
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from app.households import repository as households
from app.tenancies import journal, repository
from app.tenancies.models import Tenancy, TenancyEvent
from app.tenancies.schemas import MoveOnBody, MoveOnRead, VouchingBody
from app.vacancies import repository as vacancies
from app.vacancies.events import publish as publish_vacancy
from app.vocabulary import (
    AuditAction,
    ContractForm,
    EndReason,
    EventKind,
    EventType,
    HouseholdStatus,
    RemarkReason,
    ResponseAction,
    TargetGroup,
    TenancyStatus,
    VacancyStatus,
    VouchingStatement,
)

SECOND_HAND_FORMS = frozenset({ContractForm.municipal_contract, ContractForm.training_apartment})
"""The forms where the municipality holds the lease and sublets (Helsingborg: "Alla former
av andrahandskontrakt benämns kommunala kontrakt"): a household moves on from these."""

BLOCKING_REASONS = frozenset({RemarkReason.late_payment, RemarkReason.disturbance})
"""The remarks and incidents that keep a tenant from a 3:5 exception place: the rent not
paid ("skött sina nuvarande hyresbetalningar"), disturbances ("Inga störningar")."""

RESOLVING_ACTIONS = frozenset({ResponseAction.measure_taken, ResponseAction.no_action_needed})
"""A report is resolved once the municipality answered it with a measure taken or found
nothing to do; a visit alone (`visited`) does not settle a late payment."""


# --- The move-on need ---------------------------------------------------------------------


def post_move_on(
    session: Session,
    *,
    principal: Principal,
    household_id: str,
    body: MoveOnBody,
    purpose: str | None,
) -> MoveOnRead:
    """Re-open the case of a household living in an active second-hand tenancy, linked to
    that tenancy, so the next round can move it on; it lives there until the move.

    `404`: not the caller's household. `403`: social services and a protected-identity case
    (the coordinator's). `409`: the household lives in no active tenancy, or a move-on need
    is posted already. `422`: the tenancy is not second-hand (the household holds its own
    lease already)."""
    household = households.get_for(session, principal, household_id, lock=True)
    if household is None:
        raise NotFound("No such household.")
    if principal.role is not Role.coordinator and TargetGroup.protected_identity in (
        household.target_groups
    ):
        raise Forbidden("A protected-identity case is changed by the coordinator only.")
    if household.status == HouseholdStatus.erased:
        raise Conflict("The case is erased.")
    tenancy = repository.active_of_household(session, household.id, lock=True)
    if tenancy is None:
        raise Conflict("The household lives in no active tenancy to move on from.")
    if tenancy.contract_form not in SECOND_HAND_FORMS:
        raise UnprocessableEntity(
            f"The household's tenancy is a {tenancy.contract_form}, not a second-hand "
            "contract (" + ", ".join(sorted(SECOND_HAND_FORMS)) + "): there is nothing to "
            "move on from."
        )
    if tenancy.move_on_since is not None and household.status == HouseholdStatus.open:
        raise Conflict("A move-on need is posted for the household already.")
    now = utcnow()
    household.status = HouseholdStatus.open.value
    household.close_reason = None
    household.closed_at = None
    if body.contract_forms is not None:
        household.contract_forms = [form.value for form in body.contract_forms]
    household.version += 1
    tenancy.move_on_since = now
    tenancy.updated_at = now
    session.flush()
    audit.record(
        session,
        principal,
        AuditAction.update,
        [household.id],
        purpose=purpose or f"move-on need from tenancy {tenancy.id}",
    )
    return MoveOnRead(
        household=household.id,
        case_ref=household.case_ref,
        tenancy=tenancy.id,
        contract_form=ContractForm(tenancy.contract_form),
        move_on_since=now,
        contract_forms=[ContractForm(form) for form in household.contract_forms],
    )


# --- The municipality vouches -------------------------------------------------------------


def vouch(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: VouchingBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """The coordinator's dated statement that the municipality vouches for its tenant
    ("går i god för att detta är en välfungerande hyresgäst"), or withdraws it: a
    `vouching` event, codes only. The latest statement stands. `409`: not active."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.vouching, body.effective_on, today
    )
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.vouching,
        on=on,
        purpose=purpose,
        reason=body.statement.value,
    )
    return tenancy


def vouched_on(events: list[TenancyEvent]) -> date | None:
    """The day of the standing vouching statement, or None (none made, or withdrawn)."""
    for event in reversed(events):
        if event.kind == EventKind.vouching:
            if event.reason == VouchingStatement.well_functioning_tenant:
                return event.effective_on
            return None
    return None


# --- The 3:5 conditions -------------------------------------------------------------------


def exception_refusal(
    conditions: ExceptionConditions, events: list[TenancyEvent], today: date
) -> str | None:
    """Why the tenant of a tenancy with these `events` does not qualify for exception
    places under `conditions` on `today`, or None when it does: an unresolved late payment
    or disturbance (a landlord's remark or incident, or the coordinator's remark) within
    the last `no_remarks_months`, or no standing vouching statement."""
    from app.tenancies.service import add_months

    since = add_months(today, -conditions.no_remarks_months)
    resolved = {
        e.answers
        for e in events
        if e.kind == EventKind.response and e.answers and e.reason in RESOLVING_ACTIONS
    }
    for event in events:
        if (
            event.kind in (EventKind.remark, EventKind.incident)
            and event.reason in BLOCKING_REASONS
            and event.effective_on >= since
            and (event.report_id is None or event.report_id not in resolved)
        ):
            return f"unresolved {event.reason} on {event.effective_on.isoformat()}"
    if conditions.requires_vouching and vouched_on(events) is None:
        return "the municipality has not vouched for the tenant"
    return None


def conditions_of(agreement: Agreement) -> ExceptionConditions | None:
    """The agreement's 3:5 conditions, or None when its exception places ask none."""
    stored: Mapping[str, Any] | None = agreement.exception_conditions
    return ExceptionConditions.model_validate(stored) if stored else None


def exception_qualified(
    session: Session, municipality: str, agreements: list[Agreement], today: date
) -> dict[str, tuple[str, ...]]:
    """Per household with a move-on need: the landlords (of `agreements`, those asking the
    3:5 conditions) whose exception places it qualifies for today — the data the round's
    problem carries (`households[].exception_qualified`), so the solver, its explanations
    and the candidates view all judge by the same decision."""
    asking = [(a.landlord_id, c) for a in agreements if (c := conditions_of(a)) is not None]
    if not asking:
        return {}
    tenancies = repository.moving_on(session, municipality)
    events = repository.events_of(session, {t.id for t in tenancies})
    qualified: dict[str, tuple[str, ...]] = {}
    for tenancy in tenancies:
        assert tenancy.household_id is not None
        history = events.get(tenancy.id, [])
        landlords = tuple(
            sorted(lid for lid, c in asking if exception_refusal(c, history, today) is None)
        )
        if landlords:
            qualified[tenancy.household_id] = landlords
    return qualified


# --- The chain ----------------------------------------------------------------------------


def leave_for_move(
    session: Session, *, principal: Principal, household_id: str, moving_in: date
) -> Tenancy | None:
    """When the household's move-on proposal is contracted, in its transaction: the
    tenancy it moves on from ends `moved_on` on the move-in day and its flat is an open
    vacancy of its landlord again, available from that day, not a quota apartment unless
    the landlord posts it anew (`vacancy.freed`). None when the household has no move-on
    need on an active tenancy (an ordinary contract)."""
    old = repository.active_of_household(session, household_id, lock=True)
    if old is None or old.move_on_since is None:
        return None
    old.status = TenancyStatus.ended.value
    journal.append_event(
        session,
        principal,
        old,
        kind=EventKind.end,
        on=moving_in,
        purpose=f"moved on from tenancy {old.id}",
        reason=EndReason.moved_on.value,
    )
    flat = vacancies.lock(session, old.vacancy_id)
    if flat is not None and flat.status == VacancyStatus.let:
        flat.status = VacancyStatus.open.value
        flat.available_from = moving_in
        flat.quota_apartment = False
        flat.version += 1
        session.flush()
        publish_vacancy(session, flat, EventType.vacancy_freed)
    return old
