"""A round's explanation names every rule a vacancy fails, in words.

Västerås places families who need a wheelchair-accessible flat (the Västerås world,
tests/worlds/vasteras.py): when the only flat is both too small and without access, the
coordinator must read both reasons — counting only the first (`rooms`) hid the wheelchair
need, and a bigger flat without a lift would not have helped either."""

from __future__ import annotations

from app.vocabulary import ELIGIBILITY_RULE_TEXT, ELIGIBILITY_RULES
from tests.conftest import Api
from tests.worlds.jobs import run_jobs
from tests.worlds.once import built_once
from tests.worlds.vasteras import World


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def test_a_household_failing_rooms_and_wheelchair_on_one_vacancy_reports_both(
    world: World,
) -> None:
    world.vacancy("LGH-SMALL", rooms=1, wheelchair=False, elevator=False)
    household = world.household(
        adults=2, children=3, children_ages=[3, 6, 9], needs_wheelchair=True
    )
    started = world.coordinator.post("/v1/rounds", json={})
    assert started.status_code == 202, started.text
    run_jobs(world.api)
    result = world.coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert result["status"] == "succeeded", result
    [left] = [u for u in result["unmatched"] if u["household"] == household]
    assert left["failed"] == {"rooms": 1}  # the first failing rule, as before
    assert left["failing"]["rooms"] == 1
    assert left["failing"]["accessibility"] == 1
    words = {e["rule"]: e for e in left["explained"]}
    assert words["accessibility"]["sv"] == ELIGIBILITY_RULE_TEXT["accessibility"][0]
    assert words["rooms"]["en"] == ELIGIBILITY_RULE_TEXT["rooms"][1]
    assert words["rooms"]["vacancies"] == 1
    # The list of rounds says how it went, without opening each one.
    [summary] = world.coordinator.get("/v1/rounds").json()["items"]
    assert (summary["proposed"], summary["unmatched"]) == (0, 1)


def test_every_eligibility_rule_has_a_line_in_swedish_and_english() -> None:
    assert set(ELIGIBILITY_RULE_TEXT) == set(ELIGIBILITY_RULES)
    for sv, en in ELIGIBILITY_RULE_TEXT.values():
        assert sv
        assert en
        assert "\n" not in sv + en
