"""Round jobs: a failing solver or a stale snapshot leaves the round `failed` and nothing
else changed; a killed worker's round is failed, a restart's queued round is run; one
round per municipality even when requests race; pins and forbidden pairs reach the solver.
The standard Jönköping is built once for the module (tests/worlds/once.py); the tests whose
writes other threads read are in tests/test_round_jobs_committed.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

import matching
from app.core.db import utcnow
from app.core.queue import ensure_queue_schema
from app.events.models import Event
from app.flows import match_round
from app.jobs.worker import start_in_process_worker, stop_in_process_worker
from app.proposals.models import ForbiddenPair, Pin, Proposal
from app.rounds import outcome
from app.rounds.models import Round
from app.vacancies.models import Vacancy
from tests.unchanged import rows_but_audit
from tests.worlds.jobs import POSTGRES, run_jobs
from tests.worlds.jonkoping import Jonkoping, standard_jonkoping
from tests.worlds.once import built_once

PROBLEM = "application/problem+json"


built_world, world = built_once(standard_jonkoping)


def statuses(world: Jonkoping) -> dict[str, str]:
    with world.api.app.state.sessionmaker() as session:
        rows = session.execute(select(Vacancy.id, Vacancy.status)).all()
    return {str(row[0]): str(row[1]) for row in rows}


def test_a_failing_solver_fails_the_round_and_changes_nothing(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> matching.Solution:
        raise RuntimeError("solver crashed on household JKP-FAMILY")

    monkeypatch.setattr(matching, "solve", broken)
    before = statuses(world)
    body = world.run()
    assert body["status"] == "failed"
    assert body["error"].startswith("internal error (RuntimeError)")
    assert "JKP" not in body["error"]  # no personal data (nor case refs) in the reason
    assert body["proposals"] == []
    assert body["finished_at"] is not None
    assert world.proposal_count() == 0
    assert statuses(world) == before
    assert set(before.values()) == {"open"}
    # The snapshot was built and can be downloaded to reproduce the failure offline.
    assert world.coordinator.get(f"/v1/rounds/{body['id']}/problem").status_code == 200
    # The municipality is free for the next round.
    monkeypatch.undo()
    assert world.run()["status"] == "succeeded"


def test_a_change_since_the_snapshot_fails_the_round_whole(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The landlord withdraws VH-1 while the solver runs: BA-1's proposal is not written
    either (one transaction), and the round says why."""
    solve = matching.solve

    def solve_then_withdraw(*args: Any, **kwargs: Any) -> matching.Solution:
        solution = solve(*args, **kwargs)
        with world.api.app.state.sessionmaker.begin() as session:
            session.execute(
                update(Vacancy)
                .where(Vacancy.id == world.vacancies["VH-1"])
                .values(status="withdrawn")
            )
        return solution

    monkeypatch.setattr(matching, "solve", solve_then_withdraw)
    body = world.run()
    assert body["status"] == "failed"
    assert body["error"].startswith("conflict:")
    assert body["proposals"] == []
    assert world.proposal_count() == 0
    assert statuses(world)[world.vacancies["BA-1"]] == "open"


def test_a_live_proposal_made_meanwhile_is_refused_by_the_database(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partial unique index on live proposals per household refuses the round's
    insert; the round fails and its vacancies stay open."""
    solve = matching.solve

    def solve_then_propose(*args: Any, **kwargs: Any) -> matching.Solution:
        solution = solve(*args, **kwargs)
        with world.api.app.state.sessionmaker.begin() as session:
            session.add(
                Proposal(
                    municipality_code=world.CODE,
                    landlord_id=world.vatterhem,
                    vacancy_id=world.vacancies["VH-2"],
                    household_id=world.households["JKP-WORKER"],
                    contract_form="municipal_contract",
                    status="released",
                )
            )
        return solution

    monkeypatch.setattr(matching, "solve", solve_then_propose)
    body = world.run()
    assert body["status"] == "failed"
    assert body["error"].startswith("conflict:")
    assert world.proposal_count() == 1
    assert statuses(world)[world.vacancies["VH-1"]] == "open"
    assert statuses(world)[world.vacancies["BA-1"]] == "open"


def test_a_round_whose_worker_died_is_failed_and_frees_the_municipality(
    world: Jonkoping,
) -> None:
    """A worker killed mid-round leaves it `running`: once it is far past its time limit it
    is `failed` as interrupted, nothing was written, and a new round can start."""
    round_id = world.queued_round(
        status="running", started_at=utcnow() - timedelta(hours=1), time_limit_s=30
    )
    body = world.coordinator.get(f"/v1/rounds/{round_id}").json()
    assert body["status"] == "failed"
    assert body["error"].startswith("interrupted")
    assert body["proposals"] == []
    assert set(statuses(world).values()) == {"open"}
    assert world.run()["status"] == "succeeded"


def test_a_running_round_within_its_time_limit_still_blocks_a_second(world: Jonkoping) -> None:
    world.queued_round(status="running", started_at=utcnow(), time_limit_s=30)
    response = world.coordinator.post("/v1/rounds", json={})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM


def test_the_sweep_runs_a_queued_round_left_by_a_restart(world: Jonkoping) -> None:
    round_id = world.queued_round()
    factory = world.api.app.state.sessionmaker
    assert match_round.sweep(factory) == 0  # younger than LOST_AFTER: its own job may still come
    assert match_round.sweep(factory, lost_after=timedelta(0)) == 1
    body = world.coordinator.get(f"/v1/rounds/{round_id}").json()
    assert body["status"] == "succeeded"
    assert len(body["proposals"]) == 2
    # Claimed once: running it again does nothing.
    assert match_round.execute_round(factory, round_id) is None
    assert world.proposal_count() == 2


@pytest.mark.skipif(POSTGRES, reason="one process runs every round only on SQLite")
def test_a_round_left_running_by_a_killed_process_runs_again_once_at_restart(
    world: Jonkoping,
) -> None:
    """The API process that ran the round was killed (SQLite: it is the only one): at its
    restart the round is re-queued and run — the round wrote nothing, a re-run is safe. A
    round that was interrupted a second time fails, saying so."""
    factory = world.api.app.state.sessionmaker
    first = world.queued_round(status="running", started_at=utcnow())
    assert match_round.recover_interrupted_rounds(factory) == 1
    assert world.coordinator.get(f"/v1/rounds/{first}").json()["status"] == "queued"
    assert match_round.sweep(factory, lost_after=timedelta(0)) == 1
    body = world.coordinator.get(f"/v1/rounds/{first}").json()
    assert body["status"] == "succeeded"
    assert body["error"] is None

    again = world.queued_round(status="running", started_at=utcnow(), error=match_round.REQUEUED)
    assert match_round.recover_interrupted_rounds(factory) == 1
    body = world.coordinator.get(f"/v1/rounds/{again}").json()
    assert body["status"] == "failed"
    assert body["error"] == match_round.INTERRUPTED_TWICE
    assert world.coordinator.post("/v1/rounds", json={}).status_code == 202


def test_a_run_taken_for_dead_writes_nothing_when_it_ends(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose heartbeats stopped (a long pause) while it still solved: its round
    was re-queued and claimed by another run meanwhile; the first run's result is dropped."""
    factory = world.api.app.state.sessionmaker
    round_id = world.queued_round()
    solve = matching.solve

    def solve_while_taken_for_dead(*args: Any, **kwargs: Any) -> matching.Solution:
        with factory.begin() as session:  # another worker re-queues and claims it
            session.execute(
                update(Round)
                .where(Round.id == round_id)
                .values(started_at=utcnow() + timedelta(seconds=1))
            )
        return solve(*args, **kwargs)

    monkeypatch.setattr(matching, "solve", solve_while_taken_for_dead)
    assert match_round.execute_round(factory, round_id) == "running"
    assert world.proposal_count() == 0


def test_a_solver_without_progress_reports_runs_as_before(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No `progress` parameter (the solver before it reports): nothing is passed."""
    solve = matching.solve

    def solve_silently(
        problem: matching.Problem, *, time_limit: float, seed: int
    ) -> matching.Solution:
        return solve(problem, time_limit=time_limit, seed=seed)

    monkeypatch.setattr(matching, "solve", solve_silently)
    round_id = world.queued_round()
    assert match_round.execute_round(world.api.app.state.sessionmaker, round_id) == "succeeded"


def test_a_progress_report_never_overwrites_another_runs_round(world: Jonkoping) -> None:
    """A run taken for dead keeps reporting: its reports no longer apply."""
    factory = world.api.app.state.sessionmaker
    claimed_at = utcnow()
    round_id = world.queued_round(status="running", started_at=claimed_at)
    stale = match_round.ProgressRecorder(factory, round_id, claimed_at - timedelta(seconds=5))
    stale(matching.Progress("relaxation", 1, 10, 5, 0.1))
    assert stale.store_latest() is False
    with factory() as session:
        assert session.get(Round, round_id).progress is None
    current = match_round.ProgressRecorder(factory, round_id, claimed_at)
    assert current.store_latest() is False  # nothing reported yet
    current(matching.Progress("integral finish", 4, 9, 8, 0.2))
    assert current.store_latest() is True
    with factory() as session:
        progress = session.get(Round, round_id).progress
    assert progress["phase"] == "integral finish"
    assert progress["figures"]["pricing_round"] == 4


@pytest.mark.skipif(POSTGRES, reason="the in-process worker is SQLite's")
def test_the_lifespan_hooks_start_and_stop_the_worker_on_sqlite(world: Jonkoping) -> None:
    app = world.api.app
    start_in_process_worker(app)
    assert app.state.round_worker is not None
    stop_in_process_worker(app)
    assert app.state.round_worker is None


def test_an_ineligible_pin_is_reported_and_does_not_fail_the_round(world: Jonkoping) -> None:
    """Pins are honoured or the round reports why not: VH-2 is in excluded Råslätt (a pin
    written straight to the database, as one made before its pair broke). The round leaves
    the pin and its household out and reports it, instead of failing `infeasible` (issue
    12; tests/test_defects.py has the pin made through the API and broken later)."""
    family = world.households["JKP-FAMILY"]
    with world.api.app.state.sessionmaker.begin() as session:
        session.add(
            Pin(
                municipality_code=world.CODE,
                household_id=family,
                vacancy_id=world.vacancies["VH-2"],
            )
        )
    body = world.run()
    assert body["status"] == "succeeded", body
    assert family not in {p["household"] for p in body["proposals"]}
    [held] = [u for u in body["unmatched"] if u["household"] == family]
    assert held["reason"].startswith("pin: ")
    assert held["failed"] == {"area": 1}
    assert statuses(world)[world.vacancies["VH-2"]] == "open"


def test_pins_and_forbidden_pairs_reach_the_solver(world: Jonkoping) -> None:
    """The coordinator pins the worker to VH-1 and the family's earlier decline of BA-1
    is forbidden; the pin wins VH-1, so the family (eligible only there) is unmatched."""
    with world.api.app.state.sessionmaker.begin() as session:
        session.add(
            Pin(
                municipality_code=world.CODE,
                household_id=world.households["JKP-WORKER"],
                vacancy_id=world.vacancies["VH-1"],
            )
        )
        session.add(
            ForbiddenPair(
                municipality_code=world.CODE,
                household_id=world.households["JKP-WORKER"],
                vacancy_id=world.vacancies["BA-1"],
                reason="household_declined",
            )
        )
    body = world.run()
    assert body["status"] == "succeeded", body
    assert world.pairs(body) == {(world.households["JKP-WORKER"], world.vacancies["VH-1"])}
    document = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    assert document["pinned"] == [[world.households["JKP-WORKER"], world.vacancies["VH-1"]]]
    assert document["forbidden"] == [[world.households["JKP-WORKER"], world.vacancies["BA-1"]]]
    family = next(u for u in body["unmatched"] if u["household"] == world.households["JKP-FAMILY"])
    assert family["eligible_vacancies"] == 1
    with world.api.app.state.sessionmaker() as session:
        assert session.scalars(select(Pin.id)).all() == []  # the pin is spent


@pytest.mark.skipif(not POSTGRES, reason="procrastinate runs on PostgreSQL")
def test_the_job_is_deferred_in_the_requests_transaction(world: Jonkoping) -> None:
    queued = world.start()
    with world.api.app.state.engine.connect() as connection:
        jobs_for_round = connection.execute(
            text(
                "SELECT count(*) FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = 'run_round' AND args->>'round_id' = :id"
            ),
            {"id": queued["id"]},
        ).scalar_one()
    assert jobs_for_round == 1
    run_jobs(world.api)
    body = world.coordinator.get(f"/v1/rounds/{queued['id']}").json()
    assert body["status"] == "succeeded"
    assert ensure_queue_schema(world.api.app.state.settings.database_url) is False


def test_overdue_proposals_expire_before_the_round_picks_free_sides(world: Jonkoping) -> None:
    """A released proposal past its deadline frees its vacancy and household for the
    round, and the pair is forbidden from then on (issue 4: an expiry forbids the pair)."""
    family, vh1 = world.households["JKP-FAMILY"], world.vacancies["VH-1"]
    with world.api.app.state.sessionmaker.begin() as session:
        session.add(
            Proposal(
                municipality_code=world.CODE,
                landlord_id=world.vatterhem,
                vacancy_id=vh1,
                household_id=family,
                contract_form="municipal_contract",
                status="released",
                released_at=utcnow() - timedelta(days=4),
                deadline_at=utcnow() - timedelta(days=1),
            )
        )
        session.execute(update(Vacancy).where(Vacancy.id == vh1).values(status="proposed"))
    body = world.run()
    assert body["status"] == "succeeded", body
    document = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    assert family in {h["id"] for h in document["households"]}
    assert vh1 in {v["id"] for v in document["vacancies"]}
    assert [family, vh1] in document["forbidden"]
    assert (family, vh1) not in world.pairs(body)
    with world.api.app.state.sessionmaker() as session:
        old = session.scalars(select(Proposal.status).where(Proposal.round_id.is_(None))).all()
    assert old == ["expired"]


def round_failed_events(world: Jonkoping, round_id: str) -> int:
    with world.api.app.state.sessionmaker() as session:
        return len(
            session.scalars(
                select(Event.id).where(Event.type == "round.failed", Event.subject_id == round_id)
            ).all()
        )


@pytest.mark.parametrize(
    ("fields", "reason", "ran_out"),
    [
        pytest.param(
            {"status": "running", "started_at": utcnow() - timedelta(hours=1), "time_limit_s": 30},
            outcome.INTERRUPTED,
            lambda row: row.started_at + timedelta(seconds=60) + outcome.STALE_GRACE,
            id="worker_died",
        ),
        pytest.param(
            {"created_at": utcnow() - timedelta(hours=1)},
            outcome.NOT_STARTED,
            lambda row: row.created_at + outcome.QUEUE_TIMEOUT,
            id="never_picked_up",
        ),
    ],
)
def test_a_stale_round_reads_as_failed_its_reads_write_nothing_and_the_sweep_writes_it_once(
    world: Jonkoping, fields: dict[str, Any], reason: str, ran_out: Any
) -> None:
    """Every read shows the failure the sweep will write — the same reason, and
    `finished_at` the moment the round's time ran out — and none writes it; the sweep
    writes it and its `round.failed` once, and never runs a round a read showed failed."""
    round_id = world.queued_round(**fields)
    with world.api.app.state.sessionmaker() as session:
        row = session.get(Round, round_id)
        assert row is not None
        expected_end = ran_out(row)
    engine = world.api.app.state.engine
    before = rows_but_audit(engine)
    read = world.coordinator.get(f"/v1/rounds/{round_id}").json()
    [listed] = world.coordinator.get("/v1/rounds").json()["items"]
    for shown in (read, listed):
        assert (shown["status"], shown["error"]) == ("failed", reason)
        assert datetime.fromisoformat(shown["finished_at"]) == expected_end
    assert read["progress"] is None
    assert world.coordinator.get(f"/v1/rounds/{round_id}/problem").status_code == 404
    assert rows_but_audit(engine) == before
    assert round_failed_events(world, round_id) == 0

    match_round.sweep(world.api.app.state.sessionmaker, lost_after=timedelta(0))
    match_round.sweep(world.api.app.state.sessionmaker, lost_after=timedelta(0))
    with world.api.app.state.sessionmaker() as session:
        row = session.get(Round, round_id)
        assert row is not None
        assert (row.status, row.error, row.finished_at) == ("failed", reason, expected_end)
    assert round_failed_events(world, round_id) == 1
    assert world.coordinator.get(f"/v1/rounds/{round_id}").json() == read


def test_a_round_no_worker_picked_up_does_not_block_the_municipality(world: Jonkoping) -> None:
    round_id = world.queued_round(created_at=utcnow() - timedelta(hours=1))
    body = world.coordinator.get(f"/v1/rounds/{round_id}").json()
    assert body["status"] == "failed"
    assert body["error"].startswith("not started")
    assert world.run()["status"] == "succeeded"
