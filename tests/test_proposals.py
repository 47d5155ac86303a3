"""The proposal workflow through HTTP: release, answers in turn, declines, expiry,
withdrawal, the landlord's minimal view, pins and forbidden pairs (docs/proposals.md).

Proposals are inserted through the ORM here, the way a round creates them (`proposed`,
vacancy `proposed`), so these tests do not depend on the solver.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.events.models import Event
from app.flows import match_round
from app.jobs.worker import announce_due
from app.proposals import service
from app.proposals.models import Proposal
from app.proposals.schemas import ProposalLandlordView, ProposalRead
from app.tenancies.models import Tenancy
from app.vacancies.models import Vacancy
from tests.conftest import Api
from tests.minimal_view import LANDLORD_VIEW_FIELDS
from tests.unchanged import rows_but_audit
from tests.worlds.once import built_once
from tests.worlds.vasteras import (
    DECLINE_HOUSEHOLD,
    DECLINE_LANDLORD,
    MOVE_IN,
    YEAR,
    World,
    assert_problem,
)


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


# --- Visibility -------------------------------------------------------------------------


def test_a_proposed_match_stays_with_the_coordinator_until_released(world: World) -> None:
    _, _, proposal = world.pair(released=False)
    assert world.mimer_client.get("/v1/proposals").json()["items"] == []
    assert_problem(world.mimer_client.get(f"/v1/proposals/{proposal}"), 404)
    assert world.coordinator.get(f"/v1/proposals/{proposal}").json()["status"] == "proposed"


def test_release_makes_it_visible_to_its_landlord_with_a_deadline(world: World) -> None:
    _, vacancy, proposal = world.pair(released=False)
    released = world.coordinator.post(f"/v1/proposals/{proposal}/release")
    assert released.status_code == 200, released.text
    body = released.json()
    assert body["status"] == "released"
    deadline = datetime.fromisoformat(body["deadline_at"])
    # The agreement gives each side 48 hours to answer (`answer_hours`).
    assert timedelta(hours=47) < deadline - datetime.now(UTC) <= timedelta(hours=48)
    listed = world.mimer_client.get("/v1/proposals").json()["items"]
    assert [p["id"] for p in listed] == [proposal]
    assert listed[0]["view"] == "landlord"
    assert listed[0]["vacancy"] == vacancy
    assert listed[0]["external_ref"].startswith("LGH-")


def test_landlord_of_another_vacancy_gets_404(world: World) -> None:
    _, _, proposal = world.pair(landlord="mimer")
    for path in ("", "/accept"):
        call = world.balder_client.get if path == "" else world.balder_client.post
        assert_problem(call(f"/v1/proposals/{proposal}{path}"), 404)
    declined = world.balder_client.post(f"/v1/proposals/{proposal}/decline", json=DECLINE_LANDLORD)
    assert_problem(declined, 404)
    assert world.balder_client.get("/v1/proposals").json()["items"] == []
    assert world.proposal_status(proposal) == "released"


def test_another_municipality_cannot_see_or_answer_a_proposal(world: World) -> None:
    _, _, proposal = world.pair()
    assert_problem(world.other_coordinator.get(f"/v1/proposals/{proposal}"), 404)
    assert_problem(world.other_coordinator.post(f"/v1/proposals/{proposal}/withdraw"), 404)
    assert_problem(world.other_social.post(f"/v1/proposals/{proposal}/accept"), 404)
    assert world.other_social.get("/v1/proposals").json()["items"] == []


def test_roles_without_the_right_get_403(world: World, api: Api) -> None:
    _, _, proposal = world.pair(released=False)
    assert_problem(world.mimer_client.post(f"/v1/proposals/{proposal}/release"), 403)
    assert_problem(world.social.post(f"/v1/proposals/{proposal}/release"), 403)
    assert_problem(world.social.post(f"/v1/proposals/{proposal}/withdraw"), 403)
    assert_problem(api.admin.get("/v1/proposals"), 403)
    assert_problem(world.mimer_client.get("/v1/pins"), 403)
    assert_problem(api.anonymous.get("/v1/proposals"), 401)


def test_list_filters_by_status_and_round_and_pages(world: World) -> None:
    first = world.pair()[2]
    second = world.pair(released=False)[2]
    statuses = world.coordinator.get("/v1/proposals", params={"status": "proposed"}).json()
    assert [p["id"] for p in statuses["items"]] == [second]
    page = world.coordinator.get("/v1/proposals", params={"limit": 1}).json()
    assert len(page["items"]) == 1
    assert page["next_cursor"]
    rest = world.coordinator.get(
        "/v1/proposals", params={"limit": 1, "cursor": page["next_cursor"]}
    ).json()
    assert {page["items"][0]["id"], rest["items"][0]["id"]} == {first, second}
    no_round = world.coordinator.get(
        "/v1/proposals", params={"round": "00000000-0000-4000-8000-000000000000"}
    )
    assert no_round.json()["items"] == []
    assert_problem(world.coordinator.get("/v1/proposals", params={"status": "happy"}), 422)
    assert_problem(world.coordinator.get("/v1/proposals", params={"round": "x"}), 422)


# --- The whole yes ----------------------------------------------------------------------


def test_landlord_then_household_accept_creates_tenancy_lets_vacancy_and_counts_quota(
    world: World,
) -> None:
    household, vacancy, proposal = world.pair()
    before = world.coordinator.get("/v1/quota", params={"municipality": "1980", "year": YEAR})
    mimer_before = next(r for r in before.json()["rows"] if r["landlord"] == world.mimer)
    assert mimer_before["delivered"] == 0

    landlord = world.mimer_client.post(f"/v1/proposals/{proposal}/accept")
    assert landlord.status_code == 200, landlord.text
    assert landlord.json()["status"] == "landlord_accepted"
    assert landlord.json()["view"] == "landlord"

    household_side = world.social.post(f"/v1/proposals/{proposal}/accept")
    assert household_side.status_code == 200, household_side.text
    body = household_side.json()
    assert body["status"] == "contracted"
    assert body["tenancy"] is not None
    assert world.vacancy_status(vacancy) == "let"
    assert world.household_row(household) == ("closed", "housed")
    audit = world.coordinator.get("/v1/audit", params={"household": household}).json()
    closes = [e for e in audit["items"] if e["action"] == "close"]
    assert len(closes) == 1
    assert closes[0]["purpose"] == f"housed through proposal {proposal}"

    tenancies = world.coordinator.get("/v1/tenancies").json()["items"]
    assert [t["id"] for t in tenancies] == [body["tenancy"]]
    assert tenancies[0]["household"] == household
    after = world.coordinator.get("/v1/quota", params={"municipality": "1980", "year": YEAR})
    mimer_after = next(r for r in after.json()["rows"] if r["landlord"] == world.mimer)
    assert mimer_after["delivered"] == 1
    assert mimer_after["remaining"] == mimer_before["remaining"] - 1
    assert after.json()["totals"]["public"]["delivered"] == 1
    assert after.json()["totals"]["private"]["delivered"] == 0
    # The landlord sees the move-in date and the outcome, still without the household.
    seen = world.mimer_client.get(f"/v1/proposals/{proposal}").json()
    assert seen["status"] == "contracted"
    assert seen["move_in_date"] == MOVE_IN
    assert "household" not in seen


def test_the_coordinator_may_answer_for_the_household(world: World) -> None:
    _, _, proposal = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    accepted = world.coordinator.post(f"/v1/proposals/{proposal}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "contracted"


def test_landlord_accept_gives_the_household_side_its_own_response_window(world: World) -> None:
    _, _, proposal = world.pair()
    world.set_deadline(proposal, datetime.now(UTC) + timedelta(minutes=5))
    accepted = world.mimer_client.post(f"/v1/proposals/{proposal}/accept").json()
    remaining = datetime.fromisoformat(accepted["deadline_at"]) - datetime.now(UTC)
    assert remaining > timedelta(hours=47)


def test_proposal_deadlines_follow_answer_hours_not_the_response_promise(world: World) -> None:
    """An agreement's `answer_hours` sets each side's time to answer a proposal;
    `response_hours` is the municipality's promise on a landlord's report (Karlstad:
    'Socialtjänsten garanterar dessutom hyresvärden uttryckning inom 48 timmar'), and
    moves no proposal deadline."""
    agreement = world.coordinator.get(f"/v1/agreements/1980/{world.mimer}/{YEAR}").json()
    assert agreement["answer_hours"] == 48
    changed = world.coordinator.put(
        f"/v1/agreements/1980/{world.mimer}/{YEAR}",
        json={
            "quota": 10,
            "exception_quota": 2,
            "contract_forms": ["municipal_contract"],
            "trial_period_months": 18,
            "answer_hours": 24,
            "response_hours": 48,
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["answer_hours"] == 24
    _, _, proposal = world.pair(released=False)
    released = world.coordinator.post(f"/v1/proposals/{proposal}/release").json()

    def hours(view: dict[str, Any], since: str) -> float:
        delta = datetime.fromisoformat(view["deadline_at"]) - datetime.fromisoformat(since)
        return delta.total_seconds() / 3600

    assert round(hours(released, released["released_at"])) == 24
    before = datetime.now(UTC).isoformat()
    accepted = world.mimer_client.post(f"/v1/proposals/{proposal}/accept").json()
    assert round(hours(accepted, before)) == 24


# --- Declines ---------------------------------------------------------------------------


def test_landlord_decline_forbids_the_pair_and_opens_the_vacancy_again(world: World) -> None:
    household, vacancy, proposal = world.pair()
    declined = world.mimer_client.post(f"/v1/proposals/{proposal}/decline", json=DECLINE_LANDLORD)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "landlord_declined"
    assert declined.json()["decline"] == DECLINE_LANDLORD
    assert world.forbidden(household, vacancy) == "declined_by_landlord"
    assert world.vacancy_status(vacancy) == "open"
    assert world.household_row(household) == ("open", None)
    full = world.coordinator.get(f"/v1/proposals/{proposal}").json()
    assert full["decline_reason"] == "unit_unavailable"
    # Both are free: a new proposal for each of them is possible (the index allows it).
    other_vacancy = world.vacancy("LGH-NEW")
    world.propose(household, other_vacancy)


def test_household_decline_forbids_the_pair_and_opens_the_vacancy_again(world: World) -> None:
    household, vacancy, proposal = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    declined = world.social.post(f"/v1/proposals/{proposal}/decline", json=DECLINE_HOUSEHOLD)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "household_declined"
    assert world.forbidden(household, vacancy) == "declined_by_household"
    assert world.vacancy_status(vacancy) == "open"
    # The landlord learns the outcome but not the household's reason.
    seen = world.mimer_client.get(f"/v1/proposals/{proposal}").json()
    assert seen["status"] == "household_declined"
    assert seen["decline"] is None


def test_a_decline_code_of_the_other_side_is_422_and_changes_nothing(world: World) -> None:
    _, vacancy, proposal = world.pair()
    wrong = world.mimer_client.post(
        f"/v1/proposals/{proposal}/decline", json={"reason": "location"}
    )
    assert_problem(wrong, 422)
    assert world.proposal_status(proposal) == "released"
    assert world.vacancy_status(vacancy) == "proposed"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "nope"},
        {"reason": "other", "comment": "x" * 2001},
        {"reason": "other", "comment": "a\x00b"},
        {"reason": "other", "extra": 1},
        {"reason": 5},
    ],
)
def test_a_malformed_decline_is_422(world: World, body: dict[str, Any]) -> None:
    _, _, proposal = world.pair()
    assert_problem(world.mimer_client.post(f"/v1/proposals/{proposal}/decline", json=body), 422)
    assert world.proposal_status(proposal) == "released"


# --- Turns ------------------------------------------------------------------------------


def test_answering_twice_is_409(world: World) -> None:
    _, _, proposal = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    again = assert_problem(world.mimer_client.post(f"/v1/proposals/{proposal}/accept"), 409)
    assert "landlord_accepted" in again["detail"]
    decline = world.mimer_client.post(f"/v1/proposals/{proposal}/decline", json=DECLINE_LANDLORD)
    assert_problem(decline, 409)
    assert world.social.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    twice = assert_problem(world.social.post(f"/v1/proposals/{proposal}/accept"), 409)
    assert "contracted" in twice["detail"]
    assert_problem(world.coordinator.post(f"/v1/proposals/{proposal}/release"), 409)
    assert_problem(world.coordinator.post(f"/v1/proposals/{proposal}/withdraw"), 409)


def test_the_household_side_answering_before_the_landlord_is_409(world: World) -> None:
    _, vacancy, proposal = world.pair()
    early = assert_problem(world.social.post(f"/v1/proposals/{proposal}/accept"), 409)
    assert early["status"] == 409
    assert "released" in early["detail"]
    decline = world.social.post(f"/v1/proposals/{proposal}/decline", json=DECLINE_HOUSEHOLD)
    assert_problem(decline, 409)
    unreleased = world.pair(released=False)[2]
    assert_problem(world.social.post(f"/v1/proposals/{unreleased}/accept"), 409)
    assert world.proposal_status(proposal) == "released"
    assert world.vacancy_status(vacancy) == "proposed"


def test_release_of_a_withdrawn_vacancy_is_409(world: World) -> None:
    _, vacancy, proposal = world.pair(released=False)
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(Vacancy).where(Vacancy.id == vacancy).values(status="withdrawn"))
    refused = assert_problem(world.coordinator.post(f"/v1/proposals/{proposal}/release"), 409)
    assert "withdrawn" in refused["detail"]
    assert world.proposal_status(proposal) == "proposed"


def test_withdrawing_a_proposed_vacancy_withdraws_its_proposal_and_frees_the_household(
    world: World,
) -> None:
    """The landlord keeps control of its vacancy: taking it off the market ends the live
    proposal (the household is free for the next round, the pair is not forbidden)."""
    household, vacancy, proposal = world.pair()
    ref = world.mimer_client.get("/v1/proposals").json()["items"][0]["external_ref"]
    assert world.mimer_client.delete(f"/v1/vacancies/{ref}").status_code == 204
    assert world.proposal_status(proposal) == "withdrawn"
    assert world.vacancy_status(vacancy) == "withdrawn"
    assert world.forbidden(household, vacancy) is None
    refused = assert_problem(world.mimer_client.post(f"/v1/proposals/{proposal}/accept"), 409)
    assert "withdrawn" in refused["detail"]


# --- Expiry and withdrawal --------------------------------------------------------------


def expiry_events(world: World, proposal: str) -> int:
    with world.api.app.state.sessionmaker() as session:
        return len(
            session.scalars(
                select(Event.id).where(
                    Event.type == "proposal.expired", Event.subject_id == proposal
                )
            ).all()
        )


def test_an_overdue_proposal_reads_as_expired_and_its_reads_write_nothing(world: World) -> None:
    """Every read shows the status the sweep will write; none writes it (nothing but the
    audit trail changes), so a read's answer never depends on who read first."""
    household, vacancy, proposal = world.pair()
    _, _, on_time = world.pair()
    world.set_deadline(proposal, datetime.now(UTC) - timedelta(minutes=1))
    engine = world.api.app.state.engine
    before = rows_but_audit(engine)
    for client in (world.mimer_client, world.coordinator, world.social):
        assert client.get(f"/v1/proposals/{proposal}").json()["status"] == "expired"
        listed = {p["id"]: p["status"] for p in client.get("/v1/proposals").json()["items"]}
        assert listed == {proposal: "expired", on_time: "released"}
        expired = client.get("/v1/proposals", params={"status": "expired"}).json()["items"]
        assert [p["id"] for p in expired] == [proposal]
        released = client.get("/v1/proposals", params={"status": "released"}).json()["items"]
        assert [p["id"] for p in released] == [on_time]
    landlords = world.mimer_client.get(f"/v1/proposals/{proposal}").json()
    assert landlords["move_in_date"] is None  # as for any proposal no longer live
    assert rows_but_audit(engine) == before
    assert world.proposal_status(proposal) == "released"
    assert expiry_events(world, proposal) == 0

    # The workers' sweep writes the expiry and its event, once however often it runs.
    announce_due(world.api.app.state.sessionmaker)
    announce_due(world.api.app.state.sessionmaker)
    assert world.proposal_status(proposal) == "expired"
    assert world.forbidden(household, vacancy) == "expired"
    assert world.vacancy_status(vacancy) == "open"
    assert expiry_events(world, proposal) == 3  # coordinators, social services, landlord
    after = world.coordinator.get(f"/v1/proposals/{proposal}").json()
    assert after["status"] == "expired"


def test_a_late_answer_is_409_and_the_proposal_is_expired(world: World) -> None:
    household, vacancy, proposal = world.pair()
    world.set_deadline(proposal, datetime.now(UTC) - timedelta(seconds=1))
    late = assert_problem(world.mimer_client.post(f"/v1/proposals/{proposal}/accept"), 409)
    assert "expired" in late["detail"]
    listed = world.coordinator.get("/v1/proposals").json()["items"]
    assert [p["status"] for p in listed] == ["expired"]
    assert world.forbidden(household, vacancy) == "expired"


def test_the_expiry_found_by_a_late_answer_is_written_in_that_request(world: World) -> None:
    _, vacancy, proposal = world.pair()
    world.set_deadline(proposal, datetime.now(UTC) - timedelta(seconds=1))
    assert_problem(world.mimer_client.post(f"/v1/proposals/{proposal}/accept"), 409)
    assert world.proposal_status(proposal) == "expired"
    assert world.vacancy_status(vacancy) == "open"


def test_expire_overdue_sweeps_released_and_landlord_accepted_only(world: World) -> None:
    _, released_vacancy, released = world.pair()
    _, accepted_vacancy, accepted = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{accepted}/accept").status_code == 200
    _, _, proposed = world.pair(released=False)
    _, _, on_time = world.pair()
    past = datetime.now(UTC) - timedelta(hours=1)
    for proposal in (released, accepted, proposed):
        world.set_deadline(proposal, past)
    with world.api.app.state.sessionmaker.begin() as session:
        assert service.expire_overdue(session, datetime.now(UTC)) == 2
    assert world.proposal_status(released) == "expired"
    assert world.proposal_status(accepted) == "expired"
    assert world.proposal_status(proposed) == "proposed"
    assert world.proposal_status(on_time) == "released"
    assert world.vacancy_status(released_vacancy) == "open"
    assert world.vacancy_status(accepted_vacancy) == "open"
    with world.api.app.state.sessionmaker.begin() as session:
        assert service.expire_overdue(session, datetime.now(UTC)) == 0


def test_withdrawing_an_overdue_proposal_is_409_because_it_expired(world: World) -> None:
    household, vacancy, proposal = world.pair()
    world.set_deadline(proposal, datetime.now(UTC) - timedelta(seconds=1))
    refused = assert_problem(world.coordinator.post(f"/v1/proposals/{proposal}/withdraw"), 409)
    assert "expired" in refused["detail"]
    assert world.coordinator.get(f"/v1/proposals/{proposal}").json()["status"] == "expired"
    assert world.forbidden(household, vacancy) == "expired"


def test_withdraw_frees_both_sides_without_forbidding_the_pair(world: World) -> None:
    household, vacancy, proposal = world.pair()
    withdrawn = world.coordinator.post(f"/v1/proposals/{proposal}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert world.vacancy_status(vacancy) == "open"
    assert world.forbidden(household, vacancy) is None
    assert world.household_row(household) == ("open", None)
    # The very same pair may be proposed again.
    world.propose(household, vacancy)


# --- The landlord's minimal view --------------------------------------------------------


def _properties(schema: dict[str, Any]) -> set[str]:
    """Every property name anywhere in a JSON schema, nested definitions included."""
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(node.get("properties", {}).keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def test_landlord_view_schema_has_no_household_field_beyond_the_minimal_list() -> None:
    """docs/domain.md §6: household size, rooms, contract form, guarantee and support plan
    exist, move-in date; never target groups, income, areas, case reference, score."""
    properties = _properties(ProposalLandlordView.model_json_schema())
    assert properties <= LANDLORD_VIEW_FIELDS, properties - LANDLORD_VIEW_FIELDS
    forbidden = {
        "household",
        "case_ref",
        "target_groups",
        "income",
        "avoid_areas",
        "preferred_areas",
        "score",
        "exception",
        "protected_identity",
        "round",
        "decline_reason",
    }
    assert not properties & forbidden
    # The full view is the municipality's, and does carry them.
    assert {"household", "score", "exception"} <= _properties(ProposalRead.model_json_schema())


def test_the_openapi_landlord_view_is_the_minimal_schema(api: Api) -> None:
    schema = api.anonymous.get("/openapi.json").json()["components"]["schemas"]
    landlord = schema["ProposalLandlordView"]
    assert set(landlord["properties"]) <= LANDLORD_VIEW_FIELDS


def test_every_landlord_response_carries_only_the_minimal_fields(world: World) -> None:
    household, _, proposal = world.pair()
    responses = [
        world.mimer_client.get(f"/v1/proposals/{proposal}").json(),
        world.mimer_client.get("/v1/proposals").json()["items"][0],
        world.mimer_client.post(f"/v1/proposals/{proposal}/accept").json(),
    ]
    for body in responses:
        assert set(body) <= LANDLORD_VIEW_FIELDS
        assert household not in str(body)
        assert body["household_size"] == 3
        assert body["municipal_guarantee"] is True
        assert body["support_plan"] is False
        assert body["rooms"] == 2


def test_the_municipality_view_names_case_vacancy_landlord_and_area(world: World) -> None:
    """Issue 11: a coordinator tells one case from another without extra calls; the
    landlord's view of the same proposal gains nothing but its own reference."""
    household, vacancy, proposal = world.pair()
    case_ref = f"VAS-{world._cases:04d}"
    expected = {
        "household": household,
        "case_ref": case_ref,
        "vacancy": vacancy,
        "external_ref": f"LGH-{world._cases:04d}",
        "landlord": world.mimer,
        "landlord_name": "Mimer",
        "area": "BACKBY",
        "area_name": "Bäckby",
    }
    for client in (world.coordinator, world.social):
        one = client.get(f"/v1/proposals/{proposal}").json()
        [listed] = client.get("/v1/proposals").json()["items"]
        for view in (one, listed):
            assert {key: view[key] for key in expected} == expected
    landlords = world.mimer_client.get(f"/v1/proposals/{proposal}").json()
    assert landlords["external_ref"] == expected["external_ref"]
    assert set(landlords) <= LANDLORD_VIEW_FIELDS
    assert case_ref not in str(landlords)
    assert "Bäckby" not in str(landlords)


# --- The partial unique index -------------------------------------------------------------


def test_the_database_refuses_a_second_live_proposal_for_a_vacancy(world: World) -> None:
    _, vacancy, _ = world.pair(released=False)
    other = world.household()
    with pytest.raises(IntegrityError):
        world.propose(other, vacancy)
    with world.api.app.state.sessionmaker() as session:
        count = session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.vacancy_id == vacancy)
        )
    assert count == 1


def test_the_database_refuses_a_second_live_proposal_for_a_household(world: World) -> None:
    household, _, _ = world.pair()
    with pytest.raises(IntegrityError):
        world.propose(household, world.vacancy("LGH-9999"))


def test_the_database_refuses_a_second_active_tenancy_of_a_vacancy(world: World) -> None:
    _, vacancy, proposal = world.pair()
    world.mimer_client.post(f"/v1/proposals/{proposal}/accept")
    world.social.post(f"/v1/proposals/{proposal}/accept")
    _, _, other = world.pair()
    with pytest.raises(IntegrityError), world.api.app.state.sessionmaker.begin() as session:
        session.add(
            Tenancy(
                proposal_id=other,
                municipality_code="1980",
                landlord_id=world.mimer,
                vacancy_id=vacancy,
                contract_form="municipal_contract",
                agreement_year=YEAR,
                start_date=datetime.now(UTC).date(),
            )
        )


# --- Pins and forbidden pairs -------------------------------------------------------------


def test_coordinator_pins_a_pair_once_and_removes_the_pin(world: World) -> None:
    household = world.household()
    vacancy = world.vacancy("LGH-PIN", rooms=3)  # a pin must be eligible: three people
    created = world.coordinator.post("/v1/pins", json={"household": household, "vacancy": vacancy})
    assert created.status_code == 201, created.text
    pin = created.json()
    assert created.headers["Location"] == f"/v1/pins/{pin['id']}"
    assert (pin["household"], pin["vacancy"]) == (household, vacancy)
    # Named the way the proposal view names the two sides, not as bare ids (issue 11).
    case_ref = world.coordinator.get(f"/v1/households/{household}").json()["case_ref"]
    named = {key: pin[key] for key in ("case_ref", "external_ref", "landlord_name", "area_name")}
    assert named == {
        "case_ref": case_ref,
        "external_ref": "LGH-PIN",
        "landlord_name": "Mimer",
        "area_name": "Bäckby",
    }
    assert world.coordinator.get("/v1/pins").json()["items"][0]["case_ref"] == case_ref
    again = world.coordinator.post("/v1/pins", json={"household": household, "vacancy": vacancy})
    assert_problem(again, 409)
    assert [p["id"] for p in world.coordinator.get("/v1/pins").json()["items"]] == [pin["id"]]
    assert_problem(world.other_coordinator.delete(f"/v1/pins/{pin['id']}"), 404)
    assert world.coordinator.delete(f"/v1/pins/{pin['id']}").status_code == 204
    assert_problem(world.coordinator.delete(f"/v1/pins/{pin['id']}"), 404)
    assert world.coordinator.get("/v1/pins").json()["items"] == []


def test_objects_of_another_municipality_cannot_be_pinned_or_forbidden(world: World) -> None:
    household = world.household()
    vacancy = world.vacancy("LGH-X")
    for path in ("/v1/pins", "/v1/forbidden-pairs"):
        refused = world.other_coordinator.post(
            path, json={"household": household, "vacancy": vacancy}
        )
        assert_problem(refused, 422)
        unknown = world.coordinator.post(
            path, json={"household": household, "vacancy": "00000000-0000-4000-8000-000000000000"}
        )
        assert_problem(unknown, 422)
        assert_problem(world.coordinator.post(path, json={"household": household}), 422)


def test_coordinator_forbids_a_pair_which_then_cannot_be_pinned(world: World) -> None:
    household = world.household()
    vacancy = world.vacancy("LGH-F")
    body = {"household": household, "vacancy": vacancy}
    created = world.coordinator.post("/v1/forbidden-pairs", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["reason"] == "coordinator"
    assert_problem(world.coordinator.post("/v1/forbidden-pairs", json=body), 409)
    assert_problem(world.coordinator.post("/v1/pins", json=body), 409)
    listed = world.coordinator.get("/v1/forbidden-pairs", params={"household": household})
    assert [p["id"] for p in listed.json()["items"]] == [created.json()["id"]]
    [shown] = listed.json()["items"]
    assert (shown["external_ref"], shown["landlord_name"]) == ("LGH-F", "Mimer")
    assert (
        shown["case_ref"] == world.coordinator.get(f"/v1/households/{household}").json()["case_ref"]
    )
    assert world.other_coordinator.get("/v1/forbidden-pairs").json()["items"] == []


def test_declines_and_expiries_appear_among_the_forbidden_pairs(world: World) -> None:
    _, _, declined = world.pair()
    world.mimer_client.post(f"/v1/proposals/{declined}/decline", json=DECLINE_LANDLORD)
    _, _, expired = world.pair()
    world.set_deadline(expired, datetime.now(UTC) - timedelta(seconds=1))
    announce_due(world.api.app.state.sessionmaker)
    reasons = {p["reason"] for p in world.coordinator.get("/v1/forbidden-pairs").json()["items"]}
    assert reasons == {"declined_by_landlord", "expired"}


# --- The whole story through HTTP, with real rounds ----------------------------------------


def run_round(world: World) -> dict[str, Any]:
    """Start a round and let it finish: on SQLite the request's background task ran it;
    elsewhere this runs the very function a queue worker runs, in this process."""

    started = world.coordinator.post("/v1/rounds", json={})
    assert started.status_code == 202, started.text
    match_round.execute_round(world.api.app.state.sessionmaker, started.json()["id"])
    location = started.headers["Location"]
    body: dict[str, Any] = {}
    for _ in range(100):
        body = world.coordinator.get(location).json()
        if body["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert body["status"] == "succeeded", body
    return body


def test_story_round_release_decline_rerun_accept_tenancy_and_quota(world: World) -> None:
    """A declined pair never comes back (docs/domain.md §3); the next round offers the other
    landlord's flat, both sides accept, and the tenancy counts toward that landlord's quota."""
    household = world.household(max_rent=9000)
    flats = {
        world.vacancy("LGH-M1", landlord="mimer", rooms=3, rent=7000): "mimer",
        world.vacancy("LGH-B1", landlord="balder", rooms=3, rent=7200): "balder",
    }

    def proposal_of(round_body: dict[str, Any]) -> dict[str, Any]:
        listed = world.coordinator.get("/v1/proposals", params={"round": round_body["id"]})
        items: list[dict[str, Any]] = listed.json()["items"]
        assert [p["household"] for p in items] == [household]
        return items[0]

    first = proposal_of(run_round(world))
    declined_flat = first["vacancy"]
    declining = world.landlord_of(flats[declined_flat])
    assert world.coordinator.post(f"/v1/proposals/{first['id']}/release").status_code == 200
    decline = declining.post(f"/v1/proposals/{first['id']}/decline", json={"reason": "references"})
    assert decline.status_code == 200, decline.text
    assert world.vacancy_status(declined_flat) == "open"

    second = proposal_of(run_round(world))
    assert second["vacancy"] != declined_flat
    accepting = world.landlord_of(flats[second["vacancy"]])
    assert world.coordinator.post(f"/v1/proposals/{second['id']}/release").status_code == 200
    assert accepting.post(f"/v1/proposals/{second['id']}/accept").status_code == 200
    contracted = world.social.post(f"/v1/proposals/{second['id']}/accept")
    assert contracted.status_code == 200, contracted.text
    assert contracted.json()["status"] == "contracted"

    tenancies = world.coordinator.get("/v1/tenancies").json()["items"]
    assert [(t["household"], t["vacancy"]) for t in tenancies] == [(household, second["vacancy"])]
    report = world.coordinator.get("/v1/quota", params={"municipality": "1980", "year": YEAR})
    delivered = {row["name"]: row["delivered"] for row in report.json()["rows"]}
    winner = "Mimer" if flats[second["vacancy"]] == "mimer" else "Balder"
    assert delivered[winner] == 1
    assert sum(delivered.values()) == 1

    third = run_round(world)
    assert third["proposals"] == []
