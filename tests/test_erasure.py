"""Erasure of closed cases (docs/domain.md §6: "a closed case can be erased on request;
proposals and tenancies keep only what quota accounting needs"), on request and after the
retention period. Runs on SQLite and PostgreSQL (TEST_DATABASE=postgresql)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Text, cast, select

from app.core.db import utcnow
from app.flows.erasure import erase_expired, erased_case_ref, retention_days
from app.households.models import Household
from app.idempotency.models import IdempotencyRecord
from app.jobs.worker import ERASE_EXPIRED, InProcessWorker, queue_app
from app.proposals.models import Proposal
from app.rounds.models import Round
from app.tenancies.models import Tenancy
from matching import Problem
from tests.conftest import Api
from tests.worlds.jonkoping import Jonkoping, jonkoping_world

PROBLEM = "application/problem+json"
CASE_REF = "JKP-ERASE-1"


@pytest.fixture
def world(api: Api) -> Jonkoping:
    return jonkoping_world(api)


def _areas(world: Jonkoping) -> None:
    response = world.coordinator.put(
        f"/v1/municipalities/{world.CODE}/areas/NORRAHAGA", json={"name": "Norrahammar"}
    )
    assert response.status_code == 201, response.text


def sensitive_household(world: Jonkoping, case_ref: str = CASE_REF, **fields: Any) -> str:
    body: dict[str, Any] = {
        "children": 2,
        "children_ages": [3, 7],
        "target_groups": ["violence_exposed", "family_with_children", "substance_recovery"],
        "income": {"income_support": 16000, "housing_allowance": 3500},
        "payment_remarks": True,
        "debts": 42000,
        "drug_free_months": 9,
        "avoid_areas": ["RASLATT"],
        "preferred_areas": ["CENTRUM"],
        "support_plan": True,
        "urgency": 2,
    }
    body.update(fields)
    return world.household(case_ref, **body)


def close(world: Jonkoping, household: str, reason: str = "moved") -> None:
    response = world.social.post(f"/v1/households/{household}/close", json={"reason": reason})
    assert response.status_code == 200, response.text


def erase(world: Jonkoping, household: str, **headers: str) -> Any:
    return world.coordinator.post(f"/v1/households/{household}/erase", headers=headers)


def test_erasing_a_closed_case_blanks_every_personal_field(world: Jonkoping) -> None:
    household = sensitive_household(world)
    close(world, household)
    response = erase(world, household, **{"X-Purpose": "the household asked (GDPR art. 17)"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "erased"
    assert body["case_ref"] == erased_case_ref(household)
    assert body["close_reason"] == "moved"
    assert body["closed_at"] is not None
    assert body["adults"] == 1
    assert body["children"] == 0
    assert body["children_ages"] is None
    assert body["target_groups"] == []
    assert body["income_total"] == 0
    assert body["payment_remarks"] is False
    assert body["debts"] == 0
    assert body["drug_free_months"] is None
    assert body["avoid_areas"] == []
    assert body["preferred_areas"] == []
    assert body["support_plan"] is False
    assert body["contract_forms"] == []
    assert body["urgency"] == 0
    assert response.headers["ETag"]
    again = world.coordinator.get(f"/v1/households/{household}").json()
    assert again == body
    listed = world.coordinator.get("/v1/households", params={"status": "erased"}).json()
    assert [h["id"] for h in listed["items"]] == [household]
    # The case reference is free again for a new case.
    assert world.household(CASE_REF) != household


def test_an_open_case_is_409_and_nothing_changes(world: Jonkoping) -> None:
    household = sensitive_household(world)
    response = erase(world, household)
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    body = world.coordinator.get(f"/v1/households/{household}").json()
    assert body["status"] == "open"
    assert body["case_ref"] == CASE_REF
    trail = world.coordinator.get("/v1/audit", params={"household": household}).json()["items"]
    assert "erase" not in [item["action"] for item in trail]


def test_only_the_municipalitys_coordinator_erases(world: Jonkoping, api: Api) -> None:
    """Erasure is irreversible and needs the whole picture (live proposals, the case's
    trail): the coordinator's, as the release of proposals is. Social services close."""
    household = sensitive_household(world)
    close(world, household)
    api.municipality("1980")
    other = api.client("coordinator", municipality="1980")
    landlord = world.landlords[world.vatterhem]
    refused = {
        "social_services": world.social.post(f"/v1/households/{household}/erase"),
        "landlord": landlord.post(f"/v1/households/{household}/erase"),
        "admin": api.admin.post(f"/v1/households/{household}/erase"),
        "other municipality": other.post(f"/v1/households/{household}/erase"),
        "anonymous": api.anonymous.post(f"/v1/households/{household}/erase"),
    }
    assert {who: r.status_code for who, r in refused.items()} == {
        "social_services": 403,
        "landlord": 403,
        "admin": 403,
        "other municipality": 404,
        "anonymous": 401,
    }
    assert all(r.headers["content-type"] == PROBLEM for r in refused.values())
    assert world.coordinator.get(f"/v1/households/{household}").json()["status"] == "closed"


def test_an_unknown_or_malformed_id_is_404_or_422(world: Jonkoping) -> None:
    missing = world.coordinator.post("/v1/households/00000000-0000-0000-0000-000000000000/erase")
    assert missing.status_code == 404
    malformed = world.coordinator.post("/v1/households/not-an-id/erase")
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == PROBLEM


def test_erasing_an_erased_case_answers_the_same(world: Jonkoping) -> None:
    household = sensitive_household(world)
    close(world, household)
    first = erase(world, household)
    second = erase(world, household)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["ETag"] == first.headers["ETag"]


def test_erasure_is_audited_and_the_trail_before_it_stays(world: Jonkoping) -> None:
    """Audit rows hold ids, roles and purposes, never values: they are not personal data
    of the household beyond its id, and the log is append-only (docs/privacy.md)."""
    household = sensitive_household(world)
    close(world, household)
    erase(world, household, **{"X-Purpose": "request from the household"})
    trail = world.coordinator.get("/v1/audit", params={"household": household}).json()["items"]
    assert [item["action"] for item in trail] == ["create", "close", "erase"]
    assert trail[-1]["purpose"] == "request from the household"
    assert trail[-1]["role"] == "coordinator"
    assert CASE_REF not in json.dumps(trail)


def test_a_closed_case_still_in_a_live_proposal_is_409(world: Jonkoping) -> None:
    world.vacancy(world.vatterhem, "VH-1", rooms=3, rent=7000)
    household = sensitive_household(world)
    body = world.run()
    assert [p["household"] for p in body["proposals"]] == [household]
    close(world, household)
    response = erase(world, household)
    assert response.status_code == 409
    assert "withdraw" in response.json()["detail"]
    world.coordinator.post(f"/v1/proposals/{body['proposals'][0]['id']}/withdraw")
    assert erase(world, household).status_code == 200


def test_erasure_keeps_what_quota_accounting_needs(world: Jonkoping) -> None:
    """The tenancy, the proposal's landlord, vacancy, contract form and dates stay, so the
    landlord's delivered quota (Norrköping's shares, Jönköping's quota) does not move."""
    world.vacancy(world.vatterhem, "VH-1", rooms=3, rent=7000)
    household = sensitive_household(world)
    body = world.run()
    [proposal] = body["proposals"]
    landlord = world.landlords[world.vatterhem]
    assert world.coordinator.post(f"/v1/proposals/{proposal['id']}/release").status_code == 200
    assert landlord.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    accepted = world.social.post(f"/v1/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "contracted"
    quota_params = {"municipality": world.CODE, "year": body["year"]}
    quota_before = world.coordinator.get("/v1/quota", params=quota_params).json()
    tenancies_before = world.coordinator.get("/v1/tenancies").json()

    assert erase(world, household).status_code == 200

    assert world.coordinator.get("/v1/quota", params=quota_params).json() == quota_before
    # The same tenancies, but the erased case's own reference is gone with its data.
    [was] = tenancies_before["items"]
    assert was["case_ref"] is not None
    assert world.coordinator.get("/v1/tenancies").json() == {
        **tenancies_before,
        "items": [{**was, "case_ref": None}],
    }
    after = world.coordinator.get(f"/v1/proposals/{proposal['id']}").json()
    assert after["case_ref"] is None
    assert after["status"] == "contracted"
    assert after["contract_form"] == proposal["contract_form"]
    assert after["vacancy"] == proposal["vacancy"]
    assert after["landlord"] == world.vatterhem
    assert after["score"] == {}  # its weight reflected target groups and urgency
    assert after["household_size"] == 0
    assert after["support_plan"] is False
    with world.api.app.state.sessionmaker() as session:
        tenancy = session.scalars(select(Tenancy)).one()
        assert tenancy.household_id == household


def test_a_decline_comment_about_the_household_is_erased(world: Jonkoping) -> None:
    world.vacancy(world.vatterhem, "VH-1", rooms=3, rent=7000)
    household = sensitive_household(world)
    body = world.run()
    [proposal] = body["proposals"]
    world.coordinator.post(f"/v1/proposals/{proposal['id']}/release")
    world.landlords[world.vatterhem].post(f"/v1/proposals/{proposal['id']}/accept")
    declined = world.social.post(
        f"/v1/proposals/{proposal['id']}/decline",
        json={"reason": "location", "comment": "too near the ex-partner's workplace"},
    )
    assert declined.status_code == 200, declined.text
    close(world, household)
    assert erase(world, household).status_code == 200
    after = world.coordinator.get(f"/v1/proposals/{proposal['id']}").json()
    assert after["decline_comment"] is None
    assert after["decline_reason"] == "location"
    assert after["status"] == "household_declined"


def test_stored_round_problems_keep_an_anonymous_stub_of_the_household(
    world: Jonkoping,
) -> None:
    """The round's counts and objective stay explainable (the stub keeps id and weight);
    the solver's copy of the record is gone, and the document still parses."""
    world.standard()
    household = sensitive_household(world, contract_forms=["municipal_contract"])
    body = world.run()
    before = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    close(world, household, "withdrawn")
    for proposal in body["proposals"]:
        if proposal["household"] == household:
            world.coordinator.post(f"/v1/proposals/{proposal['id']}/withdraw")
    assert erase(world, household).status_code == 200

    after = world.coordinator.get(f"/v1/rounds/{body['id']}/problem").json()
    assert len(after["households"]) == len(before["households"])
    [old] = [h for h in before["households"] if h["id"] == household]
    [stub] = [h for h in after["households"] if h["id"] == household]
    assert stub["weight"] == old["weight"]
    assert old["target_groups"]
    assert stub["target_groups"] == []
    assert stub["avoid_areas"] == stub["preferred_areas"] == []
    assert stub["contract_forms"] == []
    assert stub["income"] == {"salary": 0, "income_support": 0, "housing_allowance": 0, "other": 0}
    others = [h for h in after["households"] if h["id"] != household]
    assert others == [h for h in before["households"] if h["id"] != household]
    Problem.from_json(after)  # still a valid matching-problem/1
    # The round's explanation still names the household by id only.
    assert world.coordinator.get(f"/v1/rounds/{body['id']}").status_code == 200


def test_stored_idempotent_answers_holding_the_household_are_deleted(world: Jonkoping) -> None:
    response = world.social.post(
        "/v1/households",
        json={"case_ref": CASE_REF, "adults": 1, "contract_forms": ["municipal_contract"]},
        headers={"Idempotency-Key": "create-erase-1"},
    )
    assert response.status_code == 201
    household = response.json()["id"]
    other = world.social.post(
        "/v1/households",
        json={"case_ref": "JKP-KEEP", "adults": 1, "contract_forms": ["municipal_contract"]},
        headers={"Idempotency-Key": "create-keep-1"},
    )
    close(world, household)
    assert erase(world, household).status_code == 200
    with world.api.app.state.sessionmaker() as session:
        holding = session.scalars(
            select(IdempotencyRecord.key).where(
                cast(IdempotencyRecord.response_body, Text).contains(household)
            )
        ).all()
        kept = session.scalars(select(IdempotencyRecord.key)).all()
    assert holding == []
    assert "create-keep-1" in kept
    assert other.json()["id"] != household


def test_erasure_writes_nothing_personal_to_the_logs(
    world: Jonkoping, capsys: pytest.CaptureFixture[str]
) -> None:
    household = sensitive_household(world)
    close(world, household)
    capsys.readouterr()
    erase(world, household)
    out = capsys.readouterr().out
    assert CASE_REF not in out
    assert "RASLATT" not in out


# --- Retention ----------------------------------------------------------------------------


def _close_days_ago(world: Jonkoping, household: str, days: int) -> None:
    with world.api.app.state.sessionmaker.begin() as session:
        row = session.get(Household, household)
        assert row is not None
        assert row.closed_at is not None
        row.closed_at = utcnow() - timedelta(days=days)


def test_erase_expired_erases_only_cases_closed_longer_than_the_retention(
    world: Jonkoping,
) -> None:
    old = sensitive_household(world, "JKP-OLD")
    recent = sensitive_household(world, "JKP-RECENT")
    still_open = sensitive_household(world, "JKP-OPEN")
    for household in (old, recent):
        close(world, household)
    _close_days_ago(world, old, 400)
    _close_days_ago(world, recent, 10)
    with world.api.app.state.sessionmaker.begin() as session:
        assert erase_expired(session, utcnow(), 0) == []  # 0 = no automatic erasure
        erased = erase_expired(session, utcnow(), 365)
    assert erased == [old]
    statuses = {
        h: world.coordinator.get(f"/v1/households/{h}").json()["status"]
        for h in (old, recent, still_open)
    }
    assert statuses == {old: "erased", recent: "closed", still_open: "open"}
    trail = world.coordinator.get("/v1/audit", params={"household": old}).json()["items"]
    erase_event = trail[-2]  # the coordinator's read above is the last
    assert erase_event["action"] == "erase"
    assert erase_event["role"] == "system"
    assert erase_event["credential"] == "retention"
    assert "365" in erase_event["purpose"]


def test_erase_expired_skips_a_case_in_a_live_proposal_and_erases_the_rest(
    world: Jonkoping,
) -> None:
    world.vacancy(world.vatterhem, "VH-1", rooms=3, rent=7000)
    held = sensitive_household(world, "JKP-HELD")
    body = world.run()
    assert [p["household"] for p in body["proposals"]] == [held]
    free = sensitive_household(world, "JKP-FREE")
    for household in (held, free):
        close(world, household)
        _close_days_ago(world, household, 100)
    with world.api.app.state.sessionmaker.begin() as session:
        erased = erase_expired(session, utcnow(), 30)
    assert erased == [free]
    assert world.coordinator.get(f"/v1/households/{held}").json()["status"] == "closed"


def test_retention_days_default_to_none(world: Jonkoping) -> None:
    from app.core.config import Settings

    assert retention_days(Settings()) == 0
    assert retention_days(Settings(retention_days=400)) == 400


@pytest.mark.commits  # the command opens an engine of its own
def test_the_cli_erases_expired_cases(
    world: Jonkoping, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.__main__ import main
    from app.core.config import get_settings

    household = sensitive_household(world)
    close(world, household)
    _close_days_ago(world, household, 40)
    monkeypatch.setenv("DATABASE_URL", world.api.app.state.settings.database_url)
    monkeypatch.setenv("ENVAGIN_RETENTION_DAYS", "30")
    monkeypatch.setenv("ENVAGIN_SIGNING_KEY", "test-signing-key-" + "x" * 32)
    get_settings.cache_clear()
    try:
        capsys.readouterr()
        main(["erase-expired"])
    finally:
        get_settings.cache_clear()
    lines = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith('{"retention')
    ]
    assert json.loads(lines[-1]) == {"retention_days": 30, "erased": 1}
    assert world.coordinator.get(f"/v1/households/{household}").json()["status"] == "erased"


def test_the_in_process_worker_erases_expired_cases_every_hour(world: Jonkoping) -> None:
    """SQLite has no worker processes: the app's own sweeping thread runs retention, at its
    start and then hourly (never more often: a pass scans every closed case)."""
    factory = world.api.app.state.sessionmaker
    first = sensitive_household(world, "JKP-FIRST")
    close(world, first)
    _close_days_ago(world, first, 40)
    worker = InProcessWorker(factory, retention_days=30)
    now = utcnow()
    assert worker.retention_pass(now) == 1
    second = sensitive_household(world, "JKP-SECOND")
    close(world, second)
    _close_days_ago(world, second, 40)
    assert worker.retention_pass(now + timedelta(minutes=59)) == 0
    assert world.coordinator.get(f"/v1/households/{second}").json()["status"] == "closed"
    assert worker.retention_pass(now + timedelta(minutes=61)) == 1
    assert world.coordinator.get(f"/v1/households/{second}").json()["status"] == "erased"
    assert InProcessWorker(factory).retention_pass(now) == 0  # 0 days: on request only


def test_worker_processes_erase_expired_cases_hourly(world: Jonkoping) -> None:
    """PostgreSQL: the procrastinate worker's periodic task runs the same pass."""
    url = world.api.app.state.settings.database_url
    queue = queue_app(url, world.api.app.state.sessionmaker, retention_days=30)
    periodic = {key[1]: task for key, task in queue.periodic_registry.periodic_tasks.items()}
    assert periodic[ERASE_EXPIRED].cron == "17 * * * *"
    household = sensitive_household(world)
    close(world, household)
    _close_days_ago(world, household, 40)
    periodic[ERASE_EXPIRED].task(timestamp=0)
    assert world.coordinator.get(f"/v1/households/{household}").json()["status"] == "erased"


def test_rounds_do_not_touch_erased_cases(world: Jonkoping) -> None:
    world.vacancy(world.vatterhem, "VH-1", rooms=3, rent=7000)
    household = sensitive_household(world)
    close(world, household)
    erase(world, household)
    body = world.run()
    assert body["proposals"] == []
    assert body["unmatched"] == []
    with world.api.app.state.sessionmaker() as session:
        problem = session.get(Round, body["id"])
        assert problem is not None
        assert household not in json.dumps(problem.problem)
        assert session.scalars(select(Proposal)).all() == []
