"""The proposal as the API answers it and its events tell it, per audience (a landlord's
minimal view, the municipality's full one, social services' restricted one for a protected
identity); and pins and forbidden pairs as the coordinator reads them, each side named the
way the proposal view names it (app/references.py), loaded for the whole page at once, so a
coordinator sees "JKP-0142 → Vätterhem VH-1, Centrum" rather than two bare ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app import references
from app.audit import service as audit
from app.auth import Principal
from app.core.db import local_date, utcnow
from app.households.service import restricted_for
from app.intermediaries.schemas import acted_by
from app.proposals import repository
from app.proposals.models import ForbiddenPair, Pin, Proposal
from app.proposals.schemas import (
    Decline,
    ForbiddenPairRead,
    PinRead,
    ProposalLandlordView,
    ProposalRead,
    ProposalRestricted,
    ProposedFlat,
)
from app.vacancies.move_in import start_date_for
from app.vocabulary import (
    LIVE_PROPOSAL_STATUSES,
    AuditAction,
    ForbiddenReason,
    HouseholdStatus,
    ProposalStatus,
)

ProposalViewModel = ProposalRead | ProposalLandlordView | ProposalRestricted


def _area_name(refs: references.References, vacancy_id: str) -> str | None:
    ref = refs.vacancy(vacancy_id)
    return ref.area_name if ref else None


def to_views(
    session: Session,
    principal: Principal,
    proposals: list[Proposal],
    *,
    purpose: str | None = None,
    audited: bool = True,
) -> list[ProposalViewModel]:
    """Each proposal in the caller's view: a landlord gets the minimal one, by its own
    schema; the municipality the full one — except that social services get the restricted
    one for a protected-identity household (docs/domain.md §6). Every household shown in a
    municipality's view (full or restricted) is a read of its record: one `read` audit
    event per household, written in the request's transaction (docs/privacy.md). An
    event's copy of a view (`audited=False`) is audited when it is read (app/events). Each
    shows the status the proposal reads as now (`Proposal.status_at`): past its deadline,
    `expired`, before the sweep writes it."""
    vacancies = repository.vacancies_by_id(session, {p.vacancy_id for p in proposals})
    households_ = repository.households_by_id(session, {p.household_id for p in proposals})
    contracted = repository.tenancies_by_proposal(
        session, {p.id for p in proposals if p.status == ProposalStatus.contracted}
    )
    refs = (
        references.References()
        if principal.landlord_side
        else references.load(
            session,
            households=(p.household_id for p in proposals),
            vacancies=vacancies.keys(),
            landlords=(p.landlord_id for p in proposals),
        )
    )
    now = utcnow()
    today = local_date(now)
    views: list[ProposalViewModel] = []
    if audited and not principal.landlord_side:
        shown = list(dict.fromkeys(p.household_id for p in proposals))
        audit.record(session, principal, AuditAction.read, shown, purpose=purpose)
    for proposal in proposals:
        vacancy = vacancies[proposal.vacancy_id]
        household = households_.get(proposal.household_id)
        if household is not None and household.status == HouseholdStatus.erased:
            household = None  # its data are gone: no size, guarantee or support plan
        tenancy = contracted.get(proposal.id)
        status = ProposalStatus(proposal.status_at(now))
        move_in: date | None = None
        if tenancy is not None:
            move_in = tenancy.start_date
        elif status in LIVE_PROPOSAL_STATUSES:
            move_in = start_date_for(vacancy, today)
        size = household.adults + household.children if household else 0
        guarantee = bool(household and household.municipal_guarantee)
        support = bool(household and household.support_plan)
        answered_by = acted_by(
            proposal.landlord_answered_by,
            proposal.landlord_answered_via,
            proposal.landlord_id,
            (proposal.landlord_answered_person, proposal.landlord_answered_person_name),
        )
        if principal.landlord_side:
            # The landlord's minimal view, for an intermediary too: never more household
            # data than the landlord itself may see (docs/domain.md §6).
            views.append(
                ProposalLandlordView(
                    id=proposal.id,
                    status=status,
                    vacancy=vacancy.id,
                    external_ref=vacancy.external_ref,
                    contract_form=proposal.contract_form,
                    household_size=size,
                    rooms=vacancy.rooms,
                    municipal_guarantee=guarantee,
                    support_plan=support,
                    move_in_date=move_in,
                    deadline_at=proposal.deadline_at,
                    decline=Decline(
                        reason=proposal.decline_reason or "", comment=proposal.decline_comment
                    )
                    if proposal.status == ProposalStatus.landlord_declined
                    else None,
                    landlord_answer_by=answered_by,
                )
            )
            continue
        if household is not None and restricted_for(principal, household):
            views.append(
                ProposalRestricted(
                    id=proposal.id,
                    household=proposal.household_id,
                    status=status,
                    deadline_at=proposal.deadline_at,
                )
            )
            continue
        views.append(
            ProposalRead(
                id=proposal.id,
                round=proposal.round_id,
                municipality=proposal.municipality_code,
                landlord=proposal.landlord_id,
                landlord_name=refs.landlord_name(proposal.landlord_id),
                vacancy=vacancy.id,
                external_ref=vacancy.external_ref,
                area=vacancy.area,
                area_name=_area_name(refs, vacancy.id),
                household=proposal.household_id,
                case_ref=refs.case_ref(proposal.household_id),
                contract_form=proposal.contract_form,
                exception=proposal.exception,
                score=proposal.score or {},
                status=status,
                flat=None
                if proposal.released_at is None
                else ProposedFlat(
                    rent=vacancy.rent,
                    address=vacancy.address,
                    postal_code=vacancy.postal_code,
                    area_name=_area_name(refs, vacancy.id),
                    rooms=vacancy.rooms,
                    living_area=vacancy.living_area,
                    floor=vacancy.floor,
                    elevator=vacancy.elevator,
                    wheelchair=vacancy.wheelchair,
                    move_in_date=move_in,
                ),
                decline_reason=proposal.decline_reason,
                decline_comment=proposal.decline_comment,
                household_size=size,
                rooms=vacancy.rooms,
                municipal_guarantee=guarantee,
                support_plan=support,
                move_in_date=move_in,
                deadline_at=proposal.deadline_at,
                released_at=proposal.released_at,
                answered_at=proposal.answered_at,
                landlord_answer_by=answered_by,
                tenancy=tenancy.id if tenancy else None,
                version=proposal.version,
                created_at=proposal.created_at,
                updated_at=proposal.updated_at,
            )
        )
    return views


def to_view(
    session: Session,
    principal: Principal,
    proposal: Proposal,
    *,
    purpose: str | None = None,
    audited: bool = True,
) -> ProposalViewModel:
    """One item of `to_views`: the same view for one object, so a single answer and a
    list never differ."""
    return to_views(session, principal, [proposal], purpose=purpose, audited=audited)[0]


def accepted_view(
    session: Session, principal: Principal, proposal: Proposal, *, purpose: str | None
) -> ProposalViewModel:
    """The answer to an accept. An accept for the household's side contracted the proposal
    and closed the case as housed, audited as `close` (`households.close_household`): the
    view that answers it shows the household the request changed, and is not a second
    event — one event per household per request, the change, as for a create or an update
    (docs/privacy.md)."""
    closed_the_case = proposal.status == ProposalStatus.contracted
    return to_view(session, principal, proposal, purpose=purpose, audited=not closed_the_case)


# --- Pins and forbidden pairs ----------------------------------------------------------------


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
    """The pins, each side named (case reference; vacancy reference, landlord, area)."""
    refs = _refs(session, pins)
    return [_view(PinRead, pin, refs) for pin in pins]


def forbidden_reads(session: Session, pairs: Sequence[ForbiddenPair]) -> list[ForbiddenPairRead]:
    """The forbidden pairs, named as the pins are, each with the reason it was forbidden."""
    refs = _refs(session, pairs)
    return [
        _view(ForbiddenPairRead, pair, refs, reason=ForbiddenReason(pair.reason)) for pair in pairs
    ]
