"""Social services read the proposed flat in full before the household answers.

Västerås's social services present a proposal to the household (the Västerås world,
tests/worlds/vasteras.py); the household cannot answer a flat it has not seen: its rent,
where it is, the floor and whether there is a lift, its size and the move-in day."""

from __future__ import annotations

from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.vasteras import MOVE_IN, World


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def test_a_released_proposal_shows_social_services_the_flat_in_full(world: World) -> None:
    vacancy = world.vacancy(
        "LGH-FULL",
        rent=7450,
        address="Bäckbygatan 12",
        postal_code="723 48",
        floor=3,
        elevator=True,
        living_area=61,
    )
    household = world.household()
    unreleased = world.propose(household, vacancy)
    before = world.social.get(f"/v1/proposals/{unreleased}").json()
    assert before["flat"] is None
    assert world.coordinator.post(f"/v1/proposals/{unreleased}/release").status_code == 200
    flat = world.social.get(f"/v1/proposals/{unreleased}").json()["flat"]
    assert flat == {
        "rent": 7450,
        "address": "Bäckbygatan 12",
        "postal_code": "723 48",
        "area_name": "Bäckby",
        "rooms": 2,
        "living_area": 61,
        "floor": 3,
        "elevator": True,
        "wheelchair": False,
        "move_in_date": MOVE_IN,
    }
    # The landlord's own view is unchanged: it knows its flat, and sees no more of the case.
    assert "flat" not in world.mimer_client.get(f"/v1/proposals/{unreleased}").json()
