"""A referral as each side reads it, and the network with its members.

Protected identity end to end (docs/referrals.md): the receiving side never learns where a
protected-identity household comes from (`network`) and sees of it only what matching needs
(`ReferredCase`: no areas, no case reference); the sending side sees the receiving
municipality as `network` until the household is housed, unless its social services chose
otherwise. Every household a view shows is a read of its record, audited in the request's
transaction on whichever side reads it; an event's copy (`audited=False`) is audited when
it is read (app/events)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal
from app.households.models import Household
from app.households.service import effective_needs, income_of, is_protected
from app.referrals import repository
from app.referrals.models import Network, NetworkMember, Referral
from app.referrals.schemas import MemberRead, NetworkRead, ReferralRead, ReferredCase
from app.vocabulary import (
    IN_THE_NETWORK,
    AuditAction,
    CloseReason,
    ContractForm,
    ReferralDeclineReason,
    ReferralSide,
    ReferralStatus,
    TargetGroup,
)


def to_network_reads(session: Session, networks: list[Network]) -> list[NetworkRead]:
    """The networks with their members, loaded for the page at once."""
    members: dict[str, list[NetworkMember]] = {}
    for member in repository.members(session, {n.id for n in networks}):
        members.setdefault(member.network_id, []).append(member)
    return [
        NetworkRead(
            id=n.id,
            name=n.name,
            answer_hours=n.answer_hours,
            reciprocal=n.reciprocal,
            members=[
                MemberRead(
                    municipality=m.municipality_code, valid_from=m.valid_from, valid_to=m.valid_to
                )
                for m in members.get(n.id, [])
            ],
            created_at=n.created_at,
        )
        for n in networks
    ]


def referred_case(household: Household) -> ReferredCase:
    """What the receiving side needs to match: needs, economy, contract forms."""
    needs = effective_needs(household)
    return ReferredCase(
        adults=household.adults,
        children=household.children,
        target_groups=[TargetGroup(group) for group in household.target_groups],
        income_total=income_of(household).total,
        rooms_min=needs.rooms_min,
        rooms_max=needs.rooms_max,
        max_rent=needs.max_rent,
        needs_elevator=household.needs_elevator,
        needs_ground_floor=household.needs_ground_floor,
        needs_wheelchair=household.needs_wheelchair,
        municipal_guarantee=household.municipal_guarantee,
        support_plan=household.support_plan,
        contract_forms=[ContractForm(form) for form in household.contract_forms],
        urgency=household.urgency,
    )


def is_sending(principal: Principal, referral: Referral) -> bool:
    return principal.municipality == referral.from_municipality


def _housed(household: Household | None) -> bool:
    return household is not None and household.close_reason == CloseReason.housed


def to_views(
    session: Session,
    principal: Principal,
    referrals: list[Referral],
    *,
    purpose: str | None = None,
    audited: bool = True,
) -> list[ReferralRead]:
    """Each referral as the caller's side may read it (the module's rules)."""
    households = repository.households(
        session,
        {r.household_id for r in referrals}
        | {r.received_household_id for r in referrals if r.received_household_id},
    )
    networks = repository.networks(session, {r.network_id for r in referrals})
    read: list[str] = []
    views: list[ReferralRead] = []
    for referral in referrals:
        sent = households[referral.household_id]
        received = (
            households.get(referral.received_household_id)
            if referral.received_household_id
            else None
        )
        protected = is_protected(sent)
        sending = is_sending(principal, referral)
        if sending:
            origin = referral.from_municipality
            hidden = protected and not referral.receiver_visible and not _housed(received)
            destination = (
                IN_THE_NETWORK
                if hidden and referral.to_municipality is not None
                else referral.to_municipality
            )
            read.append(sent.id)
        else:
            origin = IN_THE_NETWORK if protected else referral.from_municipality
            destination = referral.to_municipality
        shows_case = not sending and referral.status == ReferralStatus.pending
        if shows_case:
            read.append(sent.id)
        if received is not None:
            read.append(received.id)
        views.append(
            ReferralRead(
                id=referral.id,
                network=referral.network_id,
                network_name=networks[referral.network_id].name,
                side=ReferralSide.sending if sending else ReferralSide.receiving,
                status=ReferralStatus(referral.status),
                from_municipality=origin,
                to_municipality=destination,
                household=sent.id if sending else None,
                received_household=received.id if received is not None else None,
                received_status=received.status if received is not None else None,
                case=referred_case(sent) if shows_case else None,
                decline_reason=ReferralDeclineReason(referral.decline_reason)
                if referral.decline_reason
                else None,
                receiver_visible=referral.receiver_visible,
                answer_due_at=referral.answer_due_at,
                answered_at=referral.answered_at,
                version=referral.version,
                created_at=referral.created_at,
                updated_at=referral.updated_at,
            )
        )
    if audited:
        audit.record(session, principal, AuditAction.read, read, purpose=purpose)
    return views


def to_view(
    session: Session,
    principal: Principal,
    referral: Referral,
    *,
    purpose: str | None = None,
    audited: bool = True,
) -> ReferralRead:
    return to_views(session, principal, [referral], purpose=purpose, audited=audited)[0]
