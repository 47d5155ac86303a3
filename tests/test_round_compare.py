"""Two rounds side by side (`GET /v1/rounds/{a}/compare/{b}`): the figures of each are what
its own result says, and the households housed differently are exactly those — Helsingborg's
steering group follows the plan up every year, and politicians change priorities "en
kategori i taget" (SKL): a coordinator must see what a change did."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from app.flows import match_round
from tests.conftest import Api
from tests.worlds.jonkoping import PROBLEM, Jonkoping, jonkoping_world
from tests.worlds.once import built_once


def build_world(api: Api) -> Jonkoping:
    return jonkoping_world(api)


built_world, world = built_once(build_world)


def _free_the_households(world: Jonkoping, round_body: dict[str, Any]) -> None:
    for proposal in round_body["proposals"]:
        response = world.coordinator.post(f"/v1/proposals/{proposal['id']}/withdraw")
        assert response.status_code == 200, response.text


def test_a_changed_quota_shows_who_was_housed_differently(world: Jonkoping) -> None:
    world.standard()
    before = world.run()
    assert before["status"] == "succeeded", before
    _free_the_households(world, before)
    # Vätterhem's quota taken away: the family loses VH-1, the worker keeps Balder's BA-1.
    world.agreement(world.vatterhem, quota=0, contract_forms=["municipal_contract"])
    after = world.run()
    assert after["status"] == "succeeded", after

    response = world.coordinator.get(f"/v1/rounds/{before['id']}/compare/{after['id']}")
    assert response.status_code == 200, response.text
    comparison = response.json()
    first, second = comparison["first"], comparison["second"]
    assert (first["round"], second["round"]) == (before["id"], after["id"])
    assert first["households_housed"] == len(before["proposals"]) == 2
    assert second["households_housed"] == len(after["proposals"]) == 1
    assert first["total_weight"] == sum(p["score"]["weight"] for p in before["proposals"])
    assert second["total_weight"] == sum(p["score"]["weight"] for p in after["proposals"])
    for side, body in ((first, before), (second, after)):
        per_landlord = Counter(p["landlord"] for p in body["proposals"])
        assert {r["landlord"]: r["placements"] for r in side["placements_by_landlord"]} == dict(
            per_landlord
        )
        assert side["placements_by_area"] == dict(Counter(p["area"] for p in body["proposals"]))
        assert side["exception_places"] == sum(p["exception"] for p in body["proposals"])
        assert side["households"] == len(body["proposals"]) + len(body["unmatched"])
        assert side["waiting_days_housed"]["households"] == side["households_housed"]
    assert first["housed_by_target_group"]["violence_exposed"] == 1
    assert "violence_exposed" not in second["housed_by_target_group"]
    assert first["placements_by_kind"] == {"private": 1, "public": 1}
    assert second["placements_by_kind"] == {"private": 1}

    family = world.households["JKP-FAMILY"]
    # The family took part in the second round too and was left unmatched (not sat out).
    assert comparison["housed_only_in_first"] == [
        {
            "household": family,
            "case_ref": "JKP-FAMILY",
            "in_other_round": "unmatched",
            "sat_out_reason": None,
        }
    ]
    assert comparison["housed_only_in_second"] == []
    assert comparison["housed_in_both"] == 1
    reverse = world.coordinator.get(f"/v1/rounds/{after['id']}/compare/{before['id']}").json()
    assert reverse["housed_only_in_second"] == comparison["housed_only_in_first"]


def test_a_round_without_a_result_cannot_be_compared(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.standard()
    done = world.run()
    _free_the_households(world, done)
    monkeypatch.setattr(match_round, "run_in_background", lambda *_: None)
    queued = world.start()
    response = world.coordinator.get(f"/v1/rounds/{done['id']}/compare/{queued['id']}")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM


def test_another_municipalitys_round_is_404(world: Jonkoping) -> None:
    world.standard()
    done = world.run()
    world.api.municipality("1980")
    other = world.api.client("coordinator", municipality="1980")
    response = other.get(f"/v1/rounds/{done['id']}/compare/{done['id']}")
    assert response.status_code == 404
    assert world.social.get(f"/v1/rounds/{done['id']}/compare/{done['id']}").status_code == 403
