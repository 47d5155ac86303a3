"""Events and webhooks (docs/events.md): each organisation is told what changed for it —
in its own view, written with the change, delivered signed to a real HTTP receiver on
loopback, and readable again from the feed.

Runs on SQLite and PostgreSQL (TEST_DATABASE=postgresql). Jönköping is built once for the
module (tests/worlds/once.py); the tests whose writes other threads or processes read are in
tests/test_events_committed.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from app.auth import Role
from app.events import delivery
from app.events.catalogue import SUBJECT_OF, Audience
from app.events.models import Event, EventStream, WebhookDelivery, WebhookEndpoint
from app.events.openapi import PAYLOADS
from app.events.outbox import emit
from app.events.urls import url_refusal
from app.jobs.worker import announce_due, purge_events
from app.proposals.models import Proposal
from app.vocabulary import EventType, SubjectType
from tests.conftest import Api, AuthedClient
from tests.minimal_view import forbidden_household_fields, reachable_properties
from tests.receiver import Receiver
from tests.webhooks import deliver, subscribe
from tests.worlds.jonkoping import Jonkoping, jonkoping_world
from tests.worlds.once import built_once
from tests.worlds.protected import assert_hidden, audit_events, protected_household

built_world, world = built_once(jonkoping_world)


def feed(client: AuthedClient, **params: Any) -> list[dict[str, Any]]:
    """The caller's whole feed, page by page from the start."""
    items: list[dict[str, Any]] = []
    after = "0"
    while True:
        response = client.get("/v1/events", params={"after": after, "limit": 3, **params})
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if page["next_cursor"] == after:
            return items
        after = page["next_cursor"]


def verified(hook: Receiver, path: str, secret: str) -> list[dict[str, Any]]:
    """Every body the endpoint received, each signature checked by `standardwebhooks`, in
    the stream's order (deliveries are sent concurrently: the event id orders them)."""
    bodies = []
    for request in hook.at(path):
        payload = Webhook(secret).verify(request.body, request.headers)
        assert payload["data"]["type"] == payload["type"]
        bodies.append(payload)
    return sorted(bodies, key=lambda body: int(body["data"]["id"]))


def released_family(world: Jonkoping) -> dict[str, Any]:
    """The standard round, and the family's proposal (Vätterhem's VH-1) released."""
    world.standard()
    body = world.run()
    assert body["status"] == "succeeded", body
    family = world.households["JKP-FAMILY"]
    [proposal] = [p for p in body["proposals"] if p["household"] == family]
    response = world.coordinator.post(f"/v1/proposals/{proposal['id']}/release")
    assert response.status_code == 200, response.text
    released: dict[str, Any] = proposal
    return released


def payload_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = set(node)
        for value in node.values():
            found |= payload_keys(value)
        return found
    if isinstance(node, list):
        return set().union(*(payload_keys(item) for item in node)) if node else set()
    return set()


# --- The whole story ------------------------------------------------------------------------


def test_a_whole_story_reaches_each_organisation_signed_and_in_its_own_view(
    world: Jonkoping, hook: Receiver
) -> None:
    """Round → release → both sides accept → the tenancy's step: each organisation's
    endpoint receives exactly its events, verified signatures, the same as its feed."""
    landlord = world.landlords[world.vatterhem]
    other_landlord = world.landlords[world.balder]
    secrets = {
        "/vatterhem": subscribe(landlord, hook.url + "/vatterhem")["secret"],
        "/balder": subscribe(other_landlord, hook.url + "/balder")["secret"],
        "/coordinator": subscribe(world.coordinator, hook.url + "/coordinator")["secret"],
        "/social": subscribe(world.social, hook.url + "/social")["secret"],
    }
    proposal = released_family(world)
    assert landlord.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    assert world.social.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    [tenancy] = world.coordinator.get("/v1/tenancies").json()["items"]

    announce_due(world.api.app.state.sessionmaker)
    announce_due(world.api.app.state.sessionmaker)  # once, however often it sweeps
    # Jönköping: social services "rekommenderar … fastighetsägaren": the landlord consents.
    consented = landlord.post(f"/v1/tenancies/{tenancy['id']}/consent", json={"consent": True})
    assert consented.status_code == 200, consented.text
    stepped = world.coordinator.post(
        f"/v1/tenancies/{tenancy['id']}/step", json={"to": "own_lease"}
    )
    assert stepped.status_code == 200, stepped.text
    assert deliver(world.api) > 0

    story = [
        "proposal.released",
        "proposal.landlord_accepted",
        "proposal.household_accepted",
        "proposal.contracted",
    ]
    tenancy_story = [
        "vacancy.let",
        "tenancy.step_due",
        "tenancy.transfer_consented",
        "tenancy.stepped",
    ]
    posted = ["vacancy.posted"]
    expected = {
        "/vatterhem": posted * 2 + story + tenancy_story,
        "/coordinator": posted * 3 + ["round.succeeded", *story, *tenancy_story],
        "/social": story,
        "/balder": posted,
    }
    clients = {
        "/vatterhem": landlord,
        "/coordinator": world.coordinator,
        "/social": world.social,
        "/balder": other_landlord,
    }
    for path, types in expected.items():
        received = verified(hook, path, secrets[path])
        assert [p["type"] for p in received] == types, path
        events = feed(clients[path])
        assert [e["type"] for e in events] == types, path
        # The webhook carries exactly the feed's event, and every attempt's id is its own.
        assert [p["data"] for p in received] == events
        ids = [e["id"] for e in events]
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)
        assert len({r.headers["webhook-id"] for r in hook.at(path)}) == len(types)

    landlord_events = feed(landlord)
    released = landlord_events[2]
    assert released["subject"] == {
        "type": "proposal",
        "id": proposal["id"],
        "external_ref": "VH-1",
    }
    assert released["data"]["view"] == "landlord"
    assert released["data"]["status"] == "released"
    assert released["data"]["deadline_at"] is not None
    coordinator_events = {e["type"]: e for e in feed(world.coordinator)}
    assert coordinator_events["proposal.contracted"]["data"]["tenancy"] == tenancy["id"]
    assert coordinator_events["tenancy.stepped"]["data"]["status"] == "transferred"
    assert coordinator_events["round.succeeded"]["data"]["status"] == "succeeded"

    # Every payload matches the view the OpenAPI `webhooks` section declares for its audience.
    components = world.api.app.openapi()["components"]["schemas"]
    for path, role in (
        ("/vatterhem", Role.landlord),
        ("/coordinator", Role.coordinator),
        ("/social", Role.social_services),
    ):
        for event in feed(clients[path]):
            names = PAYLOADS[SUBJECT_OF[EventType(event["type"])]][role]
            declared = set().union(*(set(components[n]["properties"]) for n in names))
            assert set(event["data"]) <= declared, (path, event["type"])

    # The landlord's payloads pass the same minimisation walk as its responses.
    forbidden = forbidden_household_fields(components)
    for request in hook.at("/vatterhem"):
        assert not payload_keys(request.json["data"]["data"]) & forbidden
    assert world.households["JKP-FAMILY"] not in " ".join(r.body for r in hook.at("/vatterhem"))


def test_a_receiver_failing_three_times_gets_the_same_webhook_id_four_times(
    world: Jonkoping, hook: Receiver
) -> None:
    hook.script = [500, 500, 500]
    endpoint = subscribe(world.coordinator, hook.url)
    ping = world.coordinator.post(f"/v1/webhooks/{endpoint['id']}/test")
    assert ping.status_code == 202, ping.text
    start = datetime.now(UTC)
    moments = [
        start,
        start + timedelta(seconds=6),
        start + timedelta(seconds=6, minutes=5, milliseconds=500),
        start + timedelta(seconds=7, minutes=35, milliseconds=800),
    ]
    # Not due before its back-off has passed.
    assert deliver(world.api, at=start) == 1
    assert deliver(world.api, at=start + timedelta(seconds=3)) == 0
    for moment in moments[1:]:
        assert deliver(world.api, at=moment) == 1
    assert deliver(world.api, at=start + timedelta(days=5)) == 0

    ids = {r.headers["webhook-id"] for r in hook.received}
    assert len(hook.received) == 4
    assert ids == {ping.json()["id"]}
    for request in hook.received:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)  # fresh timestamp
    [shown] = world.coordinator.get(f"/v1/webhooks/{endpoint['id']}/deliveries").json()["items"]
    assert shown["status"] == "succeeded"
    assert [a["status_code"] for a in shown["attempts"]] == [500, 500, 500, 200]
    assert shown["next_attempt_at"] is None
    assert shown["event_type"] == "ping"
    assert feed(world.coordinator) == []  # pings are not in the organisation's feed


def test_an_attempt_cut_short_by_a_killed_worker_stays_in_the_history(
    world: Jonkoping, hook: Receiver
) -> None:
    """A worker claims the delivery, sends it and dies before it records the answer (here:
    it claims and sends, and never records). The history shows that attempt as sending
    while its lease runs, as interrupted once the lease is out, and keeps it when the next
    worker sends the delivery again: the receiver got it twice, the history says twice."""
    endpoint = subscribe(world.coordinator, hook.url)
    world.coordinator.post(f"/v1/webhooks/{endpoint['id']}/test")
    factory = world.api.app.state.sessionmaker
    start = datetime.now(UTC)
    with factory.begin() as session:
        [claimed] = delivery.claim_due(session, start)
    with delivery.new_client() as client:
        cut_short = delivery.send(client, claimed, production=False)
    assert cut_short.status_code == 200  # the receiver has it; its worker dies now

    def attempts() -> list[dict[str, Any]]:
        url = f"/v1/webhooks/{endpoint['id']}/deliveries"
        [shown] = world.coordinator.get(url).json()["items"]
        return list(shown["attempts"])

    assert [(a["status_code"], a["error"]) for a in attempts()] == [(None, "sending")]
    with factory.begin() as session:  # the lease runs out
        session.execute(
            update(WebhookDelivery).values(next_attempt_at=start - timedelta(seconds=1))
        )
    assert [(a["status_code"], a["error"]) for a in attempts()] == [(None, "interrupted")]

    assert deliver(world.api, at=start + delivery.LEASE + timedelta(seconds=1)) == 1
    assert len(hook.received) == 2
    assert {r.headers["webhook-id"] for r in hook.received} == {claimed.delivery_id}
    assert [(a["status_code"], a["error"]) for a in attempts()] == [
        (None, "interrupted"),
        (200, None),
    ]
    # The late answer of the killed worker, should it still come, is written in its place.
    with factory.begin() as session:
        delivery.record(session, [cut_short], datetime.now(UTC))
    assert [a["status_code"] for a in attempts()] == [200, 200]


def test_the_back_off_spans_a_day_and_then_gives_up(world: Jonkoping, hook: Receiver) -> None:
    hook.script = [503] * 20
    endpoint = subscribe(world.coordinator, hook.url)
    world.coordinator.post(f"/v1/webhooks/{endpoint['id']}/test")
    moment = datetime.now(UTC)
    schedule = [timedelta(0), *delivery.RETRY_AFTER]
    for wait in schedule:
        moment += wait + timedelta(milliseconds=10)
        assert deliver(world.api, at=moment) == 1
    assert deliver(world.api, at=moment + timedelta(days=1)) == 0
    assert sum(delivery.RETRY_AFTER, timedelta(0)) >= timedelta(hours=24)
    [shown] = world.coordinator.get(f"/v1/webhooks/{endpoint['id']}/deliveries").json()["items"]
    assert shown["status"] == "failed"
    assert len(shown["attempts"]) == len(schedule)
    # A manual retry sends it again now, under the same webhook-id.
    retried = world.coordinator.post(
        f"/v1/webhooks/{endpoint['id']}/deliveries/{shown['id']}/retry"
    )
    assert retried.status_code == 202, retried.text
    hook.script = []
    assert deliver(world.api) == 1
    assert hook.received[-1].headers["webhook-id"] == shown["id"]


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_owner_told(
    world: Jonkoping, hook: Receiver
) -> None:
    hook.script = [500] * 50
    landlord = world.landlords[world.vatterhem]
    endpoint = subscribe(landlord, hook.url)
    for _ in range(3):
        landlord.post(f"/v1/webhooks/{endpoint['id']}/test")
    start = datetime.now(UTC)
    assert deliver(world.api, at=start) == 3
    assert landlord.get(f"/v1/webhooks/{endpoint['id']}").json()["enabled"] is True
    with world.api.app.state.sessionmaker.begin() as session:  # the retries come due later
        session.execute(update(WebhookDelivery).values(next_attempt_at=start))
    assert deliver(world.api, at=start + timedelta(days=3, seconds=1)) == 3
    shown = landlord.get(f"/v1/webhooks/{endpoint['id']}").json()
    assert shown["enabled"] is False
    assert shown["disabled_reason"]
    [told] = feed(landlord)
    assert told["type"] == "webhook.disabled"
    assert told["subject"]["id"] == endpoint["id"]
    assert told["data"]["enabled"] is False
    # Nothing more goes to a disabled endpoint; enabling it again sends what is pending.
    with world.api.app.state.sessionmaker.begin() as session:
        session.execute(update(WebhookDelivery).values(next_attempt_at=start))
    count = len(hook.received)
    assert deliver(world.api) == 0
    assert len(hook.received) == count
    enabled = landlord.patch(f"/v1/webhooks/{endpoint['id']}", json={"enabled": True})
    assert enabled.status_code == 200
    assert enabled.json()["failing_since"] is None
    hook.script = []
    assert deliver(world.api) == 3


# --- The outbox -------------------------------------------------------------------------


def test_a_rolled_back_request_emits_nothing(
    world: Jonkoping, hook: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The household's accept fails after it emitted `household_accepted`: the request is
    rolled back whole, and no event and no delivery exist."""
    subscribe(world.coordinator, hook.url)
    proposal = released_family(world)
    landlord = world.landlords[world.vatterhem]
    assert landlord.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    before = [e["type"] for e in feed(world.coordinator)]

    from app.core.errors import Conflict
    from app.households import service as households

    def refuse(*_: Any, **__: Any) -> None:
        raise Conflict("The case changed meanwhile.")

    monkeypatch.setattr(households, "close_household", refuse)
    refused = world.social.post(f"/v1/proposals/{proposal['id']}/accept")
    assert refused.status_code == 409
    assert [e["type"] for e in feed(world.coordinator)] == before
    with world.api.app.state.sessionmaker() as session:
        types = set(session.scalars(select(Event.type)))
    assert "proposal.household_accepted" not in types
    monkeypatch.undo()
    assert world.social.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    assert [e["type"] for e in feed(world.coordinator)][-3:] == [
        "proposal.household_accepted",
        "proposal.contracted",
        "vacancy.let",
    ]


def test_events_commit_or_roll_back_with_their_transaction(api: Api) -> None:
    api.municipality("0680")
    factory = api.app.state.sessionmaker
    audience = Audience.coordinators("0680")
    with factory() as session:
        emit(session, audience, EventType.round_failed, subject_id="r1", data={"a": 1})
        session.rollback()
        session.commit()
    with factory.begin() as session:
        emit(session, audience, EventType.round_failed, subject_id="r2", data={"a": 2})
        with session.begin_nested():  # a savepoint's commit does not write them early
            pass
        assert session.scalars(select(Event)).all() == []
    with factory() as session:
        rows = session.scalars(select(Event)).all()
        assert [(r.subject_id, r.seq) for r in rows] == [("r2", 1)]
        assert session.get(EventStream, audience.key) is not None


def test_one_commits_events_are_numbered_in_order_and_delivered_by_subscription(
    api: Api,
) -> None:
    """Several audiences in one commit: each stream numbered on from where it stood, in the
    order of emission; a delivery per enabled endpoint of the event's audience subscribed
    to its type — none for another type, a disabled endpoint or another audience."""
    api.municipality("0680")
    factory = api.app.state.sessionmaker
    first, second = Audience.coordinators("0680"), Audience.coordinators("0681")
    with factory.begin() as session:
        emit(session, first, EventType.round_failed, subject_id="r0", data={})
    with factory.begin() as session:
        for audience, types, enabled in (
            (first, ["round.failed"], True),
            (first, ["round.succeeded"], True),
            (first, ["round.failed"], False),
            (second, ["round.failed", "round.succeeded"], True),
        ):
            session.add(
                WebhookEndpoint(
                    audience=audience.key,
                    url="http://127.0.0.1:9/hook",
                    event_types=types,
                    secret="whsec_" + "A" * 32,
                    created_by="test",
                    enabled=enabled,
                )
            )
    with factory.begin() as session:
        for audience, event_type, subject in (
            (first, EventType.round_failed, "r1"),
            (second, EventType.round_succeeded, "s1"),
            (first, EventType.round_succeeded, "r2"),
            (first, EventType.round_failed, "r3"),
        ):
            emit(session, audience, event_type, subject_id=subject, data={"n": subject})
    with factory() as session:
        events = session.scalars(select(Event).order_by(Event.audience, Event.seq)).all()
        numbered = [(e.audience, e.seq, e.subject_id, e.data) for e in events]
        assert numbered == [
            (first.key, 1, "r0", {}),
            (first.key, 2, "r1", {"n": "r1"}),
            (first.key, 3, "r2", {"n": "r2"}),
            (first.key, 4, "r3", {"n": "r3"}),
            (second.key, 1, "s1", {"n": "s1"}),
        ]
        endpoint_of = {
            e.id: (e.audience, e.event_types) for e in session.scalars(select(WebhookEndpoint))
        }
        subject_of = {e.id: e.subject_id for e in events}
        deliveries = session.scalars(select(WebhookDelivery)).all()
        got = sorted((subject_of[d.event_id], *endpoint_of[d.endpoint_id][1]) for d in deliveries)
        assert got == [
            ("r1", "round.failed"),
            ("r2", "round.succeeded"),
            ("r3", "round.failed"),
            ("s1", "round.failed", "round.succeeded"),
        ]
        for d in deliveries:
            assert d.status == "pending"
            assert d.attempt_count == 0
            assert d.attempts == []
            assert d.id.startswith("msg_")
            assert len(d.id) == 36
            assert d.next_attempt_at is not None
            assert d.next_attempt_at.tzinfo is not None


# --- The feed ---------------------------------------------------------------------------


def test_the_feed_resumes_from_a_cursor_with_no_gap_and_no_duplicate(world: Jonkoping) -> None:
    world.standard()
    body = world.run()
    ids = [p["id"] for p in body["proposals"]]
    assert len(ids) >= 2
    for proposal in ids:
        world.coordinator.post(f"/v1/proposals/{proposal}/release")
    first = world.coordinator.get("/v1/events", params={"limit": 2}).json()
    assert len(first["items"]) == 2
    # Something happens while the client is away; it resumes from its stored cursor.
    world.coordinator.post(f"/v1/proposals/{ids[0]}/withdraw")
    rest: list[dict[str, Any]] = []
    cursor = first["next_cursor"]
    while True:
        page = world.coordinator.get("/v1/events", params={"after": cursor, "limit": 2}).json()
        if not page["items"]:
            assert page["next_cursor"] == cursor
            break
        rest.extend(page["items"])
        cursor = page["next_cursor"]
    whole = first["items"] + rest
    assert [e["id"] for e in whole] == list(range(1, len(whole) + 1))
    assert [e["type"] for e in whole] == (
        ["vacancy.posted"] * 3
        + ["round.succeeded"]
        + ["proposal.released"] * len(ids)
        + ["proposal.withdrawn"]
    )
    only = world.coordinator.get("/v1/events", params={"types": "proposal.withdrawn"}).json()
    assert [e["type"] for e in only["items"]] == ["proposal.withdrawn"]


@pytest.mark.parametrize(
    "params",
    [
        {"types": "proposal.nonsense"},
        {"after": "-1"},
        {"after": "abc"},
        {"limit": "0"},
        {"wait": "31"},
    ],
)
def test_a_malformed_feed_request_is_422(world: Jonkoping, params: dict[str, str]) -> None:
    response = world.coordinator.get("/v1/events", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_the_admin_has_no_feed(api: Api) -> None:
    assert api.admin.get("/v1/events").status_code == 403
    assert api.admin.post(
        "/v1/webhooks", json={"url": "https://a.se", "events": ["ping"]}
    ).status_code in (403, 422)


def test_the_sweep_warns_of_a_deadline_once(world: Jonkoping) -> None:

    proposal = released_family(world)
    factory = world.api.app.state.sessionmaker
    announce_due(factory)
    assert "proposal.deadline_approaching" not in [e["type"] for e in feed(world.social)]
    with factory.begin() as session:
        session.execute(
            update(Proposal)
            .where(Proposal.id == proposal["id"])
            .values(deadline_at=datetime.now(UTC) + timedelta(hours=3))
        )
    announce_due(factory)
    announce_due(factory)
    landlord = world.landlords[world.vatterhem]
    for client in (world.social, world.coordinator, landlord):
        warned = [e for e in feed(client) if e["type"] == "proposal.deadline_approaching"]
        assert len(warned) == 1
        assert warned[0]["subject"]["id"] == proposal["id"]
    # Past the deadline, the sweep expires it — and says so.
    with factory.begin() as session:
        session.execute(
            update(Proposal)
            .where(Proposal.id == proposal["id"])
            .values(deadline_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    announce_due(factory)
    assert feed(landlord)[-1]["type"] == "proposal.expired"


# --- Privacy --------------------------------------------------------------------------------


def test_a_protected_households_identifiers_reach_no_landlord_or_social_services_payload(
    world: Jonkoping, hook: Receiver
) -> None:
    world.vacancy(world.vatterhem, "VH-SAFE", area="CENTRUM", rooms=2, rent=7000)
    landlord = world.landlords[world.vatterhem]
    subscribe(landlord, hook.url + "/landlord")
    subscribe(world.social, hook.url + "/social")
    household = protected_household(world)
    body = world.run()
    [proposal] = [p for p in body["proposals"] if p["household"] == household]
    assert world.coordinator.post(f"/v1/proposals/{proposal['id']}/release").status_code == 200
    assert landlord.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    assert world.coordinator.post(f"/v1/proposals/{proposal['id']}/accept").status_code == 200
    deliver(world.api)
    landlord_text = " ".join(r.body for r in hook.at("/landlord"))
    social_text = " ".join(r.body for r in hook.at("/social"))
    assert "proposal.contracted" in landlord_text
    assert "proposal.contracted" in social_text
    assert_hidden(landlord_text, "landlord webhooks")
    assert household not in landlord_text
    assert "protected" not in landlord_text
    # Social services learn that the proposal exists and its state (the restricted view, as
    # their API answers): none of the case's values, nor where the household is going.
    assert_hidden(social_text.replace('"protected_identity":true', ""), "social webhooks")
    for event in feed(world.social):
        assert event["data"]["view"] == "restricted", event
        assert set(event["data"]) == {
            "view",
            "id",
            "household",
            "status",
            "deadline_at",
            "protected_identity",
        }
    assert_hidden(str(feed(landlord)), "the landlord's feed")


def test_erasing_a_household_erases_its_events_data(world: Jonkoping) -> None:
    proposal = released_family(world)
    world.coordinator.post(f"/v1/proposals/{proposal['id']}/withdraw")
    household = world.households["JKP-FAMILY"]
    closed = world.coordinator.post(f"/v1/households/{household}/close", json={"reason": "moved"})
    assert closed.status_code == 200, closed.text
    assert world.coordinator.post(f"/v1/households/{household}/erase").status_code == 200
    proposal_events = [e for e in feed(world.coordinator) if e["subject"]["type"] == "proposal"]
    family = [e for e in proposal_events if e["subject"]["id"] == proposal["id"]]
    assert [e["type"] for e in family] == ["proposal.released", "proposal.withdrawn"]
    assert all(e["data"] == {"erased": True} for e in family)
    others = [e for e in proposal_events if e["subject"]["id"] != proposal["id"]]
    assert all(e["data"] != {"erased": True} for e in others)


def test_the_feed_is_audited_for_the_municipality(world: Jonkoping) -> None:

    released_family(world)
    world.social.get("/v1/events")
    reads = [e for e in audit_events(world.api) if e.purpose == "event feed"]
    assert {e.household_id for e in reads} == {world.households["JKP-FAMILY"]}


def test_events_older_than_the_retention_are_purged(world: Jonkoping) -> None:

    released_family(world)
    factory = world.api.app.state.sessionmaker
    with factory.begin() as session:
        aged = session.execute(
            update(Event)
            .where(Event.type != "proposal.released")
            .values(occurred_at=datetime.now(UTC) - timedelta(days=31))
        ).rowcount
    assert aged > 0
    assert purge_events(factory, 30) == aged
    assert [e["type"] for e in feed(world.coordinator)] == ["proposal.released"]


# --- Webhook subscriptions -------------------------------------------------------------------


def test_another_organisations_webhook_and_delivery_are_404(
    world: Jonkoping, hook: Receiver
) -> None:
    landlord = world.landlords[world.vatterhem]
    endpoint = subscribe(landlord, hook.url)
    delivered = landlord.post(f"/v1/webhooks/{endpoint['id']}/test").json()
    base = f"/v1/webhooks/{endpoint['id']}"
    for stranger in (world.landlords[world.balder], world.coordinator, world.social):
        answers = [
            stranger.get(base),
            stranger.patch(base, json={"enabled": False}),
            stranger.post(f"{base}/test"),
            stranger.get(f"{base}/deliveries"),
            stranger.post(f"{base}/deliveries/{delivered['id']}/retry"),
            stranger.delete(base),
        ]
        assert [a.status_code for a in answers] == [404] * 6, answers[1].text
        assert stranger.get("/v1/webhooks").json()["items"] == []
    other = subscribe(world.landlords[world.balder], hook.url)
    own_id_other_endpoint = landlord.post(
        f"/v1/webhooks/{endpoint['id']}/deliveries/msg_{'0' * 32}/retry"
    )
    assert own_id_other_endpoint.status_code == 404
    assert landlord.get(f"/v1/webhooks/{other['id']}/deliveries").status_code == 404
    assert landlord.get(base).json()["enabled"] is True
    # The owner manages its own: the secret is never shown again.
    assert "secret" not in landlord.get(base).json()
    assert landlord.delete(base).status_code == 204
    assert landlord.get(base).status_code == 404


def test_a_subscription_receives_only_its_event_types(world: Jonkoping, hook: Receiver) -> None:
    landlord = world.landlords[world.vatterhem]
    subscribe(landlord, hook.url, ["proposal.landlord_accepted"])
    proposal = released_family(world)
    landlord.post(f"/v1/proposals/{proposal['id']}/accept")
    deliver(world.api)
    assert [r.json["type"] for r in hook.received] == ["proposal.landlord_accepted"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://127.0.0.1/x", "events": ["proposal.released"]}, "url"),
        ({"url": "http://10.1.2.3/hook", "events": ["proposal.released"]}, "url"),
        ({"url": "http://169.254.169.254/latest", "events": ["proposal.released"]}, "url"),
        ({"url": "http://user:pw@127.0.0.1/", "events": ["proposal.released"]}, "url"),
        ({"url": "http://127.0.0.1:1/", "events": []}, "events"),
        ({"url": "http://127.0.0.1:1/", "events": ["ping"]}, "events"),
        ({"url": "http://127.0.0.1:1/", "events": ["nope"]}, "events"),
        ({"url": "http://127.0.0.1:1/", "events": ["vacancy.let", "vacancy.let"]}, "events"),
        ({"url": "http://127.0.0.1:1/", "events": ["vacancy.let"], "x": 1}, "x"),
    ],
)
def test_an_invalid_subscription_is_422_and_creates_nothing(
    world: Jonkoping, body: dict[str, Any], field: str
) -> None:
    response = world.coordinator.post("/v1/webhooks", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    with world.api.app.state.sessionmaker() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_production_refuses_plain_http_loopback_and_private_addresses() -> None:
    assert url_refusal("http://example.se/hook", production=True) == "url: must be https://"
    for url in (
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/hook",
        "https://localhost/hook",
    ):
        assert url_refusal(url, production=True) is not None, url
    assert url_refusal("http://127.0.0.1:8080/hook", production=False) is None
    assert url_refusal("http://[::1]:8080/hook", production=False) is None
    assert url_refusal("https://93.184.215.14/hook", production=True) is None


def test_production_does_not_send_to_a_name_that_now_resolves_inside() -> None:
    """DNS rebinding: the check runs again before every attempt."""
    item = delivery.Outgoing("msg_" + "0" * 32, "https://127.0.0.1:9/x", "whsec_" + "A" * 32, "{}")
    with httpx.Client() as client:
        outcome = delivery.send(client, item, production=True)
    assert outcome.status_code is None
    assert outcome.error
    assert "private" in outcome.error


# --- PostgreSQL: the procrastinate job ---------------------------------------------------


def test_subject_types_cover_every_event_type() -> None:
    assert set(SUBJECT_OF) == set(EventType)
    assert SUBJECT_OF[EventType.webhook_disabled] is SubjectType.webhook


def test_a_landlords_postings_tell_the_municipality(world: Jonkoping) -> None:
    """New, changed, withdrawn and offered again: the coordinators see each, in the vacancy
    view; an identical repost changes nothing and says nothing."""
    landlord = world.landlords[world.vatterhem]
    world.vacancy(world.vatterhem, "VH-9", rooms=2, rent=7000)
    body = {
        "municipality": world.CODE,
        "area": "CENTRUM",
        "rooms": 2,
        "rent": 7000,
        "contract_forms": ["municipal_contract"],
    }
    assert landlord.put("/v1/vacancies/VH-9", json=body).status_code == 200
    assert landlord.put("/v1/vacancies/VH-9", json={**body, "rent": 7200}).status_code == 200
    assert landlord.delete("/v1/vacancies/VH-9").status_code == 204
    assert landlord.put("/v1/vacancies/VH-9", json=body).status_code == 200
    events = feed(world.coordinator)
    assert [e["type"] for e in events] == [
        "vacancy.posted",
        "vacancy.updated",
        "vacancy.withdrawn",
        "vacancy.posted",
    ]
    assert {e["subject"]["external_ref"] for e in events} == {"VH-9"}
    assert events[1]["data"]["rent"] == 7200
    assert events[2]["data"]["status"] == "withdrawn"
    assert [e["type"] for e in feed(landlord)] == [e["type"] for e in events]


def test_no_landlord_payload_in_the_openapi_webhooks_carries_a_household_field(
    api: Api,
) -> None:
    """The minimisation walk of tests/test_minimisation.py, over the `webhooks` section:
    every payload a landlord can receive, by its declared schema."""
    schema = api.app.openapi()
    components = schema["components"]["schemas"]
    forbidden = forbidden_household_fields(components)
    landlord_payloads = [name for name in components if name.endswith("LandlordPayload")]
    assert "ProposalReleasedLandlordPayload" in landlord_payloads
    assert set(schema["webhooks"]) == {t.value for t in EventType}
    leaks = [
        f"{name}: {field}"
        for name in landlord_payloads
        for field in sorted(
            reachable_properties({"$ref": f"#/components/schemas/{name}"}, components, set())
            & forbidden
        )
    ]
    assert leaks == []


@pytest.mark.parametrize(
    "url", ["http://[::1/x", "http://[zz]/", "http://127.0.0.1:99999/", "http://127.0.0.1:x/"]
)
def test_a_malformed_url_is_refused_not_a_500(world: Jonkoping, url: str) -> None:
    """Found by the fuzzer: `urlsplit` raises on a broken IPv6 literal or port."""
    response = world.coordinator.post("/v1/webhooks", json={"url": url, "events": ["round.failed"]})
    assert response.status_code == 422, response.text
    assert "url" in response.json()["detail"]
