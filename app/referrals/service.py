"""Networks of municipalities and referrals between their members (Södertälje: Kompotten
"syftar till utbyte av personer som utsätts för våld i nära relationer och därför måste
flytta"). Acceptance moves the case across municipalities: app/flows/referral_acceptance.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import COORDINATOR, Principal, own_municipality
from app.core.db import local_date, local_today, local_year, utcnow
from app.core.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from app.core.pagination import Page
from app.households import repository as households
from app.municipalities.models import Municipality
from app.referrals import events, repository
from app.referrals.models import Network, NetworkMember, Referral
from app.referrals.schemas import (
    Ledger,
    LedgerMember,
    LedgerPair,
    MembershipPut,
    NetworkCreate,
    ReferralCreate,
    ReferralDecline,
)
from app.vocabulary import (
    REFERRABLE_GROUPS,
    AuditAction,
    EventType,
    HouseholdStatus,
    ReferralStatus,
)

# --- Networks (the admin's) --------------------------------------------------------------


def create_network(session: Session, data: NetworkCreate) -> Network:
    if repository.network_named(session, data.name) is not None:
        raise Conflict(f"A network named {data.name} exists already.")
    network = Network(name=data.name, answer_hours=data.answer_hours, reciprocal=data.reciprocal)
    session.add(network)
    session.flush()
    return network


def put_member(
    session: Session, *, network_id: str, code: str, data: MembershipPut
) -> tuple[Network, bool]:
    """A municipality's membership for a period, made or changed; returns whether made."""
    network = repository.network(session, network_id)
    if network is None:
        raise NotFound("No such network.")
    if session.get(Municipality, code) is None:
        raise NotFound("No such municipality.")
    start = data.valid_from or local_today()
    if data.valid_to is not None and data.valid_to < start:
        raise UnprocessableEntity("valid_to: before valid_from")
    member = repository.membership(session, network_id, code)
    made = member is None
    if member is None:
        member = NetworkMember(network_id=network_id, municipality_code=code, valid_from=start)
        session.add(member)
    member.valid_from = start
    member.valid_to = data.valid_to
    session.flush()
    return network, made


def get_network(session: Session, principal: Principal, network_id: str) -> Network:
    """A network the caller may read: an admin any, a coordinator its municipality's."""
    network = repository.network_for(session, principal, network_id, local_today())
    if network is None:
        raise NotFound("No such network.")
    return network


def list_networks(session: Session, principal: Principal, page: Page) -> list[Network]:
    return repository.networks_page(
        session, principal, local_today(), after=page.after, limit=page.limit
    )


# --- Referrals -----------------------------------------------------------------------------


def create_referral(
    session: Session, *, principal: Principal, data: ReferralCreate, purpose: str | None
) -> Referral:
    """The sending coordinator refers one of its open violence-exposed or protected-identity
    cases to a member of a shared network, or offers it to the whole network. `404`: not its
    household, or not its network; `422`: a household of another target group, or a
    receiver that is not a member; `409`: a closed case, one referred already, or one in a
    live proposal."""
    own = own_municipality(principal, roles=COORDINATOR)
    household = households.get_for(session, principal, data.household, lock=True)
    if household is None:
        raise NotFound("No such household.")
    today = local_today()
    network = repository.network_for(session, principal, data.network, today)
    if network is None:
        raise NotFound("No such network.")
    if not REFERRABLE_GROUPS & set(household.target_groups):
        raise UnprocessableEntity(
            "household: only a violence-exposed or protected-identity case is referred "
            "(target group violence_exposed or protected_identity)"
        )
    if data.to_municipality == own:
        raise UnprocessableEntity("to_municipality: the case is already the municipality's own")
    if data.to_municipality is not None and not repository.is_member(
        session, network.id, data.to_municipality, today
    ):
        raise UnprocessableEntity("to_municipality: not a member of the network")
    if household.status != HouseholdStatus.open:
        raise Conflict("The case is closed; only an open case is referred.")
    if repository.pending_for_household(session, household.id) is not None:
        raise Conflict("The case is referred already; withdraw that referral first.")
    if repository.has_live_proposal(session, household.id):
        raise Conflict("The case is in a live proposal; withdraw it before referring the case.")
    now = utcnow()
    referral = Referral(
        network_id=network.id,
        household_id=household.id,
        from_municipality=own,
        to_municipality=data.to_municipality,
        receiver_visible=data.receiver_visible,
        answer_due_at=now + timedelta(hours=network.answer_hours),
    )
    session.add(referral)
    session.flush()
    audit.record(
        session,
        principal,
        AuditAction.export,
        [household.id],
        purpose=purpose or f"referral {referral.id}",
    )
    events.publish(session, referral, EventType.referral_offered)
    return referral


def load(
    session: Session, principal: Principal, referral_id: str, *, lock: bool = False
) -> Referral:
    referral = repository.referral_for(session, principal, referral_id, local_today(), lock=lock)
    if referral is None:
        raise NotFound("No such referral.")
    return referral


def list_referrals(
    session: Session, *, principal: Principal, status: ReferralStatus | None, page: Page
) -> list[Referral]:
    return repository.referrals_page(
        session,
        principal,
        local_today(),
        status=status.value if status else None,
        after=page.after,
        limit=page.limit,
    )


def require_pending(referral: Referral, now: datetime) -> None:
    """`409` unless the referral still waits for its answer, within the network's time."""
    if referral.status != ReferralStatus.pending:
        raise Conflict(f"The referral is {referral.status}.", current_status=referral.status)
    if referral.answer_due_at < now:
        raise Conflict("The answer time of the network has passed.", current_status="overdue")


def load_for_receiver(
    session: Session, principal: Principal, referral_id: str, now: datetime
) -> Referral:
    """The referral locked, for the receiving coordinator's answer: `403` for the sending
    side, `409` unless it waits for an answer."""
    own = own_municipality(principal, roles=COORDINATOR)
    referral = load(session, principal, referral_id, lock=True)
    if referral.from_municipality == own:
        raise Forbidden("The sending municipality does not answer its own referral.")
    require_pending(referral, now)
    return referral


def decline_referral(
    session: Session, *, principal: Principal, referral_id: str, body: ReferralDecline
) -> Referral:
    """The receiving coordinator declines with a coded reason; the case stays open in the
    sending municipality (an offer to the network is declined for the whole network)."""
    now = utcnow()
    referral = load_for_receiver(session, principal, referral_id, now)
    referral.status = ReferralStatus.declined.value
    referral.decline_reason = body.reason.value
    referral.answered_at = now
    referral.version += 1
    session.flush()
    events.publish(session, referral, EventType.referral_declined)
    return referral


def withdraw_referral(session: Session, *, principal: Principal, referral_id: str) -> Referral:
    """The sending coordinator takes the referral back before it is accepted."""
    own = own_municipality(principal, roles=COORDINATOR)
    referral = load(session, principal, referral_id, lock=True)
    if referral.from_municipality != own:
        raise Forbidden("Only the sending municipality withdraws its referral.")
    if referral.status != ReferralStatus.pending:
        raise Conflict(f"The referral is {referral.status}.", current_status=referral.status)
    referral.status = ReferralStatus.withdrawn.value
    referral.answered_at = utcnow()
    referral.version += 1
    session.flush()
    events.publish(session, referral, EventType.referral_withdrawn)
    return referral


def choose_disclosure(
    session: Session, *, principal: Principal, referral_id: str, visible: bool
) -> Referral:
    """The sending social services choose whether their side sees the receiving
    municipality before the household is housed (the receiving side → `403`)."""
    referral = load(session, principal, referral_id, lock=True)
    if referral.from_municipality != principal.municipality:
        raise Forbidden("Only the sending social services choose what their side sees.")
    if referral.receiver_visible != visible:
        referral.receiver_visible = visible
        referral.version += 1
        session.flush()
    return referral


# --- The reciprocal ledger -----------------------------------------------------------------


def accepted_in_year(referrals: list[Referral], year: int) -> list[Referral]:
    """The referrals accepted in the Swedish calendar year (when the ledger counts them)."""
    return [
        r
        for r in referrals
        if r.answered_at is not None
        and r.to_municipality is not None
        and local_date(r.answered_at).year == year
    ]


def exchanged(session: Session, municipality: str, year: int) -> tuple[int, int]:
    """Households the municipality gave to and received from other members of its networks
    in the year: exact (the statistics suppress small counts when they publish them)."""
    accepted = accepted_in_year(repository.accepted_involving(session, municipality), year)
    given = sum(1 for r in accepted if r.from_municipality == municipality)
    return given, len(accepted) - given


def ledger(session: Session, *, principal: Principal, network_id: str, year: int | None) -> Ledger:
    """Places given and received per member and per pair in one year, counted when a
    referral is accepted: exact, for the network's member coordinators."""
    own_municipality(principal, roles=COORDINATOR)
    network = get_network(session, principal, network_id)
    year = year or local_year()
    accepted = accepted_in_year(repository.accepted_in(session, network.id), year)
    given = Counter(r.from_municipality for r in accepted)
    received = Counter(r.to_municipality for r in accepted)
    pairs = Counter((r.from_municipality, r.to_municipality) for r in accepted)
    codes = sorted(
        {m.municipality_code for m in repository.members(session, {network.id})}
        | set(given)
        | {code for code in received if code is not None}
    )
    return Ledger(
        network=network.id,
        year=year,
        reciprocal=network.reciprocal,
        members=[
            LedgerMember(
                municipality=code,
                given=given[code],
                received=received[code],
                balance=received[code] - given[code],
            )
            for code in codes
        ],
        pairs=[
            LedgerPair(from_municipality=a, to_municipality=b or "", count=n)
            for (a, b), n in sorted(pairs.items(), key=lambda item: (item[0][0], item[0][1] or ""))
        ],
    )
