"""Tenancies from contracted proposals and the quota they count toward (issue 4 item 6)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from app.core.db import local_today, local_year
from app.core.months import add_months
from app.tenancies.models import Tenancy
from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.vasteras import MOVE_IN, YEAR, World, assert_problem, contract, quota, row_of


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def test_tenancy_takes_contract_form_start_trial_end_and_year_from_the_proposal(
    world: World,
) -> None:
    """Trial period from the agreement: 18 months (Göteborg)."""
    made = contract(world)
    tenancies = world.coordinator.get("/v1/tenancies").json()["items"]
    assert len(tenancies) == 1
    tenancy = tenancies[0]
    assert tenancy["proposal"] == made["proposal"]
    assert tenancy["vacancy"] == made["vacancy"]
    assert tenancy["external_ref"] == made["ref"]
    assert tenancy["household"] == made["household"]
    assert tenancy["landlord"] == world.mimer
    # The human references beside the ids (issue 11): no extra calls to tell cases apart.
    assert (tenancy["case_ref"], tenancy["landlord_name"]) == (f"VAS-{world._cases:04d}", "Mimer")
    assert (tenancy["area"], tenancy["area_name"]) == ("BACKBY", "Bäckby")
    assert tenancy["contract_form"] == "municipal_contract"
    assert tenancy["start_date"] == MOVE_IN
    assert tenancy["trial_period_end"] == add_months(date.fromisoformat(MOVE_IN), 18).isoformat()
    assert tenancy["agreement_year"] == YEAR
    assert tenancy["status"] == "active"
    assert tenancy["exception"] is False


def test_a_vacancy_available_in_the_past_starts_today(world: World) -> None:
    contract(world, available_from="2026-01-15")
    tenancy = world.coordinator.get("/v1/tenancies").json()["items"][0]
    assert tenancy["start_date"] == local_today().isoformat()


def test_a_tenancy_counts_toward_the_round_year(world: World) -> None:
    """The round planned with that year's agreement, so its quota is the one delivered."""
    contract(world, round_year=YEAR + 1)
    tenancy = world.coordinator.get("/v1/tenancies").json()["items"][0]
    assert tenancy["agreement_year"] == YEAR + 1
    assert row_of(quota(world, year=YEAR + 1), world.mimer)["delivered"] == 1
    assert row_of(quota(world), world.mimer)["delivered"] == 0


def test_a_landlord_sees_its_own_tenancies_without_household_data(world: World) -> None:
    made = contract(world, landlord="mimer")
    contract(world, landlord="balder")
    own = world.mimer_client.get("/v1/tenancies").json()["items"]
    assert [t["vacancy"] for t in own] == [made["vacancy"]]
    assert own[0]["view"] == "landlord"
    assert "household" not in own[0]
    assert "exception" not in own[0]
    assert made["household"] not in str(own)


def test_tenancies_are_scoped_to_the_municipality_and_roles(world: World) -> None:
    contract(world)
    assert world.other_coordinator.get("/v1/tenancies").json()["items"] == []
    assert_problem(world.social.get("/v1/tenancies"), 403)
    assert_problem(world.api.anonymous.get("/v1/tenancies"), 401)


def test_tenancies_filter_by_year_and_status(world: World) -> None:
    contract(world)
    assert len(world.coordinator.get("/v1/tenancies", params={"year": YEAR}).json()["items"]) == 1
    assert world.coordinator.get("/v1/tenancies", params={"year": 2030}).json()["items"] == []
    ended = world.coordinator.get("/v1/tenancies", params={"status": "ended"})
    assert ended.json()["items"] == []
    assert_problem(world.coordinator.get("/v1/tenancies", params={"status": "gone"}), 422)
    assert_problem(world.coordinator.get("/v1/tenancies", params={"year": 99999}), 422)


def test_quota_shows_committed_against_delivered_split_public_private(world: World) -> None:
    """Norrköping: placements per landlord in line with its share; public and private apart."""
    contract(world, landlord="mimer")
    contract(world, landlord="mimer", exception=True)
    contract(world, landlord="balder")
    report = quota(world)
    assert report["municipality"] == "1980"
    assert report["year"] == YEAR
    mimer, balder = row_of(report, world.mimer), row_of(report, world.balder)
    assert mimer == {
        "landlord": world.mimer,
        "name": "Mimer",
        "kind": "public",
        "quota": 10,
        "delivered": 2,
        "exception_quota": 2,
        "exceptions_used": 1,
        "remaining": 8,
        "pacing": "none",
        "expected_to_date": 10,
        "outside_quota": 0,
        "outside_quota_used": 0,
        "quota_share": None,
        "quota_from_share": None,
        "on_request": False,
    }
    assert (balder["kind"], balder["quota"], balder["delivered"], balder["remaining"]) == (
        "private",
        4,
        1,
        3,
    )
    totals = report["totals"]
    assert totals["public"]["delivered"] == 2
    assert totals["private"]["delivered"] == 1
    assert totals["all"] == {
        "quota": 14,
        "delivered": 3,
        "exception_quota": 4,
        "exceptions_used": 1,
        "remaining": 11,
        "outside_quota": 0,
        "outside_quota_used": 0,
    }


def test_ended_tenancies_still_count_as_delivered(world: World) -> None:
    contract(world)
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(Tenancy).values(status="ended"))
    assert row_of(quota(world), world.mimer)["delivered"] == 1


def test_a_landlord_sees_only_its_own_quota_row(world: World) -> None:
    contract(world, landlord="balder")
    report = quota(world, world.mimer_client)
    assert [r["landlord"] for r in report["rows"]] == [world.mimer]
    assert report["totals"]["all"]["quota"] == 10
    assert report["totals"]["private"]["delivered"] == 0


def test_quota_of_another_municipality_is_404_and_bad_parameters_422(world: World) -> None:
    assert_problem(
        world.coordinator.get("/v1/quota", params={"municipality": "0680", "year": YEAR}), 404
    )
    # Municipality and year default to the coordinator's own and the current year.
    by_default = world.coordinator.get("/v1/quota")
    assert by_default.status_code == 200, by_default.text
    assert by_default.json() == quota(world, year=local_year())
    landlord = world.api.client("landlord", landlord=world.mimer)
    assert_problem(landlord.get("/v1/quota"), 422)
    assert_problem(
        world.coordinator.get("/v1/quota", params={"municipality": "x", "year": YEAR}), 422
    )
    assert_problem(
        world.coordinator.get("/v1/quota", params={"municipality": "1980", "year": 10**12}), 422
    )
    assert_problem(world.social.get("/v1/quota", params={"municipality": "1980", "year": 1}), 403)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 12, 1), 18, date(2028, 6, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2026, 5, 15), 24, date(2028, 5, 15)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
    ],
)
def test_trial_period_end_is_calendar_months_later(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end


def test_no_trial_period_without_one_in_the_agreement(world: World) -> None:
    replaced = world.coordinator.put(
        f"/v1/agreements/1980/{world.balder}/{YEAR}",
        json={"quota": 4, "contract_forms": ["municipal_contract"]},
    )
    assert replaced.status_code == 200, replaced.text
    contract(world, landlord="balder")
    tenancy = world.coordinator.get("/v1/tenancies").json()["items"][0]
    assert tenancy["trial_period_end"] is None
    assert tenancy["start_date"] == MOVE_IN
