"""Social services open a housing need from a prevention case (issue 25).

"Nothing of a signal reaches the matching side unless social services open a housing need
from it": Nynäshamn's "Inga barn har blivit vräkta sedan 2009" is kept by finding the
family a home when the lease cannot be saved; Helsingborg's Delmål 4 counts fewer homeless
families with children. The need is the household's, registered as for `POST
/v1/households`; the signal's tenant identity stays in the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.households.models import Household
from tests.conftest import Api
from tests.worlds.once import built_once
from tests.worlds.prevention import World, aged, spellings

PURPOSE = "vrakningsforebyggande arbete"


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def need(**fields: Any) -> dict[str, Any]:
    return {
        "case_ref": "SOC-2026-77",
        "adults": 1,
        "children": 2,
        "children_ages": [4, 9],
        "contract_forms": ["municipal_contract"],
        **fields,
    }


def test_social_services_open_a_housing_need_the_case_links_and_no_identity_is_copied(
    world: World,
) -> None:
    number = aged(40)
    sent = world.signal(
        tenant={"name": "Testa Testsson", "personal_identity_number": number},
        children_in_household=True,
    )
    landlord_view = world.telge.get(f"/v1/prevention/signals/{sent['id']}").json()
    landlord_feed = world.telge.get("/v1/events").json()

    response = world.social.post(f"/v1/prevention/cases/{sent['id']}/household", json=need())
    assert response.status_code == 201, response.text
    household = response.json()
    assert response.headers["Location"] == f"/v1/households/{household['id']}"
    assert household["case_ref"] == "SOC-2026-77"
    for spelling in spellings(number):
        assert spelling not in response.text
    assert "Testsson" not in response.text

    # The household exists and is in the municipality's lists, like any other.
    read = world.social.get(f"/v1/households/{household['id']}")
    assert read.status_code == 200, read.text
    listed = world.coordinator.get("/v1/households")
    assert household["id"] in [item["id"] for item in listed.json()["items"]]
    # The case names it.
    assert world.case(sent["id"])["household"] == household["id"]
    assert world.case(sent["id"], world.coordinator)["household"] == household["id"]
    # Nothing of the signal was copied: the stored household holds no part of the identity.
    with world.api.app.state.sessionmaker() as session:
        row = session.get(Household, household["id"])
        assert row is not None
        stored = repr({c.name: getattr(row, c.name) for c in Household.__table__.columns})
        trail = session.execute(
            select(AuditEvent.household_id, AuditEvent.action, AuditEvent.purpose).where(
                AuditEvent.household_id.in_([household["id"], sent["id"]]),
                AuditEvent.action.in_(["create", "update"]),
            )
        ).all()
    for spelling in spellings(number):
        assert spelling not in stored
    assert "Testsson" not in stored
    # Audited: the household's creation and the case's change, each with the purpose.
    assert sorted(tuple(row) for row in trail) == sorted(
        [(household["id"], "create", PURPOSE), (sent["id"], "update", PURPOSE)]
    )

    # The landlord that sent the signal sees nothing new: not its view, not its feed.
    assert world.telge.get(f"/v1/prevention/signals/{sent['id']}").json() == landlord_view
    assert world.telge.get("/v1/events").json() == landlord_feed
    assert world.telge.get(f"/v1/households/{household['id']}").status_code in (403, 404)


def test_another_municipality_gets_404_and_a_second_need_or_a_number_is_refused(
    world: World,
) -> None:
    sent = world.signal()
    path = f"/v1/prevention/cases/{sent['id']}/household"
    world.other_social.headers["X-Purpose"] = PURPOSE
    other = world.other_social.post(path, json=need())
    assert other.status_code == 404, other.text
    assert world.other_social.get("/v1/households").json()["items"] == []
    # A landlord or a coordinator does not open needs from cases.
    assert world.telge.post(path, json=need()).status_code == 403
    assert world.coordinator.post(path, json=need()).status_code == 403
    # The household's schema refuses an identity number in any field.
    number = aged(40)
    refused = world.social.post(path, json=need(case_ref=number.replace("-", "")))
    assert refused.status_code == 422, refused.text
    assert world.case(sent["id"])["household"] is None
    first = world.social.post(path, json=need())
    assert first.status_code == 201, first.text
    second = world.social.post(path, json=need(case_ref="SOC-2026-78"))
    assert second.status_code == 409, second.text
    assert "already" in second.json()["detail"]
    refs = [item["case_ref"] for item in world.coordinator.get("/v1/households").json()["items"]]
    assert refs == ["SOC-2026-77"]


def test_a_retried_opening_replays_the_household_creates_once_and_is_an_audited_read(
    world: World,
) -> None:
    """A retry with the same `Idempotency-Key` hands the household record out again: it is
    logged as a read of the household, as a replayed `POST /v1/households` is."""
    sent = world.signal()
    path = f"/v1/prevention/cases/{sent['id']}/household"
    key = {"Idempotency-Key": "open-need-0001"}
    created = world.social.post(path, json=need(), headers=key)
    assert created.status_code == 201, created.text
    replayed = world.social.post(path, json=need(), headers=key)
    assert replayed.status_code == 201, replayed.text
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["id"] == created.json()["id"]
    household = created.json()["id"]
    events = world.coordinator.get("/v1/audit", params={"household": household}).json()
    assert [(e["action"], e["purpose"]) for e in events["items"]] == [
        ("create", PURPOSE),
        ("read", PURPOSE),
    ]
    listed = world.coordinator.get("/v1/households").json()["items"]
    assert [item["id"] for item in listed] == [household]
