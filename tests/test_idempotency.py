"""`Idempotency-Key` on creating POSTs (docs/idempotency.md): a retry with the same key and
request gets the first answer and creates nothing; another request under the key is 422; a
key still in flight is 409; keys are per credential; failures keep nothing, so a retry runs
again."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, event, func, select

from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.queue import ensure_queue_schema
from app.flows import match_round
from app.idempotency import service
from app.idempotency.models import IdempotencyRecord
from app.idempotency.service import Answer, Claim
from app.landlords.models import Landlord
from tests.conftest import Api

PROBLEM = "application/problem+json"
KEY = "5f0c3c8e-2b7e-4d59-9a53-2f7f0f1d7c21"
MIMER = {"name": "Mimer", "org_number": "556036-0793", "kind": "public"}
NEED = {"case_ref": "VAS-2026-0001", "adults": 1, "contract_forms": ["municipal_contract"]}
BOSTADS = {"name": "Bostads AB", "org_number": "556703-7485", "kind": "private"}


def keyed(key: str = KEY) -> dict[str, str]:
    return {"Idempotency-Key": key}


def records(api: Api) -> list[IdempotencyRecord]:
    with api.app.state.sessionmaker() as session:
        return list(session.scalars(select(IdempotencyRecord)))


def landlord_count(api: Api) -> int:
    with api.app.state.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(Landlord)) or 0)


def put_record(api: Api, **fields: Any) -> None:
    with api.app.state.sessionmaker.begin() as session:
        session.add(IdempotencyRecord(**{"response_body": JSON.NULL, **fields}))


def landlords_hash(body: bytes) -> str:
    return service.request_hash("POST", "/v1/landlords", "", body)


def unraising(api: Api) -> TestClient:
    """The admin's client, but a 500 comes back as a response instead of an exception."""
    client = TestClient(api.app, raise_server_exceptions=False)
    client.headers["Authorization"] = api.admin.headers["Authorization"]
    return client


# --- Same key, same request -------------------------------------------------------------


def test_same_key_and_body_replays_the_first_answer_and_creates_once(api: Api) -> None:
    first = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    again = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert landlord_count(api) == 1
    [record] = records(api)
    assert (record.status, record.response_status) == ("done", 201)
    assert record.credential_id == api.admin.client_id


def test_the_answer_commits_in_the_same_transaction_as_the_creation(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No window where the landlord exists but its key is still open to a second creation:
    the request's own commit stores the answer (the separate-transaction path is unused)."""

    def separate_transaction(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("stored after the creation's commit")

    monkeypatch.setattr(service, "store_answer_alone", separate_transaction)
    assert api.admin.post("/v1/landlords", json=MIMER, headers=keyed()).status_code == 201
    assert [r.status for r in records(api)] == ["done"]


def test_replay_repeats_location_and_etag(api: Api) -> None:
    """A household's creation answers with `Location` and `ETag`; the retry gets both."""
    api.municipality("1980")
    social = api.client("social_services", municipality="1980")
    first = social.post("/v1/households", json=NEED, headers=keyed())
    again = social.post("/v1/households", json=NEED, headers=keyed())
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(social.get("/v1/households").json()["items"]) == 1


def test_a_replayed_household_is_an_audited_read(api: Api) -> None:
    """Every read of a household record is audited (docs/households.md); a replay hands the
    record out again, so it is logged as a `read` with the caller's purpose."""
    api.municipality("1980")
    social = api.client("social_services", municipality="1980")
    coordinator = api.client("coordinator", municipality="1980")
    created = social.post("/v1/households", json=NEED, headers=keyed())
    replayed = social.post(
        "/v1/households", json=NEED, headers={**keyed(), "X-Purpose": "retry after a timeout"}
    )
    assert replayed.headers["Idempotent-Replayed"] == "true"
    household = created.json()["id"]
    events = coordinator.get("/v1/audit", params={"household": household}).json()["items"]
    assert [(e["action"], e["purpose"]) for e in events] == [
        ("create", None),
        ("read", "retry after a timeout"),
    ]
    assert events[1]["credential"] == social.client_id


def test_same_json_in_another_key_order_and_spacing_is_the_same_request(api: Api) -> None:
    first = api.admin.post(
        "/v1/landlords",
        content=b'{"name":"Mimer","org_number":"556036-0793","kind":"public"}',
        headers={**keyed(), "Content-Type": "application/json"},
    )
    again = api.admin.post(
        "/v1/landlords",
        content=b'{ "kind": "public",\n  "org_number": "556036-0793", "name": "Mimer" }',
        headers={**keyed(), "Content-Type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert landlord_count(api) == 1


def test_the_handler_still_reads_the_body_the_key_check_read(api: Api) -> None:
    """The body is read once to hash it; Starlette caches it for the handler."""
    response = api.admin.post("/v1/landlords", json=BOSTADS, headers=keyed())
    assert response.status_code == 201
    assert response.json()["name"] == "Bostads AB"
    assert response.json()["kind"] == "private"


@pytest.mark.commits  # other threads read and write at once
def test_concurrent_requests_with_one_key_create_once(api: Api) -> None:
    """Ten simultaneous retries: one creates, the rest replay it or hear it is in flight."""
    client = api.admin
    barrier = threading.Barrier(10)

    def post(_: int) -> tuple[int, str | None]:
        barrier.wait()
        response = client.post("/v1/landlords", json=MIMER, headers=keyed())
        return response.status_code, response.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(post, range(10)))
    assert outcomes.count((201, None)) == 1
    assert all(outcome in {(201, None), (201, "true"), (409, None)} for outcome in outcomes)
    assert landlord_count(api) == 1


def test_a_retried_round_start_is_the_same_round_not_a_409(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the key a retry of `POST /v1/rounds` would meet its own first round and get
    409; with it, the retry gets the first 202 and no second round is queued."""
    if os.environ.get("TEST_DATABASE", "sqlite") == "postgresql":
        ensure_queue_schema(api.app.state.settings.database_url)
    monkeypatch.setattr(match_round, "run_in_background", lambda *_: None)  # keep it queued
    api.municipality("0680")
    coordinator = api.client("coordinator", municipality="0680")
    first = coordinator.post("/v1/rounds", json={}, headers=keyed())
    again = coordinator.post("/v1/rounds", json={}, headers=keyed())
    assert first.status_code == again.status_code == 202
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(coordinator.get("/v1/rounds").json()["items"]) == 1
    unkeyed = coordinator.post("/v1/rounds", json={})
    assert unkeyed.status_code == 409


# --- Same key, another request ------------------------------------------------------------


def test_same_key_with_another_body_is_422_and_creates_nothing(api: Api) -> None:
    assert api.admin.post("/v1/landlords", json=MIMER, headers=keyed()).status_code == 201
    response = api.admin.post("/v1/landlords", json=BOSTADS, headers=keyed())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "Idempotency-Key reused" in response.json()["detail"]
    assert landlord_count(api) == 1
    assert [r.response_status for r in records(api)] == [201]


def test_same_key_on_another_operation_is_422(api: Api) -> None:
    assert api.admin.post("/v1/landlords", json=MIMER, headers=keyed()).status_code == 201
    response = api.admin.post("/v1/municipalities", json={"code": "1980"}, headers=keyed())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert api.admin.get("/v1/municipalities").json()["items"] == []


# --- Scope: per credential ----------------------------------------------------------------


def test_keys_are_scoped_per_credential(api: Api) -> None:
    """Another credential using the same key makes its own request, neither a replay nor a 422."""
    other_admin = api.client("admin")
    first = api.admin.post("/v1/municipalities", json={"code": "1980"}, headers=keyed())
    other = other_admin.post("/v1/municipalities", json={"code": "0680"}, headers=keyed())
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    codes = [m["code"] for m in api.admin.get("/v1/municipalities").json()["items"]]
    assert sorted(codes) == ["0680", "1980"]
    assert sorted(r.credential_id for r in records(api)) == sorted(
        [api.admin.client_id, other_admin.client_id]
    )


def test_a_revoked_credential_gets_401_not_a_replay(api: Api) -> None:
    other_admin = api.client("admin")
    assert other_admin.post("/v1/landlords", json=MIMER, headers=keyed()).status_code == 201
    assert api.admin.delete(f"/v1/credentials/{other_admin.client_id}").status_code == 204
    response = other_admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


# --- In flight ------------------------------------------------------------------------------


def test_a_key_still_in_flight_is_409_and_creates_nothing(api: Api) -> None:
    body = b'{"name":"Mimer","org_number":"556036-0793","kind":"public"}'
    put_record(
        api,
        credential_id=api.admin.client_id,
        key=KEY,
        method="POST",
        path="/v1/landlords",
        request_hash=landlords_hash(body),
        status="in_flight",
    )
    response = api.admin.post(
        "/v1/landlords", content=body, headers={**keyed(), "Content-Type": "application/json"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert "in flight" in response.json()["detail"]
    assert landlord_count(api) == 0
    assert [r.status for r in records(api)] == ["in_flight"]


def test_a_key_abandoned_in_flight_is_taken_over(api: Api) -> None:
    """A request that died mid-way committed nothing (its answer would have committed with
    the creation), so after five minutes a retry runs it."""
    body = b'{"name":"Mimer","org_number":"556036-0793","kind":"public"}'
    put_record(
        api,
        credential_id=api.admin.client_id,
        key=KEY,
        method="POST",
        path="/v1/landlords",
        request_hash=landlords_hash(body),
        status="in_flight",
        created_at=utcnow() - service.ABANDONED_AFTER - timedelta(seconds=1),
    )
    response = api.admin.post(
        "/v1/landlords", content=body, headers={**keyed(), "Content-Type": "application/json"}
    )
    assert response.status_code == 201
    assert landlord_count(api) == 1
    assert [r.status for r in records(api)] == ["done"]


def test_a_late_finish_after_a_takeover_is_refused(api: Api) -> None:
    """The slow first request cannot store into a key a retry took over: it gets 409 and
    its creation rolls back, so the thing is created once."""
    factory = api.app.state.sessionmaker
    fields: dict[str, Any] = {
        "credential_id": api.admin.client_id,
        "key": KEY,
        "method": "POST",
        "path": "/v1/landlords",
        "request_hash": "0" * 64,
    }
    slow = service.claim(factory, **fields)
    assert isinstance(slow, Claim)
    with factory.begin() as session:
        record = session.get(IdempotencyRecord, slow.record_id)
        assert record is not None
        record.created_at = utcnow() - service.ABANDONED_AFTER - timedelta(seconds=1)
    retry = service.claim(factory, **fields)
    assert isinstance(retry, Claim)
    assert retry.record_id != slow.record_id
    with pytest.raises(Conflict), factory() as session:
        service.store_answer(session, slow, Answer(status=201, body={}, headers={}))


def test_an_expired_key_counts_as_unused(api: Api) -> None:
    """Answers are kept 24 hours (they may hold personal data); then the key is free."""
    put_record(
        api,
        credential_id=api.admin.client_id,
        key=KEY,
        method="POST",
        path="/v1/landlords",
        request_hash="0" * 64,
        status="done",
        response_status=201,
        response_body={"id": "old"},
        response_headers={},
        created_at=utcnow() - service.RETAINED_FOR - timedelta(seconds=1),
    )
    response = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    [record] = records(api)
    assert record.response_body == response.json()


# --- Failures keep nothing --------------------------------------------------------------


def test_an_exception_leaves_no_record_and_a_retry_runs(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.landlords import service as landlords

    original = landlords.create_landlord

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(landlords, "create_landlord", broken)
    failed = unraising(api).post("/v1/landlords", json=MIMER, headers=keyed())
    assert failed.status_code == 500
    assert records(api) == []
    monkeypatch.setattr(landlords, "create_landlord", original)
    retried = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert landlord_count(api) == 1


def test_a_failed_commit_stores_nothing_and_frees_the_key(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer is written in the creation's transaction: when that commit fails, the
    answer goes with it and the key is given back."""
    from app.landlords import service as landlords
    from app.municipalities.models import Municipality

    api.municipality("1980")
    original = landlords.create_landlord

    def commit_will_fail(session: Any, *args: Any, **kwargs: Any) -> Any:
        created = original(session, *args, **kwargs)
        session.add(Municipality(code="1980", name="Västerås"))  # a duplicate, flushed at commit
        return created

    monkeypatch.setattr(landlords, "create_landlord", commit_will_fail)
    failed = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert failed.status_code == 409
    assert landlord_count(api) == 0
    assert records(api) == []
    monkeypatch.setattr(landlords, "create_landlord", original)
    retried = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert retried.status_code == 201
    assert landlord_count(api) == 1


def test_a_refusal_is_not_stored_so_the_corrected_request_may_reuse_the_key(api: Api) -> None:
    """A 4xx created nothing; replaying it would only freeze a refusal (a duplicate, a busy
    database, a round already running) into the key."""
    invalid = api.admin.post(
        "/v1/landlords", json={**MIMER, "org_number": "556036-0794"}, headers=keyed()
    )
    assert invalid.status_code == 422
    assert records(api) == []
    corrected = api.admin.post("/v1/landlords", json=MIMER, headers=keyed())
    assert corrected.status_code == 201
    assert landlord_count(api) == 1


# --- No key, malformed key --------------------------------------------------------------


def test_without_a_key_creating_posts_behave_as_before(api: Api) -> None:
    assert api.admin.post("/v1/landlords", json=MIMER).status_code == 201
    duplicate = api.admin.post("/v1/landlords", json=MIMER)
    assert duplicate.status_code == 409
    assert "Idempotent-Replayed" not in duplicate.headers
    assert records(api) == []


@pytest.mark.parametrize(
    "key",
    [b"", b"k" * 201, "nyckel-\u00e5".encode("latin-1"), b"a\x7fb"],
    ids=["empty", "too-long", "non-ascii", "control-character"],
)
def test_a_malformed_key_is_422_problem_json(api: Api, key: bytes) -> None:
    response = api.admin.post("/v1/landlords", json=MIMER, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "Idempotency-Key" in response.json()["detail"]
    assert landlord_count(api) == 0
    assert records(api) == []


def test_a_key_without_a_token_is_401(api: Api) -> None:
    response = api.anonymous.post("/v1/landlords", json=MIMER, headers=keyed())
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert records(api) == []


def statements_on(api: Api, table: str) -> list[str]:
    """Every statement the app sends that names `table` (filled while the test runs)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if table in statement:
            seen.append(statement.split()[0].upper())

    event.listen(api.app.state.engine.connection, "before_cursor_execute", record)
    return seen


def test_a_role_the_operation_refuses_claims_no_key(api: Api) -> None:
    """A coordinator may not register landlords (admin only): its keyed POST is 403 and
    writes nothing, not even a claim deleted again."""
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    assert coordinator.get("/v1/landlords").status_code == 200  # its token fetched
    written = statements_on(api, "idempotency_records")
    response = coordinator.post("/v1/landlords", json=MIMER, headers=keyed())
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert written == []
    assert landlord_count(api) == 0


@pytest.mark.parametrize(
    "body",
    [b'{"name":"Mimer","kind":"public"}', b'{"name":', b"[]"],
    ids=["field-missing", "not-json", "not-an-object"],
)
def test_a_body_the_operation_refuses_claims_no_key(api: Api, body: bytes) -> None:
    """A body the operation's validation refuses creates nothing: 422, and no claim written
    and deleted again."""
    assert api.admin.get("/v1/landlords").status_code == 200  # its token fetched
    written = statements_on(api, "idempotency_records")
    response = api.admin.post(
        "/v1/landlords",
        content=body,
        headers={**keyed(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert written == []
    assert landlord_count(api) == 0


def test_a_keyed_creation_reads_the_caller_once(api: Api) -> None:
    """The key is claimed for the caller authenticated before it; the operation's role check
    takes that caller instead of reading the credential again."""
    assert api.admin.get("/v1/landlords").status_code == 200  # its token fetched
    credential_reads = statements_on(api, "FROM credentials")
    assert api.admin.post("/v1/landlords", json=MIMER, headers=keyed()).status_code == 201
    assert credential_reads == ["SELECT"]
    [record] = records(api)
    assert (record.status, record.credential_id) == ("done", api.admin.client_id)


# --- Contract -----------------------------------------------------------------------------


def test_openapi_documents_the_key_on_creating_posts_only(api: Api) -> None:
    paths = api.app.openapi()["paths"]

    def has_key(path: str, method: str) -> bool:
        parameters = paths[path][method].get("parameters", [])
        return any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)

    for path in ("/v1/landlords", "/v1/municipalities", "/v1/households"):
        operation = paths[path]["post"]
        assert has_key(path, "post"), path
        assert {"409", "422"} <= set(operation["responses"]), path
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"], path
    assert not has_key("/v1/landlords", "get")
    assert not has_key("/v1/households/{household_id}/close", "post")
    assert not has_key("/v1/credentials", "post"), "the secret is never stored to replay it"


def test_a_replay_refuses_the_headers_the_first_request_would_refuse(api: Api) -> None:
    """Found by the fuzzing: a purpose over the limit was 422 without a key but 202 when it
    replayed a stored answer. A replay is checked as the handler would check the request:
    before a key is claimed or an answer handed out."""
    api.municipality("1980")
    coordinator = api.client("coordinator", municipality="1980")
    too_long = {"X-Purpose": "p" * 801}
    assert_problem = coordinator.post("/v1/rounds", json={}, headers=too_long)
    assert assert_problem.status_code == 422
    first = coordinator.post("/v1/rounds", json={}, headers=keyed())
    assert first.status_code == 202, first.text
    replayed = coordinator.post("/v1/rounds", json={}, headers={**keyed(), **too_long})
    assert replayed.status_code == 422, replayed.text
    assert replayed.headers["content-type"].startswith(PROBLEM)
    assert "Idempotent-Replayed" not in replayed.headers
    control = coordinator.post("/v1/rounds", json={}, headers={**keyed(), "X-Purpose": "a\x7fb"})
    assert control.status_code == 422
    again = coordinator.post("/v1/rounds", json={}, headers={**keyed(), "X-Purpose": "retry"})
    assert again.headers["Idempotent-Replayed"] == "true"
