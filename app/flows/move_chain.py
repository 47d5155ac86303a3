"""Move chains out of the municipality's second-hand housing (Helsingborg 3:5 and 3:6).

Helsingborg 3:6: "Cirka etthundrafemtio hushåll inom det bostadssociala programmet är före
detta så kallade klienter … men är numera enbart hyresgäster hos fastighetsförvaltningen.
Många av hushållen kan och behöver komma vidare till ett förstahandskontrakt." Three pieces:

* a **move-on need** (`post_move_on`): social services or the coordinator re-open the case
  of a household living in an active second-hand tenancy; the household keeps its home
  until the move and, through that link only, takes part in match rounds despite its
  active tenancy (`app/rounds/translate.py` reads `Tenancy.move_on_since`);
* the **3:5 conditions** on an agreement's exception places: the agreement's rules, in
  app/agreements/exceptions.py (the municipality's vouching is a tenancy event,
  `app.tenancies.service.vouch`);
* the **chain** (`leave_for_move`): contracting the move-on proposal ends the old tenancy
  `moved_on` on the move-in day and puts its flat back in the pool as an open vacancy of its
  landlord — no quota apartment unless the landlord posts it again — for the next round
  (called by the contract, app/flows/contract.py).

A flow: it changes the household's case, the tenancy and the vacancy together.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from app.households import repository as households
from app.households.schemas import MoveOnBody, MoveOnRead
from app.households.service import restricted_for
from app.tenancies import repository
from app.tenancies import service as tenancies
from app.tenancies.models import Tenancy
from app.vacancies import service as vacancies
from app.vocabulary import AuditAction, ContractForm, HouseholdStatus

SECOND_HAND_FORMS = frozenset({ContractForm.municipal_contract, ContractForm.training_apartment})
"""The forms where the municipality holds the lease and sublets (Helsingborg: "Alla former
av andrahandskontrakt benämns kommunala kontrakt"): a household moves on from these."""


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
    if restricted_for(principal, household):
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


# --- The chain ----------------------------------------------------------------------------


def leave_for_move(
    session: Session, *, principal: Principal, household_id: str, moving_in: date
) -> Tenancy | None:
    """When the household's move-on proposal is contracted, in its transaction: the
    tenancy it moves on from ends `moved_on` on the move-in day and its flat is an open
    vacancy of its landlord again, available from that day, not a quota apartment unless
    the landlord posts it anew (`vacancy.freed`). None when the household has no move-on
    need on an active tenancy (an ordinary contract). A registered running contract whose
    flat the landlord never posted frees nothing: the landlord posts it when it wants."""
    old = tenancies.end_for_move(
        session, principal=principal, household_id=household_id, on=moving_in
    )
    if old is not None and old.vacancy_id is not None:
        vacancies.free_after_move(session, vacancy_id=old.vacancy_id, available_from=moving_in)
    return old
