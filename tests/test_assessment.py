"""The assessment before any match (Jönköping): "Innan någon får en lägenhet genom
socialtjänsten görs en kartläggning … och lämnas sedan till bostadssamordnaren" — with
`requires_assessment` a case is matched only once social services have recorded it, and
the support it names becomes the tenancy's conditions ("måste ta emot hembesök")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api
from tests.worlds.jonkoping import PROBLEM, Jonkoping, jonkoping_world
from tests.worlds.once import built_once

ASSESSMENT = {
    "assessed_on": "2026-11-20",
    "unit": "lokalkontor-ost",
    "support": ["housing_support", "home_visits"],
}


def build_world(api: Api) -> Jonkoping:
    town = jonkoping_world(api)
    response = town.coordinator.put(
        f"/v1/municipalities/{town.CODE}/policy", json={"requires_assessment": True}
    )
    assert response.status_code in (200, 201), response.text
    assert response.json()["requires_assessment"] is True
    town.vacancy(town.vatterhem, "VH-1", rooms=1, rent=6000)
    town.household("JKP-NEW", income={"salary": 26000}, employment="permanent")
    return town


built_world, world = built_once(build_world)


def _assess(world: Jonkoping, case: str, body: dict[str, Any] = ASSESSMENT) -> Any:
    return world.social.put(f"/v1/households/{world.households[case]}/assessment", json=body)


def test_an_unassessed_case_waits_and_is_matched_once_assessed(world: Jonkoping) -> None:
    household = world.households["JKP-NEW"]
    first = world.run()
    assert first["proposals"] == []
    [waiting] = first["unmatched"]
    assert (waiting["household"], waiting["reason"]) == (household, "not_assessed")
    worklist = world.coordinator.get("/v1/households", params={"awaiting_assessment": "true"})
    assert [h["id"] for h in worklist.json()["items"]] == [household]

    assessed = _assess(world, "JKP-NEW")
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["assessment"] == ASSESSMENT
    assert (
        world.coordinator.get("/v1/households", params={"awaiting_assessment": "true"}).json()[
            "items"
        ]
        == []
    )
    second = world.run()
    assert [p["household"] for p in second["proposals"]] == [household]

    proposal = second["proposals"][0]["id"]
    landlord = world.landlords[world.vatterhem]
    assert world.coordinator.post(f"/v1/proposals/{proposal}/release").status_code == 200
    assert landlord.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    assert world.social.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    [tenancy] = world.coordinator.get("/v1/tenancies").json()["items"]
    assert tenancy["conditions"] == ["housing_support", "home_visits"]
    [seen] = landlord.get("/v1/tenancies").json()["items"]
    assert seen["support_plan"] is True
    assert "conditions" not in seen


def test_without_the_policy_setting_no_assessment_is_needed(world: Jonkoping) -> None:
    world.coordinator.put(f"/v1/municipalities/{world.CODE}/policy", json={})
    assert [p["household"] for p in world.run()["proposals"]] == [world.households["JKP-NEW"]]


@pytest.mark.parametrize(
    "body",
    [
        {**ASSESSMENT, "assessed_on": (datetime.now(UTC) + timedelta(days=2)).date().isoformat()},
        {**ASSESSMENT, "support": ["needs methadone"]},
        {**ASSESSMENT, "support": ["home_visits", "home_visits"]},
        {**ASSESSMENT, "notes": "free text could hold health details"},
        {**ASSESSMENT, "unit": "Lokalkontor Öst, handläggare Anna"},
        {"assessed_on": "2026-11-20"},
    ],
)
def test_a_malformed_assessment_is_422_and_changes_nothing(
    world: Jonkoping, body: dict[str, Any]
) -> None:
    response = _assess(world, "JKP-NEW", body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    household = world.social.get(f"/v1/households/{world.households['JKP-NEW']}").json()
    assert household["assessment"] is None


def test_only_the_municipalitys_case_workers_assess_open_cases(api: Api, world: Jonkoping) -> None:
    household = world.households["JKP-NEW"]
    landlord = world.landlords[world.vatterhem]
    assert (
        landlord.put(f"/v1/households/{household}/assessment", json=ASSESSMENT).status_code == 403
    )
    api.municipality("1980")
    other = api.client("social_services", municipality="1980")
    assert other.put(f"/v1/households/{household}/assessment", json=ASSESSMENT).status_code == 404
    closed = world.social.post(f"/v1/households/{household}/close", json={"reason": "moved"})
    assert closed.status_code == 200, closed.text
    assert _assess(world, "JKP-NEW").status_code == 409


def test_an_unassessed_case_has_no_candidates_while_a_round_leaves_it_unmatched(
    world: Jonkoping,
) -> None:
    """The round and the candidates view read one refusal rule: while the policy waits for
    the assessment, the view lists no vacancy the round would not offer; once assessed, it
    lists the one the round then proposes."""
    household = world.households["JKP-NEW"]
    [waiting] = world.run()["unmatched"]
    assert waiting["reason"] == "not_assessed"
    waits = world.social.get(f"/v1/households/{household}/candidates")
    assert waits.status_code == 200, waits.text
    assert (waits.json()["eligible"], waits.json()["items"]) == (0, [])

    assert _assess(world, "JKP-NEW").status_code == 200
    assessed = world.social.get(f"/v1/households/{household}/candidates").json()
    assert [item["external_ref"] for item in assessed["items"]] == ["VH-1"]
    assert [p["household"] for p in world.run()["proposals"]] == [household]
