"""The smaller defects of issue 12, each pinned by a test that failed before its fix: C1
control characters in text, one audit event for the accept that houses a household, and
pins whose pair is not eligible (refused when made, reported by the round when they break
later). The concurrent idempotent PUT and If-Match's strong comparison are in
tests/test_vacancies.py, the personnummer guard in tests/test_households.py."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.proposals.models import Pin
from tests.conftest import Api
from tests.worlds.jonkoping import Jonkoping, jonkoping_world
from tests.worlds.vasteras import DECLINE_LANDLORD, World, household_body, vacancy_body

PROBLEM = "application/problem+json"
C1 = ["\u0085", "\u009b", "\u0080", "\u009f"]
"""NEL, CSI and the ends of the C1 range U+0080–U+009F."""


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


def assert_422(response: Any) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM


# --- C1 control characters ----------------------------------------------------------------


@pytest.mark.parametrize("control", C1)
def test_c1_control_characters_are_refused_in_every_text(
    world: World, api: Api, control: str
) -> None:
    """A landlord's name, a vacancy's address, a household's case reference, a close
    comment and a decline comment: C1 controls are refused like C0 ones (a terminal or a
    log viewer acts on them), and nothing is stored."""
    assert_422(
        api.admin.post(
            "/v1/landlords",
            json={"name": f"Hyres{control}bolaget", "org_number": "556016-0680", "kind": "private"},
        )
    )
    assert_422(
        world.mimer_client.put(
            "/v1/vacancies/C1-1", json=vacancy_body(address=f"Bäckbygatan{control}12")
        )
    )
    assert world.mimer_client.get("/v1/vacancies/C1-1").status_code == 404
    assert_422(world.social.post("/v1/households", json=household_body(f"VAS{control}1")))
    household = world.household()
    assert_422(
        world.social.post(
            f"/v1/households/{household}/close",
            json={"reason": "moved", "comment": f"flyttat{control}"},
        )
    )
    _, _, proposal = world.pair()
    assert_422(
        world.mimer_client.post(
            f"/v1/proposals/{proposal}/decline",
            json={**DECLINE_LANDLORD, "comment": f"Vattenskada{control}"},
        )
    )
    assert world.proposal_status(proposal) == "released"


def test_text_beyond_the_control_ranges_is_kept(world: World, api: Api) -> None:
    """Letters, a no-break space (U+00A0, just past C1) and line breaks in long text are
    ordinary text."""
    created = api.admin.post(
        "/v1/landlords",
        json={"name": "Hyres\u00a0bolaget Å", "org_number": "556016-0680", "kind": "private"},
    )
    assert created.status_code == 201, created.text
    put = world.mimer_client.put(
        "/v1/vacancies/C1-2", json=vacancy_body(address="Bäckbygatan\u00a012")
    )
    assert put.status_code == 201, put.text
    _, _, proposal = world.pair()
    declined = world.mimer_client.post(
        f"/v1/proposals/{proposal}/decline",
        json={**DECLINE_LANDLORD, "comment": "Vattenskada.\nÅtgärdas i vår."},
    )
    assert declined.status_code == 200, declined.text


# --- One audit event for the accept that houses the household ------------------------------


def _trail(world: World, household: str) -> list[dict[str, Any]]:
    response = world.coordinator.get("/v1/audit", params={"household": household, "limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize("side", ["social", "coordinator"])
def test_the_accept_that_houses_the_household_writes_one_close_event(
    world: World, side: str
) -> None:
    """docs/privacy.md: one event per household per request. The household side's accept
    contracts the proposal and closes the case as housed — a change of the record, audited
    as `close` (as a create or an update is one event although the answer shows the
    record), not `close` and `read`."""
    household, _, proposal = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    before = len(_trail(world, household))
    client: TestClient = getattr(world, side)
    accepted = client.post(f"/v1/proposals/{proposal}/accept", headers={"X-Purpose": "inflytt"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "contracted"
    assert accepted.json()["household"] == household
    new = _trail(world, household)[before:]
    assert [event["action"] for event in new] == ["close"]
    assert new[0]["purpose"] == f"housed through proposal {proposal}"
    # Reading it afterwards is an ordinary read.
    assert world.coordinator.get(f"/v1/proposals/{proposal}").status_code == 200
    assert [e["action"] for e in _trail(world, household)[before:]] == ["close", "read"]


def test_the_landlords_accept_and_other_answers_still_audit_their_read(world: World) -> None:
    """Only the accept that closes the case is its `close`; a release or a decline in the
    municipality's view remains one `read`."""
    household, _, proposal = world.pair()
    before = len(_trail(world, household))
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    # The landlord's answer is recorded as who acted on the case; its minimal view is no
    # read of the household's data.
    answered = _trail(world, household)[before:]
    assert [(e["action"], e["role"]) for e in answered] == [("update", "landlord")]
    declined = world.social.post(
        f"/v1/proposals/{proposal}/decline", json={"reason": "location", "comment": None}
    )
    assert declined.status_code == 200, declined.text
    assert [e["action"] for e in _trail(world, household)[before + 1 :]] == ["read"]


# --- Pins whose pair is not eligible -------------------------------------------------------


@pytest.fixture
def jonkoping(api: Api) -> Jonkoping:
    town = jonkoping_world(api)
    town.standard()
    return town


def pin(town: Jonkoping, case_ref: str, ref: str) -> Any:
    return town.coordinator.post(
        "/v1/pins", json={"household": town.households[case_ref], "vacancy": town.vacancies[ref]}
    )


def test_a_pin_of_an_ineligible_pair_is_refused_naming_the_rule(jonkoping: Jonkoping) -> None:
    """Pinned, an ineligible pair would make every round infeasible: it is refused at once
    with 422 naming the first eligibility rule it fails, judged by the solver's own rules
    (as the candidates view judges): VH-2 is in excluded Råslätt, VH-1's rent is beyond
    the low-income household's means. An eligible pair is pinned."""
    excluded = pin(jonkoping, "JKP-FAMILY", "VH-2")
    assert_422(excluded)
    assert "`area`" in excluded.json()["detail"]
    too_dear = pin(jonkoping, "JKP-LOW", "VH-1")
    assert_422(too_dear)
    assert "`rent`" in too_dear.json()["detail"]
    assert jonkoping.coordinator.get("/v1/pins").json()["items"] == []
    assert pin(jonkoping, "JKP-FAMILY", "VH-1").status_code == 201


def test_a_pin_broken_since_is_left_out_and_reported_not_failing_the_round(
    jonkoping: Jonkoping,
) -> None:
    """The family is pinned to VH-1, then the landlord raises VH-1's rent beyond its means
    (7 200): the round does not fail `infeasible` — it leaves the pin and the family out,
    matches the others, and reports the family unmatched with a reason naming the pin,
    the vacancy and the rule. The pin stays for the coordinator to delete."""
    family, vh1 = jonkoping.households["JKP-FAMILY"], jonkoping.vacancies["VH-1"]
    created = pin(jonkoping, "JKP-FAMILY", "VH-1")
    assert created.status_code == 201, created.text
    pin_id = created.json()["id"]
    dearer = {
        "municipality": jonkoping.CODE,
        "area": "CENTRUM",
        "rooms": 2,
        "rent": 7300,
        "contract_forms": ["municipal_contract"],
    }
    raised = jonkoping.landlords[jonkoping.vatterhem].put("/v1/vacancies/VH-1", json=dearer)
    assert raised.status_code == 200, raised.text

    body = jonkoping.run()
    assert body["status"] == "succeeded", body
    assert body["error"] is None
    assert (jonkoping.households["JKP-WORKER"], jonkoping.vacancies["BA-1"]) in jonkoping.pairs(
        body
    )
    assert family not in {p["household"] for p in body["proposals"]}
    [held] = [u for u in body["unmatched"] if u["household"] == family]
    assert held["reason"].startswith("pin: ")
    assert pin_id in held["reason"]
    assert vh1 in held["reason"]
    assert "`rent`" in held["reason"]
    assert held["failed"] == {"rent": 1}
    assert held["eligible_vacancies"] == 0
    document = jonkoping.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    assert document["pinned"] == []
    assert family not in {h["id"] for h in document["households"]}
    with jonkoping.api.app.state.sessionmaker() as session:
        assert session.scalars(select(Pin.id)).all() == [pin_id]

    # Deleted, the family takes part again (VH-1 is now beyond its means, so unmatched on
    # the ordinary reason).
    assert jonkoping.coordinator.delete(f"/v1/pins/{pin_id}").status_code == 204
    again = jonkoping.run()
    assert again["status"] == "succeeded", again
    [unpinned] = [u for u in again["unmatched"] if u["household"] == family]
    assert not unpinned["reason"].startswith("pin: ")
