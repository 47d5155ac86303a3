"""What a tenancy's parties are told (app/events): its landlord and the coordinators of its
municipality, each in the tenancy view the API answers them with. Social services read no
tenancies, so they get no tenancy events."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.core.months import add_months
from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.tenancies import repository, staircase
from app.tenancies.models import Tenancy
from app.tenancies.views import to_view
from app.vocabulary import (
    ESTABLISHMENT_MONTHS,
    ESTABLISHMENT_NOTICE_MONTHS,
    EventKind,
    EventType,
)

ANNOUNCED: dict[EventKind, EventType] = {
    EventKind.step: EventType.tenancy_stepped,
    EventKind.remark: EventType.tenancy_remark_added,
    EventKind.incident: EventType.tenancy_incident_reported,
    EventKind.response: EventType.tenancy_incident_answered,
    EventKind.renewal: EventType.tenancy_renewed,
    EventKind.consent: EventType.tenancy_transfer_consented,
    EventKind.refusal: EventType.tenancy_transfer_refused,
    EventKind.end: EventType.tenancy_ended,
}
"""The event each kind of tenancy event is announced as."""


def publish(
    session: Session, tenancy: Tenancy, event_type: EventType, *, dedupe_key: str | None = None
) -> bool:
    views: list[tuple[Audience, BaseModel]] = [
        (audience, to_view(session, audience.principal(), tenancy))
        for audience in (
            Audience.landlord(tenancy.landlord_id),
            Audience.coordinators(tenancy.municipality_code),
        )
    ]
    external_ref = views[0][1].model_dump().get("external_ref")
    return emit_views(
        session,
        event_type,
        views,
        subject_id=tenancy.id,
        external_ref=external_ref,
        household_id=tenancy.household_id,
        dedupe_key=dedupe_key,
    )


def announce_steps_due(session: Session, today: date) -> int:
    """The sweep: each tenancy whose next step became possible gets one `tenancy.step_due`
    per rung and trial period (a remark that restarts the period makes it due again later)."""
    climbing = [form.value for form in staircase.STAIRCASE]
    announced = 0
    for tenancy in repository.all_step_due(session, today, climbing):
        key = f"step_due:{tenancy.id}:{tenancy.contract_form}:{tenancy.trial_period_end}"
        if publish(session, tenancy, EventType.tenancy_step_due, dedupe_key=key):
            announced += 1
    return announced


def announce_establishments_ending(session: Session, today: date) -> int:
    """Each active tenancy whose household's establishment period (bosättningslagen
    2016:38: two years from `settled_on`) ends within `ESTABLISHMENT_NOTICE_MONTHS` gets one
    `tenancy.establishment_ending` — to the coordinators only: that the tenant is newly
    arrived is never the landlord's to know (Helsingborg 3:9: "För dessa individer börjar
    den tvååriga etableringstiden löpa ut")."""
    first = add_months(today, -ESTABLISHMENT_MONTHS)
    last = add_months(today, ESTABLISHMENT_NOTICE_MONTHS - ESTABLISHMENT_MONTHS)
    announced = 0
    for tenancy, settled_on in repository.all_establishments_ending(session, first, last):
        audience = Audience.coordinators(tenancy.municipality_code)
        if emit_views(
            session,
            EventType.tenancy_establishment_ending,
            [(audience, to_view(session, audience.principal(), tenancy))],
            subject_id=tenancy.id,
            household_id=tenancy.household_id,
            dedupe_key=f"establishment_ending:{tenancy.id}:{settled_on}",
        ):
            announced += 1
    return announced


def announce_transfers_overdue(session: Session, today: date) -> int:
    """The lock-in watch's sweep: each tenancy past its agreement's latest month without a
    transfer or a standing reason gets one `tenancy.transfer_overdue` per latest day and
    delay (a delay withdrawn by a consent that does not lead to the transfer makes it
    overdue again; Nynäshamn: "en viss inlåsningsseffekt")."""
    announced = 0
    for tenancy in repository.all_transfer_overdue(session, today):
        key = f"transfer_overdue:{tenancy.id}:{tenancy.transfer_latest_on}:{tenancy.contract_form}"
        if publish(session, tenancy, EventType.tenancy_transfer_overdue, dedupe_key=key):
            announced += 1
    return announced
