"""A referral accepted: in one transaction the household becomes a case of the receiving
municipality and the sending municipality's case closes as `referred`.

The receiving municipality matches the new case in its own rounds, under its own agreements
and policy, like any of its cases; the sending municipality's social services keep their role
for it (`app.auth.case_scope` reads `referred_by`): they answer its proposals and follow it.
The new case carries what matching needs and nothing of the old municipality's areas
(`households.open_referred_case`). The ledger counts the referral from this moment
(app/referrals/service.py). This flow is the one place that knows these go together.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal
from app.core.db import utcnow
from app.core.errors import Conflict
from app.households import service as households
from app.referrals import events as referral_events
from app.referrals import repository as referral_rows
from app.referrals import service as referrals
from app.referrals.models import Referral
from app.vocabulary import AuditAction, EventType, HouseholdStatus, ReferralStatus


def accept_referral(
    session: Session, *, principal: Principal, referral_id: str, purpose: str | None
) -> Referral:
    """The receiving coordinator accepts (`404` outside the referral's reach, `403` for the
    sending side, `409` once answered, withdrawn or past the network's answer time, or when
    the sending case closed or entered a live proposal in the meantime)."""
    now = utcnow()
    referral = referrals.load_for_receiver(session, principal, referral_id, now)
    source = referral_rows.household_locked(session, referral.household_id)
    if source is None or source.status != HouseholdStatus.open:
        raise Conflict("The referred case is closed in the sending municipality.")
    if referral_rows.has_live_proposal(session, source.id):
        raise Conflict("The referred case is in a live proposal of the sending municipality.")
    assert principal.municipality is not None  # a coordinator's (load_for_receiver)
    received = households.open_referred_case(
        session, source=source, municipality=principal.municipality
    )
    households.close_as_referred(session, source)
    referral.status = ReferralStatus.accepted.value
    referral.to_municipality = principal.municipality
    referral.received_household_id = received.id
    referral.answered_at = now
    referral.version += 1
    session.flush()
    why = purpose or f"referral {referral.id} accepted"
    audit.record(session, principal, AuditAction.create, [received.id], purpose=why)
    audit.record(session, principal, AuditAction.close, [source.id], purpose=why)
    referral_events.publish(session, referral, EventType.referral_accepted)
    return referral
