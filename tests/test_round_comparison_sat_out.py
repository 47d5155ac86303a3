"""The round comparison says what happened to a household the other round did not house.

Västerås (tests/worlds/vasteras.py): a what-if round housed two families; by the real round
one of them already held a proposal — it sat that round out, it was not "housed only by the
previous round" — and the other took part and got nothing, its flat held by another case.
The comparison (API and the dashboard's fragment, docs/workday.md) names both fates."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from app.dashboard.labels import OTHER_ROUND, label
from app.vocabulary import SAT_OUT_TEXT, Language, OtherRound, SatOutReason
from tests.conftest import Api
from tests.worlds.jobs import run_jobs
from tests.worlds.vasteras import World


def _run(world: World, body: dict[str, Any]) -> str:
    started = world.coordinator.post("/v1/rounds", json=body)
    assert started.status_code == 202, started.text
    run_jobs(world.api)
    result = world.coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert result["status"] == "succeeded", result
    return str(result["id"])


def test_the_comparison_says_who_sat_out_and_who_went_unmatched(api: Api) -> None:
    world = World(api)
    first_flat, second_flat = world.vacancy("LGH-1", rooms=3), world.vacancy("LGH-2", rooms=3)
    holding, left = world.household(), world.household()
    what_if = _run(world, {"dry_run": True})
    world.propose(holding, first_flat)
    world.propose(world.household(), second_flat)
    real = _run(world, {})

    compared = world.coordinator.get(f"/v1/rounds/{what_if}/compare/{real}")
    assert compared.status_code == 200, compared.text
    only_first = {h["household"]: h for h in compared.json()["housed_only_in_first"]}
    assert set(only_first) == {holding, left}
    assert only_first[holding]["in_other_round"] == OtherRound.sat_out
    assert only_first[holding]["sat_out_reason"] == SatOutReason.live_proposal
    assert only_first[left]["in_other_round"] == OtherRound.unmatched
    assert only_first[left]["sat_out_reason"] is None

    for lang in Language:
        column = list(Language).index(lang)
        fragment = world.coordinator.get(
            "/dashboard/compare", params={"first": what_if, "second": real, "lang": lang}
        )
        assert fragment.status_code == 200, fragment.text
        html = fragment.text
        assert 'data-other-round="sat_out"' in html
        assert 'data-other-round="unmatched"' in html
        for words in (
            SAT_OUT_TEXT[SatOutReason.live_proposal][column],
            OTHER_ROUND[OtherRound.unmatched][column],
            label("only_first", lang),
        ):
            assert str(Markup.escape(words)) in html, words
        # The old wording put every household the other round did not house under one
        # heading, as if the previous round alone had housed it.
        assert "Bara i föregående" not in html
