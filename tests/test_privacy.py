"""Privacy (docs/domain.md §6, docs/privacy.md): every read of a household record is audited
wherever the record shows up, the audit log is append-only in the database, and a
protected-identity household can never be located by a landlord, in logs or in metrics.

Runs on SQLite and PostgreSQL (TEST_DATABASE=postgresql)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import Api
from tests.worlds.jobs import POSTGRES, run_jobs
from tests.worlds.jonkoping import Jonkoping, jonkoping_world
from tests.worlds.once import built_once
from tests.worlds.protected import (
    AVOIDED,
    PREFERRED,
    VALUES,
    assert_hidden,
    audit_events,
    protected_areas,
    protected_household,
)

PROBLEM = "application/problem+json"


def build_world(api: Api) -> Jonkoping:
    return jonkoping_world(api)


built_world, world = built_once(build_world)


def released_round(world: Jonkoping) -> dict[str, Any]:
    """The standard Jönköping round, run, with every proposal released to its landlord."""
    world.standard()
    body = world.run()
    assert body["status"] == "succeeded", body
    for proposal in body["proposals"]:
        response = world.coordinator.post(f"/v1/proposals/{proposal['id']}/release")
        assert response.status_code == 200, response.text
    return body


# --- Audit coverage ---------------------------------------------------------------------


def test_the_municipality_view_of_proposals_audits_each_household_shown_once(
    world: Jonkoping,
) -> None:
    body = released_round(world)
    shown = {p["household"] for p in body["proposals"]}
    before = len(audit_events(world.api, action="read"))
    response = world.coordinator.get("/v1/proposals", headers={"X-Purpose": "weekly review"})
    assert response.status_code == 200
    new = audit_events(world.api, action="read")[before:]
    assert sorted(e.household_id for e in new) == sorted(shown)
    assert {e.purpose for e in new} == {"weekly review"}
    assert {e.role for e in new} == {"coordinator"}
    assert len({e.request_id for e in new}) == 1


def test_reading_one_proposal_audits_its_household_for_social_services_too(
    world: Jonkoping,
) -> None:
    body = released_round(world)
    proposal = body["proposals"][0]
    response = world.social.get(f"/v1/proposals/{proposal['id']}", headers={"X-Purpose": "call"})
    assert response.status_code == 200
    [event] = audit_events(world.api, role="social_services", action="read")
    assert event.household_id == proposal["household"]
    assert event.purpose == "call"


def test_landlord_reads_of_proposals_write_no_household_read_event(world: Jonkoping) -> None:
    """The landlord's minimal view is not the household record (docs/domain.md §6's list); the
    disclosure to the landlord is the coordinator's audited release and read."""
    body = released_round(world)
    before = len(audit_events(world.api))
    for proposal in body["proposals"]:
        landlord = next(
            client
            for client in world.landlords.values()
            if client.get(f"/v1/proposals/{proposal['id']}").status_code == 200
        )
        assert landlord.get("/v1/proposals").status_code == 200
    assert len(audit_events(world.api)) == before


def test_a_rounds_explanation_audits_every_household_it_names(world: Jonkoping) -> None:
    world.standard()
    started = world.start()
    run_jobs(world.api)
    before = len(audit_events(world.api, action="read"))
    body = world.coordinator.get(
        f"/v1/rounds/{started['id']}", headers={"X-Purpose": "round review"}
    ).json()
    named = {p["household"] for p in body["proposals"]} | {
        u["household"] for u in body["unmatched"]
    }
    assert named == set(world.households.values())
    new = audit_events(world.api, action="read")[before:]
    assert sorted(e.household_id for e in new) == sorted(named)
    assert {e.purpose for e in new} == {"round review"}


def test_downloading_a_rounds_problem_audits_every_household_in_it_as_export(
    world: Jonkoping,
) -> None:
    world.standard()
    started = world.start()
    run_jobs(world.api)
    problem = world.coordinator.get(
        f"/v1/rounds/{started['id']}/problem", headers={"X-Purpose": "solver audit"}
    ).json()
    exported = audit_events(world.api, action="export")
    assert sorted(e.household_id for e in exported) == sorted(
        h["id"] for h in problem["households"]
    )
    assert {e.purpose for e in exported} == {"solver audit"}
    # The coordinator's trail of one household shows the export.
    trail = world.coordinator.get(
        "/v1/audit", params={"household": world.households["JKP-LOW"]}
    ).json()["items"]
    assert "export" in [item["action"] for item in trail]


def test_a_problem_not_built_yet_is_404_and_audits_nothing(world: Jonkoping) -> None:
    world.standard()
    with world.api.app.state.sessionmaker.begin() as session:
        from app.rounds.models import Round

        round_ = Round(
            municipality_code=world.CODE, year=2026, policy_version=0, requested_by="test"
        )
        round_.status = "failed"
        session.add(round_)
        session.flush()
        round_id = round_.id
    response = world.coordinator.get(f"/v1/rounds/{round_id}/problem")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert audit_events(world.api, action="export") == []


def test_the_candidates_read_is_audited(world: Jonkoping) -> None:
    world.standard()
    household = world.households["JKP-WORKER"]
    response = world.coordinator.get(
        f"/v1/households/{household}/candidates", headers={"X-Purpose": "between rounds"}
    )
    assert response.status_code == 200
    assert [e.purpose for e in audit_events(world.api, action="read", household_id=household)] == [
        "between rounds"
    ]


# --- Append-only in the database ----------------------------------------------------------


def _one_event(api: Api) -> None:
    api.municipality("1980")
    social = api.client("social_services", municipality="1980")
    response = social.post(
        "/v1/households",
        json={"case_ref": "VAS-1", "adults": 1, "contract_forms": ["municipal_contract"]},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET purpose = 'rewritten'",
        "UPDATE audit_events SET household_id = 'x' WHERE action = 'create'",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)",
    ],
)
def test_the_database_refuses_to_update_or_delete_audit_events(api: Api, statement: str) -> None:
    """The application role cannot rewrite history, even with raw SQL (a trigger on both
    databases; on PostgreSQL also TRUNCATE)."""
    _one_event(api)
    with pytest.raises(DBAPIError, match="append-only"):  # noqa: SIM117
        with api.app.state.engine.begin() as connection:
            connection.execute(text(statement))
    [event] = audit_events(api)
    assert event.purpose is None


@pytest.mark.skipif(not POSTGRES, reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_to_truncate_audit_events(api: Api) -> None:
    _one_event(api)
    with pytest.raises(DBAPIError, match="append-only"):  # noqa: SIM117
        with api.app.state.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_events"))
    assert len(audit_events(api)) == 1


def test_inserting_audit_events_still_works_after_a_refused_delete(api: Api) -> None:
    _one_event(api)
    with pytest.raises(DBAPIError):  # noqa: SIM117
        with api.app.state.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_events"))
    _social = api.client("social_services", municipality="1980")
    response = _social.get("/v1/households")
    assert response.status_code == 200
    assert [e.action for e in audit_events(api)] == ["create", "list"]


# --- Protected identity -------------------------------------------------------------------


def test_a_protected_household_cannot_be_located_by_landlords_logs_or_metrics(
    world: Jonkoping, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole run — round, release, the landlord reads, accepts, lists tenancies and quota
    — shows the landlord nothing of the protected household beyond docs/domain.md §6's list,
    and the JSON logs and metrics carry none of its identifiers."""
    world.vacancy(world.vatterhem, "VH-SAFE", area="CENTRUM", rooms=2, rent=7000)
    protected_areas(world)
    capsys.readouterr()
    household = protected_household(world, with_areas=False)
    body = world.run()
    assert body["status"] == "succeeded", body
    [proposal] = [p for p in body["proposals"] if p["household"] == household]
    assert world.coordinator.post(f"/v1/proposals/{proposal['id']}/release").status_code == 200

    landlord = world.landlords[world.vatterhem]
    bodies = [
        landlord.get("/v1/proposals"),
        landlord.get(f"/v1/proposals/{proposal['id']}"),
        landlord.post(f"/v1/proposals/{proposal['id']}/accept"),
        landlord.get("/v1/tenancies"),
        landlord.get("/v1/quota", params={"municipality": world.CODE, "year": body["year"]}),
        landlord.get(f"/v1/households/{household}"),
        landlord.get(f"/v1/households/{household}/candidates"),
        landlord.get("/v1/audit", params={"household": household}),
        landlord.get(f"/v1/rounds/{body['id']}"),
        landlord.get(f"/v1/rounds/{body['id']}/problem"),
    ]
    for response in bodies:
        assert_hidden(response.text, f"{response.request.url.path}: {response.text}")
        assert household not in response.text
        assert "protected" not in response.text
    assert bodies[1].json()["view"] == "landlord"
    assert bodies[5].status_code == 403
    assert bodies[5].headers["content-type"] == PROBLEM

    metrics = world.api.anonymous.get("/metrics")
    assert_hidden(metrics.text, "/metrics")
    assert_hidden(capsys.readouterr().out, "the logs")


def test_a_refused_request_about_a_protected_household_echoes_none_of_its_data(
    world: Jonkoping, capsys: pytest.CaptureFixture[str]
) -> None:
    """Error bodies and logs of refused requests — social services changing or probing
    the case, a landlord reaching for it, a coordinator's invalid change — name none of
    its values."""
    household = protected_household(world)
    capsys.readouterr()
    landlord = world.landlords[world.vatterhem]
    responses = [
        world.coordinator.patch(
            f"/v1/households/{household}", json={"adults": "x", "case_ref": "850101-1234"}
        ),
        world.social.patch(f"/v1/households/{household}", json={"avoid_areas": [AVOIDED]}),
        world.social.get(f"/v1/households/{household}/candidates"),
        world.social.get("/v1/audit", params={"household": household}),
        world.social.post(f"/v1/households/{household}/erase"),
        landlord.get(f"/v1/households/{household}"),
        landlord.patch(f"/v1/households/{household}", json={"preferred_areas": [PREFERRED]}),
    ]
    assert [r.status_code for r in responses] == [422, 403, 403, 403, 403, 403, 403]
    for response in responses:
        assert response.headers["content-type"] == PROBLEM
        assert_hidden(response.text, response.text, VALUES)
    assert_hidden(capsys.readouterr().out, "the logs", VALUES)


def test_social_services_see_a_protected_households_proposals_restricted(
    world: Jonkoping,
) -> None:
    """Its records are the coordinator's (docs/domain.md §6): social services learn that the
    proposal exists and its state, not the vacancy, landlord or score that would tell where
    the household is going."""
    world.vacancy(world.vatterhem, "VH-SAFE", area="CENTRUM", rooms=2, rent=7000)
    world.standard()
    household = protected_household(world)
    body = world.run()
    [proposal] = [p for p in body["proposals"] if p["household"] == household]
    world.coordinator.post(f"/v1/proposals/{proposal['id']}/release")

    one = world.social.get(f"/v1/proposals/{proposal['id']}").json()
    listed = [
        p for p in world.social.get("/v1/proposals").json()["items"] if p["id"] == proposal["id"]
    ]
    assert listed == [one]
    assert one == {
        "view": "restricted",
        "id": proposal["id"],
        "household": household,
        "status": "released",
        "deadline_at": one["deadline_at"],
        "protected_identity": True,
    }
    full = world.coordinator.get(f"/v1/proposals/{proposal['id']}").json()
    assert full["view"] == "municipality"
    assert full["vacancy"] == proposal["vacancy"]
    # Others' proposals stay in the full view for social services.
    others = [
        p for p in world.social.get("/v1/proposals").json()["items"] if p["household"] != household
    ]
    assert others
    assert {p["view"] for p in others} == {"municipality"}


def test_the_restricted_proposal_view_is_in_the_openapi_document(api: Api) -> None:
    schemas = api.anonymous.get("/openapi.json").json()["components"]["schemas"]
    restricted = schemas["ProposalRestricted"]
    assert set(restricted["properties"]) == {
        "view",
        "id",
        "household",
        "status",
        "deadline_at",
        "protected_identity",
    }


def test_the_protected_households_audit_events_hold_no_values(world: Jonkoping) -> None:
    household = protected_household(world)
    world.coordinator.get(f"/v1/households/{household}", headers={"X-Purpose": "check"})
    trail = world.coordinator.get("/v1/audit", params={"household": household}).json()
    assert_hidden(json.dumps(trail), "the audit trail")
    assert [item["action"] for item in trail["items"]] == ["create", "read"]
