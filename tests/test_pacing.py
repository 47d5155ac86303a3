"""Quota pacing: an agreement that spreads its quota over the year (`pacing: even`) lets a
round use only the share due by its date — a round in March cannot take December's flats,
as Annie MOORE spreads yearly capacities over the year instead of filling them in the first
weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.agreements.pacing import quota_due
from app.flows import match_round
from tests.conftest import Api
from tests.worlds.jonkoping import YEAR, Jonkoping, jonkoping_world
from tests.worlds.once import built_once

MARCH = datetime(YEAR, 3, 15, 9, 0, tzinfo=UTC)


def build_world(api: Api) -> Jonkoping:
    town = jonkoping_world(api)
    town.agreement(town.balder, quota=0, contract_forms=["municipal_contract"])
    for n in range(8):
        town.vacancy(town.vatterhem, f"VH-{n}", rooms=1, rent=6000)
        town.household(f"JKP-{n:02d}", income={"salary": 26000}, employment="permanent")
    return town


built_world, world = built_once(build_world)


@pytest.mark.parametrize(("month", "share"), [(1, 1), (2, 2), (3, 3), (6, 6), (12, 12)])
def test_the_share_due_grows_a_twelfth_a_month(month: int, share: int) -> None:
    assert quota_due(12, "even", year=2027, on=date(2027, month, 28)) == share
    assert quota_due(12, "none", year=2027, on=date(2027, month, 28)) == 12


def test_the_share_is_rounded_down_and_bounded_by_the_year() -> None:
    assert quota_due(5, "even", year=2027, on=date(2027, 2, 1)) == 0  # 5 × 2 / 12 < 1
    assert quota_due(5, "even", year=2027, on=date(2027, 3, 1)) == 1
    assert quota_due(40, "even", year=2027, on=date(2026, 12, 20)) == 3  # January's share
    assert quota_due(40, "even", year=2027, on=date(2028, 1, 5)) == 40


def test_a_march_round_gets_at_most_a_quarter_of_a_paced_quota(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.agreement(world.vatterhem, quota=12, pacing="even", contract_forms=["municipal_contract"])
    monkeypatch.setattr(match_round, "utcnow", lambda: MARCH)
    body = world.run()
    assert body["status"] == "succeeded", body
    problem = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    assert {lo["id"]: lo["quota"] for lo in problem["landlords"]}[world.vatterhem] == 3
    assert len(body["proposals"]) == 3  # eight households, eight flats: the pacing decides


def test_what_was_delivered_counts_against_the_share(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.agreement(world.vatterhem, quota=12, pacing="even", contract_forms=["municipal_contract"])
    monkeypatch.setattr(match_round, "utcnow", lambda: MARCH)
    first = world.run()
    assert len(first["proposals"]) == 3
    second = world.run()  # the three live proposals use up March's share
    assert second["status"] == "succeeded", second
    assert second["proposals"] == []


def test_without_pacing_the_whole_quota_is_open(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.agreement(world.vatterhem, quota=12, contract_forms=["municipal_contract"])
    monkeypatch.setattr(match_round, "utcnow", lambda: MARCH)
    assert len(world.run()["proposals"]) == 8


def test_the_quota_view_shows_what_is_due_beside_what_was_delivered(world: Jonkoping) -> None:
    world.agreement(world.vatterhem, quota=12, pacing="even", contract_forms=["municipal_contract"])
    agreement = world.coordinator.get(f"/v1/agreements/{world.CODE}/{world.vatterhem}/{YEAR}")
    assert agreement.json()["pacing"] == "even"
    rows = world.coordinator.get(
        "/v1/quota", params={"municipality": world.CODE, "year": YEAR}
    ).json()["rows"]
    row = next(r for r in rows if r["landlord"] == world.vatterhem)
    assert row["pacing"] == "even"
    assert row["expected_to_date"] == 12 * datetime.now(UTC).month // 12
    assert row["delivered"] == 0
    unpaced = next(r for r in rows if r["landlord"] == world.balder)
    assert (unpaced["pacing"], unpaced["expected_to_date"]) == ("none", unpaced["quota"])


def test_the_quota_view_and_a_rounds_input_agree_on_what_is_left(world: Jonkoping) -> None:
    """One count of the year's places (app/agreements/quota.py): once a round's proposals
    are contracted, what `GET /v1/quota` shows as remaining is the quota the next round
    gives the solver, and the same for the exception places."""
    world.agreement(
        world.vatterhem, quota=12, exception_quota=2, contract_forms=["municipal_contract"]
    )
    first = world.run()
    landlord = world.landlords[world.vatterhem]
    for proposal in first["proposals"]:
        assert world.coordinator.post(f"/v1/proposals/{proposal['id']}/release").status_code == 200
        assert landlord.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
        assert world.social.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    rows = world.coordinator.get(
        "/v1/quota", params={"municipality": world.CODE, "year": YEAR}
    ).json()["rows"]
    row = next(r for r in rows if r["landlord"] == world.vatterhem)
    assert row["delivered"] == len(first["proposals"]) == 8

    second = world.run()
    problem = world.coordinator.get(f"/v1/rounds/{second['id']}/problem").json()
    given = next(lo for lo in problem["landlords"] if lo["id"] == world.vatterhem)
    assert given["quota"] == row["remaining"] == 4
    assert given["exception_quota"] == row["exception_quota"] - row["exceptions_used"]
