"""Integrity under concurrency (issue 4 item 7): simultaneous answers to one proposal move
it exactly once, the others get 409 and nobody gets a 500; the database itself refuses a
second live proposal for a vacancy or household.

One vacancy cannot carry 50 proposals (one live proposal per vacancy, by a partial unique
index), so "50 simultaneous accepts at one vacancy" is 50 accepts of the one live proposal
on it: by its landlord, then by social services for the household. Each request runs on its
own client, its own thread and its own database session. On PostgreSQL the requests really
race for the row lock (`SELECT … FOR UPDATE`); on SQLite they are serialised by BEGIN
IMMEDIATE, which the same tests prove correct.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from psycopg import errors as pg
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.proposals import service
from app.proposals.models import Proposal
from app.tenancies.models import Tenancy
from tests.conftest import Api
from tests.timetravel import time_passes
from tests.worlds.concurrency import race
from tests.worlds.vasteras import DECLINE_LANDLORD, World, contract

CONCURRENT = 50


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


def count_tenancies(world: World, proposal: str) -> int:
    with world.api.app.state.sessionmaker() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Tenancy).where(Tenancy.proposal_id == proposal)
            )
            or 0
        )


def test_fifty_simultaneous_landlord_accepts_move_the_proposal_once(world: World, api: Api) -> None:
    _, _, proposal = world.pair()
    statuses = race(
        api,
        world.mimer_client,
        [lambda c: c.post(f"/v1/proposals/{proposal}/accept")] * CONCURRENT,
    )
    assert statuses == Counter({200: 1, 409: CONCURRENT - 1})
    assert world.proposal_status(proposal) == "landlord_accepted"


def test_fifty_simultaneous_household_accepts_make_exactly_one_tenancy(
    world: World, api: Api
) -> None:
    household, vacancy, proposal = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    statuses = race(
        api,
        world.social,
        [lambda c: c.post(f"/v1/proposals/{proposal}/accept")] * CONCURRENT,
    )
    assert statuses == Counter({200: 1, 409: CONCURRENT - 1})
    assert count_tenancies(world, proposal) == 1
    assert world.proposal_status(proposal) == "contracted"
    assert world.vacancy_status(vacancy) == "let"
    assert world.household_row(household) == ("closed", "housed")


def test_simultaneous_accepts_and_declines_by_the_landlord_let_one_answer_win(
    world: World, api: Api
) -> None:
    household, vacancy, proposal = world.pair()
    calls: list[Callable[[TestClient], httpx.Response]] = []
    for index in range(CONCURRENT):
        if index % 2:
            calls.append(lambda c: c.post(f"/v1/proposals/{proposal}/accept"))
        else:
            calls.append(
                lambda c: c.post(f"/v1/proposals/{proposal}/decline", json=DECLINE_LANDLORD)
            )
    statuses = race(api, world.mimer_client, calls)
    assert statuses == Counter({200: 1, 409: CONCURRENT - 1})
    final = world.proposal_status(proposal)
    assert final in ("landlord_accepted", "landlord_declined")
    if final == "landlord_declined":
        assert world.forbidden(household, vacancy) == "declined_by_landlord"
        assert world.vacancy_status(vacancy) == "open"
    else:
        assert world.forbidden(household, vacancy) is None
        assert world.vacancy_status(vacancy) == "proposed"


def test_a_withdrawal_racing_household_accepts_leaves_one_consistent_outcome(
    world: World, api: Api
) -> None:
    household, vacancy, proposal = world.pair()
    assert world.mimer_client.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    # Coordinators answer for the household too, so one client can both accept and withdraw.
    calls: list[Callable[[TestClient], httpx.Response]] = [
        (lambda c: c.post(f"/v1/proposals/{proposal}/withdraw"))
        if index % 5 == 0
        else (lambda c: c.post(f"/v1/proposals/{proposal}/accept"))
        for index in range(CONCURRENT)
    ]
    statuses = race(api, world.coordinator, calls)
    assert statuses == Counter({200: 1, 409: CONCURRENT - 1})
    final = world.proposal_status(proposal)
    if final == "contracted":
        assert count_tenancies(world, proposal) == 1
        assert world.vacancy_status(vacancy) == "let"
        assert world.household_row(household) == ("closed", "housed")
    else:
        assert final == "withdrawn"
        assert count_tenancies(world, proposal) == 0
        assert world.vacancy_status(vacancy) == "open"
        assert world.household_row(household) == ("open", None)


def test_the_database_refuses_a_second_live_proposal_for_a_vacancy(world: World) -> None:
    """The partial unique index, not code: a direct ORM insert fails."""
    _, vacancy, _ = world.pair(released=False)
    with pytest.raises(IntegrityError):
        world.propose(world.household(), vacancy)


def test_two_transactions_inserting_live_proposals_for_one_vacancy_conflict(
    world: World,
) -> None:
    """Two writers insert a live proposal for the same vacancy at the same time: the
    second waits for the first (index entry on PostgreSQL, database lock on SQLite) and
    then fails with IntegrityError."""
    vacancy = world.vacancy("LGH-RACE")
    first_household, second_household = world.household(), world.household()
    sessionmaker = world.api.app.state.sessionmaker

    def proposal_for(household: str) -> Proposal:
        return Proposal(
            municipality_code="1980",
            landlord_id=world.mimer,
            vacancy_id=vacancy,
            household_id=household,
            contract_form="municipal_contract",
            status="released",
        )

    first_flushed = threading.Event()
    outcome: dict[str, Any] = {}

    def second_writer() -> None:
        first_flushed.wait()
        try:
            with sessionmaker.begin() as session:
                session.add(proposal_for(second_household))
        except IntegrityError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=second_writer)
    thread.start()
    with sessionmaker.begin() as session:
        session.add(proposal_for(first_household))
        session.flush()
        first_flushed.set()
        thread.join(timeout=0.5)  # the second writer is blocked meanwhile
        assert thread.is_alive()
    thread.join(timeout=30)
    assert isinstance(outcome.get("error"), IntegrityError)
    with sessionmaker() as session:
        live = session.scalar(
            select(func.count()).select_from(Proposal).where(Proposal.vacancy_id == vacancy)
        )
    assert live == 1


def test_a_serialization_failure_is_retried_from_the_start(world: World) -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("UPDATE proposals", {}, pg.SerializationFailure())
        return "done"

    with world.api.app.state.sessionmaker.begin() as session:
        assert service._retrying(session, flaky) == "done"
    assert len(attempts) == 3


def test_a_persistent_deadlock_gives_up_after_three_attempts(world: World) -> None:
    attempts: list[int] = []

    def deadlocked() -> None:
        attempts.append(1)
        raise OperationalError("UPDATE proposals", {}, pg.DeadlockDetected())

    with (
        pytest.raises(OperationalError),
        world.api.app.state.sessionmaker.begin() as session,
    ):
        service._retrying(session, deadlocked)
    assert len(attempts) == service.MAX_ATTEMPTS


def test_simultaneous_transfers_move_a_tenancy_once(world: World, api: Api) -> None:
    """Ten simultaneous transfers of one tenancy past its trial period: it is transferred
    once, with one event, and every other request gets 409 (both databases)."""
    made = contract(world, available_from=None)
    with world.api.app.state.sessionmaker() as session:
        tenancy = session.scalar(select(Tenancy.id).where(Tenancy.proposal_id == made["proposal"]))
    assert tenancy is not None
    time_passes(api, tenancy, 18)
    steps = race(
        api,
        world.coordinator,
        [lambda c: c.post(f"/v1/tenancies/{tenancy}/step", json={"to": "own_lease"})] * 10,
    )
    assert steps == Counter({200: 1, 409: 9})
    events = world.coordinator.get(f"/v1/tenancies/{tenancy}").json()["events"]
    assert [e["kind"] for e in events] == ["step"]
