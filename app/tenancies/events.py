"""What a tenancy's parties are told (app/events): its landlord and the coordinators of its
municipality, each in the tenancy view the API answers them with. Social services read no
tenancies, so they get no tenancy events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.households import views as households
from app.households.schemas import settled_for_notice
from app.tenancies import repository, staircase
from app.tenancies.models import Tenancy
from app.tenancies.views import to_view
from app.vocabulary import (
    ESTABLISHMENT_MONTHS,
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


def announce_establishments_ending(
    session: Session, today: date, notice_months: Callable[[str], int]
) -> int:
    """Each household whose establishment period (bosättningslagen 2016:38: two years from
    `settled_on`) ends within its municipality's notice (the policy's
    `establishment_notice_months`) is announced once per settlement day — to the
    coordinators only: that the tenant is newly arrived is never the landlord's to know
    (Helsingborg 3:9: "För dessa individer börjar den tvååriga etableringstiden löpa ut").
    One living in a tenancy of the service as `tenancy.establishment_ending`, one living in
    none as `household.establishment_ending` (the worklist shows both). `notice_months`
    reads a municipality's policy: the caller's, since a publisher reads no service."""
    notices: dict[str, int] = {}

    def notice(municipality: str) -> int:
        if municipality not in notices:
            notices[municipality] = notice_months(municipality)
        return notices[municipality]

    # The widest notice a policy may set; each household is then held to its own.
    first, last = settled_for_notice(today, ESTABLISHMENT_MONTHS)
    announced = 0
    for household, tenancy in repository.all_settled_between(session, first, last):
        settled_on = household.settled_on
        municipality = household.municipality_code
        if settled_on is None or settled_on > settled_for_notice(today, notice(municipality))[1]:
            continue
        audience = Audience.coordinators(municipality)
        view: BaseModel
        if tenancy is not None:
            event_type = EventType.tenancy_establishment_ending
            view = to_view(session, audience.principal(), tenancy)
            subject_id = tenancy.id
        else:
            event_type = EventType.household_establishment_ending
            view = households.to_view(audience.principal(), household)
            subject_id = household.id
        if emit_views(
            session,
            event_type,
            [(audience, view)],
            subject_id=subject_id,
            household_id=household.id,
            dedupe_key=f"establishment_ending:{subject_id}:{settled_on}",
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
