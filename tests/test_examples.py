"""Every request example of the committed OpenAPI document succeeds against the demo world
(issue 11): what Swagger UI pre-fills works as it stands, in the order of a day's work.

Each example is sent as the document has it; only what no example can know is filled in —
the ids the demo world gave its objects (path parameters, a pair's household and vacancy)
and the demo's printed client credentials. An operation with a request example that this
test does not send fails it, so a new example is tried as soon as it is written.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.agreements.models import Agreement
from app.core.db import local_year, utcnow
from app.flows import match_round
from app.jobs.worker import queue_app
from app.scenarios.demo import load_demo
from app.tenancies.models import Tenancy
from tests.people import InlineIssuer
from tests.worlds.jobs import POSTGRES

# The demo world: `load_demo` opens an engine of its own and commits.
pytestmark = pytest.mark.commits

DOCUMENT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
UUID_PLACEHOLDERS = {"household", "vacancy"}


def request_examples() -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) → the first example of its request body's schema."""
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                name = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                examples = schemas.get(name, {}).get("examples") or []
                if examples:
                    found[(method.upper(), path)] = dict(examples[0])
    return found


class Demo:
    """The demo world with a signed-in client per role."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.printed = load_demo(app.state.settings)
        self.http = TestClient(app)
        self.examples = request_examples()
        self.sent: set[tuple[str, str]] = set()
        self.headers = {
            key: self._token(line)
            for key, line in (
                ("admin", self._line("admin")),
                ("coordinator", self._line("coordinator")),
                ("social_services", self._line("social_services")),
                ("landlord", self._line("landlord", "Demobostäder")),
            )
        }

    def _line(self, role: str, landlord: str = "") -> dict[str, str]:
        return next(
            line
            for line in self.printed
            if line["role"] == role and line.get("landlord", "").startswith(landlord)
        )

    def _token(self, line: dict[str, str]) -> dict[str, str]:
        answer = self.http.post(
            "/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": line["client_id"],
                "client_secret": line["client_secret"],
            },
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def send(
        self, role: str, method: str, template: str, body: dict[str, Any] | None = None, **ids: str
    ) -> dict[str, Any]:
        """The example of `template` (updated by `body`, the ids only), sent as `role`;
        asserts a 2xx answer and returns its JSON (empty for 204)."""
        example = self.examples[(method, template)]
        self.sent.add((method, template))
        answer = self.http.request(
            method,
            template.format(**ids),
            json={**example, **(body or {})},
            headers=self.headers[role],
        )
        assert 200 <= answer.status_code < 300, (method, template, answer.text)
        return dict(answer.json()) if answer.content else {}

    def _landlord_id(self) -> str:
        """The id of the demo landlord this test posts as (Demobostäder)."""
        landlords = self.get("admin", "/v1/landlords")["items"]
        return str(next(x["id"] for x in landlords if x["name"].startswith("Demobostäder")))

    def get(self, role: str, url: str, **params: Any) -> Any:
        answer = self.http.get(url, params=params, headers=self.headers[role])
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_for(self, round_id: str) -> dict[str, Any]:
        """The round once it finished; on PostgreSQL a worker in this process runs it
        (SQLite ran it as the request's background task)."""
        if POSTGRES:
            queue = queue_app(self.app.state.settings.database_url, self.app.state.sessionmaker)
            queue.run_worker(
                queues=[match_round.QUEUE],
                wait=False,
                install_signal_handlers=False,
                listen_notify=False,
            )
        deadline = time.monotonic() + 60
        while True:
            body: dict[str, Any] = self.get("coordinator", f"/v1/rounds/{round_id}")
            if body["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
                return body
            time.sleep(0.2)

    def needs_consent(self) -> None:
        """As if the landlord's agreement asked for its consent to a transfer (Karlstad)."""
        with self.app.state.sessionmaker.begin() as session:
            session.execute(
                update(Agreement)
                .where(Agreement.landlord_id == self._landlord_id())
                .values(transfer_needs_landlord_consent=True)
            )

    def fixed_term(self, tenancy_id: str) -> None:
        """As if the tenancy were signed for a renewable three-month term (Norrköping)."""
        with self.app.state.sessionmaker.begin() as session:
            session.execute(
                update(Tenancy)
                .where(Tenancy.id == tenancy_id)
                .values(
                    term_months=3, term_end=utcnow().date() + timedelta(days=30), renewable=True
                )
            )

    def backdate_trial(self, tenancy_id: str) -> None:
        """As if the trial period had run out yesterday (the next step is due)."""
        with self.app.state.sessionmaker.begin() as session:
            session.execute(
                update(Tenancy)
                .where(Tenancy.id == tenancy_id)
                .values(trial_period_end=utcnow().date() - timedelta(days=1))
            )


def _resolving(host: str, address: str) -> Callable[..., Any]:
    """`socket.getaddrinfo` that gives `host` a public address: the test network has no DNS,
    and the webhook example names a host that must resolve (app/events/urls.py)."""
    real = socket.getaddrinfo

    def getaddrinfo(name: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if name == host:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 443))]
        return real(name, port, *args, **kwargs)

    return getaddrinfo


def test_every_request_example_succeeds_against_the_demo_world(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhook_host = urlsplit(request_examples()[("POST", "/v1/webhooks")]["url"]).hostname
    assert webhook_host is not None
    monkeypatch.setattr(socket, "getaddrinfo", _resolving(webhook_host, "93.184.215.14"))
    demo = Demo(app)
    year = str(local_year())

    # The token endpoint's example, with a printed pair.
    pair = demo._line("coordinator")
    demo.sent.add(("POST", "/v1/auth/token"))
    token_example = demo.examples[("POST", "/v1/auth/token")]
    answer = demo.http.post(
        "/v1/auth/token",
        data={
            **token_example,
            "client_id": pair["client_id"],
            "client_secret": pair["client_secret"],
        },
    )
    assert answer.status_code == 200, answer.text

    # Setting up: credentials, a municipality, an area, a landlord and its agreement.
    demo.send("admin", "POST", "/v1/credentials")
    demo.send("admin", "POST", "/v1/municipalities")
    # Västerås's staff sign in through its identity provider: the example's Entra ID issuer,
    # with its keys inline (the test network reaches no discovery document).
    issuer = InlineIssuer(demo.examples[("POST", "/v1/identity-providers")]["issuer"])
    demo.send("admin", "POST", "/v1/identity-providers", {"jwks": {"keys": [issuer.public_jwk()]}})
    demo.send(
        "coordinator",
        "PUT",
        "/v1/municipalities/{code}/areas/{area_id}",
        code="1980",
        area_id="BACKBY",
    )
    landlord = demo.send("admin", "POST", "/v1/landlords")["id"]
    # Västerås: an intermediary (Bostad Västerås) under the landlord's mandate, then ended.
    intermediary = demo.send("admin", "POST", "/v1/intermediaries")["id"]
    mandate = demo.send(
        "coordinator", "POST", "/v1/mandates", {"intermediary": intermediary, "landlord": landlord}
    )["id"]
    demo.send("coordinator", "POST", "/v1/mandates/{mandate_id}/end", mandate_id=mandate)
    demo.send(
        "coordinator",
        "PUT",
        "/v1/agreements/{municipality}/{landlord_id}/{year}",
        municipality="1980",
        landlord_id=landlord,
        year=year,
    )
    demo.send("coordinator", "PUT", "/v1/municipalities/{code}/policy", code="1980")
    demo.send(
        "coordinator", "PUT", "/v1/municipalities/{code}/settlement/{year}", code="1980", year=year
    )

    # The day's work: a vacancy, a household, a pin, a round.
    demo.send("landlord", "PUT", "/v1/vacancies/{external_ref}", external_ref="DB-2001")
    household = demo.send("social_services", "POST", "/v1/households")["id"]
    demo.send("social_services", "PATCH", "/v1/households/{household_id}", household_id=household)
    demo.send(
        "social_services", "PUT", "/v1/households/{household_id}/assessment", household_id=household
    )
    # The coordinator's own decisions for the round: a pin and a forbidden pair.
    candidates = demo.get("coordinator", f"/v1/households/{household}/candidates")["items"]
    assert candidates, "the example household fits no vacancy"
    vacancy = candidates[0]["vacancy"]
    demo.send("coordinator", "POST", "/v1/pins", {"household": household, "vacancy": vacancy})
    cases = demo.get("social_services", "/v1/households", status="open")["items"]
    other_case = next(h["id"] for h in cases if h["case_ref"] == "DEMO-001")
    demo.send(
        "coordinator", "POST", "/v1/forbidden-pairs", {"household": other_case, "vacancy": vacancy}
    )
    round_ = demo.wait_for(demo.send("coordinator", "POST", "/v1/rounds")["id"])
    assert round_["status"] == "succeeded", round_
    own = [p for p in round_["proposals"] if p["landlord"] == demo._landlord_id()]
    assert len(own) >= 3, round_

    # Release; the landlord declines one, and both sides accept two.
    for proposal in own[:3]:
        demo.http.post(
            f"/v1/proposals/{proposal['id']}/release", headers=demo.headers["coordinator"]
        )
    demo.send("landlord", "POST", "/v1/proposals/{proposal_id}/decline", proposal_id=own[0]["id"])
    tenancies = []
    for proposal in own[1:3]:
        for role in ("landlord", "social_services"):
            answer = demo.http.post(
                f"/v1/proposals/{proposal['id']}/accept", headers=demo.headers[role]
            )
            assert answer.status_code == 200, answer.text
        tenancies.append(demo.get("coordinator", f"/v1/proposals/{proposal['id']}")["tenancy"])

    # The tenancies: a remark, an incident and the response, a step, an end. The step's
    # example climbs to the household's own lease, the next rung of a municipal contract.
    tenancies.sort(
        key=lambda t: demo.get("coordinator", f"/v1/tenancies/{t}")["next_step"] != "own_lease"
    )
    first, second = tenancies
    demo.send("landlord", "POST", "/v1/tenancies/{tenancy_id}/remarks", tenancy_id=first)
    incident = demo.send(
        "landlord", "POST", "/v1/tenancies/{tenancy_id}/incidents", tenancy_id=first
    )
    report = next(e["report_id"] for e in incident["events"] if e["kind"] == "incident")
    demo.send(
        "coordinator",
        "POST",
        "/v1/tenancies/{tenancy_id}/reports/{report_id}/response",
        tenancy_id=first,
        report_id=report,
    )
    # Helsingborg 3:5 and 3:6: the city vouches for a sitting tenant, posted to move on.
    sitting = next(
        t
        for t in (first, second)
        if demo.get("coordinator", f"/v1/tenancies/{t}")["contract_form"]
        in ("municipal_contract", "training_apartment")
    )
    demo.send("coordinator", "POST", "/v1/tenancies/{tenancy_id}/vouching", tenancy_id=sitting)
    demo.send(
        "social_services",
        "POST",
        "/v1/households/{household_id}/move-on",
        household_id=demo.get("coordinator", f"/v1/tenancies/{sitting}")["household"],
    )
    demo.backdate_trial(first)
    demo.needs_consent()
    demo.send("landlord", "POST", "/v1/tenancies/{tenancy_id}/consent", tenancy_id=first)
    demo.send("coordinator", "POST", "/v1/tenancies/{tenancy_id}/step", tenancy_id=first)
    demo.fixed_term(second)
    demo.send("coordinator", "POST", "/v1/tenancies/{tenancy_id}/renew", tenancy_id=second)
    demo.send("landlord", "POST", "/v1/tenancies/{tenancy_id}/end", tenancy_id=second)

    # A case closed (the one the landlord declined is open again), and a landlord's webhook.
    declined = own[0]["household"]
    demo.send(
        "social_services", "POST", "/v1/households/{household_id}/close", household_id=declined
    )
    # The closed case's running contract registered (issue 24), its overdue transfer
    # explained, its move-on need posted with the cohort's; a batch answered per row.
    registered = demo.send(
        "coordinator",
        "POST",
        "/v1/tenancies",
        {"household": declined, "landlord": demo._landlord_id()},
    )["id"]
    demo.send(
        "coordinator", "POST", "/v1/tenancies/{tenancy_id}/transfer-delay", tenancy_id=registered
    )
    demo.send("coordinator", "POST", "/v1/households/move-on", {"households": [declined]})
    demo.send("coordinator", "POST", "/v1/tenancies/import")
    # Eviction prevention (issue 25): the policy, a landlord's 12:44 message, social
    # services' home visit and the outcome.
    demo.send("coordinator", "PUT", "/v1/municipalities/{code}/prevention-policy", code="1980")
    signal = demo.send("landlord", "POST", "/v1/prevention/signals")["id"]
    demo.send("social_services", "POST", "/v1/prevention/cases/{case_id}/actions", case_id=signal)
    demo.send(
        "social_services", "PUT", "/v1/prevention/cases/{case_id}/priority-groups", case_id=signal
    )
    # The need opened from the case is the household example again: a case reference of
    # its own, since the first household took the example's.
    demo.send(
        "social_services",
        "POST",
        "/v1/prevention/cases/{case_id}/household",
        {"case_ref": "VAS-2026-0143"},
        case_id=signal,
    )
    demo.send("social_services", "POST", "/v1/prevention/cases/{case_id}/outcome", case_id=signal)
    webhook = demo.send("landlord", "POST", "/v1/webhooks")["id"]
    demo.send("landlord", "PATCH", "/v1/webhooks/{webhook_id}", webhook_id=webhook)

    # Södertälje's Kompotten: a network of the two municipalities; a violence-exposed case
    # referred to Jönköping, declined; referred again and withdrawn; a third time, accepted.
    network = demo.send("admin", "POST", "/v1/networks")["id"]
    for code in ("1980", "0680"):
        demo.send(
            "admin",
            "PUT",
            "/v1/networks/{network_id}/members/{code}",
            network_id=network,
            code=code,
        )
    receiver = demo.http.post(
        "/v1/credentials",
        json={"role": "coordinator", "municipality": "0680"},
        headers=demo.headers["admin"],
    )
    assert receiver.status_code == 201, receiver.text
    demo.headers["receiver"] = demo._token(receiver.json())
    exposed = demo.http.post(
        "/v1/households",
        json={**demo.examples[("POST", "/v1/households")], "case_ref": "DEMO-SAFE-1"},
        headers=demo.headers["social_services"],
    )
    assert exposed.status_code == 201, exposed.text
    refer = {"household": exposed.json()["id"], "network": network}
    referral = demo.send("coordinator", "POST", "/v1/referrals", refer)["id"]
    demo.send("receiver", "POST", "/v1/referrals/{referral_id}/decline", referral_id=referral)
    referral = demo.send("coordinator", "POST", "/v1/referrals", refer)["id"]
    demo.send("coordinator", "POST", "/v1/referrals/{referral_id}/withdraw", referral_id=referral)
    referral = demo.send("coordinator", "POST", "/v1/referrals", refer)["id"]
    demo.send(
        "social_services", "PUT", "/v1/referrals/{referral_id}/disclosure", referral_id=referral
    )
    demo.send("receiver", "POST", "/v1/referrals/{referral_id}/accept", referral_id=referral)

    assert set(demo.examples) - demo.sent == set(), "request examples this test never sent"
