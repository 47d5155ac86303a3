"""Time passing for tenancies, without waiting: the staircase rules compare an event's day
with the trial period's end, so moving a tenancy's dates into the past is the same as
living through them."""

from __future__ import annotations

from sqlalchemy import select

from app.core.months import add_months
from app.tenancies.models import Tenancy, TenancyEvent
from tests.conftest import Api


def time_passes(api: Api, tenancy_id: str, months: int) -> None:
    """Move the tenancy's start, trial-period end, term end and events `months` into the
    past."""
    with api.app.state.sessionmaker.begin() as session:
        tenancy = session.get(Tenancy, tenancy_id)
        assert tenancy is not None
        tenancy.start_date = add_months(tenancy.start_date, -months)
        if tenancy.trial_period_end is not None:
            tenancy.trial_period_end = add_months(tenancy.trial_period_end, -months)
        if tenancy.term_end is not None:
            tenancy.term_end = add_months(tenancy.term_end, -months)
        events = select(TenancyEvent).where(TenancyEvent.tenancy_id == tenancy_id)
        for event in session.scalars(events):
            event.effective_on = add_months(event.effective_on, -months)
