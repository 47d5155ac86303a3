"""A round lists the open households that took no part in it, and why.

Jönköping assesses a case before it is matched ("Innan någon får en lägenhet genom
socialtjänsten görs en kartläggning"), and a household already holding a proposal waits for
its answer: both sit a round out. The coordinator must read who sat out and why, in words
(docs/workday.md), and see the counts per reason in the list of rounds — landlords never see
the list (rounds are the coordinator's)."""

from __future__ import annotations

from markupsafe import Markup

from app.vocabulary import SAT_OUT_TEXT, SatOutReason
from tests.conftest import Api
from tests.worlds.jobs import run_jobs
from tests.worlds.once import built_once
from tests.worlds.vasteras import World

ASSESSMENT = {"assessed_on": "2026-11-20", "unit": "lokalkontor-ost", "support": []}


def build_world(api: Api) -> World:
    town = World(api)
    response = town.coordinator.put(
        "/v1/municipalities/1980/policy", json={"requires_assessment": True}
    )
    assert response.status_code in (200, 201), response.text
    return town


built_world, world = built_once(build_world)


def _assessed(world: World, **overrides: object) -> str:
    household = world.household(**overrides)
    response = world.social.put(f"/v1/households/{household}/assessment", json=ASSESSMENT)
    assert response.status_code == 200, response.text
    return household


def _run(world: World) -> dict[str, object]:
    started = world.coordinator.post("/v1/rounds", json={})
    assert started.status_code == 202, started.text
    run_jobs(world.api)
    result = world.coordinator.get(f"/v1/rounds/{started.json()['id']}")
    assert result.status_code == 200, result.text
    body: dict[str, object] = result.json()
    assert body["status"] == "succeeded", body
    return body


def test_a_round_lists_who_sat_out_with_a_coded_reason_in_words_and_counts(
    world: World,
) -> None:
    holding = _assessed(world)
    world.propose(holding, world.vacancy("LGH-HELD"))
    unassessed = world.household()
    protected = world.household(target_groups=["protected_identity"])
    taking_part = _assessed(world)
    world.vacancy("LGH-FREE")

    result = _run(world)

    sat_out = {s["household"]: s for s in result["sat_out"]}  # type: ignore[attr-defined]
    assert set(sat_out) == {holding, unassessed, protected}
    assert taking_part not in sat_out
    assert sat_out[holding]["reason"] == SatOutReason.live_proposal
    assert sat_out[unassessed]["reason"] == SatOutReason.not_assessed
    assert sat_out[holding]["sv"] == SAT_OUT_TEXT[SatOutReason.live_proposal][0]
    assert sat_out[unassessed]["en"] == SAT_OUT_TEXT[SatOutReason.not_assessed][1]
    assert sat_out[holding]["case_ref"].startswith("VAS-")
    # A protected identity is named by its id and case reference, nothing of the person.
    assert set(sat_out[protected]) == {"household", "case_ref", "reason", "sv", "en", "detail"}
    assert result["sat_out_by_reason"] == {"live_proposal": 1, "not_assessed": 2}
    [summary] = world.coordinator.get("/v1/rounds").json()["items"]
    assert summary["sat_out_by_reason"] == {"live_proposal": 1, "not_assessed": 2}


def test_reading_who_sat_out_is_audited_and_landlords_cannot(world: World) -> None:
    unassessed = world.household()
    result = _run(world)
    assert [s["household"] for s in result["sat_out"]] == [unassessed]  # type: ignore[attr-defined]
    trail = world.coordinator.get("/v1/audit", params={"household": unassessed}).json()
    assert any(row["action"] == "read" for row in trail["items"]), trail
    for landlord in (world.mimer_client, world.balder_client):
        assert landlord.get(f"/v1/rounds/{result['id']}").status_code in (403, 404)
        assert landlord.get("/v1/rounds").status_code in (403, 404)


def test_every_sat_out_reason_has_a_line_in_swedish_and_english() -> None:
    assert set(SAT_OUT_TEXT) == set(SatOutReason)
    for sv, en in SAT_OUT_TEXT.values():
        assert sv
        assert en
        assert "\n" not in sv + en


def test_the_dashboards_unmatched_panel_says_who_sat_out_and_why(world: World) -> None:
    holding = _assessed(world)
    world.propose(holding, world.vacancy("LGH-HELD"))
    world.household()
    _run(world)
    for lang, column in (("sv", 0), ("en", 1)):
        panels = world.coordinator.get("/dashboard/panels", params={"lang": lang})
        assert panels.status_code == 200, panels.text
        html = panels.text
        assert 'data-sat-out="live_proposal"' in html
        assert 'data-sat-out="not_assessed"' in html
        for reason in (SatOutReason.live_proposal, SatOutReason.not_assessed):
            assert str(Markup.escape(SAT_OUT_TEXT[reason][column])) in html
