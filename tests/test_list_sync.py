"""Lists integrators sync: `updated_since` and cursors in `(updated_at, id)` order on the
vacancy, household, proposal and tenancy lists, so a client that keeps the time of its last
sync sees every change once, oldest first (README, "Lists").

Each list is built through the API; the tests then set `updated_at` themselves where the
order or a boundary must be exact (equal times, one moment on the boundary)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import update

from app.core.db import Base
from app.households.models import Household
from app.proposals.models import Proposal
from app.tenancies.models import Tenancy
from app.vacancies.models import Vacancy
from tests.conftest import AuthedClient
from tests.worlds.once import built_once
from tests.worlds.vasteras import PROBLEM, World, contract, vacancy_body

NOT_ISSUED = "cursor: not a cursor this service issued"
ANCHOR = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
"""A moment well before the tests run: rows are stamped relative to it."""


@dataclass(frozen=True)
class Synced:
    """One synced list: where it is, who reads it, how to add a row and how to change one."""

    name: str
    path: str
    params: dict[str, str]
    model: type[Base]
    reader: Callable[[World], AuthedClient]
    add: Callable[[World], str]
    change: Callable[[World, str], None]


def _add_vacancy(world: World) -> str:
    return world.vacancy(f"LGH-S{uuid.uuid4().hex[:8]}")


def _change_vacancy(world: World, vacancy_id: str) -> None:
    listed = world.mimer_client.get("/v1/vacancies", params={"limit": 200}).json()["items"]
    ref = next(v["external_ref"] for v in listed if v["id"] == vacancy_id)
    response = world.mimer_client.put(f"/v1/vacancies/{ref}", json=vacancy_body(rent=6900))
    assert response.status_code == 200, response.text


def _change_household(world: World, household_id: str) -> None:
    response = world.social.patch(f"/v1/households/{household_id}", json={"urgency": 3})
    assert response.status_code == 200, response.text


def _add_proposal(world: World) -> str:
    household, vacancy = world.household(), world.vacancy(f"LGH-P{world._cases + 1:03d}")
    return world.propose(household, vacancy, released=True)


def _change_proposal(world: World, proposal_id: str) -> None:
    response = world.mimer_client.post(f"/v1/proposals/{proposal_id}/accept")
    assert response.status_code == 200, response.text


def _add_tenancy(world: World) -> str:
    # Available in the past, so it starts today and a remark today is within the tenancy.
    made = contract(world, available_from="2026-01-15")
    listed = world.coordinator.get("/v1/tenancies", params={"limit": 200}).json()["items"]
    return str(next(t["id"] for t in listed if t["proposal"] == made["proposal"]))


def _change_tenancy(world: World, tenancy_id: str) -> None:
    response = world.mimer_client.post(
        f"/v1/tenancies/{tenancy_id}/remarks", json={"reason": "late_payment"}
    )
    assert response.status_code == 201, response.text


LISTS = [
    Synced(
        "vacancies",
        "/v1/vacancies",
        {},
        Vacancy,
        lambda world: world.mimer_client,
        _add_vacancy,
        _change_vacancy,
    ),
    Synced(
        "households",
        "/v1/households",
        {},
        Household,
        lambda world: world.social,
        World.household,
        _change_household,
    ),
    Synced(
        "proposals",
        "/v1/proposals",
        {},
        Proposal,
        lambda world: world.coordinator,
        _add_proposal,
        _change_proposal,
    ),
    Synced(
        "tenancies",
        "/v1/tenancies",
        {},
        Tenancy,
        lambda world: world.coordinator,
        _add_tenancy,
        _change_tenancy,
    ),
]
each_list = pytest.mark.parametrize("synced", LISTS, ids=[s.name for s in LISTS])


built_world, world = built_once(World)


def stamp(world: World, synced: Synced, row_id: str, when: datetime) -> None:
    """Set a row's last change to `when`, as if it had been changed then."""
    table: Any = synced.model
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(table).where(table.id == row_id).values(updated_at=when))


def rows(world: World, synced: Synced, count: int) -> list[str]:
    return [synced.add(world) for _ in range(count)]


def get_page(
    world: World, synced: Synced, **params: Any
) -> tuple[list[dict[str, Any]], str | None]:
    response = synced.reader(world).get(synced.path, params={**synced.params, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"], body["next_cursor"]


def sync(world: World, synced: Synced, *, limit: int = 2, **params: Any) -> list[str]:
    """Every page from the first to the last, as a client would fetch them: the ids in the
    order they came."""
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        extra = {**params, **({"cursor": cursor} if cursor else {})}
        items, cursor = get_page(world, synced, limit=limit, **extra)
        seen.extend(item["id"] for item in items)
        if cursor is None:
            return seen
    raise AssertionError("the pages never ended")


def assert_422(response: Any, detail: str | None = None) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    if detail is not None:
        assert response.json()["detail"] == detail


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@each_list
def test_updated_since_keeps_only_rows_changed_at_or_after_the_moment(
    world: World, synced: Synced
) -> None:
    before, on_the_moment, after = rows(world, synced, 3)
    moment = ANCHOR + timedelta(hours=1)
    stamp(world, synced, before, moment - timedelta(microseconds=1))
    stamp(world, synced, on_the_moment, moment)
    stamp(world, synced, after, moment + timedelta(minutes=5))

    since = sync(world, synced, updated_since=moment.isoformat())

    assert since == [on_the_moment, after]
    # The same moment in another timezone is the same moment.
    stockholm = moment.astimezone(timezone(timedelta(hours=2)))
    assert sync(world, synced, updated_since=stockholm.isoformat()) == [on_the_moment, after]
    # `Z` is UTC.
    zulu = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert sync(world, synced, updated_since=zulu) == [on_the_moment, after]


@each_list
def test_paging_visits_every_row_once_in_updated_at_then_id_order(
    world: World, synced: Synced
) -> None:
    made = sorted(rows(world, synced, 5))
    # The latest change on the smallest id, and three rows changed at the same moment: id
    # order and change order differ, and the tie is broken by the id.
    times = [
        ANCHOR + timedelta(hours=3),
        ANCHOR + timedelta(hours=2),
        ANCHOR + timedelta(hours=2),
        ANCHOR + timedelta(hours=2),
        ANCHOR + timedelta(hours=1),
    ]
    for row_id, when in zip(made, times, strict=True):
        stamp(world, synced, row_id, when)
    expected = [row_id for _, row_id in sorted(zip(times, made, strict=True))]

    for limit in (1, 2, 3, 5):
        assert sync(world, synced, limit=limit) == expected
    # A cursor names a position, so a later page with `updated_since` keeps both bounds.
    first, cursor = get_page(world, synced, limit=2)
    assert [item["id"] for item in first] == expected[:2]
    later, _ = get_page(
        world,
        synced,
        limit=5,
        cursor=cursor,
        updated_since=(ANCHOR + timedelta(hours=2)).isoformat(),
    )
    assert [item["id"] for item in later] == expected[2:]
    # `updated_since` after the cursor's position wins: the rows before it are skipped.
    skipped, _ = get_page(
        world,
        synced,
        limit=5,
        cursor=cursor,
        updated_since=(ANCHOR + timedelta(hours=3)).isoformat(),
    )
    assert [item["id"] for item in skipped] == expected[4:]


@each_list
def test_a_row_changed_after_the_last_page_comes_with_the_next_sync(
    world: World, synced: Synced
) -> None:
    made = rows(world, synced, 3)
    if synced.name == "tenancies":
        # A first remark sets the trial period's end; the second one on the same day leaves
        # the tenancy's columns as they are and must still count as a change.
        synced.change(world, made[1])
    for offset, row_id in enumerate(made):
        stamp(world, synced, row_id, ANCHOR + timedelta(minutes=offset))
    first_sync = sync(world, synced, updated_since=ANCHOR.isoformat())
    assert sorted(first_sync) == sorted(made)

    synced_at = datetime.now(UTC)
    synced.change(world, made[1])

    assert sync(world, synced, updated_since=synced_at.isoformat()) == [made[1]]
    # A full listing now has it last: the most recent change.
    assert sync(world, synced)[-1] == made[1]


@each_list
def test_filters_still_apply_with_updated_since(world: World, synced: Synced) -> None:
    old, recent = rows(world, synced, 2)
    stamp(world, synced, old, ANCHOR - timedelta(days=1))
    stamp(world, synced, recent, ANCHOR)
    has, lacks = {
        "vacancies": ("open", "withdrawn"),
        "households": ("open", "closed"),
        "proposals": ("released", "withdrawn"),
        "tenancies": ("active", "ended"),
    }[synced.name]
    since = ANCHOR.isoformat()
    assert sync(world, synced, status=has, updated_since=since) == [recent]
    assert sync(world, synced, status=lacks, updated_since=since) == []
    assert sync(world, synced, status=has) == [old, recent]


FORGED = {
    "not base64 of anything we issue": "Zm9v",
    "an id-order cursor": b64("3f1c0e1e-8f4c-4b7a-9a53-0d4b2f6f7c11"),
    "a naive time": b64("2026-06-01T08:00:00|3f1c0e1e-8f4c-4b7a-9a53-0d4b2f6f7c11"),
    "another offset": b64("2026-06-01T10:00:00+02:00|3f1c0e1e-8f4c-4b7a-9a53-0d4b2f6f7c11"),
    "not a time": b64("yesterday|3f1c0e1e-8f4c-4b7a-9a53-0d4b2f6f7c11"),
    "not an id": b64("2026-06-01T08:00:00+00:00|' OR 1=1 --"),
    "no id": b64("2026-06-01T08:00:00+00:00|"),
    "three parts": b64("2026-06-01T08:00:00+00:00|3f1c0e1e-8f4c-4b7a-9a53-0d4b2f6f7c11|x"),
    "a control character": b64("2026-06-01T08:00:00+00:00\n|x"),
}


@each_list
@pytest.mark.parametrize("cursor", FORGED.values(), ids=FORGED.keys())
def test_a_cursor_the_service_did_not_issue_is_refused(
    world: World, synced: Synced, cursor: str
) -> None:
    rows(world, synced, 1)
    response = synced.reader(world).get(synced.path, params={**synced.params, "cursor": cursor})
    assert_422(response, NOT_ISSUED)


@each_list
def test_an_issued_cursor_is_accepted(world: World, synced: Synced) -> None:
    """The counterpart of the refusals above: the service's own cursors pass."""
    made = rows(world, synced, 2)
    [first], cursor = get_page(world, synced, limit=1)
    assert cursor is not None
    rest, _ = get_page(world, synced, limit=1, cursor=cursor)
    assert [item["id"] for item in rest] == [row_id for row_id in made if row_id != first["id"]]


@each_list
@pytest.mark.parametrize(
    "value",
    [
        "2026-06-01T08:00:00",  # naive: which timezone?
        "2026-06-01",  # a day, not a moment
        "1780300800",  # a Unix timestamp, not ISO 8601
        "yesterday",
        "",
    ],
)
def test_updated_since_must_be_a_date_time_with_a_timezone(
    world: World, synced: Synced, value: str
) -> None:
    response = synced.reader(world).get(
        synced.path, params={**synced.params, "updated_since": value}
    )
    assert_422(response)
    assert [error["field"] for error in response.json()["errors"]] == ["query.updated_since"]


def test_an_event_on_a_tenancy_moves_it_in_the_order(world: World) -> None:
    """A remark, a step and an end each count as a change of the tenancy."""
    synced = next(s for s in LISTS if s.name == "tenancies")
    made = rows(world, synced, 2)
    for row_id in made:
        stamp(world, synced, row_id, ANCHOR)
    synced_at = datetime.now(UTC)
    ended = world.mimer_client.post(f"/v1/tenancies/{made[0]}/end", json={"reason": "moved_out"})
    assert ended.status_code == 200, ended.text
    assert sync(world, synced, updated_since=synced_at.isoformat()) == [made[0]]
