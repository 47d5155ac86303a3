"""Move chains out of the city's housing (Helsingborg 3:5 and 3:6), through HTTP.

3:6: "Cirka etthundrafemtio hushåll inom det bostadssociala programmet är före detta så
kallade klienter … men är numera enbart hyresgäster hos fastighetsförvaltningen. Många av
hushållen kan och behöver komma vidare till ett förstahandskontrakt." 3:5: Helsingborgshem
gives five tenants who fail its economic requirements a flat provided that "Hyresgästen har
skött sina nuvarande hyresbetalningar", "Inga störningar eller annan problematik
föreligger" and "Fastighetsförvaltningen går i god för att detta är en välfungerande
hyresgäst". The city's own stock (fastighetsförvaltningen) is a landlord of its own here,
as in scenarios/helsingborg.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from app.agreements.exceptions import exception_refusal
from app.agreements.schemas import ExceptionConditions
from app.core.queue import ensure_queue_schema
from app.tenancies.models import TenancyEvent
from tests.conftest import Api, AuthedClient
from tests.worlds.jobs import POSTGRES, run_jobs
from tests.worlds.jonkoping import PROBLEM, YEAR

CODE = "1283"
CONDITIONS = {"no_remarks_months": 12, "requires_vouching": True}
HOUSEHOLD_FIELDS = (
    "case_ref",
    "household",
    "target_groups",
    "income",
    "avoid_areas",
    "preferred_areas",
    "moved_from",
    "moved_to",
    "move_on_since",
    "vouched_on",
    "conditions",
)


class Helsingborg:
    """Helsingborg with Helsingborgshem (3 × rent, no income support, no remarks, five
    exception places under the 3:5 conditions) and the city's own stock,
    fastighetsförvaltningen (municipal contracts, permissive, a quota of two)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        api.municipality(CODE)
        self.coordinator = api.client("coordinator", municipality=CODE)
        self.social = api.client("social_services", municipality=CODE)
        for code, name in (("CENTRUM", "Centrum"), ("DROTTNINGHOG", "Drottninghög")):
            response = self.coordinator.put(
                f"/v1/municipalities/{CODE}/areas/{code}", json={"name": name}
            )
            assert response.status_code == 201, response.text
        self.helsingborgshem = api.landlord("Helsingborgshem", "559909-0015", "public")
        self.city = api.landlord(
            "Helsingborgs stad, fastighetsförvaltningen", "212000-1132", "public"
        )
        self.agreement(
            self.helsingborgshem,
            quota=10,
            exception_quota=5,
            income_multiple=3,
            accepts_income_support=False,
            accepts_payment_remarks=False,
            contract_forms=["municipal_contract", "housing_first", "first_hand_with_guarantee"],
            exception_conditions=CONDITIONS,
        )
        self.agreement(self.city, quota=2, contract_forms=["municipal_contract"])
        self.landlords = {
            self.helsingborgshem: api.client("landlord", landlord=self.helsingborgshem),
            self.city: api.client("landlord", landlord=self.city),
        }
        self.vacancies: dict[str, str] = {}
        self.households: dict[str, str] = {}

    def agreement(self, landlord: str, **fields: Any) -> None:
        response = self.coordinator.put(f"/v1/agreements/{CODE}/{landlord}/{YEAR}", json=fields)
        assert response.status_code in (200, 201), response.text

    def vacancy(self, landlord: str, ref: str, **fields: Any) -> str:
        body: dict[str, Any] = {
            "municipality": CODE,
            "area": "DROTTNINGHOG",
            "rooms": 1,
            "rent": 4700,
            "contract_forms": ["municipal_contract"],
            **fields,
        }
        response = self.landlords[landlord].put(f"/v1/vacancies/{ref}", json=body)
        assert response.status_code == 201, response.text
        self.vacancies[ref] = response.json()["id"]
        return self.vacancies[ref]

    def household(self, case_ref: str, **fields: Any) -> str:
        """A single adult on income support: fails Helsingborgshem's requirements."""
        body: dict[str, Any] = {
            "case_ref": case_ref,
            "adults": 1,
            "target_groups": ["economic_only"],
            "income": {"income_support": 7000},
            "max_rent": 5200,
            "contract_forms": ["municipal_contract"],
            **fields,
        }
        response = self.social.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        self.households[case_ref] = response.json()["id"]
        return self.households[case_ref]

    def run(self) -> dict[str, Any]:
        response = self.coordinator.post("/v1/rounds", json={})
        assert response.status_code == 202, response.text
        run_jobs(self.api)
        body = self.coordinator.get(f"/v1/rounds/{response.json()['id']}").json()
        assert body["status"] == "succeeded", body
        result: dict[str, Any] = body
        return result

    def problem(self, round_body: dict[str, Any]) -> dict[str, Any]:
        response = self.coordinator.get(f"/v1/rounds/{round_body['id']}/problem")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def contract(self, proposal: dict[str, Any]) -> None:
        """Release, the landlord accepts, social services accept: a tenancy."""
        landlord = self.landlords[proposal["landlord"]]
        for client, path in (
            (self.coordinator, "release"),
            (landlord, "accept"),
            (self.social, "accept"),
        ):
            response = client.post(f"/v1/proposals/{proposal['id']}/{path}")
            assert response.status_code == 200, response.text

    def tenancy_of(self, household: str) -> dict[str, Any]:
        items = self.coordinator.get("/v1/tenancies", params={"status": "active"}).json()["items"]
        [tenancy] = [t for t in items if t["household"] == household]
        found: dict[str, Any] = tenancy
        return found

    def tenancy(self, tenancy_id: str, client: AuthedClient | None = None) -> dict[str, Any]:
        response = (client or self.coordinator).get(f"/v1/tenancies/{tenancy_id}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def vouch(self, tenancy_id: str, statement: str = "well_functioning_tenant") -> Any:
        return self.coordinator.post(
            f"/v1/tenancies/{tenancy_id}/vouching", json={"statement": statement}
        )

    def move_on(self, household: str, **body: Any) -> Any:
        return self.social.post(f"/v1/households/{household}/move-on", json=body)


OWN_LEASE = "housing_first"
"""The form the sitting tenants move on to: an exception place is a lease of the household's
own (Helsingborg 3:5), so Helsingborgshem offers its exception flats as one."""


@dataclass
class Sitting:
    """Two tenants of the city's housing on municipal contracts, each vouched for and
    posted to move on; the second has a late payment on record."""

    town: Helsingborg
    clean: str
    late: str
    clean_tenancy: str
    late_tenancy: str


@pytest.fixture
def town(api: Api) -> Helsingborg:
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    return Helsingborg(api)


@pytest.fixture
def sitting(town: Helsingborg) -> Sitting:
    town.vacancy(town.city, "FF-1", area="CENTRUM")
    town.vacancy(town.city, "FF-2", area="CENTRUM")
    clean = town.household("HBG-SITTING-1")
    late = town.household("HBG-SITTING-2")
    first = town.run()
    assert {p["household"] for p in first["proposals"]} == {clean, late}
    assert {p["landlord"] for p in first["proposals"]} == {town.city}
    for proposal in first["proposals"]:
        town.contract(proposal)
    clean_tenancy = town.tenancy_of(clean)["id"]
    late_tenancy = town.tenancy_of(late)["id"]
    # The city's property management (as the landlord) records a late payment.
    remark = town.landlords[town.city].post(
        f"/v1/tenancies/{late_tenancy}/remarks", json={"reason": "late_payment"}
    )
    assert remark.status_code == 201, remark.text
    for tenancy in (clean_tenancy, late_tenancy):
        assert town.vouch(tenancy).status_code == 200
    for household in (clean, late):
        # 3:5: the measure is "utflytt", the goal that they "slussas ut" to a lease of their
        # own: they move on to an own lease (Housing First here), never a sublet.
        posted = town.move_on(household, contract_forms=[OWN_LEASE])
        assert posted.status_code == 200, posted.text
    return Sitting(town, clean, late, clean_tenancy, late_tenancy)


def test_a_vouched_sitting_tenant_moves_on_to_an_exception_place_and_frees_its_flat(
    sitting: Sitting,
) -> None:
    """Helsingborg 3:5 and 3:6 end to end: the clean, vouched-for tenant of the city's
    housing gets an exception place at Helsingborgshem; contracting it ends the old tenancy
    `moved_on` on the move-in day and the old flat is an open vacancy of the city again,
    which the next round offers to the next household although the city's quota is used
    up — a chain."""
    town = sitting.town
    hh = town.vacancy(town.helsingborgshem, "HH-1", contract_forms=[OWN_LEASE])
    second = town.run()
    [proposal] = second["proposals"]
    assert (proposal["household"], proposal["vacancy"]) == (sitting.clean, hh)
    assert proposal["exception"] is True
    problem = town.problem(second)
    [helsingborgshem] = [lo for lo in problem["landlords"] if lo["id"] == town.helsingborgshem]
    assert helsingborgshem["exception_qualification"] is True
    qualified = {h["id"]: h.get("exception_qualified", []) for h in problem["households"]}
    assert qualified == {sitting.clean: [town.helsingborgshem], sitting.late: []}

    town.contract(proposal)
    new = town.tenancy_of(sitting.clean)
    assert new["moved_from"] == sitting.clean_tenancy
    assert new["exception"] is True
    assert new["quota_apartment"] is True
    old = town.tenancy(sitting.clean_tenancy)
    assert old["status"] == "ended"
    assert old["moved_to"] == new["id"]
    assert old["ended_on"] == new["start_date"]
    assert (old["events"][-1]["kind"], old["events"][-1]["reason"]) == ("end", "moved_on")
    freed = town.landlords[town.city].get(f"/v1/vacancies/{old['external_ref']}").json()
    assert freed["status"] == "open"
    assert freed["quota_apartment"] is False
    assert freed["available_from"] == new["start_date"]

    quota = town.coordinator.get("/v1/quota", params={"year": YEAR}).json()
    rows = {row["landlord"]: row for row in quota["rows"]}
    assert (
        rows[town.helsingborgshem]["delivered"],
        rows[town.helsingborgshem]["exceptions_used"],
    ) == (1, 1)
    assert rows[town.city]["delivered"] == 2
    assert rows[town.city]["remaining"] == 0

    # The late payer's move-on need is withdrawn; the next household in line gets the flat.
    closed = town.social.post(f"/v1/households/{sitting.late}/close", json={"reason": "withdrawn"})
    assert closed.status_code == 200, closed.text
    following = town.household("HBG-NEXT")
    third = town.run()
    [chained] = third["proposals"]
    assert (chained["household"], chained["vacancy"]) == (following, old["vacancy"])
    town.contract(chained)
    let_again = town.tenancy_of(following)
    assert let_again["quota_apartment"] is False
    assert let_again["moved_from"] is None
    rows = {
        row["landlord"]: row
        for row in town.coordinator.get("/v1/quota", params={"year": YEAR}).json()["rows"]
    }
    assert rows[town.city]["delivered"] == 2


def test_a_tenant_with_a_late_payment_in_the_period_gets_no_exception_place(
    sitting: Sitting,
) -> None:
    """'Hyresgästen har skött sina nuvarande hyresbetalningar': the late payer is vouched
    for and posted to move on, yet Helsingborgshem's exception places are not for it; the
    round says so with its own reason."""
    town = sitting.town
    hh = town.vacancy(town.helsingborgshem, "HH-1", contract_forms=[OWN_LEASE])
    town.vacancy(town.helsingborgshem, "HH-2", contract_forms=[OWN_LEASE])
    # The candidates view and a pin judge by the same declaration as the round.
    candidates = town.coordinator.get(f"/v1/households/{sitting.late}/candidates").json()
    assert candidates["items"] == []
    assert candidates["failed"] == {"exception_qualification": 2}
    pin = town.coordinator.post("/v1/pins", json={"household": sitting.late, "vacancy": hh})
    assert pin.status_code == 422, pin.text
    assert "exception_qualification" in pin.text
    mine = town.coordinator.get(f"/v1/households/{sitting.clean}/candidates").json()
    assert {(c["vacancy"], c["exception"]) for c in mine["items"]} == {
        (hh, True),
        (town.vacancies["HH-2"], True),
    }
    second = town.run()
    assert [p["household"] for p in second["proposals"]] == [sitting.clean]
    [left] = [u for u in second["unmatched"] if u["household"] == sitting.late]
    assert left["failed"] == {"exception_qualification": 2}
    assert left["reason"] == "no eligible vacancy: exception_qualification"
    assert town.tenancy(sitting.late_tenancy)["status"] == "active"


def test_a_resolved_remark_and_a_withdrawn_vouching_decide_the_qualification(
    sitting: Sitting,
) -> None:
    """A late payment the municipality answered with a measure taken still counts ("har
    skött sina nuvarande hyresbetalningar" is about the payments, not the answer) unless the
    agreement lets answered reports pass; a withdrawn vouching statement keeps even a clean
    tenant out."""
    town = sitting.town
    late = town.tenancy(sitting.late_tenancy)
    [report] = [e["report_id"] for e in late["events"] if e["kind"] == "remark"]
    answered = town.coordinator.post(
        f"/v1/tenancies/{sitting.late_tenancy}/reports/{report}/response",
        json={"action": "measure_taken"},
    )
    assert answered.status_code == 201, answered.text
    withdrawn = town.vouch(sitting.clean_tenancy, "withdrawn")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["vouched_on"] is None
    town.vacancy(town.helsingborgshem, "HH-1", contract_forms=[OWN_LEASE])
    candidates = town.coordinator.get(f"/v1/households/{sitting.late}/candidates").json()
    assert candidates["failed"] == {"exception_qualification": 1}
    town.agreement(
        town.helsingborgshem,
        quota=10,
        exception_quota=5,
        income_multiple=3,
        accepts_income_support=False,
        accepts_payment_remarks=False,
        contract_forms=["municipal_contract", "housing_first", "first_hand_with_guarantee"],
        exception_conditions={**CONDITIONS, "answered_reports_block": False},
    )
    second = town.run()
    assert [(p["household"], p["exception"]) for p in second["proposals"]] == [(sitting.late, True)]


def test_the_landlord_sees_no_chain_no_vouching_and_no_household(sitting: Sitting) -> None:
    """docs/domain.md §6: the landlord's tenancy view and its events name no household; the
    vouching and the chain are the municipality's."""
    town = sitting.town
    landlord = town.landlords[town.city]
    seen = town.tenancy(sitting.clean_tenancy, landlord)
    assert seen["view"] == "landlord"
    assert not set(HOUSEHOLD_FIELDS) & set(seen)
    assert "vouching" not in {e["kind"] for e in seen["events"]}
    mine = town.tenancy(sitting.clean_tenancy)
    assert mine["vouched_on"] is not None
    assert mine["move_on_since"] is not None
    town.vacancy(town.helsingborgshem, "HH-1", contract_forms=[OWN_LEASE])
    [proposal] = town.run()["proposals"]
    town.contract(proposal)
    feed = landlord.get("/v1/events", params={"types": "vacancy.freed,tenancy.ended"}).json()
    kinds = [e["type"] for e in feed["items"]]
    assert kinds == ["tenancy.ended", "vacancy.freed"]
    for event in feed["items"]:
        assert not set(HOUSEHOLD_FIELDS) & set(event["data"])
        assert "vouching" not in {e.get("kind") for e in event["data"].get("events", [])}
    # The freed flat becomes a quota apartment once its landlord posts it as one.
    ref = town.tenancy(sitting.clean_tenancy)["external_ref"]
    assert landlord.get(f"/v1/vacancies/{ref}").json()["quota_apartment"] is False
    body = {
        "municipality": CODE,
        "area": "CENTRUM",
        "rooms": 1,
        "rent": 4700,
        "contract_forms": ["municipal_contract"],
    }
    reposted = landlord.put(f"/v1/vacancies/{ref}", json=body)
    assert reposted.status_code == 200, reposted.text
    assert (reposted.json()["status"], reposted.json()["quota_apartment"]) == ("open", True)


def test_only_a_second_hand_tenancy_can_be_moved_on_from(town: Helsingborg) -> None:
    """No tenancy → 409; an own lease (Housing First) → 422; twice → 409; another
    municipality → 404; a landlord → 403. Each is problem+json and changes nothing."""
    town.vacancy(town.city, "FF-1", area="CENTRUM")
    town.vacancy(town.helsingborgshem, "HH-BF", contract_forms=["housing_first"], rent=4000)
    waiting = town.household("HBG-WAITING", max_rent=3000)
    first_hand = town.household(
        "HBG-BOSTAD-FORST",
        target_groups=["housing_first"],
        municipal_guarantee=True,
        contract_forms=["housing_first"],
        # An income of its own beside the guarantee: Helsingborgshem does not count income
        # support, and no guarantee changes that (docs/lease-holders.md).
        income={"activity_compensation": 7000},
        max_rent=4500,
    )
    sublet = town.household("HBG-SUBLET")
    for proposal in town.run()["proposals"]:
        town.contract(proposal)

    def refused(response: Any, status: int) -> None:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == PROBLEM

    refused(town.move_on(waiting), 409)
    refused(town.move_on(first_hand), 422)
    refused(town.move_on(sublet, contract_forms=["teleport"]), 422)
    posted = town.move_on(sublet, contract_forms=["first_hand_with_guarantee"])
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert body["contract_forms"] == ["first_hand_with_guarantee"]
    assert body["contract_form"] == "municipal_contract"
    refused(town.move_on(sublet), 409)
    for household in (first_hand,):
        assert town.social.get(f"/v1/households/{household}").json()["status"] == "closed"
    town.api.municipality("1280")
    elsewhere = town.api.client("social_services", municipality="1280")
    refused(elsewhere.post(f"/v1/households/{sublet}/move-on", json={}), 404)
    refused(town.landlords[town.city].post(f"/v1/households/{sublet}/move-on", json={}), 403)


def test_vouching_is_the_coordinators_and_needs_an_active_tenancy(sitting: Sitting) -> None:
    town = sitting.town
    path = f"/v1/tenancies/{sitting.clean_tenancy}/vouching"
    body = {"statement": "well_functioning_tenant"}
    assert town.landlords[town.city].post(path, json=body).status_code == 403
    assert town.social.post(path, json=body).status_code == 403
    town.api.municipality("1280")
    other = town.api.client("coordinator", municipality="1280")
    assert other.post(path, json=body).status_code == 404
    assert town.coordinator.post(path, json={"statement": "nice person"}).status_code == 422
    ended = town.coordinator.post(
        f"/v1/tenancies/{sitting.clean_tenancy}/end", json={"reason": "moved_on"}
    )
    assert ended.status_code == 422, ended.text
    assert town.tenancy(sitting.clean_tenancy)["status"] == "active"


def _event(kind: str, reason: str, on: date, **fields: Any) -> TenancyEvent:
    return TenancyEvent(
        tenancy_id="t",
        kind=kind,
        effective_on=on,
        reason=reason,
        role="x",
        credential_id="c",
        **fields,
    )


def test_the_3_5_conditions_look_back_as_many_months_as_the_agreement_says() -> None:
    """'Inga störningar eller annan problematik föreligger' within the agreement's period: a
    disturbance 13 months ago does not count under 12 months, one 11 months ago does, and
    so does any other report (damage) and an answered one — unless the agreement names the
    blocking codes and lets resolved reports pass."""
    conditions = ExceptionConditions(no_remarks_months=12, requires_vouching=True)
    lenient = ExceptionConditions.model_validate(
        {
            "no_remarks_months": 12,
            "blocking_reports": ["late_payment", "disturbance"],
            "answered_reports_block": False,
        }
    )
    today = date(2026, 12, 2)
    vouched = _event("vouching", "well_functioning_tenant", date(2026, 11, 1))
    old = _event("remark", "disturbance", date(2025, 11, 1))
    recent = _event("incident", "disturbance", date(2026, 1, 10), report_id="r1")
    damage = _event("remark", "damage", date(2026, 6, 1))
    assert exception_refusal(conditions, [old, vouched], today) is None
    assert exception_refusal(conditions, [old, damage, vouched], today) is not None
    assert exception_refusal(lenient, [old, damage, vouched], today) is None
    assert exception_refusal(conditions, [recent, vouched], today) is not None
    visited = _event("response", "visited", today, answers="r1")
    assert exception_refusal(lenient, [recent, visited, vouched], today) is not None
    resolved = _event("response", "no_action_needed", today, answers="r1")
    assert exception_refusal(conditions, [recent, resolved, vouched], today) is not None
    assert exception_refusal(lenient, [recent, resolved, vouched], today) is None
    assert exception_refusal(conditions, [], today) is not None
    unvouched = ExceptionConditions(no_remarks_months=12, requires_vouching=False)
    assert exception_refusal(unvouched, [], today) is None
