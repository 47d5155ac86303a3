"""A first-contact target in working days (issue 25: "A policy may add a first-contact
target within the window (e.g. 5 working days)"). Södertälje writes first, then visits;
the target says by when social services have reached the tenant, counted Monday to Friday
(public holidays are not counted out: docs/prevention.md)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from app.core.db import STOCKHOLM
from app.prevention.service import working_days_after
from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.prevention import SODERTALJE, World


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2026, 12, 2), 1, date(2026, 12, 3)),  # Wednesday → Thursday
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 12, 4), 5, date(2026, 12, 11)),  # Friday → next Friday
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # Saturday → Monday
        (date(2026, 12, 6), 5, date(2026, 12, 11)),  # Sunday → Friday
        (date(2026, 12, 7), 10, date(2026, 12, 21)),  # two weeks
    ],
)
def test_working_days_skip_the_weekend(day: date, count: int, expected: date) -> None:
    assert working_days_after(day, count) == expected


def test_a_policy_in_working_days_brings_the_deadline_to_the_end_of_that_working_day(
    world: World,
) -> None:
    put = world.coordinator.put(
        f"/v1/municipalities/{SODERTALJE}/prevention-policy",
        json={"first_contact_working_days": 5},
    )
    assert put.status_code == 200, put.text
    assert put.json()["first_contact_working_days"] == 5
    sent = world.signal()  # a termination notice: three weeks from two days ago
    case = world.case(sent["id"])
    arrived = datetime.fromisoformat(case["received_at"]).astimezone(STOCKHOLM).date()
    day, left = arrived, 5
    while left:
        day += timedelta(days=1)
        left -= day.isoweekday() <= 5
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=STOCKHOLM)
    assert datetime.fromisoformat(case["due_at"]) == end
    # Five working days are never more than seven calendar days, nor fewer than five.
    assert timedelta(days=5) <= end - datetime.combine(arrived, time(), tzinfo=STOCKHOLM)
    assert end - datetime.combine(arrived, time(), tzinfo=STOCKHOLM) <= timedelta(days=8)
