"""The dashboard in English (`?lang=en`) has no Swedish label left.

Every word the dashboard writes comes from app/dashboard/labels.py (docs/workday.md): this
renders every panel — the coordinator's page, its panels with a finished round, a household
that sat out and a proposal to release, the round comparison, the prevention panel and the
social secretary's panels — in English, and looks for any word of the Swedish column that
the English column does not also use (Västerås, tests/worlds/vasteras.py: its data are
Swedish names, so only words of the labels' own tables are looked for)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from app.dashboard import labels
from app.vocabulary import Language
from tests.conftest import Api
from tests.worlds.jobs import run_jobs
from tests.worlds.vasteras import World

WORD = re.compile(r"[^\W\d_]{3,}")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def swedish_only_words() -> set[str]:
    """Words of the Swedish column of every table of words that the English one never
    uses (`Normal`, `Status` are both)."""
    sv = set().union(*(_words(pair[0]) for table in labels.TABLES for pair in table.values()))
    en = set().union(*(_words(pair[1]) for table in labels.TABLES for pair in table.values()))
    return sv - en


def _text(html: str) -> set[str]:
    """The words a reader sees (and the chart's texts), without tags, attributes or the
    page's script code — but with the words the script shows (its JSON strings)."""
    shown = re.sub(r"<style\b.*?</style>", " ", html, flags=re.DOTALL)
    scripts = " ".join(re.findall(r"<script\b[^>]*>(.*?)</script>", shown, flags=re.DOTALL))
    shown = re.sub(r"<script\b.*?</script>", " ", shown, flags=re.DOTALL)
    shown = re.sub(r"<[^>]+>", " ", shown)
    strings = " ".join(re.findall(r'"((?:[^"\\]|\\.)*)"', scripts))
    return _words(unescape(shown + " " + strings))


def _run(world: World, body: dict[str, Any]) -> str:
    started = world.coordinator.post("/v1/rounds", json=body)
    assert started.status_code == 202, started.text
    run_jobs(world.api)
    return str(started.json()["id"])


def test_every_panel_in_english_has_no_swedish_label(api: Api) -> None:
    world = World(api)
    policy = world.coordinator.put(
        "/v1/municipalities/1980/policy", json={"requires_assessment": True}
    )
    assert policy.status_code in (200, 201), policy.text
    holding = world.household()
    world.propose(holding, world.vacancy("LGH-HELD", rooms=3), released=False)
    world.household()  # not assessed: sits the round out
    what_if = _run(world, {"dry_run": True})
    real = _run(world, {})
    swedish = swedish_only_words()
    assert {"hushåll", "omgång", "förslag", "kvot"} & swedish  # the walk has words to find

    pages = {
        "page": world.coordinator.get("/dashboard", params={"lang": "en"}),
        "panels": world.coordinator.get("/dashboard/panels", params={"lang": "en"}),
        "compare": world.coordinator.get(
            "/dashboard/compare", params={"first": what_if, "second": real, "lang": "en"}
        ),
        "social": world.social.get("/dashboard/social/panels", params={"lang": "en"}),
        "social page": world.social.get("/dashboard/social", params={"lang": "en"}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.text)
        found = _text(response.text) & swedish
        assert not found, (name, sorted(found))
    # The panels really are the full set: the sat-out list and the prevention panel are in.
    assert 'data-sat-out="not_assessed"' in pages["panels"].text
    assert 'id="panel-prevention"' in pages["panels"].text
    # And in Swedish the same walk finds the Swedish words: it can fail.
    swedish_panels = world.coordinator.get("/dashboard/panels", params={"lang": Language.sv})
    assert _text(swedish_panels.text) & swedish
