"""Eviction prevention (issue 25): a landlord's signal reaches social services through the
one way in, with its legal deadline, triage and outcomes — and the tenant's identity number,
accepted in that one field, sealed, read by social services only.

Sources: 12 kap. 44 § jordabalken (the landlord's message to the social welfare board on a
termination for late rent, and the återvinningsfrist of three weeks); Södertälje:
"Barnfamiljer, unga under 25 år och äldre över 65 år samt de fall där misstanke om psykisk
ohälsa finns, prioriteras"; Nynäshamn: "Inga barn har blivit vräkta sedan 2009";
Södertälje: "Vid hembesöket erbjuds hyresgästen en möjlighet till avbetalningsplan".
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, select, text, update

from app.audit.models import AuditEvent
from app.core.db import STOCKHOLM, local_today, local_year
from app.jobs.worker import announce_due, erase_expired_prevention_cases
from app.prevention.models import PreventionCase
from app.prevention.schemas import PERSONNUMMER_FORMAT
from tests.conftest import Api
from tests.test_architecture import api_routes
from tests.worlds.once import built_once
from tests.worlds.prevention import (
    IMPOSSIBLE_NUMBER,
    SODERTALJE,
    World,
    aged,
    signal_body,
    spellings,
)

PROBLEM = "application/problem+json"
ROOT = Path(__file__).resolve().parent.parent


def build_world(api: Api) -> World:
    return World(api)


built_world, world = built_once(build_world)


def _assert_no_number(text_: str, number: str, where: str) -> None:
    for spelling in spellings(number):
        assert spelling not in text_, f"{where} carries {spelling}"


# --- Intake: the 12:44 message reaches social services ---------------------------------------


def test_a_termination_notice_reaches_social_services_with_its_deadline_and_identity(
    world: World,
) -> None:
    """12:44 jordabalken: the återvinningsfrist of three weeks runs from the day the tenant
    was notified; social services see the deadline and whom to find."""
    number = aged(40)
    notified = local_today() - timedelta(days=2)
    sent = world.signal(
        tenant={"name": "Testa Testsson", "personal_identity_number": number},
        notified_on=notified.isoformat(),
    )
    assert sent["status"] == "received"
    assert sent["tenant_initials"] == "T.T."
    assert "tenant" not in sent
    case = world.case(sent["id"])
    assert case["tenant"] == {"name": "Testa Testsson", "personal_identity_number": number}
    end = datetime.combine(notified + timedelta(days=22), time(), tzinfo=STOCKHOLM)
    assert datetime.fromisoformat(case["due_at"]) == end
    assert case["kind"] == "termination_notice"
    assert case["basis"] == "statutory_notice"
    assert case["overdue"] is False
    # The number is read for a purpose: without one it is refused, and nothing is shown.
    bare = world.api.client("social_services", municipality=SODERTALJE)
    refused = bare.get(f"/v1/prevention/cases/{sent['id']}")
    assert refused.status_code == 422
    assert "X-Purpose" in refused.json()["detail"]
    _assert_no_number(refused.text, number, "the refusal")
    with world.api.app.state.sessionmaker() as session:
        trail = session.execute(
            select(AuditEvent.action, AuditEvent.role, AuditEvent.purpose).where(
                AuditEvent.household_id == sent["id"]
            )
        ).all()
    assert [tuple(row) for row in trail] == [
        ("read", "social_services", "vrakningsforebyggande arbete")
    ]


def test_the_number_may_be_given_in_any_spelling_and_is_kept_in_its_long_form(
    world: World,
) -> None:
    number = aged(40)
    digits = number.replace("-", "")
    sent = world.signal(tenant={"name": "Testa", "personal_identity_number": digits[2:]})
    assert world.case(sent["id"])["tenant"]["personal_identity_number"] == number
    wrong = world.telge.post(
        "/v1/prevention/signals",
        json=signal_body(
            tenant={"name": "Testa", "personal_identity_number": number[:-1] + "0"}
            if not number.endswith("0")
            else {"name": "Testa", "personal_identity_number": number[:-1] + "1"}
        ),
    )
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["tenant.personal_identity_number"]
    assert number[:-1] not in wrong.text


def test_a_coordinator_sees_the_case_without_the_number(world: World) -> None:
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    case = world.case(sent["id"], world.coordinator)
    assert case["tenant"] == {"name": None, "personal_identity_number": None}
    assert case["due_at"]
    assert case["external_ref"] == "TB-1001"
    response = world.coordinator.get(f"/v1/prevention/cases/{sent['id']}")
    _assert_no_number(response.text, number, "the coordinator's view")
    worklist = world.coordinator.get("/v1/prevention/cases")
    assert [item["id"] for item in worklist.json()["items"]] == [sent["id"]]
    _assert_no_number(worklist.text, number, "the worklist")


def test_no_landlord_reads_the_number_and_another_never_sees_the_signal(world: World) -> None:
    """A landlord reads back its own signal's status and the tenant's initials; another
    landlord and another municipality get 404; no landlord reaches the cases (403)."""
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    own = world.telge.get(f"/v1/prevention/signals/{sent['id']}")
    assert own.status_code == 200
    _assert_no_number(own.text, number, "the landlord's own view")
    listed = world.telge.get("/v1/prevention/signals")
    assert [item["id"] for item in listed.json()["items"]] == [sent["id"]]
    _assert_no_number(listed.text, number, "the landlord's list")
    feed = world.telge.get("/v1/events", params={"types": "prevention.signal_received"})
    assert [event["type"] for event in feed.json()["items"]] == ["prevention.signal_received"]
    _assert_no_number(feed.text, number, "the landlord's feed")
    assert world.private.get(f"/v1/prevention/signals/{sent['id']}").status_code == 404
    assert world.private.get("/v1/prevention/signals").json()["items"] == []
    assert world.private.delete(f"/v1/prevention/signals/{sent['id']}").status_code == 404
    for client in (world.telge, world.private):
        assert client.get(f"/v1/prevention/cases/{sent['id']}").status_code == 403
        assert client.get("/v1/prevention/cases").status_code == 403
    assert world.other_social.get(f"/v1/prevention/cases/{sent['id']}").status_code == 404
    assert world.other_social.get("/v1/prevention/cases").json()["items"] == []


# --- The legal basis ----------------------------------------------------------------------


def test_an_early_warning_without_a_recorded_basis_is_refused_with_a_clear_422(
    world: World,
) -> None:
    """An early warning passes only with the tenant's consent under the agreement."""
    warning: dict[str, Any] = {"kind": "late_payment", "notified_on": None, "months_in_arrears": 1}
    no_basis = world.telge.post(
        "/v1/prevention/signals", json=signal_body(**warning, basis="statutory_notice")
    )
    assert no_basis.status_code == 422
    assert no_basis.headers["content-type"] == PROBLEM
    assert "consent" in no_basis.json()["detail"]
    no_day = world.telge.post(
        "/v1/prevention/signals", json=signal_body(**warning, basis="agreement_with_consent")
    )
    assert no_day.status_code == 422
    assert "consent_on" in no_day.json()["detail"]
    missing = signal_body(**warning)
    del missing["basis"]
    assert world.telge.post("/v1/prevention/signals", json=missing).status_code == 422
    # Without an agreement with the municipality, no early warning at all.
    consented: dict[str, Any] = {**warning, "basis": "agreement_with_consent"}
    consented["consent_on"] = (local_today() - timedelta(days=30)).isoformat()
    outside = world.private.post("/v1/prevention/signals", json=signal_body(**consented))
    assert outside.status_code == 422
    assert "agreement" in outside.json()["detail"]
    assert world.social.get("/v1/prevention/cases").json()["items"] == []
    # With the consent recorded, under the agreement: due within its response_hours.
    accepted = world.signal(**consented)
    case = world.case(accepted["id"])
    received = datetime.fromisoformat(case["received_at"])
    assert datetime.fromisoformat(case["due_at"]) == received + timedelta(hours=48)
    assert case["consent_on"] == consented["consent_on"]


def test_a_personnummer_anywhere_else_is_still_refused(world: World) -> None:
    """The exception is the one field: the tenant's name, the flat's reference and address,
    a household's case reference all keep the guard."""
    number = aged(40)
    for body in (
        signal_body(tenant={"name": f"Testa {number}", "personal_identity_number": number}),
        signal_body(external_ref=number.replace("-", "")),
        signal_body(address=f"Storgatan 1, {number}"),
    ):
        response = world.telge.post("/v1/prevention/signals", json=body)
        assert response.status_code == 422, response.text
        _assert_no_number(response.text, number, "the refusal")
    household = world.social.post("/v1/households", json={"case_ref": number, "adults": 1})
    assert household.status_code == 422


def test_the_identity_number_type_is_declared_for_the_signals_tenant_only(app: FastAPI) -> None:
    """Structural: one schema property in the whole OpenAPI document has the personnummer
    format, the signal's tenant, in the request body of one operation; the type is used in
    app/prevention/schemas.py only."""
    document = app.openapi()
    components = document["components"]["schemas"]
    carriers = [
        (name, field)
        for name, schema in components.items()
        for field, member in schema.get("properties", {}).items()
        if member.get("format") == PERSONNUMMER_FORMAT
    ]
    assert carriers == [("SignalTenant", "personal_identity_number")]
    users = [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "SignalTenant" in str(operation) or "SignalCreate" in str(operation)
    ]
    assert users == [("post", "/v1/prevention/signals")]
    declared = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if "PersonalIdentityNumber" in path.read_text()
    ]
    assert declared == ["app/prevention/schemas.py"]
    assert len(api_routes(app.routes)) > 0


# --- Triage -------------------------------------------------------------------------------


def test_sodertaljes_policy_puts_families_the_young_and_the_old_first(world: World) -> None:
    """Södertälje: families with children, under 25, over 65 ahead of others — even a
    case whose deadline comes first."""
    policy = world.coordinator.put(
        f"/v1/municipalities/{SODERTALJE}/prevention-policy",
        json={
            "priority_groups": [
                "families_with_children",
                "under_25",
                "over_65",
                "suspected_mental_illness",
            ],
            "always_contact_debt_months": 1,
        },
    )
    assert policy.status_code == 200, policy.text
    assert policy.json()["version"] == 1
    assert policy.json()["effective_recovery_days"] == 21
    earlier = (local_today() - timedelta(days=10)).isoformat()
    other = world.signal(
        external_ref="TB-1",
        tenant={"name": "A B", "personal_identity_number": aged(40)},
        notified_on=earlier,
    )
    old = world.signal(
        external_ref="TB-2", tenant={"name": "C D", "personal_identity_number": aged(70)}
    )
    young = world.signal(
        external_ref="TB-3", tenant={"name": "E F", "personal_identity_number": aged(23)}
    )
    family = world.signal(
        external_ref="TB-4",
        tenant={"name": "G H", "personal_identity_number": aged(40)},
        children_in_household=True,
    )
    items = world.social.get("/v1/prevention/cases").json()["items"]
    assert [item["id"] for item in items] == [family["id"], young["id"], old["id"], other["id"]]
    assert [item["priority_groups"] for item in items] == [
        ["families_with_children"],
        ["under_25"],
        ["over_65"],
        [],
    ]
    assert all(item["must_contact"] for item in items)  # two months' rent owed
    first_three = world.social.get("/v1/prevention/cases", params={"priority": 2}).json()
    assert len(first_three["items"]) == 3
    # Social services know what no landlord could: suspected mental illness ranks the
    # otherwise unprioritised case fourth, under the policy it was triaged under.
    flagged = world.social.put(
        f"/v1/prevention/cases/{other['id']}/priority-groups",
        json={"priority_groups": ["suspected_mental_illness"]},
    )
    assert flagged.status_code == 200, flagged.text
    assert flagged.json()["priority"] == 3
    refused_role = world.coordinator.put(
        f"/v1/prevention/cases/{other['id']}/priority-groups", json={"priority_groups": []}
    )
    assert refused_role.status_code == 403
    # A new version applies to new cases; the policy is read back as the coordinator set it.
    again = world.coordinator.put(
        f"/v1/municipalities/{SODERTALJE}/prevention-policy", json={"kinds": ["termination_notice"]}
    )
    assert again.json()["version"] == 2
    refused = world.telge.post(
        "/v1/prevention/signals",
        json=signal_body(kind="eviction_application"),
    )
    assert refused.status_code == 422
    assert world.case(family["id"])["policy_version"] == 1


# --- Deadlines ----------------------------------------------------------------------------


def test_a_case_past_its_deadline_is_in_the_overdue_list_and_the_event_feed(
    api: Api, world: World
) -> None:
    late = world.signal(
        external_ref="TB-LATE", notified_on=(local_today() - timedelta(days=30)).isoformat()
    )
    fresh = world.signal(external_ref="TB-FRESH")
    # Notified three weeks ago: the återvinningsfrist ends tonight.
    soon = world.signal(
        external_ref="TB-SOON", notified_on=(local_today() - timedelta(days=21)).isoformat()
    )
    overdue = world.social.get("/v1/prevention/cases", params={"overdue": "true"}).json()
    assert [item["id"] for item in overdue["items"]] == [late["id"]]
    assert overdue["items"][0]["overdue"] is True
    week_ago = (local_today() - timedelta(days=7)).isoformat()
    due_earlier = world.social.get("/v1/prevention/cases", params={"due_before": week_ago})
    assert [item["id"] for item in due_earlier.json()["items"]] == [late["id"]]
    assert world.social.get("/v1/prevention/cases", params={"due_before": "0.5"}).status_code == 422
    assert announce_due(api.app.state.sessionmaker) >= 1
    assert announce_due(api.app.state.sessionmaker) == 0  # once per deadline
    feed = world.social.get("/v1/events", params={"types": "prevention.overdue"}).json()
    assert [(e["type"], e["data"]["id"]) for e in feed["items"]] == [
        ("prevention.overdue", late["id"])
    ]
    approaching = world.social.get(
        "/v1/events", params={"types": "prevention.deadline_approaching"}
    ).json()
    assert [e["data"]["id"] for e in approaching["items"]] == [soon["id"]]
    landlord_feed = world.telge.get("/v1/events", params={"types": "prevention.overdue"})
    assert landlord_feed.json()["items"] == []
    # Contact takes a case off the overdue list.
    world.act(late["id"], "home_visit", after_hours=True)
    overdue = world.social.get("/v1/prevention/cases", params={"overdue": "true"}).json()
    assert overdue["items"] == []
    assert fresh["id"] in [
        i["id"] for i in world.social.get("/v1/prevention/cases").json()["items"]
    ]


# --- The landlord hears back, minimally ---------------------------------------------------


def test_the_landlord_learns_of_a_payment_plan_only_with_the_tenants_consent(
    world: World,
) -> None:
    """Södertälje: a payment plan is offered at the home visit; the landlord hears of it
    only once the tenant consented to social services telling it."""
    sent = world.signal()
    world.act(sent["id"], "phone_contact")
    world.act(sent["id"], "payment_plan_agreed", amount=14000, months=7)

    def seen() -> dict[str, Any]:
        return dict(world.telge.get(f"/v1/prevention/signals/{sent['id']}").json())

    assert (seen()["status"], seen()["contacted"], seen()["payment_plan"]) == (
        "contacted",
        True,
        False,
    )
    types = [e["type"] for e in world.telge.get("/v1/events").json()["items"]]
    assert types == ["prevention.signal_received", "prevention.contacted"]
    world.act(sent["id"], "consent_to_contact_landlord")
    assert (seen()["status"], seen()["payment_plan"]) == ("payment_plan", True)
    events = world.telge.get("/v1/events").json()["items"]
    assert [e["type"] for e in events][-1] == "prevention.payment_plan"
    assert "amount" not in str(events)
    assert "14000" not in str(events)
    # The landlord withdraws once it is paid: the case closes.
    withdrawn = world.telge.delete(f"/v1/prevention/signals/{sent['id']}")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "closed"
    assert world.case(sent["id"])["outcome"] == "withdrawn_by_landlord"
    assert world.telge.delete(f"/v1/prevention/signals/{sent['id']}").status_code == 409


def test_a_payment_plan_without_its_terms_and_an_action_on_a_closed_case_are_refused(
    world: World,
) -> None:
    sent = world.signal()
    url = f"/v1/prevention/cases/{sent['id']}/actions"
    today = local_today().isoformat()
    assert (
        world.social.post(url, json={"code": "payment_plan_agreed", "on": today}).status_code == 422
    )
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert world.social.post(url, json={"code": "letter_sent", "on": tomorrow}).status_code == 422
    assert world.coordinator.post(url, json={"code": "letter_sent", "on": today}).status_code == 403
    world.close(sent["id"], "lease_regained")
    assert world.social.post(url, json={"code": "letter_sent", "on": today}).status_code == 409


# --- Follow-up ------------------------------------------------------------------------------


def test_outcomes_update_the_statistics_with_small_numbers_suppressed(world: World) -> None:
    """Nynäshamn counts children evicted: the statistics count evictions and the children
    affected, and hide every count below five."""
    ids = [world.signal(external_ref=f"TB-{n}")["id"] for n in range(7)]
    for case_id in ids[:6]:
        world.act(case_id, "phone_contact")
    for case_id in ids[:5]:
        world.close(case_id, "lease_regained")
    world.close(ids[5], "evicted", children_affected=2)
    section = world.coordinator.get("/v1/statistics", params={"year": local_year()}).json()[
        "prevention"
    ]
    assert section["signals"]["total"] == 7
    assert section["signals"]["parts"]["termination_notice"] == 7
    assert section["contacted_within_deadline"] == 6
    assert section["outcomes"]["parts"]["lease_regained"] == 5
    assert section["outcomes"]["parts"]["evicted"] == "<5"
    assert section["evictions"] == "<5"
    assert section["children_affected"] == "<5"
    assert section["median_days_to_contact"] == 0.0
    csv = world.coordinator.get(
        "/v1/statistics", params={"year": local_year()}, headers={"Accept": "text/csv"}
    )
    assert "prevention.outcomes,lease_regained,5" in csv.text


# --- Retention and the raw database -----------------------------------------------------------


def _raw_rows(api: Api) -> str:
    """Every row of every table, as text: what a dump holds."""
    with api.app.state.sessionmaker() as session:
        tables = inspect(session.get_bind()).get_table_names()
        chunks = []
        for table in tables:
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                chunks.append(repr(tuple(row)))
        return "\n".join(chunks)


def test_erasure_after_retention_leaves_counts_and_no_identity(api: Api, world: World) -> None:
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    world.close(sent["id"], "moved_voluntarily")
    sessionmaker = api.app.state.sessionmaker
    assert erase_expired_prevention_cases(sessionmaker, 24) == 0  # not yet
    with sessionmaker.begin() as session:
        session.execute(
            update(PreventionCase)
            .where(PreventionCase.id == sent["id"])
            .values(closed_at=datetime.now(UTC) - timedelta(days=31 * 25))
        )
    assert erase_expired_prevention_cases(sessionmaker, 24) == 1
    with sessionmaker() as session:
        row = session.execute(
            text(
                "SELECT tenant_sealed, tenant_initials, address, external_ref, kind, "
                "landlord_id, outcome FROM prevention_cases WHERE id = :id"
            ),
            {"id": sent["id"]},
        ).one()
    assert tuple(row)[:4] == (None, None, None, None)
    assert tuple(row)[4:] == ("termination_notice", world.telge_id, "moved_voluntarily")
    case = world.case(sent["id"])
    assert case["tenant"] is None
    assert case["erased"] is True
    section = world.coordinator.get("/v1/statistics").json()["prevention"]
    assert section["signals"]["total"] == "<5"  # still counted, suppressed as one
    assert world.telge.get(f"/v1/prevention/signals/{sent['id']}").json()["tenant_initials"] is None


def test_the_sealed_number_is_unreadable_in_the_raw_database(
    api: Api, world: World, settings: Any
) -> None:
    """A dump (every row of every table) and, on SQLite, the database file's bytes hold
    neither the number nor its digits without separators, nor the name."""
    number = aged(40)
    sent = world.signal(tenant={"name": "Testa Hemligsson", "personal_identity_number": number})
    world.act(sent["id"], "letter_sent")
    world.case(sent["id"])
    dump = _raw_rows(api)
    assert sent["id"] in dump  # the dump does hold the case
    for spelling in spellings(number):
        assert spelling not in dump
    assert "Hemligsson" not in dump
    if settings.backend == "sqlite":
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                raw = file.read_bytes()
                for spelling in spellings(number):
                    assert spelling.encode() not in raw
                assert b"Hemligsson" not in raw
    with api.app.state.sessionmaker() as session:
        sealed = session.scalar(
            select(PreventionCase.tenant_sealed).where(PreventionCase.id == sent["id"])
        )
    assert sealed is not None
    assert sealed.startswith("a1.")


def test_a_full_prevention_story_leaks_the_number_in_no_log_and_no_other_response(
    api: Api, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every response of the story but social services' own case reads, and every log
    line, is free of the number in every spelling (the before-stop privacy checks)."""
    number = aged(23)
    capsys.readouterr()
    responses = []
    tenant = {"name": "Testa Testsson", "personal_identity_number": number}
    sent = world.telge.post(
        "/v1/prevention/signals",
        json=signal_body(tenant=tenant),
        headers={"Idempotency-Key": "story-1"},
    )
    responses.append(sent)
    # Refusals too: a number where it does not belong, and one with a wrong check digit.
    misplaced = world.telge.post(
        "/v1/prevention/signals",
        json=signal_body(tenant={"name": f"Testa {number}", "personal_identity_number": number}),
    )
    assert misplaced.status_code == 422
    wrong_digit = number[:-1] + ("1" if number[-1] == "0" else "0")
    broken = world.telge.post(
        "/v1/prevention/signals",
        json=signal_body(tenant={"name": "Testa", "personal_identity_number": wrong_digit}),
    )
    assert broken.status_code == 422
    assert wrong_digit not in broken.text
    responses += [misplaced, broken]
    replay = world.telge.post(
        "/v1/prevention/signals",
        json=signal_body(tenant=tenant),
        headers={"Idempotency-Key": "story-1"},
    )
    assert replay.json()["id"] == sent.json()["id"]
    responses.append(replay)
    case_id = sent.json()["id"]
    own_reads = [world.social.get(f"/v1/prevention/cases/{case_id}")]
    assert number in own_reads[0].text
    responses += [
        world.social.get("/v1/prevention/cases"),
        world.coordinator.get(f"/v1/prevention/cases/{case_id}"),
        world.coordinator.get("/v1/prevention/cases"),
        world.social.post(
            f"/v1/prevention/cases/{case_id}/actions",
            json={"code": "home_visit", "on": local_today().isoformat(), "after_hours": True},
        ),
        world.social.post(
            f"/v1/prevention/cases/{case_id}/outcome", json={"code": "lease_regained"}
        ),
        world.telge.get(f"/v1/prevention/signals/{case_id}"),
        world.telge.get("/v1/prevention/signals"),
        world.private.get(f"/v1/prevention/signals/{case_id}"),
        world.other_social.get(f"/v1/prevention/cases/{case_id}"),
        world.social.get("/v1/events"),
        world.coordinator.get("/v1/events"),
        world.telge.get("/v1/events"),
        world.coordinator.get("/v1/statistics"),
        world.coordinator.get("/dashboard"),
        world.api.anonymous.get("/metrics"),
    ]
    for response in responses:
        _assert_no_number(
            response.text, number, f"{response.request.method} {response.request.url}"
        )
        assert "Testsson" not in response.text
    logs = capsys.readouterr().out
    _assert_no_number(logs, number, "the logs")
    assert wrong_digit not in logs
    assert IMPOSSIBLE_NUMBER not in str(responses[0].request.url)


def test_the_dashboard_panel_counts_the_days_worklist_without_names(world: World) -> None:
    """The coordinator's panel: counts and case references, no name, no number."""
    number = aged(70)
    late = world.signal(
        external_ref="TB-LATE",
        tenant={"name": "Testa Testsson", "personal_identity_number": number},
        notified_on=(local_today() - timedelta(days=30)).isoformat(),
    )
    world.signal(external_ref="TB-FRESH")
    panels = world.coordinator.get("/dashboard/panels")
    assert panels.status_code == 200, panels.text
    html = panels.text
    assert 'id="panel-prevention"' in html
    assert '<span class="total">2</span> öppna' in html
    assert '<span class="overdue-total">1</span>' in html
    assert late["id"][:8] in html
    assert "TB-LATE" in html
    assert "TB-FRESH" in html
    assert "Testsson" not in html
    _assert_no_number(html, number, "the dashboard")


def test_an_intermediary_sends_within_its_mandate_only(api: Api, world: World) -> None:
    """Västerås: an intermediary acts for the landlords that mandated it, where they did;
    it names the landlord, and reads back no more than the landlord would."""
    intermediary = api.intermediary("Förmedlaren", "559908-0081")
    mandate = world.coordinator.post(
        "/v1/mandates", json={"intermediary": intermediary, "landlord": world.telge_id}
    )
    assert mandate.status_code == 201, mandate.text
    client = api.client("intermediary", intermediary=intermediary)
    number = aged(40)
    body = signal_body(tenant={"name": "Testa Testsson", "personal_identity_number": number})
    unnamed = client.post("/v1/prevention/signals", json=body)
    assert unnamed.status_code == 422
    outside = client.post(
        "/v1/prevention/signals", json=body, params={"landlord": world.private_id}
    )
    assert outside.status_code == 404
    sent = client.post("/v1/prevention/signals", json=body, params={"landlord": world.telge_id})
    assert sent.status_code == 201, sent.text
    _assert_no_number(sent.text, number, "the intermediary's answer")
    assert world.case(sent.json()["id"], world.coordinator)["landlord"] == world.telge_id
    own = client.get(f"/v1/prevention/signals/{sent.json()['id']}")
    assert own.status_code == 200
    assert own.json()["tenant_initials"] == "T.T."
