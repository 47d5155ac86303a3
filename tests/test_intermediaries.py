"""An intermediary that administers several landlords' quotas, through HTTP (issue 14 part 2).

Västerås: "Bostad Västerås administrerar även det så kallade samarbetsavtalet mellan kommunen
och fastighetsägarna, där man tecknar avtal och tar in lägenheter i enlighet med respektive
fastighetsägares kvot och också följer upp verksamheten." Here Bostad Västerås holds Mimer's
mandate in Västerås (1980): it posts Mimer's vacancy, answers the proposal a round makes for
it in Mimer's minimal view, reads Mimer's quota — and reaches nothing of Balder, which gave
it no mandate, nothing in Jönköping, and nothing once the mandate ended or expired.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.core.db import local_today
from tests.conftest import Api, AuthedClient
from tests.minimal_view import LANDLORD_VIEW_FIELDS
from tests.worlds.jobs import run_jobs
from tests.worlds.once import built_once
from tests.worlds.vasteras import (
    YEAR,
    World,
    assert_problem,
    household_body,
    vacancy_body,
)

BOSTAD_VASTERAS = ("Bostad Västerås", "559908-0081")


class Vasteras(World):
    """tests/test_proposals.py's Västerås (Mimer, Balder; Jönköping beside it) with Bostad
    Västerås as an intermediary and its credential; mandates are each test's own."""

    def __init__(self, api: Api) -> None:
        super().__init__(api)
        self.bostad = api.intermediary(*BOSTAD_VASTERAS)
        self.intermediary = api.client("intermediary", intermediary=self.bostad)

    def mandate(self, landlord: str, municipality: str = "1980", **period: Any) -> dict[str, Any]:
        coordinator = self.coordinator if municipality == "1980" else self.other_coordinator
        response = coordinator.post(
            "/v1/mandates",
            json={"intermediary": self.bostad, "landlord": landlord, **period},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def post_for(self, landlord: str, ref: str, **overrides: Any) -> Any:
        return self.intermediary.put(
            f"/v1/vacancies/{ref}",
            params={"landlord": landlord},
            json=vacancy_body(area="CENTRUM", **overrides),
        )


def build_vasteras(api: Api) -> Vasteras:
    return Vasteras(api)


built_world, vasteras = built_once(build_vasteras, name="vasteras")


def _single_person(world: World) -> str:
    """A household the round can only match with the one open vacancy (no avoided area)."""
    world._cases += 1
    response = world.social.post(
        "/v1/households",
        json=household_body(
            f"VAS-{world._cases:04d}",
            children=0,
            target_groups=["violence_exposed"],
            avoid_areas=[],
            income={"salary": 30000},
        ),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _round_proposal(world: World, vacancy: str) -> str:
    """Run a round (the worker on PostgreSQL) and release its proposal for the vacancy."""
    started = world.coordinator.post("/v1/rounds", json={})
    assert started.status_code == 202, started.text
    run_jobs(world.api)
    result = world.coordinator.get(f"/v1/rounds/{started.json()['id']}").json()
    assert result["status"] == "succeeded", result
    proposal = next(p["id"] for p in result["proposals"] if p["vacancy"] == vacancy)
    released = world.coordinator.post(f"/v1/proposals/{proposal}/release")
    assert released.status_code == 200, released.text
    return str(proposal)


def _intermediary_actor(world: Vasteras) -> dict[str, Any]:
    return {
        "role": "intermediary",
        "credential": world.intermediary.client_id,
        "organisation": world.bostad,
        "person": None,  # a system's credential acted, no person signed in
    }


def test_bostad_vasteras_posts_for_mimer_answers_its_proposal_and_reads_its_quota(
    vasteras: Vasteras,
) -> None:
    """Done when (issue 14): the intermediary posts a vacancy for Mimer, answers the
    proposal a round makes for it, and reads Mimer's quota fulfilment — each action showing
    that Bostad Västerås, not Mimer, acted."""
    mandate = vasteras.mandate(vasteras.mimer, valid_from=f"{YEAR}-01-01", valid_to=f"{YEAR}-12-31")
    assert mandate["live"] is True
    assert mandate["intermediary_name"] == "Bostad Västerås"
    assert mandate["landlord_name"] == "Mimer"

    # What it needs to post for Mimer: Mimer's record, its agreement, the areas.
    landlords = vasteras.intermediary.get("/v1/landlords").json()["items"]
    assert [item["id"] for item in landlords] == [vasteras.mimer]
    agreement = vasteras.intermediary.get(f"/v1/agreements/1980/{vasteras.mimer}/{YEAR}")
    assert agreement.status_code == 200, agreement.text
    agreements = vasteras.intermediary.get("/v1/agreements").json()["items"]
    assert {a["landlord"] for a in agreements} == {vasteras.mimer}
    areas = vasteras.intermediary.get("/v1/municipalities/1980/areas")
    assert areas.status_code == 200, areas.text

    posted = vasteras.post_for(vasteras.mimer, "BV-1001")
    assert posted.status_code == 201, posted.text
    vacancy = posted.json()
    assert vacancy["landlord"] == vasteras.mimer
    assert vacancy["changed_by"] == _intermediary_actor(vasteras)
    # Mimer keeps its own access: it sees the vacancy the intermediary posted for it.
    own = vasteras.mimer_client.get("/v1/vacancies/BV-1001")
    assert own.status_code == 200, own.text
    assert own.json()["changed_by"]["role"] == "intermediary"
    listed = vasteras.intermediary.get("/v1/vacancies", params={"landlord": vasteras.mimer})
    assert [v["id"] for v in listed.json()["items"]] == [vacancy["id"]]

    household = _single_person(vasteras)
    proposal = _round_proposal(vasteras, vacancy["id"])

    mine = vasteras.intermediary.get("/v1/proposals").json()["items"]
    assert [p["id"] for p in mine] == [proposal]
    shown = vasteras.intermediary.get(f"/v1/proposals/{proposal}")
    assert shown.status_code == 200, shown.text
    assert set(shown.json()) <= LANDLORD_VIEW_FIELDS
    assert shown.json()["view"] == "landlord"
    assert household not in shown.text

    accepted = vasteras.intermediary.post(
        f"/v1/proposals/{proposal}/accept", headers={"X-Purpose": "Bostad Västerås tar in".encode()}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "landlord_accepted"
    assert set(accepted.json()) <= LANDLORD_VIEW_FIELDS
    assert accepted.json()["landlord_answer_by"] == _intermediary_actor(vasteras)
    # Mimer and the coordinator both see who answered for Mimer.
    seen_by_mimer = vasteras.mimer_client.get(f"/v1/proposals/{proposal}").json()
    assert seen_by_mimer["landlord_answer_by"]["organisation"] == vasteras.bostad
    seen_by_coordinator = vasteras.coordinator.get(f"/v1/proposals/{proposal}").json()
    assert seen_by_coordinator["landlord_answer_by"] == _intermediary_actor(vasteras)
    trail = vasteras.coordinator.get("/v1/audit", params={"household": household}).json()
    answers = [e for e in trail["items"] if e["role"] == "intermediary"]
    assert [(e["action"], e["organisation"], e["on_behalf_of"]) for e in answers] == [
        ("update", vasteras.bostad, vasteras.mimer)
    ]
    assert answers[0]["credential"] == vasteras.intermediary.client_id
    assert answers[0]["purpose"] == "Bostad Västerås tar in"

    contracted = vasteras.social.post(f"/v1/proposals/{proposal}/accept")
    assert contracted.status_code == 200, contracted.text
    assert contracted.json()["status"] == "contracted"

    quota = vasteras.intermediary.get("/v1/quota", params={"municipality": "1980", "year": YEAR})
    assert quota.status_code == 200, quota.text
    rows = quota.json()["rows"]
    assert [(r["landlord"], r["quota"], r["delivered"]) for r in rows] == [(vasteras.mimer, 10, 1)]
    assert quota.json()["settlement"] is None
    one = vasteras.intermediary.get(
        "/v1/quota", params={"municipality": "1980", "year": YEAR, "landlord": vasteras.mimer}
    )
    assert one.json()["rows"] == rows


def test_a_landlord_that_gave_no_mandate_is_404_for_every_operation(vasteras: Vasteras) -> None:
    """Balder never mandated Bostad Västerås: posting, reading and withdrawing its
    vacancies, its proposals and its quota are all 404, and nothing changes."""
    vasteras.mandate(vasteras.mimer)
    balder_vacancy = vasteras.vacancy("BALDER-1", landlord="balder")
    household = vasteras.household()
    balder_proposal = vasteras.propose(household, balder_vacancy, released=True)
    balder = {"landlord": vasteras.balder}

    assert_problem(vasteras.post_for(vasteras.balder, "BV-2001"), 404)
    assert_problem(vasteras.post_for(vasteras.balder, "BALDER-1", rent=1), 404)
    assert_problem(vasteras.intermediary.get("/v1/vacancies", params=balder), 404)
    assert_problem(vasteras.intermediary.get("/v1/vacancies/BALDER-1", params=balder), 404)
    assert_problem(vasteras.intermediary.delete("/v1/vacancies/BALDER-1", params=balder), 404)
    assert_problem(vasteras.intermediary.get("/v1/proposals", params=balder), 404)
    assert_problem(vasteras.intermediary.get(f"/v1/proposals/{balder_proposal}"), 404)
    assert_problem(vasteras.intermediary.post(f"/v1/proposals/{balder_proposal}/accept"), 404)
    decline = vasteras.intermediary.post(
        f"/v1/proposals/{balder_proposal}/decline", json={"reason": "other"}
    )
    assert_problem(decline, 404)
    quota = {"municipality": "1980", "landlord": vasteras.balder}
    assert_problem(vasteras.intermediary.get("/v1/quota", params=quota), 404)
    assert_problem(vasteras.intermediary.get(f"/v1/landlords/{vasteras.balder}"), 404)
    agreement = f"/v1/agreements/1980/{vasteras.balder}/{YEAR}"
    assert_problem(vasteras.intermediary.get(agreement), 404)
    # Unfiltered, Balder's objects are simply not there.
    assert vasteras.intermediary.get("/v1/proposals").json()["items"] == []
    assert vasteras.intermediary.get("/v1/vacancies").json()["items"] == []
    rows = vasteras.intermediary.get("/v1/quota", params={"municipality": "1980"}).json()["rows"]
    assert [r["landlord"] for r in rows] == [vasteras.mimer]
    # Nothing changed for Balder.
    assert vasteras.vacancy_status(balder_vacancy) == "proposed"
    assert vasteras.proposal_status(balder_proposal) == "released"
    assert vasteras.balder_client.get("/v1/vacancies/BV-2001").status_code == 404


def test_after_the_mandate_ended_the_intermediary_reaches_nothing_of_mimer(
    vasteras: Vasteras,
) -> None:
    mandate = vasteras.mandate(vasteras.mimer)
    assert vasteras.post_for(vasteras.mimer, "BV-3001").status_code == 201
    household = vasteras.household()
    vacancy = vasteras.vacancy("LGH-3002")
    proposal = vasteras.propose(household, vacancy, released=True)
    assert vasteras.intermediary.get(f"/v1/proposals/{proposal}").status_code == 200

    ended = vasteras.coordinator.post(f"/v1/mandates/{mandate['id']}/end", json={})
    assert ended.status_code == 200, ended.text
    assert ended.json()["live"] is False
    assert ended.json()["ended_by"] == vasteras.coordinator.client_id
    again = vasteras.coordinator.post(f"/v1/mandates/{mandate['id']}/end")  # no body needed
    assert again.status_code == 200, again.text
    assert again.json()["ended_at"] == ended.json()["ended_at"]  # ending twice changes nothing
    extra = vasteras.coordinator.post(f"/v1/mandates/{mandate['id']}/end", json={"when": "now"})
    assert_problem(extra, 422)

    mimer = {"landlord": vasteras.mimer}
    assert_problem(vasteras.post_for(vasteras.mimer, "BV-3001", rent=1), 404)
    assert_problem(vasteras.intermediary.get("/v1/vacancies/BV-3001", params=mimer), 404)
    assert_problem(vasteras.intermediary.delete("/v1/vacancies/BV-3001", params=mimer), 404)
    assert_problem(vasteras.intermediary.get("/v1/vacancies", params=mimer), 404)
    assert_problem(vasteras.intermediary.get(f"/v1/proposals/{proposal}"), 404)
    assert_problem(vasteras.intermediary.post(f"/v1/proposals/{proposal}/accept"), 404)
    assert_problem(vasteras.intermediary.get("/v1/proposals", params=mimer), 404)
    assert_problem(
        vasteras.intermediary.get("/v1/quota", params={"municipality": "1980", **mimer}), 404
    )
    assert_problem(vasteras.intermediary.get("/v1/quota", params={"municipality": "1980"}), 404)
    assert vasteras.intermediary.get("/v1/proposals").json()["items"] == []
    # Mimer keeps its access, and what the intermediary did stays recorded.
    own = vasteras.mimer_client.get("/v1/vacancies/BV-3001").json()
    assert own["status"] == "open"
    assert own["changed_by"]["organisation"] == vasteras.bostad
    assert vasteras.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    listed = vasteras.intermediary.get("/v1/mandates").json()["items"]
    assert [(m["id"], m["live"]) for m in listed] == [(mandate["id"], False)]


def test_an_expired_future_or_other_municipalitys_mandate_reaches_nothing_here(
    vasteras: Vasteras,
) -> None:
    today = local_today()
    vasteras.mandate(
        vasteras.mimer,
        valid_from=str(today - timedelta(days=400)),
        valid_to=str(today - timedelta(days=1)),
    )
    vasteras.mandate(vasteras.balder, valid_from=str(today + timedelta(days=1)))
    # Mimer's mandate in Jönköping (it needs no agreement there to be given).
    vasteras.mandate(vasteras.mimer, municipality="0680")
    assert_problem(vasteras.post_for(vasteras.mimer, "BV-4001"), 404)
    assert_problem(vasteras.post_for(vasteras.balder, "BV-4002"), 404)
    vasteras.vacancy("LGH-4003")
    assert_problem(
        vasteras.intermediary.get("/v1/vacancies/LGH-4003", params={"landlord": vasteras.mimer}),
        404,
    )
    assert_problem(vasteras.intermediary.get("/v1/quota", params={"municipality": "1980"}), 404)
    assert_problem(vasteras.intermediary.get("/v1/municipalities/1980/areas"), 404)
    live = vasteras.coordinator.get("/v1/mandates", params={"live": "true"}).json()["items"]
    assert live == []
    assert len(vasteras.coordinator.get("/v1/mandates").json()["items"]) == 2


def test_the_landlord_keeps_its_own_access_and_its_own_actions_say_so(vasteras: Vasteras) -> None:
    vasteras.mandate(vasteras.mimer)
    assert vasteras.post_for(vasteras.mimer, "BV-5001").status_code == 201
    reposted = vasteras.mimer_client.put(
        "/v1/vacancies/BV-5001", json=vacancy_body(area="CENTRUM", rent=7000)
    )
    assert reposted.status_code == 200, reposted.text
    assert reposted.json()["changed_by"] == {
        "role": "landlord",
        "credential": vasteras.mimer_client.client_id,
        "organisation": vasteras.mimer,
        "person": None,
    }
    withdrawn = vasteras.intermediary.delete(
        "/v1/vacancies/BV-5001", params={"landlord": vasteras.mimer}
    )
    assert withdrawn.status_code == 204, withdrawn.text
    after = vasteras.mimer_client.get("/v1/vacancies/BV-5001").json()
    assert (after["status"], after["changed_by"]["role"]) == ("withdrawn", "intermediary")
    _, _, proposal = vasteras.pair()
    declined = vasteras.mimer_client.post(
        f"/v1/proposals/{proposal}/decline", json={"reason": "references"}
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["landlord_answer_by"]["role"] == "landlord"
    assert vasteras.intermediary.get(f"/v1/proposals/{proposal}").json()["status"] == (
        "landlord_declined"
    )


def test_who_names_the_landlord_is_checked(vasteras: Vasteras) -> None:
    """Only an intermediary names the landlord it acts for, and it always must."""
    vasteras.mandate(vasteras.mimer)
    missing = vasteras.intermediary.put("/v1/vacancies/BV-6001", json=vacancy_body())
    assert "landlord" in assert_problem(missing, 422)["detail"]
    assert_problem(vasteras.intermediary.get("/v1/vacancies/BV-6001"), 422)
    named = vasteras.mimer_client.put(
        "/v1/vacancies/BV-6001", params={"landlord": vasteras.mimer}, json=vacancy_body()
    )
    assert_problem(named, 422)
    assert_problem(
        vasteras.mimer_client.get("/v1/proposals", params={"landlord": vasteras.mimer}), 422
    )
    assert_problem(vasteras.coordinator.get("/v1/quota", params={"landlord": vasteras.mimer}), 422)
    assert vasteras.mimer_client.get("/v1/vacancies/BV-6001").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_coordinator", 404), ("social", 403), ("mimer_client", 403), ("intermediary", 403)],
)
def test_only_the_municipalitys_coordinator_or_an_admin_records_a_mandate(
    vasteras: Vasteras, who: str, status: int
) -> None:
    client: AuthedClient = getattr(vasteras, who)
    body = {"intermediary": vasteras.bostad, "landlord": vasteras.mimer, "municipality": "1980"}
    assert_problem(client.post("/v1/mandates", json=body), status)
    assert vasteras.coordinator.get("/v1/mandates").json()["items"] == []


def test_a_mandates_rules(vasteras: Vasteras, api: Api) -> None:
    first = vasteras.mandate(vasteras.mimer, valid_from=f"{YEAR}-01-01", valid_to=f"{YEAR}-06-30")
    overlapping = {
        "intermediary": vasteras.bostad,
        "landlord": vasteras.mimer,
        "valid_from": f"{YEAR}-06-01",
    }
    assert_problem(vasteras.coordinator.post("/v1/mandates", json=overlapping), 409)
    after = {**overlapping, "valid_from": f"{YEAR}-07-01"}
    assert vasteras.coordinator.post("/v1/mandates", json=after).status_code == 201
    backwards = {**after, "valid_from": f"{YEAR + 1}-02-01", "valid_to": f"{YEAR + 1}-01-01"}
    assert_problem(vasteras.coordinator.post("/v1/mandates", json=backwards), 422)
    unknown = {**after, "landlord": vasteras.bostad}
    assert_problem(vasteras.coordinator.post("/v1/mandates", json=unknown), 422)
    extra = {**after, "valid_from": f"{YEAR + 2}-01-01", "surprise": True}
    assert_problem(vasteras.coordinator.post("/v1/mandates", json=extra), 422)
    no_municipality = {"intermediary": vasteras.bostad, "landlord": vasteras.balder}
    assert_problem(api.admin.post("/v1/mandates", json=no_municipality), 422)
    by_admin = api.admin.post("/v1/mandates", json={**no_municipality, "municipality": "1980"})
    assert by_admin.status_code == 201, by_admin.text
    # The other municipality neither sees nor ends Västerås' mandates.
    assert vasteras.other_coordinator.get("/v1/mandates").json()["items"] == []
    assert_problem(vasteras.other_coordinator.get(f"/v1/mandates/{first['id']}"), 404)
    assert_problem(vasteras.other_coordinator.post(f"/v1/mandates/{first['id']}/end", json={}), 404)
    assert_problem(vasteras.other_coordinator.get(f"/v1/intermediaries/{vasteras.bostad}"), 404)
    # Each party sees its own: Mimer the mandates it gave, Balder its one, the intermediary all.
    assert len(vasteras.mimer_client.get("/v1/mandates").json()["items"]) == 2
    assert len(vasteras.balder_client.get("/v1/mandates").json()["items"]) == 1
    assert len(vasteras.intermediary.get("/v1/mandates").json()["items"]) == 3
    own = vasteras.intermediary.get(f"/v1/intermediaries/{vasteras.bostad}")
    assert own.json()["name"] == "Bostad Västerås"


def test_an_intermediary_credential_belongs_to_an_intermediary_only(
    vasteras: Vasteras, api: Api
) -> None:
    for body in (
        {"role": "intermediary"},
        {"role": "intermediary", "intermediary": vasteras.bostad, "landlord": vasteras.mimer},
        {"role": "intermediary", "intermediary": vasteras.bostad, "municipality": "1980"},
        {"role": "intermediary", "intermediary": vasteras.mimer},
        {"role": "landlord", "landlord": vasteras.mimer, "intermediary": vasteras.bostad},
    ):
        assert_problem(api.admin.post("/v1/credentials", json=body), 422)
    created = api.admin.post(
        "/v1/credentials", json={"role": "intermediary", "intermediary": vasteras.bostad}
    )
    assert created.status_code == 201, created.text
    assert created.json()["intermediary"] == vasteras.bostad
    assert_problem(
        api.admin.post(
            "/v1/intermediaries",
            json=dict(zip(("name", "org_number"), BOSTAD_VASTERAS, strict=True)),
        ),
        409,
    )
