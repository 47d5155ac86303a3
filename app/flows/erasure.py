"""Erasure of a closed case's personal data, on request and after a retention period.

docs/domain.md §6: "a closed case can be erased on request; proposals and tenancies keep only
what quota accounting needs". Erasing keeps the row (its id is what tenancies, proposals,
forbidden pairs and the audit trail point to) and blanks everything that describes the
household. What is kept and why is in docs/privacy.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, delete, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal, Role
from app.core.config import Settings
from app.core.errors import Conflict, Forbidden, NotFound
from app.events.repository import erase_household_events
from app.households import repository
from app.households.models import Household
from app.idempotency.models import IdempotencyRecord
from app.proposals.models import Proposal
from app.rounds.models import Round
from app.vocabulary import LIVE_PROPOSAL_STATUSES, AuditAction, HouseholdStatus

RETENTION_ACTOR = "retention"
ERASED_PREFIX = "erased-"


def retention_days(settings: Settings) -> int:
    """`ENVAGIN_RETENTION_DAYS`: days after closing at which a case is erased by itself;
    0 or unset = never (erasure then happens on request only)."""
    return settings.retention_days


def erased_case_ref(household_id: str) -> str:
    """Unique per municipality (the id is), and says nothing about the household."""
    return ERASED_PREFIX + household_id


def _blank(household: Household) -> None:
    """Every field that describes the household back to a neutral value. Kept: id,
    municipality, status, close reason and date (they drive retention and say nothing
    about the person), version and timestamps."""
    household.case_ref = erased_case_ref(household.id)
    household.adults = 1
    household.children = 0
    household.children_ages = None
    household.target_groups = []
    household.income = {}
    household.employment = "none"
    household.payment_remarks = False
    household.debts = 0
    household.municipal_guarantee = False
    household.guarantee = None
    household.children_at_risk = False
    household.home_insurance = False
    household.drug_free_months = None
    household.rooms_min = None
    household.rooms_max = None
    household.max_rent = None
    household.needs_elevator = False
    household.needs_ground_floor = False
    household.needs_wheelchair = False
    household.avoid_areas = []
    household.preferred_areas = []
    household.support_plan = False
    household.contract_forms = []
    household.urgency = 0
    household.settled_on = None
    if household.closed_at is not None:
        household.registered_at = household.closed_at
    household.status = HouseholdStatus.erased.value
    household.version += 1


def anonymous_problem_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored problem's household replaced by a stub that keeps its id and weight (so the
    round's counts and objective stay explainable) and is still a valid
    `matching-problem/1` household — but eligible for nothing (no contract form)."""
    return {
        "id": entry.get("id"),
        "weight": entry.get("weight", 1),
        "adults": 1,
        "children": 0,
        "target_groups": [],
        "income": {"salary": 0, "income_support": 0, "housing_allowance": 0, "other": 0},
        "employment": "none",
        "payment_remarks": False,
        "municipal_guarantee": False,
        "home_insurance": False,
        "drug_free_months": None,
        "rooms_min": 1,
        "rooms_max": 1,
        "max_rent": 0,
        "needs_elevator": False,
        "needs_ground_floor": False,
        "needs_wheelchair": False,
        "avoid_areas": [],
        "preferred_areas": [],
        "contract_forms": [],
        "newly_arrived": False,
    }


def _erase_from_rounds(session: Session, household: Household) -> None:
    """The round snapshots (job payloads) that hold the household's record as the solver
    saw it: its entry becomes the anonymous stub."""
    rounds = session.scalars(
        select(Round).where(
            Round.municipality_code == household.municipality_code,
            cast(Round.problem, Text).contains(household.id),
        )
    )
    for round_ in rounds:
        problem = dict(round_.problem or {})
        entries = problem.get("households")
        if not isinstance(entries, list):
            continue
        problem["households"] = [
            anonymous_problem_entry(e) if isinstance(e, dict) and e.get("id") == household.id else e
            for e in entries
        ]
        round_.problem = problem  # a new object: the JSON column sees the change


def _erase_from_proposals(session: Session, household: Household) -> None:
    """Proposals keep what quota accounting needs (landlord, vacancy, contract form,
    exception, status, dates); the score (its weight reflects target groups and urgency)
    and free-text decline comments go."""
    for proposal in session.scalars(select(Proposal).where(Proposal.household_id == household.id)):
        proposal.score = {}
        proposal.decline_comment = None


def _erase_idempotency_records(session: Session, household: Household) -> None:
    """Stored answers replayed for retries (POST /v1/households) hold the whole record."""
    session.execute(
        delete(IdempotencyRecord).where(
            cast(IdempotencyRecord.response_body, Text).contains(household.id)
        )
    )


def erase(session: Session, household: Household) -> None:
    """Remove the personal data of one closed case everywhere the service keeps it.
    The audit trail stays (ids only; the trigger makes it append-only)."""
    live = session.scalar(
        select(Proposal.id)
        .where(Proposal.household_id == household.id, Proposal.status.in_(LIVE_PROPOSAL_STATUSES))
        .limit(1)
    )
    if live is not None:
        raise Conflict("The household is in a live proposal; withdraw it before erasing.")
    _blank(household)
    _erase_from_proposals(session, household)
    _erase_from_rounds(session, household)
    _erase_idempotency_records(session, household)
    erase_household_events(session, household.id)
    session.flush()


def erase_household(
    session: Session, *, principal: Principal, household_id: str, purpose: str | None
) -> Household:
    """`POST /v1/households/{id}/erase`: the coordinator of the household's municipality
    erases a closed case. An open case → 409 (close it first); an erased one answers as
    erased again (idempotent, audited again: the request happened)."""
    if principal.role is not Role.coordinator:
        raise Forbidden("Only the municipality's coordinator erases a case.")
    household = repository.get_for(session, principal, household_id, lock=True)
    if household is None:
        raise NotFound("No such household.")
    if household.status == HouseholdStatus.open:
        raise Conflict("The case is open; close it before erasing it.")
    if household.status == HouseholdStatus.closed:
        erase(session, household)
    audit.record(session, principal, AuditAction.erase, [household.id], purpose=purpose)
    return household


def erase_expired(session: Session, now: datetime, retention_days: int) -> list[str]:
    """Erase every case closed more than `retention_days` ago (0 = none); returns their
    ids. Cases still in a live proposal wait for the next pass. Audited as `erase` by the
    system actor `retention`."""
    if retention_days <= 0:
        return []
    cutoff = now - timedelta(days=retention_days)
    candidates = session.scalars(
        select(Household)
        .where(
            Household.status == HouseholdStatus.closed.value,
            Household.closed_at.is_not(None),
            Household.closed_at < cutoff,
        )
        .order_by(Household.id)
        .with_for_update(skip_locked=True)
    )
    erased: list[str] = []
    for household in list(candidates):
        try:
            with session.begin_nested():
                erase(session, household)
        except Conflict:
            continue
        erased.append(household.id)
    audit.record_system(
        session,
        RETENTION_ACTOR,
        AuditAction.erase,
        erased,
        purpose=f"retention: closed more than {retention_days} days ago",
    )
    return erased
