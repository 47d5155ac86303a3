"""Tests an attacker would write: every operation with an object id tried by every other
role and organisation (BOLA), no or bad token everywhere, and mass assignment of fields
the server owns. Objects of municipality A (Västerås) are attacked from B (Jönköping)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.db import local_year
from app.events.models import WebhookDelivery, WebhookEndpoint
from app.intermediaries.models import Mandate
from app.prevention.models import PreventionAction, PreventionCase, PreventionPolicy
from app.proposals.models import Pin, Proposal
from app.referrals.models import NetworkMember, Referral
from app.tenancies.models import Tenancy, TenancyEvent
from app.vacancies.models import Vacancy
from tests.conftest import Api, AuthedClient
from tests.people import InlineIssuer, person_client
from tests.worlds.once import built_once

DOCUMENT = json.loads(
    (Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text("utf-8")
)
PUBLIC = {"/healthz", "/readyz", "/metrics", "/v1/auth/token"}
YEAR = local_year()  # the service takes default years in Swedish time
AGREEMENT = {"quota": 5, "exception_quota": 1, "contract_forms": ["municipal_contract"]}

# A valid body for each mutating operation, so that a refusal is about who asks, not what.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("put", "/v1/municipalities/{code}/areas/{area_id}"): {"name": "Centrum"},
    ("put", "/v1/agreements/{municipality}/{landlord_id}/{year}"): AGREEMENT,
    ("patch", "/v1/households/{household_id}"): {"urgency": 1},
    ("post", "/v1/households/{household_id}/close"): {"reason": "withdrawn"},
    ("post", "/v1/proposals/{proposal_id}/decline"): {"reason": "other"},
    ("put", "/v1/municipalities/{code}/policy"): {},
    ("post", "/v1/tenancies/{tenancy_id}/step"): {"to": "own_lease"},
    ("post", "/v1/tenancies/{tenancy_id}/remarks"): {"reason": "other"},
    ("post", "/v1/tenancies/{tenancy_id}/incidents"): {"reason": "other"},
    ("post", "/v1/tenancies/{tenancy_id}/reports/{report_id}/response"): {"action": "visited"},
    ("post", "/v1/tenancies/{tenancy_id}/end"): {"reason": "moved_out"},
    ("patch", "/v1/webhooks/{webhook_id}"): {"enabled": False},
    ("put", "/v1/households/{household_id}/assessment"): {
        "assessed_on": "2026-11-20",
        "unit": "lokalkontor",
        "support": ["home_visits"],
    },
    ("post", "/v1/tenancies/{tenancy_id}/renew"): {},
    ("post", "/v1/tenancies/{tenancy_id}/consent"): {},
    ("post", "/v1/tenancies/{tenancy_id}/transfer-delay"): {"reason": "other"},
    ("post", "/v1/tenancies/{tenancy_id}/vouching"): {"statement": "well_functioning_tenant"},
    ("post", "/v1/households/{household_id}/move-on"): {},
    ("put", "/v1/municipalities/{code}/settlement/{year}"): {"figure": 10},
    ("post", "/v1/mandates/{mandate_id}/end"): {},
    ("post", "/v1/prevention/cases/{case_id}/actions"): {
        "code": "letter_sent",
        "on": datetime.now(UTC).date().isoformat(),
    },
    ("post", "/v1/prevention/cases/{case_id}/outcome"): {"code": "lease_regained"},
    ("put", "/v1/prevention/cases/{case_id}/priority-groups"): {
        "priority_groups": ["suspected_mental_illness"]
    },
    ("put", "/v1/municipalities/{code}/prevention-policy"): {},
    ("post", "/v1/prevention/cases/{case_id}/household"): {
        "case_ref": "ATTACK-1",
        "adults": 1,
        "contract_forms": ["municipal_contract"],
    },
    ("put", "/v1/networks/{network_id}/members/{code}"): {},
    ("post", "/v1/referrals/{referral_id}/decline"): {"reason": "other"},
    ("put", "/v1/referrals/{referral_id}/disclosure"): {"receiver_visible": True},
}
TENANT_NUMBER = "20901231-1230"
"""The tenant in landlord A's prevention signal: a valid check digit on a day no one can have
been born on. No attacker's answer may carry it in any spelling."""
TENANT_SPELLINGS = (TENANT_NUMBER, "209012311230", "901231-1230", "9012311230")
# PUT by the caller's own reference addresses the caller's own namespace: another
# landlord's PUT of the same reference makes its own vacancy (tested separately below).
OWN_NAMESPACE = {("put", "/v1/vacancies/{external_ref}")}


@dataclass
class Victim:
    """Municipality A's objects, by path parameter name."""

    params: dict[str, str]
    household: str
    vacancy: str
    proposal: str
    tenancy: str


def _operations_with_ids() -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if "{" in path and (method, path) not in OWN_NAMESPACE
    ]


def _names_a_landlord(method: str, path: str) -> bool:
    """Whether the operation takes `?landlord=` (an undeclared query parameter is a 422
    before any lookup, tests/test_finding_cases.py: there the intermediary names none)."""
    parameters = DOCUMENT["paths"][path][method].get("parameters", [])
    return any(p["in"] == "query" and p["name"] == "landlord" for p in parameters)


def _agreement(api: Api, coordinator: AuthedClient, code: str, landlord: str) -> None:
    response = coordinator.put(f"/v1/agreements/{code}/{landlord}/{YEAR}", json=AGREEMENT)
    assert response.status_code == 201, response.text


def build_world(api: Api) -> tuple[Victim, dict[str, AuthedClient]]:
    api.municipality("1980")
    api.municipality("0680")
    coordinator_a = api.client("coordinator", municipality="1980")
    coordinator_b = api.client("coordinator", municipality="0680")
    for client, code in ((coordinator_a, "1980"), (coordinator_b, "0680")):
        assert client.put(f"/v1/municipalities/{code}/areas/A01", json={"name": "A"}).is_success
    landlord_a = api.landlord("Mimer", "556036-0793", "public")
    landlord_b = api.landlord("Vätterhem", "556703-7485", "public")
    _agreement(api, coordinator_a, "1980", landlord_a)
    _agreement(api, coordinator_b, "0680", landlord_b)
    landlord_a_client = api.client("landlord", landlord=landlord_a)
    social_a = api.client("social_services", municipality="1980")
    vacancy = landlord_a_client.put(
        "/v1/vacancies/V-A",
        json={
            "municipality": "1980",
            "area": "A01",
            "rooms": 2,
            "rent": 6000,
            "contract_forms": ["municipal_contract"],
        },
    ).json()["id"]
    household = social_a.post(
        "/v1/households",
        json={
            "case_ref": "A-1",
            "adults": 1,
            "income": {"salary": 30000},
            "contract_forms": ["municipal_contract"],
        },
    ).json()["id"]
    second = social_a.post(
        "/v1/households",
        json={"case_ref": "A-2", "adults": 1, "contract_forms": ["municipal_contract"]},
    ).json()["id"]
    with api.app.state.sessionmaker.begin() as session:
        proposal = Proposal(
            municipality_code="1980",
            landlord_id=landlord_a,
            vacancy_id=vacancy,
            household_id=household,
            contract_form="municipal_contract",
            score={},
            status="proposed",
        )
        session.add(proposal)
        row = session.get(Vacancy, vacancy)
        assert row is not None
        row.status = "proposed"
        spare = Vacancy(
            landlord_id=landlord_a,
            external_ref="V-A2",
            municipality_code="1980",
            area="A01",
            rooms=2,
            rent=6000,
            contract_forms=["municipal_contract"],
        )
        session.add(spare)
        session.flush()
        pin = Pin(municipality_code="1980", household_id=second, vacancy_id=spare.id)
        session.add(pin)
        let = Vacancy(
            landlord_id=landlord_a,
            external_ref="V-A3",
            municipality_code="1980",
            area="A01",
            rooms=2,
            rent=6000,
            contract_forms=["municipal_contract"],
            status="let",
        )
        session.add(let)
        session.flush()
        contracted = Proposal(
            municipality_code="1980",
            landlord_id=landlord_a,
            vacancy_id=let.id,
            household_id=second,
            contract_form="municipal_contract",
            score={},
            status="contracted",
        )
        session.add(contracted)
        session.flush()
        tenancy = Tenancy(
            proposal_id=contracted.id,
            municipality_code="1980",
            landlord_id=landlord_a,
            vacancy_id=let.id,
            household_id=second,
            contract_form="municipal_contract",
            agreement_year=YEAR,
            start_date=datetime.now(UTC).date(),
        )
        session.add(tenancy)
        session.flush()
        # Landlord A's incident on it, unanswered: the report another party must not answer.
        incident = TenancyEvent(
            tenancy_id=tenancy.id,
            kind="incident",
            effective_on=tenancy.start_date,
            reason="other",
            report_id="5f0c2c1e-7d3a-4b8e-9a61-2f4d8c0b1e77",
            role="landlord",
            credential_id=landlord_a_client.client_id,
        )
        session.add(incident)
        session.flush()
        proposal_id, pin_id, tenancy_id = proposal.id, pin.id, tenancy.id
    assert coordinator_a.post(f"/v1/proposals/{proposal_id}/release").status_code == 200
    round_started = coordinator_a.post("/v1/rounds", json={})
    assert round_started.status_code == 202, round_started.text
    webhook = coordinator_a.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["round.succeeded"]}
    )
    assert webhook.status_code == 201, webhook.text
    ping = coordinator_a.post(f"/v1/webhooks/{webhook.json()['id']}/test")
    assert ping.status_code == 202, ping.text
    # Landlord A's mandate in A to its intermediary (Västerås: Bostad Västerås).
    intermediary = api.intermediary("Bostad Västerås", "559908-0081")
    mandate = coordinator_a.post(
        "/v1/mandates", json={"intermediary": intermediary, "landlord": landlord_a}
    )
    assert mandate.status_code == 201, mandate.text
    # Landlord A's 12:44 signal to A's social services (issue 25): the tenant's identity.
    signal = landlord_a_client.post(
        "/v1/prevention/signals",
        json={
            "municipality": "1980",
            "kind": "termination_notice",
            "basis": "statutory_notice",
            "tenant": {"name": "Testa Testsson", "personal_identity_number": TENANT_NUMBER},
            "external_ref": "V-A",
            "address": "Storgatan 1",
            "notified_on": datetime.now(UTC).date().isoformat(),
        },
    )
    assert signal.status_code == 201, signal.text
    # A's violence-exposed household referred to Norrköping in a network B is not part of.
    api.municipality("0581")
    network = api.admin.post("/v1/networks", json={"name": "Kompotten"}).json()["id"]
    for code in ("1980", "0581"):
        assert api.admin.put(f"/v1/networks/{network}/members/{code}", json={}).is_success
    exposed = social_a.post(
        "/v1/households",
        json={
            "case_ref": "A-3",
            "adults": 1,
            "target_groups": ["violence_exposed"],
            "contract_forms": ["municipal_contract"],
        },
    ).json()["id"]
    referral = coordinator_a.post(
        "/v1/referrals",
        json={"household": exposed, "network": network, "to_municipality": "0581"},
    )
    assert referral.status_code == 201, referral.text
    victim = Victim(
        params={
            "code": "1980",
            "municipality": "1980",
            "area_id": "A01",
            "landlord_id": landlord_a,
            "year": str(YEAR),
            "external_ref": "V-A",
            "household_id": household,
            "proposal_id": proposal_id,
            "pin_id": pin_id,
            "round_id": round_started.json()["id"],
            "other_id": round_started.json()["id"],
            "credential_id": landlord_a_client.client_id,
            "tenancy_id": tenancy_id,
            "report_id": "5f0c2c1e-7d3a-4b8e-9a61-2f4d8c0b1e77",
            "webhook_id": webhook.json()["id"],
            "delivery_id": ping.json()["id"],
            "intermediary_id": intermediary,
            "mandate_id": mandate.json()["id"],
            "signal_id": signal.json()["id"],
            "case_id": signal.json()["id"],
            "network_id": network,
            "referral_id": referral.json()["id"],
            "issuer_id": InlineIssuer("https://idp.vasteras.example").register(
                api, municipality="1980"
            )["id"],
        },
        household=household,
        vacancy=vacancy,
        proposal=proposal_id,
        tenancy=tenancy_id,
    )
    attackers = {
        "coordinator of B": coordinator_b,
        "social services of B": api.client("social_services", municipality="0680"),
        "landlord B": api.client("landlord", landlord=landlord_b),
        # Same municipality, wrong role: a landlord of A never touches households.
        "landlord A": landlord_a_client,
    }
    # People of B signed in through B's identity provider, as the credentials of B above.
    jonkoping = InlineIssuer("https://login.jonkoping.example/realms/staff")
    jonkoping.register(api, municipality="0680")
    for role, title in (("coordinator", "coordinator"), ("social_services", "social secretary")):
        attackers[f"person {title} of B"] = person_client(
            api, jonkoping, role, subject=f"b-{role}", name=f"B {title}"
        )
    return victim, attackers


built_world, world = built_once(build_world)


def _snapshot(api: Api, victim: Victim) -> tuple[Any, ...]:
    with api.app.state.sessionmaker() as session:
        vacancy = session.get(Vacancy, victim.vacancy)
        proposal = session.get(Proposal, victim.proposal)
        tenancy = session.get(Tenancy, victim.tenancy)
        assert vacancy is not None
        assert proposal is not None
        assert tenancy is not None
        events = session.scalar(
            select(func.count())
            .select_from(TenancyEvent)
            .where(TenancyEvent.tenancy_id == victim.tenancy)
        )
        webhook = session.get(WebhookEndpoint, victim.params["webhook_id"])
        assert webhook is not None
        mandate = session.get(Mandate, victim.params["mandate_id"])
        assert mandate is not None
        case = session.get(PreventionCase, victim.params["case_id"])
        assert case is not None
        actions = session.scalar(
            select(func.count())
            .select_from(PreventionAction)
            .where(PreventionAction.case_id == case.id)
        )
        policies = session.scalar(select(func.count()).select_from(PreventionPolicy))
        deliveries = session.scalars(
            select(WebhookDelivery.status).where(WebhookDelivery.endpoint_id == webhook.id)
        ).all()
        referral = session.get(Referral, victim.params["referral_id"])
        assert referral is not None
        members = session.scalars(
            select(NetworkMember.valid_from).where(
                NetworkMember.network_id == victim.params["network_id"]
            )
        ).all()
        return (
            referral.status,
            referral.version,
            sorted(members),
            vacancy.status,
            vacancy.version,
            proposal.status,
            proposal.version,
            tenancy.status,
            tenancy.trial_period_end,
            events,
            webhook.version,
            webhook.enabled,
            deliveries,
            mandate.ended_at,
            case.status,
            case.version,
            case.closed_at,
            actions,
            policies,
        )


def test_no_other_organisation_or_role_reaches_an_object_by_its_id(
    api: Api, world: tuple[Victim, dict[str, AuthedClient]]
) -> None:
    victim, attackers = world
    before = _snapshot(api, victim)
    household_before = (
        api.client("coordinator", municipality="1980")
        .get(f"/v1/households/{victim.household}")
        .json()
    )
    breaches = []
    for method, path in _operations_with_ids():
        url = path.format(**victim.params)
        for name, client in attackers.items():
            if name == "landlord A" and not any(
                part in path for part in ("household", "pins", "webhooks", "prevention/cases")
            ):
                continue  # landlord A's own objects are legitimately its own
            response = client.request(method, url, json=BODIES.get((method, path)))
            if any(spelling in response.text for spelling in TENANT_SPELLINGS):
                breaches.append(f"{name}: {method.upper()} {path} shows the tenant's number")
            if response.status_code not in (403, 404):
                breaches.append(f"{name}: {method.upper()} {path} → {response.status_code}")
            elif response.headers["content-type"] != "application/problem+json":
                breaches.append(f"{name}: {method.upper()} {path} answered without a problem")
    # Landlord A reads its own signal back (skipped above): never the tenant's number.
    own = attackers["landlord A"]
    for url in (f"/v1/prevention/signals/{victim.params['signal_id']}", "/v1/prevention/signals"):
        answer = own.get(url)
        assert answer.status_code == 200, answer.text
        if any(spelling in answer.text for spelling in TENANT_SPELLINGS):
            breaches.append(f"landlord A: GET {url} shows the tenant's number")
    assert breaches == []
    assert _snapshot(api, victim) == before
    household_after = (
        api.client("coordinator", municipality="1980")
        .get(f"/v1/households/{victim.household}")
        .json()
    )
    assert household_after["version"] == household_before["version"]


ORG_NUMBERS = ("559908-0099", "559908-0107", "559908-0115", "559908-0123", "559908-0131")


def _intermediary_attackers(
    api: Api, victim: Victim
) -> dict[str, tuple[AuthedClient, set[tuple[str, str]]]]:
    """Intermediaries that must reach nothing of landlord A in municipality A, each with the
    operations it may legitimately reach: one with no mandate, one with landlord A's mandate
    in B only (it may read landlord A's own record, nothing in A), one whose mandate in A
    ended, one whose mandate in A expired, and landlord B's own intermediary."""
    landlord_a = victim.params["landlord_id"]
    admin, coordinator_a = api.admin, api.client("coordinator", municipality="1980")
    coordinator_b = api.client("coordinator", municipality="0680")
    landlord_b = admin.get("/v1/landlords").json()["items"]
    landlord_b_id = next(item["id"] for item in landlord_b if item["id"] != landlord_a)
    attackers: dict[str, tuple[AuthedClient, set[tuple[str, str]]]] = {}
    for index, (name, coordinator, landlord, period, end) in enumerate(
        [
            ("no mandate", None, None, {}, False),
            ("landlord A's, in B", coordinator_b, landlord_a, {}, False),
            ("landlord A's, ended", coordinator_a, landlord_a, {}, True),
            (
                "landlord A's, expired",
                coordinator_a,
                landlord_a,
                {"valid_from": f"{YEAR - 1}-01-01", "valid_to": f"{YEAR - 1}-12-31"},
                False,
            ),
            ("landlord B's, in B", coordinator_b, landlord_b_id, {}, False),
        ]
    ):
        intermediary = api.intermediary(f"Förmedlare {index}", ORG_NUMBERS[index])
        if coordinator is not None:
            given = coordinator.post(
                "/v1/mandates",
                json={"intermediary": intermediary, "landlord": landlord, **period},
            )
            assert given.status_code == 201, given.text
            if end:
                ended = coordinator.post(f"/v1/mandates/{given.json()['id']}/end", json={})
                assert ended.status_code == 200, ended.text
        allowed = (
            {("get", "/v1/landlords/{landlord_id}")} if name == "landlord A's, in B" else set()
        )
        attackers[name] = (api.client("intermediary", intermediary=intermediary), allowed)
    return attackers


def test_no_intermediary_outside_its_mandates_reaches_an_object_by_its_id(
    api: Api, world: tuple[Victim, dict[str, AuthedClient]]
) -> None:
    """Every operation with an id, as each intermediary naming landlord A (`?landlord=`,
    where the operation takes it): 403 or 404, a problem, and nothing changes — also its
    PUT of landlord A's reference."""
    victim, _ = world
    before = _snapshot(api, victim)
    breaches = []
    vacancy = {
        "municipality": "1980",
        "area": "A01",
        "rooms": 5,
        "rent": 1,
        "contract_forms": ["municipal_contract"],
    }
    operations = [*_operations_with_ids(), *OWN_NAMESPACE]
    for name, (client, allowed) in _intermediary_attackers(api, victim).items():
        for method, path in operations:
            if (method, path) in allowed:
                continue
            response = client.request(
                method,
                path.format(**victim.params),
                params={"landlord": victim.params["landlord_id"]}
                if _names_a_landlord(method, path)
                else {},
                json=vacancy if (method, path) in OWN_NAMESPACE else BODIES.get((method, path)),
            )
            if response.status_code not in (403, 404):
                breaches.append(f"{name}: {method.upper()} {path} → {response.status_code}")
            elif response.headers["content-type"] != "application/problem+json":
                breaches.append(f"{name}: {method.upper()} {path} answered without a problem")
        listed = client.get("/v1/proposals").json()["items"]
        if listed:
            breaches.append(f"{name}: GET /v1/proposals lists {len(listed)}")
    assert breaches == []
    assert _snapshot(api, victim) == before


def test_another_landlords_repost_of_a_reference_never_touches_the_first(
    api: Api, world: tuple[Victim, dict[str, AuthedClient]]
) -> None:
    victim, attackers = world
    before = _snapshot(api, victim)
    attackers["landlord B"].put(
        "/v1/vacancies/V-A",
        json={
            "municipality": "0680",
            "area": "A01",
            "rooms": 5,
            "rent": 9000,
            "contract_forms": ["municipal_contract"],
        },
    )
    assert attackers["landlord B"].delete("/v1/vacancies/V-A").status_code in (204, 404)
    assert _snapshot(api, victim) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        (method, path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if path not in PUBLIC
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic eDp5"])
def test_no_or_bad_token_is_401_everywhere_but_health(
    api: Api, method: str, path: str, authorization: str | None
) -> None:
    url = path.replace("{year}", str(YEAR)).replace("{code}", "1980")
    url = url.replace("{municipality}", "1980")
    for name in ("area_id", "landlord_id", "external_ref", "household_id", "proposal_id"):
        url = url.replace("{" + name + "}", "x")
    for name in ("pin_id", "round_id", "credential_id", "report_id"):
        url = url.replace("{" + name + "}", "x")
    headers = {"Authorization": authorization} if authorization else {}
    response = api.anonymous.request(method, url, headers=headers, json={})
    assert response.status_code in (401, 422)
    if response.status_code == 422:
        # Only a malformed path parameter may be refused before authentication.
        assert any(error["field"].startswith("path") for error in response.json()["errors"]), (
            response.text
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "closed"), ("id", "00000000-0000-0000-0000-000000000000"), ("version", 7)],
)
def test_server_owned_household_fields_cannot_be_assigned(
    api: Api, world: tuple[Victim, dict[str, AuthedClient]], field: str, value: Any
) -> None:
    victim, _ = world
    social = api.client("social_services", municipality="1980")
    created = social.post(
        "/v1/households",
        json={
            "case_ref": "A-9",
            "adults": 1,
            "contract_forms": ["municipal_contract"],
            field: value,
        },
    )
    assert created.status_code == 422
    patched = social.patch(f"/v1/households/{victim.household}", json={field: value})
    assert patched.status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "let"), ("id", "x"), ("version", 9), ("landlord", "x"), ("external_ref", "Z")],
)
def test_server_owned_vacancy_fields_cannot_be_assigned(
    api: Api, world: tuple[Victim, dict[str, AuthedClient]], field: str, value: Any
) -> None:
    victim, attackers = world
    before = _snapshot(api, victim)
    body = {
        "municipality": "1980",
        "area": "A01",
        "rooms": 2,
        "rent": 6000,
        "contract_forms": ["municipal_contract"],
        field: value,
    }
    assert attackers["landlord A"].put("/v1/vacancies/V-A", json=body).status_code == 422
    assert _snapshot(api, victim) == before


@pytest.mark.parametrize("field", ["status", "id", "version", "municipality"])
def test_server_owned_round_and_agreement_fields_cannot_be_assigned(
    api: Api, world: tuple[Victim, dict[str, AuthedClient]], field: str
) -> None:
    victim, _ = world
    coordinator = api.client("coordinator", municipality="1980")
    agreement = coordinator.put(
        f"/v1/agreements/1980/{victim.params['landlord_id']}/{YEAR}",
        json={**AGREEMENT, field: "x"},
    )
    assert agreement.status_code == 422
    assert coordinator.post("/v1/rounds", json={field: "x"}).status_code == 422
