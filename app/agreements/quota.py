"""What a landlord's agreement year has used of its quota, and what is left: the one place
both the quota view (`GET /v1/quota`, app/tenancies/service.py) and a round's capacities
(app/rounds/translate.py) compute it.

A place is taken by a tenancy counted toward the agreement year (any status: a place
handed over stays delivered) and held by a live proposal *of that year*, which becomes such
a tenancy when contracted. A flat a move chain freed takes no quota place (Helsingborg
3:6), though an exception place it took is one. The view reports what was delivered
(`remaining` = quota − delivered); a round also leaves out the places live proposals hold,
so it never proposes one flat too many. Both subtract with `left`.

The quota holds at every step, not only when a round plans: a quota is not lowered below
what is taken without the coordinator's `QuotaOverride` (`refuse_lowering_below_use`), and
a contract needs a delivered place left, counted under a lock on the agreement
(`require_place_for`).

Helsingborg Delmål 3 lets households moving on out "med hyresgaranti utanför rådande kvot":
an agreement's `move_on_outside_quota` places a year. A move-on contract takes one while any
is left (`require_place_for` decides, under the same lock) and the tenancy records it
(`outside_quota`); it is then counted apart (`outside_used`), never as a quota place. A round
plans with them (the solver's `outside_quota` family): a live proposal to a household moving
on holds one of the places left outside the quota, in the order the proposals were made,
and only when none is left a quota place (`outside_proposed`) — the split any plan the
solver makes fits, so the quota view and the next round count alike until the contract."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.agreements import repository
from app.agreements.models import Agreement
from app.core.db import local_date
from app.core.errors import Conflict
from app.proposals.models import Proposal, live_at
from app.rounds.models import Round
from app.tenancies.models import Tenancy
from app.vacancies.models import Vacancy
from app.vocabulary import QuotaOverride, TenancyStatus


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
    household_id: str | None = None
    """The household a live proposal holds the place for (a tenancy's is not read)."""
    outside: bool = False
    """A move-on tenancy, or a live proposal to a household moving on, on a place outside
    the quota (Helsingborg Delmål 3)."""


def moving_on_where(municipality: str) -> tuple[ColumnElement[bool], ...]:
    """The active tenancies of the municipality a move-on need was posted for (a household
    moving on from it, app/flows/move_chain.py)."""
    return (
        Tenancy.municipality_code == municipality,
        Tenancy.status == TenancyStatus.active,
        Tenancy.move_on_since.is_not(None),
        Tenancy.household_id.is_not(None),
    )


def moving_on_households(session: Session, municipality: str) -> set[str]:
    """The households of the municipality with a move-on need."""
    rows = session.scalars(select(Tenancy.household_id).where(*moving_on_where(municipality)))
    return {household_id for household_id in rows if household_id is not None}


def placements_of_year(
    session: Session, municipality: str, year: int, now: datetime
) -> list[Placement]:
    """Every place taken in the municipality's agreement year `year`: the tenancies counted
    toward that year (any status: a place handed over stays delivered) and the proposals
    live at `now` (an overdue one is expired, written or not) *of that year* — a proposal's
    agreement year is its round's (the year its tenancy will count toward), or the year it
    was made when no round made it; a live proposal of another year takes nothing from this
    one. Read by the landlords' remaining
    quotas and the areas' remaining period caps alike. A live proposal to a household moving
    on into a quota apartment holds a place outside the quota while the year's agreement
    has one left (`outside`), in the order the proposals were made."""
    # A registered running contract may name a flat never posted: it counts, in no area.
    tenancies = session.execute(
        select(
            Tenancy.landlord_id,
            Tenancy.exception,
            func.coalesce(Vacancy.area, "").label("area"),
            Tenancy.quota_apartment,
            Tenancy.outside_quota,
        )
        .outerjoin(Vacancy, Vacancy.id == Tenancy.vacancy_id)
        .where(Tenancy.municipality_code == municipality, Tenancy.agreement_year == year)
    )
    proposals = session.execute(
        select(
            Proposal.landlord_id,
            Proposal.exception,
            Vacancy.area,
            Round.year,
            Vacancy.quota_apartment,
            Proposal.household_id,
        )
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .outerjoin(Round, Round.id == Proposal.round_id)
        .where(
            Proposal.municipality_code == municipality,
            live_at(now),
            func.coalesce(Round.year, year) == year,
        )
        .add_columns(Proposal.created_at)
        .order_by(Proposal.created_at, Proposal.id)
    )
    taken = [
        Placement(
            t.landlord_id,
            t.exception,
            t.area,
            t.quota_apartment and not t.outside_quota,
            outside=t.outside_quota,
        )
        for t in tenancies
    ]
    outside_left: Counter[str] = Counter()
    for landlord_id, places in session.execute(
        select(Agreement.landlord_id, Agreement.move_on_outside_quota).where(
            Agreement.municipality_code == municipality,
            Agreement.year == year,
            Agreement.move_on_outside_quota > 0,
        )
    ):
        outside_left[landlord_id] += places
    for place in taken:
        outside_left[place.landlord_id] -= int(place.outside)
    moving_on = moving_on_households(session, municipality) if +outside_left else set()
    for landlord_id, exception, area, round_year, quota, household_id, created_at in proposals:
        if round_year is None and local_date(created_at).year != year:
            continue
        outside = bool(
            quota and not exception and household_id in moving_on and outside_left[landlord_id] > 0
        )
        outside_left[landlord_id] -= int(outside)
        taken.append(
            Placement(
                landlord_id, exception, area, quota and not outside, True, household_id, outside
            )
        )
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
    outside_used: int = 0
    """Move-on places outside the quota delivered (Helsingborg Delmål 3)."""
    outside_proposed: int = 0
    """Move-on places outside the quota live proposals hold."""


def use_of_year(
    session: Session, municipality: str, year: int, now: datetime
) -> dict[str, YearUse]:
    """Per landlord with any place taken: what its agreement year `year` has used, counted
    from `placements_of_year`."""
    return _count(placements_of_year(session, municipality, year, now))


def _count(places: list[Placement]) -> dict[str, YearUse]:
    counts: dict[str, Counter[str]] = {}
    for place in places:
        count = counts.setdefault(place.landlord_id, Counter())
        kind = "proposed" if place.proposed else "delivered"
        count[kind] += int(place.quota)
        count[f"{kind}_exceptions"] += int(place.exception)
        count["tenancies"] += int(not place.proposed)
        count["outside_proposed" if place.proposed else "outside"] += int(place.outside)
    return {
        landlord: YearUse(
            tenancies=count["tenancies"],
            delivered=count["delivered"],
            exceptions_used=count["delivered_exceptions"],
            proposed=count["proposed"],
            exceptions_proposed=count["proposed_exceptions"],
            outside_used=count["outside"],
            outside_proposed=count["outside_proposed"],
        )
        for landlord, count in counts.items()
    }


def refuse_lowering_below_use(
    session: Session,
    agreement: Agreement,
    *,
    quota: int,
    exception_quota: int,
    override: QuotaOverride | None,
    now: datetime,
) -> list[str]:
    """A quota (or exception quota) lowered below what its year has taken — places
    delivered plus places live proposals hold — would leave those proposals promised
    places that are not there. Refused (409 naming the numbers) unless the coordinator
    says what happens to them (`override`); a quota that is raised, kept, or lowered to no
    less than is taken needs none. Returns the households whose live proposals the
    override keeps, for the audit trail (none when no override was needed)."""
    places = [
        place
        for place in placements_of_year(session, agreement.municipality_code, agreement.year, now)
        if place.landlord_id == agreement.landlord_id
    ]
    use = _count(places).get(agreement.landlord_id, YearUse())
    short: list[str] = []
    if quota < agreement.quota and quota < use.delivered + use.proposed:
        short.append(
            f"quota {quota} is below the {use.delivered + use.proposed} places taken "
            f"({use.delivered} delivered, {use.proposed} held by live proposals)"
        )
    taken_exceptions = use.exceptions_used + use.exceptions_proposed
    if exception_quota < agreement.exception_quota and exception_quota < taken_exceptions:
        short.append(
            f"exception_quota {exception_quota} is below the {taken_exceptions} exception "
            f"places taken ({use.exceptions_used} delivered, {use.exceptions_proposed} held "
            "by live proposals)"
        )
    if not short:
        return []
    if override is None:
        raise Conflict(
            f"The agreement for {agreement.year} cannot be lowered: {'; '.join(short)}. "
            "Send `quota_override` to say what happens to the live proposals.",
            quota=quota,
            delivered=use.delivered,
            proposed=use.proposed,
            exception_quota=exception_quota,
            exceptions_delivered=use.exceptions_used,
            exceptions_proposed=use.exceptions_proposed,
        )
    return sorted({place.household_id for place in places if place.household_id})


def require_place_for(session: Session, tenancy: Tenancy, now: datetime) -> None:
    """A contract turns the place its proposal held into a delivered one, so it needs a
    delivered place left: with the new `tenancy` counted, the year's delivered quota places
    stay within the quota (when it lets a quota apartment) and its exception places within
    the exception quota (when it took one). Live proposals were counted when a round
    planned them; they do not count here, so a quota lowered under them with
    `keep_live_proposals` is taken by the first contracts and refuses the rest (409 naming
    the quota). The agreement row is locked first (FOR UPDATE on PostgreSQL; SQLite
    serialises writers with BEGIN IMMEDIATE), so concurrent contracts count one after the
    other. A year without an agreement has no quota to hold.

    A household moving on (`moved_from_id`) into a quota place takes one of the agreement's
    places outside the quota while any is left (Helsingborg Delmål 3): the tenancy records
    `outside_quota` and the quota is not touched."""
    agreement = repository.get_for_update(
        session, tenancy.municipality_code, tenancy.landlord_id, tenancy.agreement_year
    )
    if agreement is None:
        return
    use = use_of_year(session, tenancy.municipality_code, tenancy.agreement_year, now).get(
        tenancy.landlord_id, YearUse()
    )
    if (
        tenancy.moved_from_id is not None
        and tenancy.quota_apartment
        and not tenancy.exception
        and use.outside_used < agreement.move_on_outside_quota
    ):
        tenancy.outside_quota = True
        session.flush()
        return
    if tenancy.quota_apartment and use.delivered > agreement.quota:
        raise Conflict(
            f"The landlord's quota for {agreement.year} is used: {use.delivered - 1} of "
            f"{agreement.quota} places delivered.",
            quota=agreement.quota,
            delivered=use.delivered - 1,
        )
    if tenancy.exception and use.exceptions_used > agreement.exception_quota:
        raise Conflict(
            f"The landlord's exception places for {agreement.year} are used: "
            f"{use.exceptions_used - 1} of {agreement.exception_quota} delivered.",
            exception_quota=agreement.exception_quota,
            exceptions_delivered=use.exceptions_used - 1,
        )


def left(quota: int, *taken: int) -> int:
    """What is left of `quota` after the places `taken`, never below 0: a year delivered
    beyond its quota leaves nothing, not a debt."""
    return max(quota - sum(taken), 0)
