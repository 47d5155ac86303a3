"""The Settlement Act's yearly figure per municipality: recorded by the coordinator,
counted against the year's tenancies and live proposals, and taken by rounds as the floor
for newly arrived (what remains of it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import COORDINATOR, Principal, municipality_of
from app.core.db import local_date
from app.core.errors import NotFound
from app.households.models import Household
from app.municipalities import repository as municipalities
from app.proposals.models import Proposal
from app.rounds.models import Round
from app.settlement.models import SettlementFigure
from app.settlement.schemas import SettlementFigureInput, SettlementStatus
from app.tenancies.models import Tenancy
from app.vocabulary import LIVE_PROPOSAL_STATUSES, TargetGroup


def _own_municipality(session: Session, principal: Principal, code: str) -> None:
    if municipality_of(principal, COORDINATOR) is None or (
        municipalities.get_for(session, principal, code) is None
    ):
        raise NotFound("No such municipality.")


def _newly_arrived(session: Session, household_ids: set[str]) -> int:
    if not household_ids:
        return 0
    groups = session.scalars(select(Household.target_groups).where(Household.id.in_(household_ids)))
    return sum(1 for g in groups if TargetGroup.newly_arrived in (g or ()))


def settlement_status(session: Session, municipality: str, year: int) -> SettlementStatus | None:
    """The year's figure and progress; None when no figure is recorded for the year.
    A live proposal counts toward its own agreement year (its round's), never another."""
    row = session.scalar(
        select(SettlementFigure).where(
            SettlementFigure.municipality_code == municipality, SettlementFigure.year == year
        )
    )
    if row is None:
        return None
    tenants = {
        h
        for h in session.scalars(
            select(Tenancy.household_id).where(
                Tenancy.municipality_code == municipality, Tenancy.agreement_year == year
            )
        )
        if h is not None
    }
    proposed = set()
    for household_id, round_year, created_at in session.execute(
        select(Proposal.household_id, Round.year, Proposal.created_at)
        .outerjoin(Round, Round.id == Proposal.round_id)
        .where(
            Proposal.municipality_code == municipality, Proposal.status.in_(LIVE_PROPOSAL_STATUSES)
        )
    ):
        if (round_year if round_year is not None else local_date(created_at).year) == year:
            proposed.add(household_id)
    housed = _newly_arrived(session, tenants)
    in_proposals = _newly_arrived(session, proposed - tenants)
    return SettlementStatus(
        municipality=municipality,
        year=year,
        figure=row.figure,
        housed=housed,
        in_proposals=in_proposals,
        remaining=max(row.figure - housed - in_proposals, 0),
        updated_at=row.updated_at,
    )


def remaining_figure(session: Session, municipality: str, year: int) -> int:
    """What remains of the year's figure (0 when none is recorded): a round's default
    floor for newly arrived households."""
    status = settlement_status(session, municipality, year)
    return 0 if status is None else status.remaining


def get_settlement(
    session: Session, *, principal: Principal, code: str, year: int
) -> SettlementStatus:
    """The coordinator's own municipality's figure for the year (404 when none)."""
    _own_municipality(session, principal, code)
    status = settlement_status(session, code, year)
    if status is None:
        raise NotFound("No settlement figure recorded for the year.")
    return status


def put_settlement(
    session: Session, *, principal: Principal, code: str, year: int, data: SettlementFigureInput
) -> tuple[SettlementStatus, bool]:
    """Record (or replace) the year's figure; returns the status and whether it was new."""
    _own_municipality(session, principal, code)
    row = session.scalar(
        select(SettlementFigure).where(
            SettlementFigure.municipality_code == code, SettlementFigure.year == year
        )
    )
    created = row is None
    if row is None:
        row = SettlementFigure(municipality_code=code, year=year, figure=data.figure)
        session.add(row)
    row.figure = data.figure
    row.recorded_by = principal.credential_id
    session.flush()
    status = settlement_status(session, code, year)
    assert status is not None
    return status, created
