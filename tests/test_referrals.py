"""Moving to another municipality for safety, through HTTP on either database.

Södertälje: "Det finns ett nätverk mellan ett trettiotal kommuner kallat Kompotten …
Kompotten syftar till utbyte av personer som utsätts för våld i nära relationer och därför
måste flytta". Karlstad: "Hur ska exempelvis en kommun hantera en flytt till en annan kommun
av en person med skyddad identitet? Detta fungerar inte i dag". Here Södertälje refers a
protected-identity household to Norrköping; Nynäshamn stands outside the network.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.core.db import utcnow
from app.events.models import Event
from app.households.models import Household
from app.policies.service import current_policy, household_weight
from app.policies.weights import PolicyWeights
from app.referrals.models import Referral
from tests.conftest import Api, AuthedClient
from tests.receiver import Receiver
from tests.webhooks import deliver, subscribe
from tests.worlds.kompotten import (
    NORRKOPING,
    ORIGIN_SECRETS,
    SODERTALJE,
    YEAR,
    Kompotten,
)
from tests.worlds.once import built_once
from tests.worlds.protected import audit_events


def build_world(api: Api) -> Kompotten:
    return Kompotten(api)


built_world, world = built_once(build_world)


def assert_no_origin(text: str, where: str) -> None:
    for secret in ORIGIN_SECRETS:
        assert secret not in text, f"{secret!r} leaked in {where}"


def events_of(api: Api, audience: str) -> list[Event]:
    with api.app.state.sessionmaker() as session:
        return list(
            session.scalars(select(Event).where(Event.audience == audience).order_by(Event.id))
        )


def feed(client: AuthedClient) -> list[dict[str, Any]]:
    response = client.get("/v1/events", params={"limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_protected_household_moves_from_sodertalje_to_norrkoping_and_is_housed_there(
    api: Api, world: Kompotten, hook: Receiver
) -> None:
    """The issue's story end to end: referred, accepted, matched in Norrköping's round, the
    landlord told nothing of Södertälje, answered by Södertälje's social services, counted
    in the ledger, and every read on both sides in the audit trail."""
    sodertalje, norrkoping = world.sodertalje, world.norrkoping
    subscribe(world.landlord, hook.url + "/landlord")
    subscribe(norrkoping.coordinator, hook.url + "/norrkoping")
    household = world.household()
    sent = world.refer(household)
    assert sent["side"] == "sending"
    # Protected identity: the sending side sees "a municipality of the network" until housed.
    assert sent["to_municipality"] == "network"
    referral = sent["id"]

    # The receiving coordinator sees what matching needs, and no origin.
    offered = norrkoping.coordinator.get(f"/v1/referrals/{referral}")
    assert offered.status_code == 200, offered.text
    body = offered.json()
    assert body["side"] == "receiving"
    assert body["from_municipality"] == "network"
    assert body["household"] is None
    assert body["case"]["adults"] == 1
    assert body["case"]["children"] == 1
    assert body["case"]["income_total"] == 19000
    assert "avoid_areas" not in body["case"]
    assert_no_origin(offered.text, "the receiving coordinator's view of the referral")
    told = [
        e for e in events_of(api, f"coordinator:{NORRKOPING}") if e.type.startswith("referral.")
    ]
    assert [e.type for e in told] == ["referral.offered"]
    assert_no_origin(json.dumps(told[0].data), "the offer's event to Norrköping")

    accepted = norrkoping.coordinator.post(f"/v1/referrals/{referral}/accept")
    assert accepted.status_code == 200, accepted.text
    received = accepted.json()["received_household"]
    assert accepted.json()["status"] == "accepted"
    assert_no_origin(accepted.text, "the acceptance")
    # Each side is told in its own view: the sender not where, the receiver not whence.
    for audience in (f"coordinator:{SODERTALJE}", f"social_services:{SODERTALJE}"):
        [told_sender] = [e for e in events_of(api, audience) if e.type == "referral.accepted"]
        assert told_sender.data["to_municipality"] == "network"
        assert f'"{NORRKOPING}"' not in json.dumps(told_sender.data)
    [told_receiver] = [
        e for e in events_of(api, f"coordinator:{NORRKOPING}") if e.type == "referral.accepted"
    ]
    assert_no_origin(json.dumps(told_receiver.data), "the acceptance's event to Norrköping")

    # The sending case is closed as referred; the new one is Norrköping's.
    old = sodertalje.coordinator.get(f"/v1/households/{household}")
    assert old.json()["status"] == "closed"
    assert old.json()["close_reason"] == "referred"
    new = norrkoping.coordinator.get(f"/v1/households/{received}")
    assert new.status_code == 200, new.text
    assert new.json()["municipality"] == NORRKOPING
    assert new.json()["avoid_areas"] == []
    assert new.json()["preferred_areas"] == []
    assert_no_origin(new.text, "the receiving case")
    assert sodertalje.coordinator.get(f"/v1/households/{received}").status_code == 404

    # Norrköping's next round proposes the household a flat, under its own agreement.
    vacancy = world.vacancy()
    result = world.run_round(norrkoping.coordinator)
    proposals = [p for p in result["proposals"] if p["household"] == received]
    assert [p["vacancy"] for p in proposals] == [vacancy]
    proposal = proposals[0]["id"]
    released = norrkoping.coordinator.post(f"/v1/proposals/{proposal}/release")
    assert released.status_code == 200, released.text

    # The landlord's view, its events and its webhook deliveries name nothing of the origin.
    seen = world.landlord.get(f"/v1/proposals/{proposal}")
    assert seen.status_code == 200, seen.text
    assert_no_origin(seen.text, "the landlord's proposal view")
    landlord_events = events_of(api, f"landlord:{world.landlord_id}")
    assert landlord_events, "the landlord was told of the release"
    for event in landlord_events:
        assert_no_origin(json.dumps(event.data), f"the landlord's event {event.type}")
    assert_no_origin(json.dumps(feed(world.landlord)), "the landlord's feed")
    deliver(api)
    delivered = hook.at("/landlord")
    assert "proposal.released" in {r.json["type"] for r in delivered}
    for request in delivered:
        assert_no_origin(request.body, f"the landlord's webhook {request.json['type']}")
    offers = [r for r in hook.at("/norrkoping") if r.json["type"].startswith("referral.")]
    assert {r.json["type"] for r in offers} == {"referral.offered", "referral.accepted"}
    for request in offers:
        assert_no_origin(request.body, f"Norrköping's webhook {request.json['type']}")

    # Södertälje's social services keep their role: they follow and answer the proposal.
    assert world.landlord.post(f"/v1/proposals/{proposal}/accept").status_code == 200
    followed = sodertalje.social.get(f"/v1/proposals/{proposal}")
    assert followed.status_code == 200, followed.text
    assert f'"{NORRKOPING}"' not in followed.text, "the restricted view names no municipality"
    answered = sodertalje.social.post(f"/v1/proposals/{proposal}/accept")
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "contracted"
    housed = sodertalje.social.get(f"/v1/households/{received}")
    assert housed.status_code == 200
    assert housed.json()["status"] == "closed"

    # Once housed, the sending side may learn where.
    after = sodertalje.coordinator.get(f"/v1/referrals/{referral}")
    assert after.json()["to_municipality"] == NORRKOPING
    assert after.json()["received_status"] == "closed"

    # The ledger: Södertälje 1 given, Norrköping 1 received.
    for reader in (sodertalje.coordinator, norrkoping.coordinator):
        ledger = reader.get("/v1/referrals/ledger", params={"network": world.network, "year": YEAR})
        assert ledger.status_code == 200, ledger.text
        members = {m["municipality"]: m for m in ledger.json()["members"]}
        assert (members[SODERTALJE]["given"], members[SODERTALJE]["received"]) == (1, 0)
        assert (members[NORRKOPING]["given"], members[NORRKOPING]["received"]) == (0, 1)
        assert members[NORRKOPING]["balance"] == 1
        assert ledger.json()["pairs"] == [
            {"from_municipality": SODERTALJE, "to_municipality": NORRKOPING, "count": 1}
        ]

    # The published statistics suppress the small counts the ledger shows exactly.
    for reader, code in (
        (sodertalje.coordinator, SODERTALJE),
        (norrkoping.coordinator, NORRKOPING),
    ):
        published = reader.get("/v1/statistics", params={"municipality": code, "year": YEAR})
        assert published.status_code == 200, published.text
        assert published.json()["referrals"] == {"given": "<5", "received": "<5"}

    # The audit: every read on both sides, each in the trail of the case it read.
    sending_trail = {(e.organisation, e.action) for e in audit_events(api, household_id=household)}
    assert (NORRKOPING, "read") in sending_trail, "Norrköping read the referred case"
    assert (SODERTALJE, "export") in sending_trail, "Södertälje referred it"
    assert (NORRKOPING, "close") in sending_trail
    receiving_trail = {
        (e.organisation, e.role, e.action) for e in audit_events(api, household_id=received)
    }
    assert (NORRKOPING, "coordinator", "create") in receiving_trail
    assert (NORRKOPING, "coordinator", "read") in receiving_trail
    assert (SODERTALJE, "social_services", "read") in receiving_trail
    assert (SODERTALJE, "social_services", "close") in receiving_trail
    assert (SODERTALJE, "coordinator", "read") in receiving_trail, "the sending side followed it"
    # Each side reads its own trail, the other municipality named only as the network.
    for reader, case, other in (
        (norrkoping.coordinator, received, SODERTALJE),
        (sodertalje.coordinator, household, NORRKOPING),
    ):
        trail = reader.get("/v1/audit", params={"household": case, "limit": 100})
        assert trail.status_code == 200, trail.text
        assert "network" in {item["organisation"] for item in trail.json()["items"]}
        assert other not in {item["organisation"] for item in trail.json()["items"]}
    assert_no_origin(
        norrkoping.coordinator.get("/v1/audit", params={"household": received}).text,
        "Norrköping's audit trail of its case",
    )

    # Södertälje's social services were told of the proposal, restricted, naming no place.
    told_social = [e for e in feed(sodertalje.social) if e["type"].startswith("proposal.")]
    assert {e["type"] for e in told_social} >= {"proposal.released", "proposal.contracted"}
    assert f'"{NORRKOPING}"' not in json.dumps(told_social)
    assert {e["data"]["view"] for e in told_social} == {"restricted"}


def test_a_municipality_outside_the_network_reaches_no_referral_and_hears_nothing(
    api: Api, world: Kompotten
) -> None:
    """Nynäshamn ("I en liten kommun som Nynäshamn är det dessutom svårt att gömma sig") is
    not in Kompotten: every referral id is 404 to it, its lists and feeds stay empty."""
    household = world.household()
    referral = world.refer(household)["id"]
    offered = world.refer(world.household("SDT-OFFER", target_groups=["violence_exposed"]), to=None)
    coordinator, social = world.nynashamn.coordinator, world.nynashamn.social
    # Each operation as the role it admits is 404: the referral is not found, not refused.
    operations = [
        (coordinator, "post", "accept", {}),
        (coordinator, "post", "decline", {"reason": "other"}),
        (coordinator, "post", "withdraw", {}),
        (social, "put", "disclosure", {"receiver_visible": True}),
    ]
    for rid in (referral, offered["id"]):
        for client in (coordinator, social):
            assert client.get(f"/v1/referrals/{rid}").status_code == 404
        for client, method, action, body in operations:
            response = client.request(method, f"/v1/referrals/{rid}/{action}", json=body)
            assert response.status_code == 404, (action, response.text)
    for client in (coordinator, social):
        assert client.get("/v1/referrals").json()["items"] == []
        assert feed(client) == []
    ledger = world.nynashamn.coordinator.get(
        "/v1/referrals/ledger", params={"network": world.network}
    )
    assert ledger.status_code == 404
    assert world.nynashamn.coordinator.get(f"/v1/networks/{world.network}").status_code == 404
    # Norrköping, a member, sees the offer to the network; it accepts it.
    listed = world.norrkoping.coordinator.get("/v1/referrals").json()["items"]
    assert {item["id"] for item in listed} == {referral, offered["id"]}
    taken = world.norrkoping.coordinator.post(f"/v1/referrals/{offered['id']}/accept")
    assert taken.status_code == 200, taken.text
    assert world.nynashamn.coordinator.get("/v1/referrals").json()["items"] == []


def test_a_declined_referral_leaves_the_case_open_in_sodertalje(world: Kompotten) -> None:
    household = world.household()
    referral = world.refer(household)["id"]
    declined = world.norrkoping.coordinator.post(
        f"/v1/referrals/{referral}/decline", json={"reason": "no_capacity"}
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["decline_reason"] == "no_capacity"
    case = world.sodertalje.coordinator.get(f"/v1/households/{household}").json()
    assert case["status"] == "open"
    assert case["municipality"] == SODERTALJE
    # Answered once: no second answer, no withdrawal after it.
    again = world.norrkoping.coordinator.post(f"/v1/referrals/{referral}/accept")
    assert again.status_code == 409
    assert (
        world.sodertalje.coordinator.post(f"/v1/referrals/{referral}/withdraw").status_code == 409
    )
    told = world.sodertalje.coordinator.get("/v1/referrals").json()["items"]
    assert [item["status"] for item in told] == ["declined"]


def test_a_referral_is_withdrawn_before_acceptance_and_never_accepted_after(
    world: Kompotten,
) -> None:
    household = world.household()
    referral = world.refer(household)["id"]
    # The receiving side neither withdraws; the sending side neither answers.
    assert (
        world.norrkoping.coordinator.post(f"/v1/referrals/{referral}/withdraw").status_code == 403
    )
    assert world.sodertalje.coordinator.post(f"/v1/referrals/{referral}/accept").status_code == 403
    withdrawn = world.sodertalje.coordinator.post(f"/v1/referrals/{referral}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert world.norrkoping.coordinator.post(f"/v1/referrals/{referral}/accept").status_code == 409
    case = world.sodertalje.coordinator.get(f"/v1/households/{household}").json()
    assert case["status"] == "open"
    # Only an accepted referral closes a case as referred.
    closed = world.sodertalje.coordinator.post(
        f"/v1/households/{household}/close", json={"reason": "referred"}
    )
    assert closed.status_code == 422, closed.text


def test_only_an_open_violence_exposed_or_protected_case_is_referred(world: Kompotten) -> None:
    """Kompotten is for "personer som utsätts för våld i nära relationer": another target
    group is 422, a receiver outside the network 422, a second referral of one case 409."""
    coordinator = world.sodertalje.coordinator
    other = world.household("SDT-OTHER", target_groups=["young_adult"])
    refused = coordinator.post(
        "/v1/referrals",
        json={"household": other, "network": world.network, "to_municipality": NORRKOPING},
    )
    assert refused.status_code == 422, refused.text
    household = world.household()
    outside = coordinator.post(
        "/v1/referrals",
        json={"household": household, "network": world.network, "to_municipality": "0192"},
    )
    assert outside.status_code == 422, outside.text
    world.refer(household)
    twice = coordinator.post(
        "/v1/referrals",
        json={"household": household, "network": world.network, "to_municipality": NORRKOPING},
    )
    assert twice.status_code == 409, twice.text
    # Social services do not refer; Norrköping cannot refer Södertälje's case.
    by_social = world.sodertalje.social.post(
        "/v1/referrals", json={"household": household, "network": world.network}
    )
    assert by_social.status_code == 403
    by_other = world.norrkoping.coordinator.post(
        "/v1/referrals", json={"household": household, "network": world.network}
    )
    assert by_other.status_code == 404


def test_the_sending_social_services_may_see_the_receiver_when_they_chose_so(
    world: Kompotten,
) -> None:
    household = world.household()
    referral = world.refer(household, receiver_visible=True)
    assert referral["to_municipality"] == NORRKOPING
    seen = world.sodertalje.social.get(f"/v1/referrals/{referral['id']}")
    assert seen.status_code == 200
    assert seen.json()["to_municipality"] == NORRKOPING
    # Their choice, changed later: the receiver hidden again; the receiving side has none.
    hidden = world.sodertalje.social.put(
        f"/v1/referrals/{referral['id']}/disclosure", json={"receiver_visible": False}
    )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["to_municipality"] == "network"
    assert (
        world.sodertalje.coordinator.get(f"/v1/referrals/{referral['id']}").json()[
            "to_municipality"
        ]
        == "network"
    )
    other_side = world.norrkoping.social.put(
        f"/v1/referrals/{referral['id']}/disclosure", json={"receiver_visible": True}
    )
    assert other_side.status_code == 404


def test_the_receiving_policy_weighs_a_referred_household_as_the_network_agreed(
    world: Kompotten,
) -> None:
    """A referred case weighs what Norrköping's policy adds for referred households on top of
    what any of its cases weighs; its own cases do not get it."""
    policy = world.norrkoping.coordinator.put(
        f"/v1/municipalities/{NORRKOPING}/policy", json={"referred_weight": 2500}
    )
    assert policy.status_code in (200, 201), policy.text
    assert policy.json()["referred_weight"] == 2500
    in_force = current_policy_of(world, NORRKOPING)
    referral = world.refer(world.household())["id"]
    accepted = world.norrkoping.coordinator.post(f"/v1/referrals/{referral}/accept")
    received = accepted.json()["received_household"]
    own = world.norrkoping.coordinator.post(
        "/v1/households",
        json={
            "case_ref": "NKP-1",
            "adults": 1,
            "children": 1,
            "target_groups": ["protected_identity", "violence_exposed", "family_with_children"],
            "income": {"income_support": 15000, "housing_allowance": 4000},
            "contract_forms": ["municipal_contract"],
            "urgency": 3,
        },
    ).json()["id"]
    with world.api.app.state.sessionmaker() as session:
        referred_row, own_row = session.get(Household, received), session.get(Household, own)
        assert referred_row is not None
        assert own_row is not None
        own_row.registered_at = referred_row.registered_at
        now = utcnow()
        difference = household_weight(in_force, referred_row, now) - household_weight(
            in_force, own_row, now
        )
    assert difference == 2500


def current_policy_of(world: Kompotten, code: str) -> PolicyWeights:
    with world.api.app.state.sessionmaker() as session:
        return current_policy(session, code)


def test_an_answer_after_the_networks_answer_time_is_refused(api: Api, world: Kompotten) -> None:
    """The receiving municipality answers within the network's `answer_hours`; later, the
    referral can only be withdrawn, and the case stays open where it is."""
    household = world.household()
    referral = world.refer(household)
    with api.app.state.sessionmaker.begin() as session:
        row = session.get(Referral, referral["id"])
        assert row is not None
        row.answer_due_at = utcnow() - timedelta(minutes=1)
    late = world.norrkoping.coordinator.post(f"/v1/referrals/{referral['id']}/accept")
    assert late.status_code == 409, late.text
    assert world.norrkoping.social.get(f"/v1/referrals/{referral['id']}").status_code == 404
    withdrawn = world.sodertalje.coordinator.post(f"/v1/referrals/{referral['id']}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    case = world.sodertalje.coordinator.get(f"/v1/households/{household}").json()
    assert case["status"] == "open"
