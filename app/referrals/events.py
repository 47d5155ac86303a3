"""What a referral's sides are told (app/events), each in the view the API answers that side
with (app/referrals/views.py), so an event never shows more than a read would: the receiving
side never the origin of a protected identity, the sending side not where it went until it is
housed. A municipality outside the referral hears nothing of it."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.core.db import local_today
from app.events.catalogue import Audience
from app.events.outbox import emit_views
from app.referrals import repository
from app.referrals.models import Referral
from app.referrals.views import to_view
from app.vocabulary import EventType


def receivers(session: Session, referral: Referral) -> list[str]:
    """The municipalities on the receiving side: the one named, or while it is offered to
    the whole network, every other member of it today."""
    if referral.to_municipality is not None:
        return [referral.to_municipality]
    return sorted(
        m.municipality_code
        for m in repository.members(session, {referral.network_id})
        if m.municipality_code != referral.from_municipality
        and repository.is_member(session, referral.network_id, m.municipality_code, local_today())
    )


def audiences(session: Session, referral: Referral, event_type: EventType) -> list[Audience]:
    """The offer and its withdrawal go to the receiving coordinators; the answer to both
    sides, the sending social services too (they keep their role for the case)."""
    receiving = [Audience.coordinators(code) for code in receivers(session, referral)]
    sending = [
        Audience.coordinators(referral.from_municipality),
        Audience.social_services(referral.from_municipality),
    ]
    if event_type is EventType.referral_offered:
        return receiving
    if event_type is EventType.referral_withdrawn:
        return [Audience.coordinators(referral.from_municipality), *receiving]
    return [*sending, *receiving]


def publish(session: Session, referral: Referral, event_type: EventType) -> None:
    views: list[tuple[Audience, BaseModel]] = [
        (audience, to_view(session, audience.principal(), referral, audited=False))
        for audience in audiences(session, referral, event_type)
    ]
    emit_views(
        session,
        event_type,
        views,
        subject_id=referral.id,
        household_id=referral.household_id,
    )
