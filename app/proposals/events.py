"""What a proposal's parties are told (app/events): the coordinators and social services of
its municipality always, its landlord once the proposal was released to it — each in the
view the API answers that party with, so an event never shows more than a read would."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.proposals import repository
from app.proposals.models import Proposal
from app.proposals.views import to_view
from app.vocabulary import EventType

DEADLINE_WARNING = timedelta(hours=24)
"""`proposal.deadline_approaching` goes out this long before an awaited answer is due."""


def audiences(session: Session, proposal: Proposal) -> list[Audience]:
    """Who can read the proposal (the same scope as app/proposals/repository.py): also the
    social services of the municipality that referred the household here (`case_scope`)."""
    found = [
        Audience.coordinators(proposal.municipality_code),
        Audience.social_services(proposal.municipality_code),
    ]
    household = repository.households_by_id(session, {proposal.household_id}).get(
        proposal.household_id
    )
    if household is not None and household.referred_by is not None:
        found.append(Audience.social_services(household.referred_by))
    if proposal.released_at is not None:
        found.append(Audience.landlord(proposal.landlord_id))
    return found


def publish(
    session: Session, proposal: Proposal, event_type: EventType, *, dedupe_key: str | None = None
) -> bool:
    views: list[tuple[Audience, BaseModel]] = [
        (audience, to_view(session, audience.principal(), proposal, audited=False))
        for audience in audiences(session, proposal)
    ]
    vacancy = repository.vacancies_by_id(session, {proposal.vacancy_id})[proposal.vacancy_id]
    return emit_views(
        session,
        event_type,
        views,
        subject_id=proposal.id,
        external_ref=vacancy.external_ref,
        household_id=proposal.household_id,
        dedupe_key=dedupe_key,
    )


def warn_deadlines(session: Session, now: datetime) -> int:
    """The sweep: every awaited answer due within 24 hours gets one
    `proposal.deadline_approaching` (once per deadline: a new deadline warns again)."""
    warned = 0
    for proposal in repository.due_soon(session, now, now + DEADLINE_WARNING):
        assert proposal.deadline_at is not None
        key = f"deadline:{proposal.id}:{proposal.deadline_at.isoformat()}"
        if publish(session, proposal, EventType.proposal_deadline_approaching, dedupe_key=key):
            warned += 1
    return warned
