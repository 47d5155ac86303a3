"""The proposal workflow: who may move a proposal from which status to which, and what each
move does to the vacancy, the household and the forbidden pairs (docs/proposals.md).

Every transition is one small named function below the transition table. Each answering
operation locks the proposal row first and checks the status after the lock, so of two
concurrent answers exactly one moves the proposal and the other gets 409 naming the status
it found. The partial unique indexes on proposals and tenancies back this up in the
database: no code path can put a vacancy or a household in two live proposals or two
active tenancies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.agreements.models import Agreement
from app.audit import service as audit
from app.auth import COORDINATOR, Principal, acting_for, own_municipality
from app.core.db import local_date, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.core.pagination import Page
from app.households.models import Household
from app.policies.service import current_policy
from app.proposals import repository
from app.proposals.events import publish
from app.proposals.models import ForbiddenPair, Pin, Proposal
from app.proposals.schemas import DeclineBody, PairBody
from app.rounds.translate import RoundInputs, pair_failure
from app.vacancies.events import publish as publish_vacancy
from app.vacancies.models import Vacancy
from app.vocabulary import (
    AWAITING_ANSWER,
    LIVE_PROPOSAL_STATUSES,
    AuditAction,
    EventType,
    ForbiddenReason,
    HouseholdDeclineReason,
    HouseholdStatus,
    LandlordDeclineReason,
    ProposalStatus,
    VacancyStatus,
)

DEFAULT_ANSWER_HOURS = 72
"""Each side's time to answer when there is no agreement for the proposal's year (an
agreement's `answer_hours` defaults to the same)."""
MAX_ATTEMPTS = 3
"""Attempts of one workflow transaction when PostgreSQL reports a serialization failure or
a deadlock; the last failure surfaces as 503 (retry later), never a 500."""

S = ProposalStatus
T = TypeVar("T")


class ProposalExpired(Conflict):
    """409 for an answer that came after the deadline. The expiry it discovered is a real
    change that outlives the refused answer: the request session commits an error with
    `keeps_changes` instead of rolling it back (app/core/db.py)."""

    keeps_changes: ClassVar[bool] = True


# --- The transition table -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[ProposalStatus]
    target: ProposalStatus
    refusal: str
    event: EventType
    """What the parties are told once the move and its effects are done (`_announce`)."""


LIVE = frozenset(LIVE_PROPOSAL_STATUSES)

TRANSITIONS: dict[str, Transition] = {
    "release": Transition(
        frozenset({S.proposed}),
        S.released,
        "only a proposed one is released",
        EventType.proposal_released,
    ),
    "landlord_accept": Transition(
        frozenset({S.released}),
        S.landlord_accepted,
        "the landlord answers a released one",
        EventType.proposal_landlord_accepted,
    ),
    "landlord_decline": Transition(
        frozenset({S.released}),
        S.landlord_declined,
        "the landlord answers a released one",
        EventType.proposal_landlord_declined,
    ),
    "household_accept": Transition(
        frozenset({S.landlord_accepted}),
        S.household_accepted,
        "the household's side answers after the landlord accepted",
        EventType.proposal_household_accepted,
    ),
    "household_decline": Transition(
        frozenset({S.landlord_accepted}),
        S.household_declined,
        "the household's side answers after the landlord accepted",
        EventType.proposal_household_declined,
    ),
    "contract": Transition(
        frozenset({S.household_accepted}),
        S.contracted,
        "only an accepted one is contracted",
        EventType.proposal_contracted,
    ),
    "expire": Transition(
        frozenset(AWAITING_ANSWER),
        S.expired,
        "only an awaited answer expires",
        EventType.proposal_expired,
    ),
    "withdraw": Transition(
        LIVE, S.withdrawn, "only a live proposal is withdrawn", EventType.proposal_withdrawn
    ),
}


def _move(proposal: Proposal, action: str) -> None:
    """Apply one row of the table, or 409 naming the status the proposal is in."""
    transition = TRANSITIONS[action]
    current = ProposalStatus(proposal.status)
    if current not in transition.sources:
        raise Conflict(
            f"The proposal is {current.value}; {transition.refusal}.", current_status=current.value
        )
    proposal.status = transition.target.value
    proposal.version += 1


def _announce(session: Session, proposal: Proposal, action: str) -> None:
    """Tell every party that can see the proposal what the move did, each in its own view."""
    publish(session, proposal, TRANSITIONS[action].event)


# --- Effects on the vacancy, the household and the forbidden pairs -----------------------


def _locked_vacancy(session: Session, proposal: Proposal) -> Vacancy:
    vacancy = repository.lock_vacancy(session, proposal.vacancy_id)
    if vacancy is None:  # the foreign key makes this impossible
        raise NotFound("No such vacancy.")
    return vacancy


def _free_vacancy(session: Session, proposal: Proposal) -> None:
    """The vacancy is offered again in the next round, unless the landlord withdrew it
    meanwhile. The household needs nothing: it stays open and is free once no live
    proposal holds it."""
    vacancy = _locked_vacancy(session, proposal)
    if vacancy.status == VacancyStatus.proposed:
        vacancy.status = VacancyStatus.open.value
        vacancy.version += 1


def _require_offered(session: Session, proposal: Proposal, advice: str) -> Vacancy:
    """The vacancy, locked, if the landlord still offers it: a withdrawn or let one → 409.
    (`open` is tolerated: a landlord's repost of a withdrawn vacancy re-opens it even while
    this proposal holds it.)"""
    vacancy = _locked_vacancy(session, proposal)
    if vacancy.status not in (VacancyStatus.proposed, VacancyStatus.open):
        raise Conflict(f"The vacancy is {vacancy.status}; {advice}.")
    return vacancy


def _forbid_pair(
    session: Session, proposal: Proposal, reason: ForbiddenReason, by: str | None
) -> None:
    """The pair is never proposed again (docs/domain.md §4 rule 6); an earlier forbid stands."""
    if repository.forbidden_pair(session, proposal.household_id, proposal.vacancy_id) is None:
        session.add(
            ForbiddenPair(
                municipality_code=proposal.municipality_code,
                household_id=proposal.household_id,
                vacancy_id=proposal.vacancy_id,
                reason=reason.value,
                created_by=by,
            )
        )


def _response_window(session: Session, proposal: Proposal, now: datetime) -> timedelta:
    """The agreement's `answer_hours` for the proposal's year, else 72 hours. Not
    `response_hours`: that is the municipality's promise to the landlord when a problem
    arises in a tenancy (Karlstad: "uttryckning inom 48 timmar"), app/tenancies."""
    year = repository.round_year(session, proposal.round_id) or local_date(now).year
    hours = session.scalar(
        select(Agreement.answer_hours).where(
            Agreement.municipality_code == proposal.municipality_code,
            Agreement.landlord_id == proposal.landlord_id,
            Agreement.year == year,
        )
    )
    return timedelta(hours=hours or DEFAULT_ANSWER_HOURS)


# --- The transitions ----------------------------------------------------------------------


def release(session: Session, proposal: Proposal, *, now: datetime) -> None:
    """Coordinator sends it to the landlord; the landlord's answer is due within the
    agreement's response time. A vacancy withdrawn or a case closed since the round → 409:
    the coordinator withdraws the proposal instead."""
    _move(proposal, "release")
    _require_offered(session, proposal, "withdraw this proposal instead")
    household = session.get(Household, proposal.household_id)
    if household is None or household.status != HouseholdStatus.open:
        raise Conflict("The household's case is closed; withdraw this proposal instead.")
    proposal.released_at = now
    proposal.deadline_at = now + _response_window(session, proposal, now)
    _announce(session, proposal, "release")


def landlord_accept(session: Session, proposal: Proposal, *, now: datetime) -> None:
    """The landlord says yes; social services now answer for the household, within a
    fresh response window of their own."""
    _move(proposal, "landlord_accept")
    _require_offered(session, proposal, "decline it as unit_unavailable instead")
    proposal.answered_at = now
    proposal.deadline_at = now + _response_window(session, proposal, now)
    _announce(session, proposal, "landlord_accept")


def landlord_decline(
    session: Session, proposal: Proposal, *, body: DeclineBody, by: str, now: datetime
) -> None:
    """The landlord keeps the right to choose its tenant (Nynäshamn): the pair is
    forbidden and both sides are free for the next round."""
    if body.reason.value not in {reason.value for reason in LandlordDeclineReason}:
        raise UnprocessableEntity(
            f"reason: {body.reason.value} is not a landlord's reason; use one of "
            + ", ".join(LandlordDeclineReason)
        )
    _move(proposal, "landlord_decline")
    _record_decline(session, proposal, body, ForbiddenReason.declined_by_landlord, by, now)
    _announce(session, proposal, "landlord_decline")


def household_decline(
    session: Session, proposal: Proposal, *, body: DeclineBody, by: str, now: datetime
) -> None:
    """Social services decline on the household's behalf: forbidden pair, both free."""
    if body.reason.value not in {reason.value for reason in HouseholdDeclineReason}:
        raise UnprocessableEntity(
            f"reason: {body.reason.value} is not a household's reason; use one of "
            + ", ".join(HouseholdDeclineReason)
        )
    _move(proposal, "household_decline")
    _record_decline(session, proposal, body, ForbiddenReason.declined_by_household, by, now)
    _announce(session, proposal, "household_decline")


def _record_decline(
    session: Session,
    proposal: Proposal,
    body: DeclineBody,
    reason: ForbiddenReason,
    by: str,
    now: datetime,
) -> None:
    proposal.decline_reason = body.reason.value
    proposal.decline_comment = body.comment
    proposal.answered_at = now
    _forbid_pair(session, proposal, reason, by)
    _free_vacancy(session, proposal)


def household_accept(session: Session, proposal: Proposal, *, now: datetime) -> Vacancy:
    """Both sides said yes: the proposal is `household_accepted`; returns its vacancy,
    locked, still offered (else 409). What follows in the same transaction — the tenancy,
    the case closed as housed, the contract — is the contract flow's
    (app/flows/contract.py)."""
    _move(proposal, "household_accept")
    proposal.answered_at = now
    vacancy = _require_offered(session, proposal, "it can no longer be let")
    _announce(session, proposal, "household_accept")
    return vacancy


def contract(session: Session, proposal: Proposal, vacancy: Vacancy) -> None:
    """The accepted proposal is `contracted` and its vacancy let, once its tenancy exists
    (app/flows/contract.py)."""
    _move(proposal, "contract")
    vacancy.status = VacancyStatus.let.value
    vacancy.version += 1
    _announce(session, proposal, "contract")
    publish_vacancy(session, vacancy, EventType.vacancy_let)


def expire(session: Session, proposal: Proposal, *, now: datetime) -> None:
    """No answer in time: like a decline, the pair is forbidden and both sides are free."""
    _move(proposal, "expire")
    _forbid_pair(session, proposal, ForbiddenReason.expired, None)
    _free_vacancy(session, proposal)
    _announce(session, proposal, "expire")


def withdraw(session: Session, proposal: Proposal) -> None:
    """The coordinator takes a live proposal back: both sides free, the pair not
    forbidden (nobody said no to it)."""
    _move(proposal, "withdraw")
    _free_vacancy(session, proposal)
    _announce(session, proposal, "withdraw")


def withdraw_for_withdrawn_vacancy(session: Session, vacancy_id: str) -> None:
    """The landlord took the vacancy off the market: its live proposal, if any, is
    withdrawn with it, so the household is free for the next round (the pair is not
    forbidden: the household did nothing wrong)."""
    proposal = session.scalar(
        select(Proposal)
        .where(Proposal.vacancy_id == vacancy_id, Proposal.status.in_([str(s) for s in LIVE]))
        .with_for_update()
    )
    if proposal is not None:
        _move(proposal, "withdraw")
        _announce(session, proposal, "withdraw")


# --- Expiry ---------------------------------------------------------------------------------


def expire_overdue(session: Session, now: datetime, *, municipality: str | None = None) -> int:
    """Expire every released or landlord-accepted proposal past its deadline (optionally
    only one municipality's); returns how many. The workers' sweep writes expiries this way
    (app/jobs/worker.py: `announce_due`), and a round before it picks free vacancies and
    households; a read only shows them (`Proposal.status_at`), an answer refuses them."""
    expired = 0
    for overdue_id in repository.overdue_ids(session, now, municipality=municipality):
        proposal = repository.lock(session, overdue_id)
        if proposal is not None and proposal.is_overdue(now):  # checked again, locked
            expire(session, proposal, now=now)
            expired += 1
    if expired:
        session.flush()
    return expired


# --- Operations (what the router calls) -----------------------------------------------------


def _retrying(session: Session, operation: Callable[[], T]) -> T:
    """Run one workflow transaction, again from the start (after a rollback) when
    PostgreSQL aborts it with a serialization failure or a deadlock. `operation` must be all
    the request's writes: the rollback discards everything the session did before."""
    from psycopg import errors as pg

    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            result = operation()
            session.flush()
            return result
        except OperationalError as exc:
            retryable = isinstance(exc.orig, (pg.SerializationFailure, pg.DeadlockDetected))
            if not retryable or attempt == MAX_ATTEMPTS:
                raise
            session.rollback()
    raise AssertionError("unreachable")


def _locked_for(session: Session, principal: Principal, proposal_id: str) -> Proposal:
    proposal = repository.get_for(session, principal, proposal_id, lock=True)
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def _refuse_if_overdue(session: Session, proposal: Proposal, now: datetime) -> None:
    if proposal.is_overdue(now):
        expire(session, proposal, now=now)
        session.flush()
        raise ProposalExpired(
            "The proposal expired: its deadline passed before this answer.",
            current_status=ProposalStatus.expired.value,
        )


def release_proposal(
    session: Session, *, principal: Principal, proposal_id: str, now: datetime | None = None
) -> Proposal:
    def operation() -> Proposal:
        proposal = _locked_for(session, principal, proposal_id)
        release(session, proposal, now=now or utcnow())
        return proposal

    return _retrying(session, operation)


def _record_landlord_answer(
    session: Session, principal: Principal, proposal: Proposal, answer: str, purpose: str | None
) -> None:
    """Who gave the landlord's answer — the landlord, or an intermediary under its mandate
    (Västerås) — on the proposal and in the audit trail of the household it concerns (the
    organisation that acted, and the landlord it acted for when that is another)."""
    proposal.landlord_answered_by = principal.credential_id
    proposal.landlord_answered_via = principal.intermediary_id
    person = principal.person
    proposal.landlord_answered_person = None if person is None else person.subject
    proposal.landlord_answered_person_name = None if person is None else person.name
    on_behalf_of = None if principal.landlord_id == proposal.landlord_id else proposal.landlord_id
    audit.record(
        session,
        principal,
        AuditAction.update,
        [proposal.household_id],
        purpose=purpose or f"landlord {answer} proposal {proposal.id}",
        on_behalf_of=on_behalf_of,
    )


def answer(
    session: Session,
    *,
    principal: Principal,
    proposal_id: str,
    act: Callable[[Proposal, datetime], None],
    now: datetime | None = None,
) -> Proposal:
    """One side's answer as one workflow transaction: the caller's proposal locked, an
    answer after its deadline refused (409, the expiry kept), then `act(proposal, now)`;
    run again from the start on a serialization failure (`_retrying`). The accept's
    `act` is the contract flow's (app/flows/contract.py)."""

    def operation() -> Proposal:
        moment = now or utcnow()
        proposal = _locked_for(session, principal, proposal_id)
        _refuse_if_overdue(session, proposal, moment)
        act(proposal, moment)
        return proposal

    return _retrying(session, operation)


def accept_for_landlord(
    session: Session,
    proposal: Proposal,
    *,
    principal: Principal,
    now: datetime,
    purpose: str | None,
) -> None:
    """The landlord (or its intermediary) accepts for its side, and who did is recorded."""
    landlord_accept(session, proposal, now=now)
    _record_landlord_answer(session, principal, proposal, "accept", purpose)


def decline_proposal(
    session: Session,
    *,
    principal: Principal,
    proposal_id: str,
    body: DeclineBody,
    now: datetime | None = None,
    purpose: str | None = None,
) -> Proposal:
    def decline(proposal: Proposal, moment: datetime) -> None:
        by = principal.credential_id
        if principal.landlord_side:
            landlord_decline(session, proposal, body=body, by=by, now=moment)
            _record_landlord_answer(session, principal, proposal, "decline", purpose)
        else:
            household_decline(session, proposal, body=body, by=by, now=moment)

    return answer(session, principal=principal, proposal_id=proposal_id, act=decline, now=now)


def withdraw_proposal(session: Session, *, principal: Principal, proposal_id: str) -> Proposal:
    def operation() -> Proposal:
        proposal = _locked_for(session, principal, proposal_id)
        _refuse_if_overdue(session, proposal, utcnow())  # it expired: nothing left to withdraw
        withdraw(session, proposal)
        return proposal

    return _retrying(session, operation)


def get_proposal(
    session: Session, *, principal: Principal, proposal_id: str, now: datetime | None = None
) -> Proposal:
    """One proposal in the caller's scope (one past its deadline reads as expired: the
    view shows `status_at`; the sweep writes the expiry)."""
    proposal = repository.get_for(session, principal, proposal_id)
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def list_proposals(
    session: Session,
    *,
    principal: Principal,
    status: ProposalStatus | None,
    round_id: str | None,
    page: Page,
    now: datetime | None = None,
    landlord: str | None = None,
    case_ref: str | None = None,
    external_ref: str | None = None,
) -> list[Proposal]:
    """One page of the caller's proposals, filtered by the status each reads as now (an
    overdue one is `expired`, though only the sweep writes it). Only an intermediary names
    the `landlord` it acts for (another caller → 422; a landlord that did not mandate it →
    404). Only the municipal side finds a proposal by the household's `case_ref`: the
    landlord side never sees one, so it may not probe for one either."""
    acting_for(principal, landlord)
    if case_ref is not None and principal.landlord_side:
        raise UnprocessableEntity(
            "case_ref: only social services and the coordinator find proposals by case reference"
        )
    return repository.list_page_for(
        session,
        principal,
        status=status.value if status else None,
        round_id=round_id,
        after=page.after,
        limit=page.limit,
        now=now or utcnow(),
        landlord_id=landlord,
        case_ref=case_ref,
        external_ref=external_ref,
    )


# --- Pins and forbidden pairs (the coordinator's own decisions for later rounds) -------------


def _coordinator_municipality(principal: Principal) -> str:
    return own_municipality(principal, roles=COORDINATOR)


def _pair_objects(session: Session, municipality: str, body: PairBody) -> tuple[Household, Vacancy]:
    """Both objects must be the coordinator's municipality's; another's are unknown (422,
    the same answer as for an id that does not exist)."""
    household = repository.municipal_household(session, municipality, body.household)
    if household is None:
        raise UnprocessableEntity("household: no such household in your municipality")
    vacancy = repository.municipal_vacancy(session, municipality, body.vacancy)
    if vacancy is None:
        raise UnprocessableEntity("vacancy: no such vacancy in your municipality")
    return household, vacancy


def create_pin(session: Session, *, principal: Principal, body: PairBody) -> Pin:
    """This household must get this vacancy in the next round (or the round says why
    not). A household and a vacancy are pinned at most once; a forbidden pair never; an
    ineligible pair never either (422 naming the rule): pinned, it would make every round
    of the municipality infeasible. A pin that becomes ineligible later is reported by the
    round that leaves it out (`app.rounds.translate.broken_pins`)."""
    municipality = _coordinator_municipality(principal)
    household, vacancy = _pair_objects(session, municipality, body)
    if household.status != HouseholdStatus.open:
        raise Conflict("The household's case is closed.")
    if vacancy.status not in (VacancyStatus.open, VacancyStatus.proposed):
        raise Conflict(f"The vacancy is {vacancy.status}.")
    if repository.forbidden_pair(session, household.id, vacancy.id) is not None:
        raise Conflict("This pair is forbidden; it cannot be pinned.")
    if repository.pin_touching(session, household.id, vacancy.id) is not None:
        raise Conflict("The household or the vacancy is already pinned; delete that pin first.")
    rule = _pair_failure(session, household, vacancy)
    if rule is not None:
        raise UnprocessableEntity(
            f"vacancy: the household is not eligible for this vacancy (eligibility rule "
            f"`{rule}`), so no round could honour the pin"
        )
    pin = Pin(
        municipality_code=municipality,
        household_id=household.id,
        vacancy_id=vacancy.id,
        created_by=principal.credential_id,
    )
    session.add(pin)
    session.flush()
    return pin


def _pair_failure(session: Session, household: Household, vacancy: Vacancy) -> str | None:
    """The eligibility rule the pair fails for this year's agreements and the policy in
    force, as the next round would judge it (the candidates view's judgement)."""
    now = utcnow()
    inputs = RoundInputs(
        municipality=household.municipality_code,
        year=local_date(now).year,
        policy=current_policy(session, household.municipality_code),
        newly_arrived_min=0,
        time_limit_s=1,
        now=now,
    )
    return pair_failure(session, household, vacancy, inputs)


def delete_pin(session: Session, *, principal: Principal, pin_id: str) -> None:
    pin = repository.pin_for(session, _coordinator_municipality(principal), pin_id)
    if pin is None:
        raise NotFound("No such pin.")
    session.delete(pin)
    session.flush()


def list_pins(session: Session, *, principal: Principal, page: Page) -> list[Pin]:
    municipality = _coordinator_municipality(principal)
    return repository.pins_page(session, municipality, after=page.after, limit=page.limit)


def forbid_pair(session: Session, *, principal: Principal, body: PairBody) -> ForbiddenPair:
    """The coordinator's own "never this pair" (docs/domain.md §4 rule 6). It binds later
    rounds; a live proposal of the pair is withdrawn separately."""
    municipality = _coordinator_municipality(principal)
    household, vacancy = _pair_objects(session, municipality, body)
    existing = repository.forbidden_pair(session, household.id, vacancy.id)
    if existing is not None:
        raise Conflict(f"This pair is already forbidden ({existing.reason}).")
    pin = repository.pin_touching(session, household.id, vacancy.id)
    if pin is not None and pin.household_id == household.id and pin.vacancy_id == vacancy.id:
        raise Conflict("This pair is pinned; delete the pin first.")
    pair = ForbiddenPair(
        municipality_code=municipality,
        household_id=household.id,
        vacancy_id=vacancy.id,
        reason=ForbiddenReason.coordinator.value,
        created_by=principal.credential_id,
    )
    session.add(pair)
    session.flush()
    return pair


def list_forbidden(
    session: Session,
    *,
    principal: Principal,
    household_id: str | None,
    vacancy_id: str | None,
    page: Page,
) -> list[ForbiddenPair]:
    municipality = _coordinator_municipality(principal)
    return repository.forbidden_page(
        session,
        municipality,
        household_id=household_id,
        vacancy_id=vacancy_id,
        after=page.after,
        limit=page.limit,
    )
