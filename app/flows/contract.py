"""A contract: the household's side accepts a proposal the landlord accepted, and in that
one transaction the proposal becomes a tenancy.

Each step is the rule of its own domain: the proposal's moves (`household_accepted`, then
`contracted`, each announced) are app/proposals/service.py's; the move-in day is the
vacancy's (`start_date_for`); the tenancy, its agreement year, trial period and terms are
app/tenancies/service.py's; a household moving on from second-hand housing leaves its old
tenancy and frees its flat (app/flows/move_chain.py); the quota must have a place left
(app/agreements/quota.py); the case closes as housed
(app/households/service.py). This flow is the one place that knows they go together, and in
which order the parties are told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.agreements.quota import require_place_for
from app.auth import Principal
from app.core.db import local_date
from app.flows.move_chain import leave_for_move
from app.households import service as households
from app.proposals import repository as proposal_rows
from app.proposals import service as proposals
from app.proposals.models import Proposal
from app.tenancies import service as tenancies
from app.tenancies.models import Tenancy
from app.vacancies.move_in import start_date_for
from app.vocabulary import CloseReason


def accept_proposal(
    session: Session,
    *,
    principal: Principal,
    proposal_id: str,
    now: datetime | None = None,
    purpose: str | None = None,
) -> Proposal:
    """The landlord (or its intermediary) accepts for its side; social services or the
    coordinator for the household's side, which contracts it (`contract`). Out of turn,
    twice or after the deadline → 409 (`proposals.answer`)."""

    def accept(proposal: Proposal, moment: datetime) -> None:
        if principal.landlord_side:
            proposals.accept_for_landlord(
                session, proposal, principal=principal, now=moment, purpose=purpose
            )
        else:
            contract(session, proposal, principal=principal, now=moment)

    return proposals.answer(
        session, principal=principal, proposal_id=proposal_id, act=accept, now=now
    )


def contract(
    session: Session, proposal: Proposal, *, principal: Principal, now: datetime
) -> Tenancy:
    """Both sides said yes: in this one transaction the tenancy is created, the proposal
    contracted, the vacancy let and the household's case closed as `housed`. A move-on
    household's old tenancy ends and its flat is freed in the same transaction (a move
    chain), from the new tenancy's move-in day. The tenancy must find a place left in its
    landlord's quota (and exception places) for its agreement year, counted under a lock on
    the agreement (`require_place_for`): else 409 naming the quota, and nothing is kept."""
    vacancy = proposals.household_accept(session, proposal, now=now)
    start = start_date_for(vacancy, local_date(now))
    moved_from = leave_for_move(
        session, principal=principal, household_id=proposal.household_id, moving_in=start
    )
    tenancy = tenancies.create_from_proposal(
        session,
        proposal=proposal,
        vacancy=vacancy,
        round_year=proposal_rows.round_year(session, proposal.round_id),
        start=start,
        moved_from=moved_from,
    )
    require_place_for(session, tenancy, now)
    households.close_household(
        session,
        principal=principal,
        household_id=proposal.household_id,
        reason=CloseReason.housed,
        if_match=None,
        purpose="housed through proposal " + proposal.id,
    )
    proposals.contract(session, proposal, vacancy)
    return tenancy
