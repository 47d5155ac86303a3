"""Every GET of the OpenAPI document, as every role, changes nothing but the audit trail —
in a world where time has made changes due that no sweep has written yet: a proposal past
its deadline and a round no worker picked up (docs/proposals.md, docs/rounds.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from app.core.db import utcnow
from app.proposals.models import Proposal
from app.rounds.models import Round
from tests.conftest import Api
from tests.unchanged import rows_but_audit
from tests.worlds.jonkoping import YEAR, Jonkoping

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def lived_in(api: Api) -> tuple[Jonkoping, dict[str, Any]]:
    """Jönköping after a round: one proposal contracted into a tenancy, the other released
    and past its deadline, a webhook, and a round queued an hour ago that no worker took;
    with the path parameters that reach each of them."""
    world = Jonkoping(api)
    world.standard()
    result = world.run()
    contracted, overdue = (p["id"] for p in result["proposals"])
    landlord_of = {p["id"]: p["landlord"] for p in result["proposals"]}
    for proposal in (contracted, overdue):
        assert world.coordinator.post(f"/v1/proposals/{proposal}/release").status_code == 200
    accepted = world.landlords[landlord_of[contracted]].post(f"/v1/proposals/{contracted}/accept")
    assert accepted.status_code == 200, accepted.text
    assert world.social.post(f"/v1/proposals/{contracted}/accept").status_code == 200
    hook = world.coordinator.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["proposal.expired"]}
    )
    assert hook.status_code == 201, hook.text
    with api.app.state.sessionmaker.begin() as session:
        session.execute(
            update(Proposal)
            .where(Proposal.id == overdue)
            .values(deadline_at=utcnow() - timedelta(minutes=1))
        )
        session.add(
            Round(
                municipality_code=world.CODE,
                status="queued",
                year=YEAR,
                policy_version=0,
                requested_by="test",
                problem={"request": {"newly_arrived_min": 0}},
                created_at=utcnow() - timedelta(hours=1),
            )
        )
    tenancy = world.coordinator.get("/v1/tenancies").json()["items"][0]["id"]
    # A landlord's eviction-prevention signal (issue 25), read by every role below.
    signal = world.landlords[landlord_of[overdue]].post(
        "/v1/prevention/signals",
        json={
            "municipality": world.CODE,
            "kind": "termination_notice",
            "basis": "statutory_notice",
            "tenant": {"name": "Testa Testsson", "personal_identity_number": "20901231-1230"},
            "external_ref": "VH-1",
            "address": "Storgatan 1",
            "notified_on": utcnow().date().isoformat(),
        },
    )
    assert signal.status_code == 201, signal.text
    # A referral waiting for Norrköping's answer in a network (Södertälje: Kompotten).
    api.municipality("0581")
    network = api.admin.post("/v1/networks", json={"name": "Kompotten"}).json()["id"]
    for code in (world.CODE, "0581"):
        assert api.admin.put(f"/v1/networks/{network}/members/{code}", json={}).is_success
    exposed = world.household("JKP-SAFE", target_groups=["violence_exposed"])
    referral = world.coordinator.post(
        "/v1/referrals",
        json={"household": exposed, "network": network, "to_municipality": "0581"},
    )
    assert referral.status_code == 201, referral.text
    return world, {
        "code": world.CODE,
        "municipality": world.CODE,
        "year": YEAR,
        "landlord_id": landlord_of[overdue],
        "proposal_id": overdue,
        "round_id": result["id"],
        "other_id": result["id"],
        "household_id": world.households["JKP-LOW"],
        "tenancy_id": tenancy,
        "external_ref": "VH-1",
        "webhook_id": hook.json()["id"],
        "intermediary_id": UNKNOWN,
        "mandate_id": UNKNOWN,
        "signal_id": signal.json()["id"],
        "case_id": signal.json()["id"],
        "network_id": network,
        "referral_id": referral.json()["id"],
    }


def test_no_get_of_any_role_writes_anything_but_the_audit_trail(api: Api) -> None:
    world, ids = lived_in(api)
    clients = {
        "anonymous": api.anonymous,
        "admin": api.admin,
        "coordinator": world.coordinator,
        "social_services": world.social,
        "landlord": world.landlords[ids["landlord_id"]],
    }
    paths = [path for path, item in api.app.openapi()["paths"].items() if "get" in item]
    engine = api.app.state.engine
    before = rows_but_audit(engine)

    def changed() -> list[str]:
        after = rows_but_audit(engine)
        return sorted(table for table in after if after[table] != before[table])

    # Every table is read once per path, after all five roles, in a savepoint of the test's
    # transaction (tests/transaction.py); only if something changed are the roles sent
    # again one by one from that savepoint, to name the one that wrote.
    connection = engine.connection
    for path in paths:
        savepoint = connection.begin_nested()
        for client in clients.values():
            client.get(path.format(**ids))
        if not changed():
            savepoint.commit()
            continue
        savepoint.rollback()
        for role, client in clients.items():
            client.get(path.format(**ids))
            assert changed() == [], f"GET {path} as {role} wrote {changed()}"
        raise AssertionError(f"GET {path} wrote {changed()} only after every role called it")
