"""A webhook subscribes to every type its organisation may receive with `events: ["*"]`,
so a landlord's lettings system need not list the catalogue (Västerås's landlords report
their flats and answer proposals through one integration: the Västerås world)."""

from __future__ import annotations

from app.auth import Role
from app.events.catalogue import types_for
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, assert_problem

URL = "http://127.0.0.1:9/hook"


built_world, world = built_once(World)


def test_every_type_is_written_out_per_organisation(world: World) -> None:
    landlord = world.mimer_client.post("/v1/webhooks", json={"url": URL, "events": ["*"]})
    assert landlord.status_code == 201, landlord.text
    assert landlord.json()["events"] == [t.value for t in types_for(Role.landlord)]
    assert "vacancy.posted" in landlord.json()["events"]
    assert not any(t.startswith("round.") for t in landlord.json()["events"])
    coordinator = world.coordinator.post("/v1/webhooks", json={"url": URL, "events": ["*"]})
    assert coordinator.status_code == 201, coordinator.text
    assert "round.succeeded" in coordinator.json()["events"]
    assert "ping" not in coordinator.json()["events"]
    social = world.social.post("/v1/webhooks", json={"url": URL, "events": ["*"]}).json()
    assert social["events"] == [t.value for t in types_for(Role.social_services)]
    assert not any(t.startswith("vacancy.") for t in social["events"])


def test_the_star_stands_alone(world: World) -> None:
    mixed = world.mimer_client.post(
        "/v1/webhooks", json={"url": URL, "events": ["*", "vacancy.posted"]}
    )
    assert_problem(mixed, 422)
