"""The quota holds at every step (issue 29, item 2): an agreement is not lowered below the
places its year has taken without an audited override, and a contract needs a place left,
counted under a lock on the agreement, so concurrent accepts cannot exceed it.

Run on both databases: `TEST_DATABASE=postgresql` races the accepts for the agreement's row
lock; SQLite serialises them with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.tenancies.models import Tenancy
from tests.conftest import Api
from tests.worlds.concurrency import race
from tests.worlds.vasteras import YEAR, World


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


def mimer_agreement(world: World, **changes: Any) -> Any:
    """PUT Mimer's agreement of the year as the World made it, with `changes`."""
    body = {
        "quota": 10,
        "exception_quota": 2,
        "contract_forms": ["municipal_contract"],
        "trial_period_months": 18,
        "answer_hours": 48,
        "response_hours": 48,
        **changes,
    }
    return world.coordinator.put(f"/v1/agreements/1980/{world.mimer}/{YEAR}", json=body)


def landlord_accepted(world: World, count: int) -> list[str]:
    """`count` released proposals of Mimer's, each accepted by Mimer: live, holding places."""
    proposals = []
    for _ in range(count):
        _, _, proposal = world.pair()
        assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
        proposals.append(proposal)
    return proposals


def accept(proposal: str) -> Callable[[TestClient], httpx.Response]:
    """The household side's accept of `proposal`, as a call for `race`."""
    return lambda client: client.post(f"/v1/proposals/{proposal}/accept")


def mimer_tenancies(world: World) -> int:
    with world.api.app.state.sessionmaker() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Tenancy)
                .where(Tenancy.landlord_id == world.mimer, Tenancy.agreement_year == YEAR)
            )
            or 0
        )


def test_a_quota_lowered_below_the_live_proposals_is_refused_naming_the_numbers(
    world: World,
) -> None:
    landlord_accepted(world, 4)
    refused = mimer_agreement(world, quota=3)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["quota"], problem["delivered"], problem["proposed"]) == (3, 0, 4)
    assert "quota 3 is below the 4 places taken" in problem["detail"]
    kept = world.coordinator.get(f"/v1/agreements/1980/{world.mimer}/{YEAR}").json()
    assert kept["quota"] == 10


def test_a_quota_lowered_no_lower_than_the_places_taken_needs_no_override(
    world: World,
) -> None:
    landlord_accepted(world, 4)
    assert mimer_agreement(world, quota=4).status_code == 200
    assert mimer_agreement(world, quota=20).status_code == 200


def test_an_exception_quota_lowered_below_its_live_proposals_is_refused(world: World) -> None:
    for _ in range(2):
        household = world.household()
        vacancy = world.vacancy(f"LGH-E{world._cases:03d}")
        world.propose(household, vacancy, exception=True, released=True)
    refused = mimer_agreement(world, exception_quota=1)
    assert refused.status_code == 409, refused.text
    assert (refused.json()["exception_quota"], refused.json()["exceptions_proposed"]) == (1, 2)


def test_the_override_keeps_the_live_proposals_and_is_audited_for_each_household(
    world: World,
) -> None:
    proposals = landlord_accepted(world, 3)
    lowered = mimer_agreement(world, quota=1, quota_override="keep_live_proposals")
    assert lowered.status_code == 200, lowered.text
    assert lowered.json()["quota"] == 1
    assert "quota_override" not in lowered.json()
    for proposal in proposals:
        assert world.proposal_status(proposal) == "landlord_accepted"
        household = world.coordinator.get(f"/v1/proposals/{proposal}").json()["household"]
        trail = world.coordinator.get("/v1/audit", params={"household": household}).json()
        overrides = [event for event in trail["items"] if event["action"] == "quota_override"]
        assert len(overrides) == 1
        assert "keep_live_proposals" in overrides[0]["purpose"]


def test_a_contract_beyond_the_quota_is_refused_naming_the_quota(world: World) -> None:
    first, second = landlord_accepted(world, 2)
    assert mimer_agreement(world, quota=1, quota_override="keep_live_proposals").status_code == (
        200
    )
    assert world.social.post(f"/v1/proposals/{first}/accept").status_code == 200
    refused = world.social.post(f"/v1/proposals/{second}/accept")
    assert refused.status_code == 409, refused.text
    assert (refused.json()["quota"], refused.json()["delivered"]) == (1, 1)
    assert world.proposal_status(second) == "landlord_accepted"
    assert mimer_tenancies(world) == 1


def test_an_exception_contract_beyond_the_exception_places_is_refused(world: World) -> None:
    proposals = []
    for _ in range(2):
        household = world.household()
        vacancy = world.vacancy(f"LGH-E{world._cases:03d}")
        proposal = world.propose(household, vacancy, exception=True, released=True)
        assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
        proposals.append(proposal)
    lowered = mimer_agreement(world, exception_quota=1, quota_override="keep_live_proposals")
    assert lowered.status_code == 200, lowered.text
    assert world.social.post(f"/v1/proposals/{proposals[0]}/accept").status_code == 200
    refused = world.social.post(f"/v1/proposals/{proposals[1]}/accept")
    assert refused.status_code == 409, refused.text
    assert refused.json()["exception_quota"] == 1


@pytest.mark.commits  # other threads read and write at once
def test_ten_simultaneous_accepts_with_two_places_left_make_two_contracts(
    world: World, api: Api
) -> None:
    proposals = landlord_accepted(world, 10)
    lowered = mimer_agreement(world, quota=2, quota_override="keep_live_proposals")
    assert lowered.status_code == 200, lowered.text
    statuses = race(api, world.social, [accept(proposal) for proposal in proposals])
    assert statuses == Counter({200: 2, 409: 8})
    assert mimer_tenancies(world) == 2
    assert Counter(world.proposal_status(p) for p in proposals) == Counter(
        {"contracted": 2, "landlord_accepted": 8}
    )
