"""A landlord's reports on a tenancy and the municipality's response promise (issue 13,
correction 3). Karlstad: "Socialtjänsten garanterar dessutom hyresvärden uttryckning inom
48 timmar plus åtgärd om det skulle uppstå problem" — the agreement's `response_hours` is
that promise: a landlord's remark or incident gets a response deadline, the coordinator
records the response, and the overdue ones are a worklist (`response_overdue=true`).

Time passes by moving the deadlines back, never by waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from app.agreements.models import Agreement
from app.tenancies.models import Tenancy, TenancyEvent
from tests.worlds.once import built_once
from tests.worlds.vasteras import World, assert_problem, contract, tenancy_of

OVERDUE = {"response_overdue": "true"}


built_world, world = built_once(World)


def a_tenancy(world: World) -> str:
    """A contracted municipal contract at Mimer, whose agreement promises 48 hours."""
    return str(tenancy_of(world, contract(world, available_from=None))["id"])


def reports(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in view["events"] if e["report_id"] is not None]


def hours_between(later: str, earlier: str) -> float:
    delta = datetime.fromisoformat(later) - datetime.fromisoformat(earlier)
    return delta.total_seconds() / 3600


def deadlines_pass(world: World, tenancy: str, hours: int = 49) -> None:
    with world.api.app.state.sessionmaker.begin() as session:
        row = session.get(Tenancy, tenancy)
        assert row is not None
        assert row.response_due_at is not None
        row.response_due_at -= timedelta(hours=hours)
        for event in session.scalars(
            select(TenancyEvent).where(TenancyEvent.tenancy_id == tenancy)
        ):
            if event.response_due_at is not None:
                event.response_due_at -= timedelta(hours=hours)


def overdue_ids(client: Any) -> set[str]:
    response = client.get("/v1/tenancies", params=OVERDUE)
    assert response.status_code == 200, response.text
    return {t["id"] for t in response.json()["items"]}


def test_a_landlords_incident_is_due_for_a_response_within_response_hours(world: World) -> None:
    """Karlstad's 48 hours: the incident is recorded with a deadline 48 hours away; the
    tenancy carries its earliest open deadline; the trial period is left alone."""
    tenancy = a_tenancy(world)
    before = world.coordinator.get(f"/v1/tenancies/{tenancy}").json()
    reported = world.mimer_client.post(
        f"/v1/tenancies/{tenancy}/incidents", json={"reason": "safety"}
    )
    assert reported.status_code == 201, reported.text
    view = reported.json()
    assert view["view"] == "landlord"
    [incident] = reports(view)
    assert incident["kind"] == "incident"
    assert incident["reason"] == "safety"
    assert round(hours_between(incident["response_due_at"], incident["recorded_at"])) == 48
    assert incident["answered_at"] is None
    assert view["response_due_at"] == incident["response_due_at"]
    assert view["trial_period_end"] == before["trial_period_end"]


def test_a_landlords_remark_is_a_report_too_but_not_the_coordinators(world: World) -> None:
    tenancy = a_tenancy(world)
    world.coordinator.post(f"/v1/tenancies/{tenancy}/remarks", json={"reason": "other"})
    mine = world.coordinator.get(f"/v1/tenancies/{tenancy}").json()
    assert reports(mine) == []
    assert mine["response_due_at"] is None
    remarked = world.mimer_client.post(
        f"/v1/tenancies/{tenancy}/remarks", json={"reason": "late_payment"}
    ).json()
    [remark] = reports(remarked)
    assert remark["kind"] == "remark"
    assert round(hours_between(remark["response_due_at"], remark["recorded_at"])) == 48


def test_overdue_reports_are_the_worklist_until_the_coordinator_responds(world: World) -> None:
    """Once the deadline passed the tenancy is on `response_overdue=true` (for the
    coordinator and its landlord); a response to each open report takes it off, and the
    earliest open deadline follows the reports still open."""
    tenancy, quiet = a_tenancy(world), a_tenancy(world)
    first = reports(
        world.mimer_client.post(
            f"/v1/tenancies/{tenancy}/incidents", json={"reason": "disturbance"}
        ).json()
    )[0]
    assert overdue_ids(world.coordinator) == set()
    deadlines_pass(world, tenancy)
    second = reports(
        world.mimer_client.post(
            f"/v1/tenancies/{tenancy}/incidents", json={"reason": "damage"}
        ).json()
    )[1]
    assert overdue_ids(world.coordinator) == {tenancy}
    assert overdue_ids(world.mimer_client) == {tenancy}
    assert quiet not in overdue_ids(world.coordinator)
    path = f"/v1/tenancies/{tenancy}/reports/{first['report_id']}/response"
    answered = world.coordinator.post(path, json={"action": "visited"})
    assert answered.status_code == 201, answered.text
    # The second report is still open, within its 48 hours: off the worklist, still due.
    assert answered.json()["response_due_at"] == second["response_due_at"]
    [response] = [e for e in answered.json()["events"] if e["kind"] == "response"]
    assert response["answers"] == first["report_id"]
    assert response["reason"] == "visited"
    assert overdue_ids(world.coordinator) == set()
    assert_problem(world.coordinator.post(path, json={"action": "visited"}), 409)
    last = world.coordinator.post(
        f"/v1/tenancies/{tenancy}/reports/{second['report_id']}/response",
        json={"action": "measure_taken"},
    )
    assert last.status_code == 201, last.text
    assert last.json()["response_due_at"] is None
    seen = world.mimer_client.get(f"/v1/tenancies/{tenancy}").json()
    assert all(r["answered_at"] is not None for r in reports(seen))


def test_without_a_promise_a_report_has_no_deadline(world: World) -> None:
    """An agreement without `response_hours` promises nothing: the report is recorded and
    can be answered, but is never overdue."""
    tenancy = a_tenancy(world)
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(Agreement).values(response_hours=None))
    view = world.mimer_client.post(
        f"/v1/tenancies/{tenancy}/incidents", json={"reason": "other"}
    ).json()
    [incident] = reports(view)
    assert incident["response_due_at"] is None
    assert view["response_due_at"] is None
    assert overdue_ids(world.coordinator) == set()


def test_only_the_tenancys_landlord_reports_and_only_its_coordinator_responds(
    world: World,
) -> None:
    """BOLA: another landlord's incident on Mimer's tenancy and another municipality's
    coordinator's response → 404; a coordinator cannot report an incident, a landlord
    cannot respond (403); a report id of another tenancy → 404; codes only (422)."""
    tenancy, other = a_tenancy(world), a_tenancy(world)
    incident = reports(
        world.mimer_client.post(
            f"/v1/tenancies/{tenancy}/incidents", json={"reason": "other"}
        ).json()
    )[0]
    path = f"/v1/tenancies/{tenancy}/reports/{incident['report_id']}/response"
    assert_problem(
        world.balder_client.post(f"/v1/tenancies/{tenancy}/incidents", json={"reason": "other"}),
        404,
    )
    world.api.municipality("0680")
    stranger = world.api.client("coordinator", municipality="0680")
    assert_problem(stranger.post(path, json={"action": "visited"}), 404)
    assert_problem(
        stranger.post(f"/v1/tenancies/{tenancy}/incidents", json={"reason": "other"}), 403
    )
    assert_problem(world.mimer_client.post(path, json={"action": "visited"}), 403)
    elsewhere = f"/v1/tenancies/{other}/reports/{incident['report_id']}/response"
    assert_problem(world.coordinator.post(elsewhere, json={"action": "visited"}), 404)
    assert_problem(
        world.mimer_client.post(
            f"/v1/tenancies/{tenancy}/incidents",
            json={"reason": "other", "note": "the tenant drinks"},
        ),
        422,
    )
    assert (
        reports(world.coordinator.get(f"/v1/tenancies/{tenancy}").json())[0]["answered_at"] is None
    )
