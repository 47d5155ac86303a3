"""An audit event as the API answers it."""

from __future__ import annotations

from app.audit.models import AuditEvent
from app.audit.schemas import AuditEventRead, PersonRead


def to_read(event: AuditEvent) -> AuditEventRead:
    """One entry of a household's access log, as the API answers it."""
    return AuditEventRead(
        at=event.at,
        credential=event.credential_id,
        role=event.role,
        organisation=event.organisation,
        on_behalf_of=event.on_behalf_of,
        person=None
        if event.person_subject is None
        else PersonRead(subject=event.person_subject, name=event.person_name),
        action=event.action,
        household=event.household_id,
        purpose=event.purpose,
        request_id=event.request_id,
    )
