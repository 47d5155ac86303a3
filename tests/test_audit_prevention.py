"""The audit trail of an eviction-prevention case is readable through the API (issue 25).

Every read of a case is audited with its purpose (docs/prevention.md: "readable only by the
municipality's social services …, every read audited with a purpose"); the
data-protection officer reads it with `GET /v1/audit?prevention_case=<id>`, within the
coordinator's municipality. Source: Södertälje's outreach on rent debts, where social
services read the tenant's identity to find the person."""

from __future__ import annotations

from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.prevention import JONKOPING, World, aged, spellings

PURPOSE = "vrakningsforebyggande arbete"


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def test_a_social_secretarys_read_of_the_identity_appears_with_its_purpose(
    world: World,
) -> None:
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    other = world.signal(external_ref="TB-1002")
    assert world.case(sent["id"])["tenant"]["personal_identity_number"] == number
    world.case(other["id"])
    world.case(sent["id"], world.coordinator)

    response = world.coordinator.get("/v1/audit", params={"prevention_case": sent["id"]})
    assert response.status_code == 200, response.text
    entries = [
        (item["role"], item["action"], item["purpose"], item["household"])
        for item in response.json()["items"]
    ]
    assert entries == [
        ("social_services", "read", PURPOSE, sent["id"]),
        ("coordinator", "read", None, sent["id"]),
    ]
    for spelling in spellings(number):
        assert spelling not in response.text
    assert "Testsson" not in response.text
    # The case's id looked up as a household is still no household.
    assert world.coordinator.get("/v1/audit", params={"household": sent["id"]}).status_code == 404
    # Across the municipality's trail, the case's events are there too.
    trail = world.coordinator.get("/v1/audit", params={"action": "read"}).json()["items"]
    assert {item["household"] for item in trail} == {sent["id"], other["id"]}


def test_another_municipalitys_case_is_404_and_only_coordinators_read_the_trail(
    world: World,
) -> None:
    sent = world.signal()
    world.case(sent["id"])
    jonkoping = world.api.client("coordinator", municipality=JONKOPING)
    other = jonkoping.get("/v1/audit", params={"prevention_case": sent["id"]})
    assert other.status_code == 404, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert jonkoping.get("/v1/audit").json()["items"] == []
    refused = world.social.get("/v1/audit", params={"prevention_case": sent["id"]})
    assert refused.status_code == 403
    both = world.coordinator.get(
        "/v1/audit", params={"prevention_case": sent["id"], "household": sent["id"]}
    )
    assert both.status_code == 422, both.text
