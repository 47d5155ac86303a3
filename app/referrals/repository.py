"""Network and referral queries, always through the caller's scope: a referral is reached
by the coordinators of its two municipalities (and, while it is offered to the whole network,
of every member), and by the sending municipality's social services; anyone else gets 404."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from app.auth import Principal, Role, municipality_of
from app.households.models import Household
from app.proposals.models import Proposal
from app.referrals.models import Network, NetworkMember, Referral
from app.vocabulary import LIVE_PROPOSAL_STATUSES, ReferralStatus


def member_on(day: date) -> ColumnElement[bool]:
    """Memberships in force on `day` (`valid_to` inclusive)."""
    return and_(
        NetworkMember.valid_from <= day,
        or_(NetworkMember.valid_to.is_(None), NetworkMember.valid_to >= day),
    )


def networks_of(session: Session, municipality: str, day: date) -> list[str]:
    """The networks the municipality is a member of on `day`."""
    query = select(NetworkMember.network_id).where(
        NetworkMember.municipality_code == municipality, member_on(day)
    )
    return list(session.scalars(query))


def is_member(session: Session, network_id: str, municipality: str, day: date) -> bool:
    query = select(NetworkMember.id).where(
        NetworkMember.network_id == network_id,
        NetworkMember.municipality_code == municipality,
        member_on(day),
    )
    return session.scalar(query) is not None


def _network_scope(principal: Principal, day: date) -> ColumnElement[bool] | None:
    """Networks the caller may read: an admin all (None), a coordinator those its
    municipality is a member of, anyone else none."""
    if principal.role is Role.admin:
        return None
    own = municipality_of(principal, frozenset({Role.coordinator}))
    if own is None:
        return false()
    members = select(NetworkMember.network_id).where(
        NetworkMember.municipality_code == own, member_on(day)
    )
    return Network.id.in_(members)


def network_for(
    session: Session, principal: Principal, network_id: str, day: date
) -> Network | None:
    query = select(Network).where(Network.id == network_id)
    scope = _network_scope(principal, day)
    if scope is not None:
        query = query.where(scope)
    return session.scalar(query)


def networks_page(
    session: Session, principal: Principal, day: date, *, after: str | None, limit: int
) -> list[Network]:
    query = select(Network).order_by(Network.id).limit(limit)
    scope = _network_scope(principal, day)
    if scope is not None:
        query = query.where(scope)
    if after is not None:
        query = query.where(Network.id > after)
    return list(session.scalars(query))


def network(session: Session, network_id: str) -> Network | None:
    return session.get(Network, network_id)


def members(session: Session, network_ids: set[str]) -> list[NetworkMember]:
    if not network_ids:
        return []
    query = (
        select(NetworkMember)
        .where(NetworkMember.network_id.in_(network_ids))
        .order_by(NetworkMember.municipality_code)
    )
    return list(session.scalars(query))


def membership(session: Session, network_id: str, municipality: str) -> NetworkMember | None:
    return session.scalar(
        select(NetworkMember).where(
            NetworkMember.network_id == network_id,
            NetworkMember.municipality_code == municipality,
        )
    )


def referral_scope(principal: Principal, day: date) -> ColumnElement[bool]:
    """The one rule for which referrals a caller reaches: the sending municipality's
    coordinators and social services; the receiving one's coordinators; while a referral is
    offered to the whole network and unanswered, the coordinators of its other members."""
    own = municipality_of(principal)
    if own is None:
        return false()
    sending = Referral.from_municipality == own
    if principal.role is not Role.coordinator:
        return sending
    offered = and_(
        Referral.to_municipality.is_(None),
        Referral.status == ReferralStatus.pending,
        Referral.network_id.in_(
            select(NetworkMember.network_id).where(
                NetworkMember.municipality_code == own, member_on(day)
            )
        ),
    )
    return or_(sending, Referral.to_municipality == own, offered)


def referral_for(
    session: Session, principal: Principal, referral_id: str, day: date, *, lock: bool = False
) -> Referral | None:
    query = select(Referral).where(Referral.id == referral_id, referral_scope(principal, day))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def referrals_page(
    session: Session,
    principal: Principal,
    day: date,
    *,
    status: str | None,
    after: str | None,
    limit: int,
) -> list[Referral]:
    query = (
        select(Referral).where(referral_scope(principal, day)).order_by(Referral.id).limit(limit)
    )
    if status is not None:
        query = query.where(Referral.status == status)
    if after is not None:
        query = query.where(Referral.id > after)
    return list(session.scalars(query))


def pending_for_household(session: Session, household_id: str) -> Referral | None:
    return session.scalar(
        select(Referral).where(
            Referral.household_id == household_id, Referral.status == ReferralStatus.pending
        )
    )


def accepted_involving(session: Session, municipality: str) -> list[Referral]:
    """The accepted referrals the municipality sent or received (in any network)."""
    query = select(Referral).where(
        Referral.status == ReferralStatus.accepted,
        or_(Referral.from_municipality == municipality, Referral.to_municipality == municipality),
    )
    return list(session.scalars(query))


def accepted_in(session: Session, network_id: str) -> list[Referral]:
    """The network's accepted referrals (the ledger counts them by the year accepted)."""
    query = select(Referral).where(
        Referral.network_id == network_id, Referral.status == ReferralStatus.accepted
    )
    return list(session.scalars(query))


def has_live_proposal(session: Session, household_id: str) -> bool:
    """Whether the household is in a live proposal of its municipality (it must be withdrawn
    before the case moves: one case, one place)."""
    query = select(Proposal.id).where(
        Proposal.household_id == household_id, Proposal.status.in_(LIVE_PROPOSAL_STATUSES)
    )
    return session.scalar(query.limit(1)) is not None


def households(session: Session, ids: set[str]) -> dict[str, Household]:
    if not ids:
        return {}
    return {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}


def networks(session: Session, ids: set[str]) -> dict[str, Network]:
    if not ids:
        return {}
    return {n.id: n for n in session.scalars(select(Network).where(Network.id.in_(ids)))}


def network_named(session: Session, name: str) -> Network | None:
    return session.scalar(select(Network).where(Network.name == name))


def household_locked(session: Session, household_id: str) -> Household | None:
    """The referred household's row, locked: reached through the referral's scope, not the
    caller's (the receiving side never reaches the sending case otherwise)."""
    query = select(Household).where(Household.id == household_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))
