"""What a landlord's agreement year has used of its quota, and what is left: the one place
both the quota view (`GET /v1/quota`, app/tenancies/service.py) and a round's capacities
(app/rounds/translate.py) compute it.

A place is taken by a tenancy counted toward the agreement year (any status: a place
handed over stays delivered) and held by a live proposal *of that year*, which becomes such
a tenancy when contracted. A flat a move chain freed takes no quota place (Helsingborg
3:6), though an exception place it took is one. The view reports what was delivered
(`remaining` = quota − delivered); a round also leaves out the places live proposals hold,
so it never proposes one flat too many. Both subtract with `left`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.db import local_date
from app.proposals.models import Proposal, live_at
from app.rounds.models import Round
from app.tenancies.models import Tenancy
from app.vacancies.models import Vacancy


@dataclass(frozen=True, slots=True)
class Placement:
    """A place taken in an agreement year: a tenancy counted toward it or a live proposal
    of it (which becomes such a tenancy when contracted)."""

    landlord_id: str
    exception: bool
    area: str
    quota: bool = True
    """It uses the landlord's quota: not a flat a move chain freed (Helsingborg 3:6)."""
    proposed: bool = False
    """A live proposal's place, not yet a tenancy's."""


def placements_of_year(
    session: Session, municipality: str, year: int, now: datetime
) -> list[Placement]:
    """Every place taken in the municipality's agreement year `year`: the tenancies counted
    toward that year (any status: a place handed over stays delivered) and the proposals
    live at `now` (an overdue one is expired, written or not) *of that year* — a proposal's
    agreement year is its round's (the year its tenancy will count toward), or the year it
    was made when no round made it; a live proposal of another year takes nothing from this
    one. Read by the landlords' remaining
    quotas and the areas' remaining period caps alike."""
    tenancies = session.execute(
        select(Tenancy.landlord_id, Tenancy.exception, Vacancy.area, Tenancy.quota_apartment)
        .join(Vacancy, Vacancy.id == Tenancy.vacancy_id)
        .where(Tenancy.municipality_code == municipality, Tenancy.agreement_year == year)
    )
    proposals = session.execute(
        select(
            Proposal.landlord_id,
            Proposal.exception,
            Vacancy.area,
            Round.year,
            Vacancy.quota_apartment,
        )
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .outerjoin(Round, Round.id == Proposal.round_id)
        .where(
            Proposal.municipality_code == municipality,
            live_at(now),
            func.coalesce(Round.year, year) == year,
        )
        .add_columns(Proposal.created_at)
    )
    taken = [Placement(t.landlord_id, t.exception, t.area, t.quota_apartment) for t in tenancies]
    for landlord_id, exception, area, round_year, quota, created_at in proposals:
        if round_year is None and local_date(created_at).year != year:
            continue
        taken.append(Placement(landlord_id, exception, area, quota, proposed=True))
    return taken


@dataclass(frozen=True, slots=True)
class YearUse:
    """What one landlord's agreement year has used: places delivered by tenancies and
    places held by live proposals, quota and exception places apart."""

    tenancies: int = 0
    """Tenancies counted toward the year, whichever place they took."""
    delivered: int = 0
    """Quota places delivered: tenancies of a quota apartment."""
    exceptions_used: int = 0
    """Exception places delivered."""
    proposed: int = 0
    """Quota places live proposals hold."""
    exceptions_proposed: int = 0
    """Exception places live proposals hold."""


def use_of_year(
    session: Session, municipality: str, year: int, now: datetime
) -> dict[str, YearUse]:
    """Per landlord with any place taken: what its agreement year `year` has used, counted
    from `placements_of_year`."""
    counts: dict[str, Counter[str]] = {}
    for place in placements_of_year(session, municipality, year, now):
        count = counts.setdefault(place.landlord_id, Counter())
        kind = "proposed" if place.proposed else "delivered"
        count[kind] += int(place.quota)
        count[f"{kind}_exceptions"] += int(place.exception)
        count["tenancies"] += int(not place.proposed)
    return {
        landlord: YearUse(
            tenancies=count["tenancies"],
            delivered=count["delivered"],
            exceptions_used=count["delivered_exceptions"],
            proposed=count["proposed"],
            exceptions_proposed=count["proposed_exceptions"],
        )
        for landlord, count in counts.items()
    }


def left(quota: int, *taken: int) -> int:
    """What is left of `quota` after the places `taken`, never below 0: a year delivered
    beyond its quota leaves nothing, not a debt."""
    return max(quota - sum(taken), 0)
