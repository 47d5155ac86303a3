"""Calendar days and years are Swedish (Europe/Stockholm), though the database keeps UTC
instants: a placement at 00:30 on 1 January in Sweden — 23:30 UTC on 31 December — belongs
to the new day and the new year."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

import app.core.db
from app.core.db import local_date, local_today, local_year, local_year_start
from app.proposals import service as proposals_service
from app.proposals.models import Proposal
from app.tenancies.models import Tenancy
from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, contract

NEW_YEARS_EVE_LATE = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
"""00:30 on 1 January 2027 in Sweden."""


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (NEW_YEARS_EVE_LATE, date(2027, 1, 1)),  # winter time, UTC+1
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2026, 12, 31)),
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1)),  # summer time, UTC+2
        (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2026, 12, 31, 23, 30), date(2027, 1, 1)),  # naive is taken as UTC
    ],
)
def test_local_date_is_the_swedish_calendar_day(moment: datetime, day: date) -> None:
    assert local_date(moment) == day


def test_an_aware_moment_in_another_zone_is_converted_too() -> None:
    tokyo = datetime(2027, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 23:00 UTC, 31 Dec
    assert local_date(tokyo) == date(2027, 1, 1)


def test_today_and_year_follow_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.core.db, "utcnow", lambda: NEW_YEARS_EVE_LATE)
    assert local_today() == date(2027, 1, 1)
    assert local_year() == 2027


def test_a_swedish_year_begins_at_swedish_midnight() -> None:
    assert local_year_start(2027) == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert local_year_start(2027).utcoffset() == timedelta(hours=1)


def test_a_contract_just_after_swedish_midnight_starts_on_new_years_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Released and accepted by both sides at 00:30 on 1 January in Sweden: the tenancy
    starts that day and counts toward the new year (no round: the start's year)."""
    monkeypatch.setattr(proposals_service, "utcnow", lambda: NEW_YEARS_EVE_LATE)
    vacancy = world.vacancy("LGH-NY01", available_from=None)
    household = world.household()
    proposal = world.propose(household, vacancy, released=True)
    assert world.landlord_of("mimer").post(f"/v1/proposals/{proposal}/accept").status_code == 200
    accepted = world.social.post(f"/v1/proposals/{proposal}/accept")
    assert accepted.status_code == 200, accepted.text
    tenancy = world.coordinator.get("/v1/tenancies").json()["items"][0]
    assert (tenancy["start_date"], tenancy["agreement_year"]) == ("2027-01-01", 2027)


def test_a_placement_just_after_swedish_midnight_counts_in_the_new_years_first_quarter(
    world: World,
) -> None:
    """The statistics' quarters are Swedish: a tenancy contracted at 23:30 UTC on
    31 December is in 2027-Q1, not in a quarter of 2026 beside 2027's."""
    contract(world, round_year=2027)
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(Tenancy).values(created_at=NEW_YEARS_EVE_LATE))
    response = world.coordinator.get("/v1/statistics", params={"year": 2027})
    assert response.status_code == 200, response.text
    quarters = response.json()["placements"]["by_quarter"]["parts"]
    assert sorted(quarters) == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]


def test_a_live_proposal_made_just_after_swedish_midnight_counts_toward_the_new_years_figure(
    world: World,
) -> None:
    """A proposal without a round counts toward the settlement figure of the (Swedish)
    year it was made in."""
    vacancy = world.vacancy("LGH-NY02")
    household = world.household(target_groups=["newly_arrived"])
    proposal = world.propose(household, vacancy)
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(
            update(Proposal).where(Proposal.id == proposal).values(created_at=NEW_YEARS_EVE_LATE)
        )
    for year, in_proposals in ((2027, 1), (2026, 0)):
        response = world.coordinator.put(
            f"/v1/municipalities/1980/settlement/{year}", json={"figure": 10}
        )
        assert response.status_code in (200, 201), response.text
        assert response.json()["in_proposals"] == in_proposals, year
