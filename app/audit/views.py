"""An audit event as the API answers it."""

from __future__ import annotations

from app.audit.models import AuditEvent
from app.audit.schemas import AuditEventRead, PersonRead
from app.auth import MUNICIPAL_SIDE, Principal
from app.vocabulary import IN_THE_NETWORK


def organisation_seen(principal: Principal, event: AuditEvent) -> str | None:
    """Another municipality reaches a case only through a referral of a network
    (app/referrals): the reader sees that it was `network`, never which, so the log keeps a
    protected identity's origin from the receiving side and its destination from the
    sending side, as every other view does."""
    municipal = event.role in {role.value for role in MUNICIPAL_SIDE}
    if municipal and event.organisation != principal.municipality:
        return IN_THE_NETWORK
    return event.organisation


def to_read(principal: Principal, event: AuditEvent) -> AuditEventRead:
    """One entry of a household's access log, as the API answers it."""
    return AuditEventRead(
        at=event.at,
        credential=event.credential_id,
        role=event.role,
        organisation=organisation_seen(principal, event),
        on_behalf_of=event.on_behalf_of,
        person=None
        if event.person_subject is None
        else PersonRead(subject=event.person_subject, name=event.person_name),
        action=event.action,
        household=event.household_id,
        purpose=event.purpose,
        request_id=event.request_id,
    )
