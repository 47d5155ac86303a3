"""The housing staircase as tenancy events (docs/domain.md §3, §5; issue 6 item 3): a step after
the trial period, a landlord's remark restarting it, the transfer to an own lease, the end.

Time passes in these tests by moving a tenancy's dates back (tests/timetravel.py), never
by waiting: the rules compare the event's day with the trial period's end.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update

from app.core.db import local_today
from app.core.months import add_months
from app.tenancies import staircase
from app.tenancies.models import Tenancy
from app.vocabulary import ContractForm, EndReason, EventKind, Rung
from tests.conftest import Api
from tests.timetravel import time_passes
from tests.worlds.once import built_once
from tests.worlds.vasteras import (
    YEAR,
    World,
    assert_problem,
    contract,
    quota,
    row_of,
    tenancy_of,
    vacancy_body,
)


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def as_form(world: World, tenancy_id: str, form: str) -> None:
    """The tenancy as if the round had proposed it in `form` (the proposal's form is copied
    at contracting; test_tenancies shows that part)."""
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(Tenancy).where(Tenancy.id == tenancy_id).values(contract_form=form))


def staircase_agreement(world: World, *, forms: list[str], trial: int | None = 12) -> None:
    """Mimer's agreement as Västerås': both rungs, a year's trial period."""
    response = world.coordinator.put(
        f"/v1/agreements/1980/{world.mimer}/{YEAR}",
        json={
            "quota": 10,
            "exception_quota": 2,
            "contract_forms": forms,
            "trial_period_months": trial,
            "response_hours": 48,
            "transfer_needs_landlord_consent": False,
        },
    )
    assert response.status_code == 200, response.text


def step(world: World, tenancy: str, to: str, **extra: Any) -> Any:
    return world.coordinator.post(f"/v1/tenancies/{tenancy}/step", json={"to": to, **extra})


def training_apartment(world: World) -> str:
    """A contracted training apartment at Mimer with a year's trial period (Västerås)."""
    staircase_agreement(world, forms=["training_apartment", "support_agreement"])
    made = contract(world, available_from=None)
    tenancy = str(tenancy_of(world, made)["id"])
    as_form(world, tenancy, "training_apartment")
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(
            update(Tenancy)
            .where(Tenancy.id == tenancy)
            .values(trial_period_end=add_months(local_today(), 12))
        )
    return tenancy


# --------------------------------------------------------------------------- the rules


def test_each_form_has_its_rung_and_the_top_has_none() -> None:
    """docs/domain.md §5: training apartment → support agreement → own lease (Västerås); the
    municipal contract is transferred (Göteborg, Karlstad, Södertälje, Norrköping), and so is
    Norrköping's short contract (issue 24: used "för att slippa de kommunala kontrakten")."""
    assert staircase.next_rung("training_apartment") is Rung.support_agreement
    assert staircase.next_rung("support_agreement") is Rung.own_lease
    assert staircase.next_rung("municipal_contract") is Rung.own_lease
    assert staircase.next_rung("first_hand_with_guarantee") is Rung.own_lease
    assert staircase.next_rung("housing_first") is None
    assert staircase.next_rung("short_term") is Rung.own_lease
    assert staircase.next_rung("no_such_form") is None
    assert set(staircase.STAIRCASE) <= set(ContractForm)


def test_the_current_form_began_at_the_last_step() -> None:
    start = date(2026, 1, 10)
    events = [
        staircase.Happened(EventKind.remark, date(2026, 5, 1)),
        staircase.Happened(EventKind.step, date(2027, 2, 1)),
        staircase.Happened(EventKind.remark, date(2027, 3, 1)),
    ]
    assert staircase.form_since(start, []) == start
    assert staircase.form_since(start, events[:1]) == start
    assert staircase.form_since(start, events) == date(2027, 2, 1)


def test_a_step_waits_for_the_end_of_the_trial_period() -> None:
    end = date(2027, 6, 1)
    assert staircase.step_refusal(trial_period_end=end, effective_on=date(2027, 5, 31))
    assert staircase.step_refusal(trial_period_end=end, effective_on=end) is None
    assert staircase.step_refusal(trial_period_end=None, effective_on=date(2020, 1, 1)) is None


def test_a_remark_restarts_the_trial_but_never_shortens_it() -> None:
    end = date(2027, 6, 1)
    later = date(2028, 3, 1)
    assert (
        staircase.restarted_trial_end(
            trial_period_end=end, remark_on=date(2027, 3, 1), restarted=later
        )
        == later
    )
    assert (
        staircase.restarted_trial_end(
            trial_period_end=end, remark_on=date(2026, 1, 1), restarted=date(2027, 1, 1)
        )
        == end
    )
    assert (
        staircase.restarted_trial_end(
            trial_period_end=None, remark_on=date(2027, 3, 1), restarted=later
        )
        is None
    )
    assert (
        staircase.restarted_trial_end(
            trial_period_end=end, remark_on=date(2027, 3, 1), restarted=None
        )
        == end
    )


def test_events_are_recorded_as_they_happen_never_ahead() -> None:
    today, since = date(2027, 6, 1), date(2026, 6, 1)
    assert staircase.date_refusal(effective_on=today, since=since, today=today) is None
    assert staircase.date_refusal(effective_on=since, since=since, today=today) is None
    assert "future" in str(
        staircase.date_refusal(effective_on=date(2027, 6, 2), since=since, today=today)
    )
    assert "before" in str(
        staircase.date_refusal(effective_on=date(2026, 5, 31), since=since, today=today)
    )


def test_an_end_may_come_before_a_move_in_that_lies_ahead() -> None:
    """Contracted today, moving in next month: the household may back out before; a remark
    or a step cannot come before the move-in, and after a step nothing goes back past it."""
    contracted, start = date(2026, 11, 21), date(2026, 12, 15)
    step = [staircase.Happened(EventKind.step, date(2027, 12, 15))]
    for kind in (EventKind.step, EventKind.remark):
        assert staircase.earliest_day(kind, start=start, contracted=contracted, events=[]) == start
    assert staircase.earliest_day(EventKind.end, start=start, contracted=contracted, events=[]) == (
        contracted
    )
    assert staircase.earliest_day(
        EventKind.end, start=start, contracted=contracted, events=step
    ) == date(2027, 12, 15)


def test_each_side_ends_a_tenancy_with_its_own_reasons() -> None:
    assert staircase.end_refusal(role="landlord", reason=EndReason.terminated_by_landlord) is None
    assert staircase.end_refusal(role="landlord", reason=EndReason.terminated_by_municipality)
    assert staircase.end_refusal(role="coordinator", reason=EndReason.terminated_by_landlord)
    assert staircase.end_refusal(role="coordinator", reason=EndReason.moved_out) is None
    assert staircase.end_refusal(role="social_services", reason=EndReason.moved_out)


# --------------------------------------------------------------------------- through HTTP


def test_vasteras_training_apartment_to_support_agreement_to_own_lease(world: World) -> None:
    """Västerås: "Efter ett år kan träningslägenheten övergå i ett boendestödsavtal … Efter
    ytterligare ett år omprövas denna lösning. Om det inte har varit några problem upphör
    kommunens ansvar." Each rung after its year; the apartment counts once toward quota."""
    tenancy = training_apartment(world)
    before = world.coordinator.get(f"/v1/tenancies/{tenancy}").json()
    assert before["next_step"] == "support_agreement"
    assert before["form_since"] == before["start_date"]

    time_passes(world.api, tenancy, 12)
    stepped = step(world, tenancy, "support_agreement")
    assert stepped.status_code == 200, stepped.text
    body = stepped.json()
    assert body["contract_form"] == "support_agreement"
    assert body["status"] == "active"
    assert body["form_since"] == local_today().isoformat()
    assert body["trial_period_end"] == add_months(local_today(), 12).isoformat()
    assert body["next_step"] == "own_lease"
    assert [(e["kind"], e["from_form"], e["to"]) for e in body["events"]] == [
        ("step", "training_apartment", "support_agreement")
    ]
    assert body["events"][0]["role"] == "coordinator"

    assert_problem(step(world, tenancy, "own_lease"), 409)  # the second year has not passed
    time_passes(world.api, tenancy, 12)
    top = step(world, tenancy, "own_lease")
    assert top.status_code == 200, top.text
    assert top.json()["status"] == "transferred"
    assert top.json()["ended_on"] == local_today().isoformat()
    assert top.json()["next_step"] is None
    assert top.json()["contract_form"] == "support_agreement"
    assert row_of(quota(world), world.mimer)["delivered"] == 1


def test_goteborg_municipal_contract_is_transferred_after_18_months(world: World) -> None:
    """Göteborg: "Efter en prövningsperiod (vanligen 18 månader) övergår lägenhetskontraktet
    till hyresgästen." Not a day earlier; `to` must name the next rung."""
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)
    assert tenancy["trial_period_end"] == add_months(local_today(), 18).isoformat()
    early = assert_problem(step(world, tenancy["id"], "own_lease"), 409)
    assert early["trial_period_end"] == tenancy["trial_period_end"]
    assert "trial period runs until" in early["detail"]
    time_passes(world.api, tenancy["id"], 17)
    assert_problem(step(world, tenancy["id"], "own_lease"), 409)
    time_passes(world.api, tenancy["id"], 1)
    wrong = assert_problem(step(world, tenancy["id"], "support_agreement"), 409)
    assert wrong["next_step"] == "own_lease"
    transferred = step(world, tenancy["id"], "own_lease")
    assert transferred.status_code == 200, transferred.text
    assert transferred.json()["status"] == "transferred"
    listed = world.coordinator.get("/v1/tenancies", params={"status": "transferred"}).json()
    assert [t["id"] for t in listed["items"]] == [tenancy["id"]]


def test_a_refused_step_changes_nothing(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)
    assert_problem(step(world, tenancy["id"], "own_lease"), 409)
    after = world.coordinator.get(f"/v1/tenancies/{tenancy['id']}").json()
    assert after == tenancy


def test_a_landlord_remark_restarts_the_trial_period(world: World) -> None:
    """Göteborg: the landlord cannot refuse the transfer "om det inte varit några problem
    under prövotiden" — a remark is how it says there were; the next step then waits a
    whole trial period after it (Västerås: a year without disturbances or late payment)."""
    tenancy = training_apartment(world)
    time_passes(world.api, tenancy, 11)
    remarked = world.mimer_client.post(
        f"/v1/tenancies/{tenancy}/remarks", json={"reason": "late_payment"}
    )
    assert remarked.status_code == 201, remarked.text
    assert remarked.json()["view"] == "landlord"
    assert remarked.json()["trial_period_end"] == add_months(local_today(), 12).isoformat()
    assert [(e["kind"], e["reason"], e["role"]) for e in remarked.json()["events"]] == [
        ("remark", "late_payment", "landlord")
    ]
    time_passes(world.api, tenancy, 1)  # the original year is over, the restarted one is not
    assert_problem(step(world, tenancy, "support_agreement"), 409)
    time_passes(world.api, tenancy, 11)
    assert step(world, tenancy, "support_agreement").status_code == 200


def test_the_next_form_must_be_in_the_agreement(world: World) -> None:
    """A step to a support agreement at a landlord whose agreement offers none is refused."""
    tenancy = training_apartment(world)
    staircase_agreement(world, forms=["training_apartment"])
    time_passes(world.api, tenancy, 12)
    refused = assert_problem(step(world, tenancy, "support_agreement"), 409)
    assert "does not offer support_agreement" in refused["detail"]


def test_without_a_trial_period_the_step_is_possible_at_once(world: World) -> None:
    staircase_agreement(world, forms=["municipal_contract"], trial=None)
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)
    assert tenancy["trial_period_end"] is None
    assert step(world, tenancy["id"], "own_lease").status_code == 200


def test_the_top_of_the_staircase_has_no_step(world: World) -> None:
    """Housing First (Karlstad, Helsingborg 3:10) is a permanent own lease from the start."""
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    as_form(world, tenancy, "housing_first")
    time_passes(world.api, tenancy, 24)
    view = world.coordinator.get(f"/v1/tenancies/{tenancy}").json()
    assert view["next_step"] is None
    refused = assert_problem(step(world, tenancy, "own_lease"), 409)
    assert "no next step" in refused["detail"]


def test_event_days_are_never_ahead_nor_before_the_current_form(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    time_passes(world.api, tenancy, 19)
    tomorrow = add_months(local_today(), 1).isoformat()
    assert_problem(step(world, tenancy, "own_lease", effective_on=tomorrow), 422)
    before_start = add_months(local_today(), -20).isoformat()
    assert_problem(step(world, tenancy, "own_lease", effective_on=before_start), 422)
    assert_problem(step(world, tenancy, "own_lease", effective_on="2027-02-30"), 422)
    backdated = add_months(local_today(), -1).isoformat()  # the day the trial period ran out
    done = step(world, tenancy, "own_lease", effective_on=backdated)
    assert done.status_code == 200, done.text
    assert done.json()["events"][0]["effective_on"] == backdated


def test_a_finished_tenancy_takes_no_more_events(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    ended = world.mimer_client.post(f"/v1/tenancies/{tenancy}/end", json={"reason": "moved_out"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    assert ended.json()["ended_on"] == local_today().isoformat()
    time_passes(world.api, tenancy, 18)
    for response in (
        step(world, tenancy, "own_lease"),
        world.mimer_client.post(f"/v1/tenancies/{tenancy}/remarks", json={"reason": "damage"}),
        world.coordinator.post(f"/v1/tenancies/{tenancy}/end", json={"reason": "other"}),
    ):
        assert assert_problem(response, 409)["tenancy_status"] == "ended"
    assert row_of(quota(world), world.mimer)["delivered"] == 1


def test_a_household_backs_out_before_moving_in(world: World) -> None:
    made = contract(world, available_from=add_months(local_today(), 1).isoformat())
    tenancy = tenancy_of(world, made)["id"]
    path = f"/v1/tenancies/{tenancy}"
    assert_problem(world.mimer_client.post(f"{path}/remarks", json={"reason": "other"}), 422)
    ended = world.coordinator.post(f"{path}/end", json={"reason": "moved_out"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_on"] == local_today().isoformat()


def test_each_side_ends_with_its_own_reason(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    path = f"/v1/tenancies/{tenancy}/end"
    assert_problem(
        world.mimer_client.post(path, json={"reason": "terminated_by_municipality"}), 422
    )
    assert_problem(world.coordinator.post(path, json={"reason": "terminated_by_landlord"}), 422)
    assert_problem(world.coordinator.post(path, json={"reason": "evicted"}), 422)
    assert_problem(world.coordinator.post(path, json={"reason": "other", "note": "x"}), 422)
    done = world.coordinator.post(path, json={"reason": "terminated_by_municipality"})
    assert done.status_code == 200, done.text
    assert done.json()["events"][-1]["reason"] == "terminated_by_municipality"


def test_tenancy_events_are_scoped_to_the_caller(world: World) -> None:
    """Another municipality's coordinator and another landlord get 404; only the
    coordinator steps; social services do not act on tenancies."""
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    time_passes(world.api, tenancy, 18)
    path = f"/v1/tenancies/{tenancy}"
    assert_problem(world.other_coordinator.get(path), 404)
    assert_problem(world.balder_client.get(path), 404)
    assert_problem(world.balder_client.post(f"{path}/remarks", json={"reason": "other"}), 404)
    assert_problem(world.balder_client.post(f"{path}/end", json={"reason": "moved_out"}), 404)
    assert_problem(world.other_coordinator.post(f"{path}/step", json={"to": "own_lease"}), 404)
    assert_problem(world.mimer_client.post(f"{path}/step", json={"to": "own_lease"}), 403)
    assert_problem(world.social.post(f"{path}/step", json={"to": "own_lease"}), 403)
    assert_problem(world.social.get(path), 403)
    assert_problem(world.api.anonymous.get(path), 401)
    assert_problem(world.coordinator.get("/v1/tenancies/not-a-uuid"), 422)
    assert world.coordinator.get(path).json()["status"] == "active"


def test_the_landlord_sees_the_history_without_the_household(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    world.mimer_client.post(f"/v1/tenancies/{tenancy}/remarks", json={"reason": "damage"})
    own = world.mimer_client.get(f"/v1/tenancies/{tenancy}").json()
    assert own["view"] == "landlord"
    assert own["events"][0]["reason"] == "damage"
    assert "household" not in own
    assert made["household"] not in str(own)


def test_a_step_and_a_remark_are_audited_for_the_household(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    world.mimer_client.post(f"/v1/tenancies/{tenancy}/remarks", json={"reason": "damage"})
    time_passes(world.api, tenancy, 18)
    step(world, tenancy, "own_lease")
    trail = world.coordinator.get("/v1/audit", params={"household": made["household"]}).json()
    updates = [(e["role"], e["purpose"]) for e in trail["items"] if e["action"] == "update"]
    # The landlord's accept that made the tenancy is recorded too: who answered on the
    # landlord's side (itself or its intermediary) is part of the trail (docs/privacy.md).
    assert updates == [
        ("landlord", f"landlord accept proposal {made['proposal']}"),
        ("landlord", f"tenancy remark {tenancy}"),
        ("coordinator", f"tenancy step {tenancy}"),
    ]


def test_a_remark_retried_with_the_same_key_is_recorded_once(world: World) -> None:
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    headers = {"Idempotency-Key": "remark-0001"}
    path = f"/v1/tenancies/{tenancy}/remarks"
    first = world.mimer_client.post(path, json={"reason": "damage"}, headers=headers)
    again = world.mimer_client.post(path, json={"reason": "damage"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    events = world.mimer_client.get(f"/v1/tenancies/{tenancy}").json()["events"]
    assert len(events) == 1


def test_the_landlord_offers_the_apartment_again_once_the_tenancy_is_over(world: World) -> None:
    """While the tenancy is active the let vacancy cannot change; after the end the same
    reference reposted is open again (and a second tenancy of it is possible)."""
    made = contract(world, available_from=None)
    tenancy = tenancy_of(world, made)["id"]
    body = vacancy_body(available_from=None, rent=6100)
    assert_problem(world.mimer_client.put(f"/v1/vacancies/{made['ref']}", json=body), 409)
    world.mimer_client.post(f"/v1/tenancies/{tenancy}/end", json={"reason": "moved_out"})
    reposted = world.mimer_client.put(f"/v1/vacancies/{made['ref']}", json=body)
    assert reposted.status_code == 200, reposted.text
    assert reposted.json()["status"] == "open"
    assert reposted.json()["id"] == made["vacancy"]
    household = world.household()
    proposal = world.propose(household, made["vacancy"])
    assert world.coordinator.post(f"/v1/proposals/{proposal}/release").status_code == 200
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    assert world.social.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    statuses = sorted(t["status"] for t in world.coordinator.get("/v1/tenancies").json()["items"])
    assert statuses == ["active", "ended"]


def test_the_worklist_lists_the_tenancies_whose_step_is_due(world: World) -> None:
    """Göteborg transfers 250–300 contracts a year: the coordinator asks which can go now —
    active, with a next rung, the trial period over; not those still in trial, at the top
    of the staircase, or finished."""
    due, in_trial, at_top, finished = (
        tenancy_of(world, contract(world, available_from=None))["id"] for _ in range(4)
    )
    for tenancy in (due, at_top, finished):
        time_passes(world.api, tenancy, 18)
    as_form(world, at_top, "housing_first")
    world.coordinator.post(f"/v1/tenancies/{finished}/end", json={"reason": "moved_out"})
    worklist = world.coordinator.get("/v1/tenancies", params={"step_due": "true"})
    assert worklist.status_code == 200, worklist.text
    assert [t["id"] for t in worklist.json()["items"]] == [due]
    everything = world.coordinator.get("/v1/tenancies").json()["items"]
    assert {t["id"] for t in everything} == {due, in_trial, at_top, finished}
    assert [
        t["id"]
        for t in world.mimer_client.get("/v1/tenancies", params={"step_due": "true"}).json()[
            "items"
        ]
    ] == [due]
    assert_problem(world.coordinator.get("/v1/tenancies", params={"step_due": "maybe"}), 422)
