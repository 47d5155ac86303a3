"""Finding a case by the reference people use for it, and a typo that is refused instead of
read as "no filter".

Västerås's social services and the landlords' systems speak of a case by its case number
and of a flat by the landlord's own reference (the Västerås world, tests/worlds/vasteras.py);
a coordinator looking up one case must read that one case, not every case of the
municipality, and the audit trail must say so (docs/privacy.md: "every read of a case is
audited")."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.vacancies.models import Vacancy
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, assert_problem, vacancy_body

built_world, world = built_once(World)


def _audit_rows(world: World) -> int:
    with world.api.app.state.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_case_ref_finds_the_one_household_and_audits_only_it(world: World) -> None:
    first, second, third = world.household(), world.household(), world.household()
    before = _audit_rows(world)
    found = world.coordinator.get("/v1/households", params={"case_ref": "VAS-0002"})
    assert found.status_code == 200, found.text
    assert [h["id"] for h in found.json()["items"]] == [second]
    assert _audit_rows(world) == before + 1
    assert world.social.get("/v1/households", params={"case_ref": "VAS-9999"}).json()["items"] == []
    prefixed = world.coordinator.get("/v1/households", params={"q": "VAS-000"}).json()
    assert {h["id"] for h in prefixed["items"]} == {first, second, third}
    # Another municipality's coordinator does not find Västerås's case by its reference.
    assert (
        world.other_coordinator.get("/v1/households", params={"case_ref": "VAS-0002"}).json()[
            "items"
        ]
        == []
    )


def test_an_unknown_query_parameter_is_a_422_naming_it_and_writes_no_audit(
    world: World,
) -> None:
    world.household()
    world.household()
    before = _audit_rows(world)
    typo = world.coordinator.get("/v1/households", params={"stauts": "closed"})
    body = assert_problem(typo, 422)
    assert "stauts" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["stauts"]
    assert _audit_rows(world) == before
    # Every operation, not only the lists: a read, a write, a public one.
    assert world.mimer_client.get("/v1/vacancies", params={"extrenal_ref": "x"}).status_code == 422
    put = world.mimer_client.put("/v1/vacancies/LGH-1", params={"dry": "1"}, json=vacancy_body())
    assert assert_problem(put, 422)["errors"][0]["field"] == "dry"
    assert world.mimer_client.get("/v1/vacancies/LGH-1").status_code == 404  # nothing made
    assert world.api.anonymous.get("/healthz?verbose=1").status_code == 422
    # Declared parameters, also those of a shared dependency (paging), still pass.
    assert world.coordinator.get("/v1/households", params={"limit": 1}).status_code == 200


def test_proposals_are_found_by_case_ref_and_by_the_flats_reference(world: World) -> None:
    *_, proposal = world.pair()
    world.pair()
    by_case = world.coordinator.get("/v1/proposals", params={"case_ref": "VAS-0001"}).json()
    assert [p["id"] for p in by_case["items"]] == [proposal]
    by_flat = world.social.get("/v1/proposals", params={"external_ref": "LGH-0001"}).json()
    assert [p["id"] for p in by_flat["items"]] == [proposal]
    own = world.mimer_client.get("/v1/proposals", params={"external_ref": "LGH-0001"}).json()
    assert [p["id"] for p in own["items"]] == [proposal]
    # The landlord never sees a case reference, so it cannot probe for one either.
    probe = world.mimer_client.get("/v1/proposals", params={"case_ref": "VAS-0001"})
    assert assert_problem(probe, 422)["errors"][0]["field"] == "case_ref"


def test_vacancies_are_found_by_external_ref_and_prefix(world: World) -> None:
    wanted = world.vacancy("LGH-1001")
    world.vacancy("LGH-1002")
    world.vacancy("BAL-1", landlord="balder")
    exact = world.mimer_client.get("/v1/vacancies", params={"external_ref": "LGH-1001"})
    assert [v["id"] for v in exact.json()["items"]] == [wanted]
    prefix = world.coordinator.get("/v1/vacancies", params={"q": "LGH-"}).json()
    assert len(prefix["items"]) == 2
    # Balder's reference is not Mimer's to find.
    assert (
        world.mimer_client.get("/v1/vacancies", params={"external_ref": "BAL-1"}).json()["items"]
        == []
    )


def test_an_identical_reput_of_a_let_vacancy_answers_it_and_a_change_is_still_409(
    world: World,
) -> None:
    """A landlord's system resending its whole stock (Helsingborg's "one way in": the
    landlord reports every vacancy through it) must not see errors for its let flats."""
    vacancy = world.vacancy("LGH-1001")
    with world.api.app.state.sessionmaker.begin() as session:
        row = session.get(Vacancy, vacancy)
        assert row is not None
        row.status = "let"
    again = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy_body())
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "let"
    assert again.json()["id"] == vacancy
    changed = world.mimer_client.put("/v1/vacancies/LGH-1001", json=vacancy_body(rent=7500))
    assert_problem(changed, 409)
