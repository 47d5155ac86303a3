"""Households moving on from a municipal contract (issue 24; docs/tenancies.md), through HTTP.

Helsingborg's action plan (2018): 3:6, "Många av hushållen kan och behöver komma vidare till
ett förstahandskontrakt" and the measure to "öka tilldelningen … till dessa hushåll" — a
move-on need may weigh more in the round (the policy's `move_on_weight`); Delmål 3, to let
them out "med hyresgaranti utanför rådande kvot" — an agreement's move-on places outside
the quota, counted apart in `GET /v1/quota`; 3:9, "För dessa individer börjar den tvååriga
etableringstiden löpa ut" — the notice before the establishment period ends is the policy's
(`establishment_notice_months`), and a settled household living in no tenancy of the
service is announced too (`household.establishment_ending`).

The sitting tenants' contracts began months ago: they are registered as running contracts
(`POST /v1/tenancies`), so time has passed without moving any date by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.core.db import local_today, local_year
from app.core.months import add_months
from app.core.queue import ensure_queue_schema
from app.households.schemas import HouseholdRead
from app.jobs.worker import announce_due
from tests.conftest import Api
from tests.worlds.jobs import POSTGRES, run_jobs

YEAR = local_year()
CODE = "1283"
OWN_LEASE = "housing_first"
"""The form the sitting tenants move on to: a lease of the household's own."""


def months_ago(months: int) -> str:
    return add_months(local_today(), -months).isoformat()


class Helsingborg:
    """Helsingborg with the city's own stock (fastighetsförvaltningen: municipal contracts,
    every year a running contract may have begun in) and Helsingborgshem (own leases)."""

    def __init__(self, api: Api, **helsingborgshem: Any) -> None:
        self.api = api
        api.municipality(CODE)
        self.coordinator = api.client("coordinator", municipality=CODE)
        self.social = api.client("social_services", municipality=CODE)
        response = self.coordinator.put(
            f"/v1/municipalities/{CODE}/areas/CENTRUM", json={"name": "Centrum"}
        )
        assert response.status_code == 201, response.text
        self.city = api.landlord(
            "Helsingborgs stad, fastighetsförvaltningen", "212000-1132", "public"
        )
        self.helsingborgshem = api.landlord("Helsingborgshem", "559909-0015", "public")
        self.landlords = {
            self.city: api.client("landlord", landlord=self.city),
            self.helsingborgshem: api.client("landlord", landlord=self.helsingborgshem),
        }
        for year in range(YEAR - 2, YEAR + 1):
            self.agreement(self.city, year, quota=10, contract_forms=["municipal_contract"])
        self.agreement(
            self.helsingborgshem,
            YEAR,
            **{"quota": 10, "contract_forms": [OWN_LEASE], **helsingborgshem},
        )
        self._cases = 0

    def agreement(self, landlord: str, year: int, **fields: Any) -> None:
        response = self.coordinator.put(f"/v1/agreements/{CODE}/{landlord}/{year}", json=fields)
        assert response.status_code in (200, 201), response.text

    def policy(self, **fields: Any) -> None:
        response = self.coordinator.put(f"/v1/municipalities/{CODE}/policy", json=fields)
        assert response.status_code in (200, 201), response.text

    def household(self, **fields: Any) -> str:
        self._cases += 1
        body: dict[str, Any] = {
            "case_ref": f"HBG-{self._cases:04d}",
            "adults": 1,
            "target_groups": ["economic_only"],
            "income": {"income_support": 7000},
            "max_rent": 5200,
            "contract_forms": [OWN_LEASE],
            **fields,
        }
        response = self.social.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def sitting(self, **fields: Any) -> str:
        """A tenant of the city's housing on a municipal contract for a year, posted to move
        on to a lease of its own (Helsingborg 3:6)."""
        household = self.household(**fields)
        registered = self.coordinator.post(
            "/v1/tenancies",
            json={
                "household": household,
                "landlord": self.city,
                "external_ref": f"FF-{self._cases:04d}",
                "contract_form": "municipal_contract",
                "started_on": months_ago(12),
            },
        )
        assert registered.status_code == 201, registered.text
        posted = self.social.post(
            f"/v1/households/{household}/move-on", json={"contract_forms": [OWN_LEASE]}
        )
        assert posted.status_code == 200, posted.text
        return household

    def flat(self, ref: str) -> str:
        body = {
            "municipality": CODE,
            "area": "CENTRUM",
            "rooms": 1,
            "rent": 4700,
            "contract_forms": [OWN_LEASE],
        }
        response = self.landlords[self.helsingborgshem].put(f"/v1/vacancies/{ref}", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def run(self) -> dict[str, Any]:
        response = self.coordinator.post("/v1/rounds", json={})
        assert response.status_code == 202, response.text
        run_jobs(self.api)
        body: dict[str, Any] = self.coordinator.get(f"/v1/rounds/{response.json()['id']}").json()
        assert body["status"] == "succeeded", body
        return body

    def weights(self, round_body: dict[str, Any]) -> dict[str, int]:
        response = self.coordinator.get(f"/v1/rounds/{round_body['id']}/problem")
        assert response.status_code == 200, response.text
        return {h["id"]: h["weight"] for h in response.json()["households"]}

    def contract(self, proposal: dict[str, Any]) -> None:
        for client, path in (
            (self.coordinator, "release"),
            (self.landlords[proposal["landlord"]], "accept"),
            (self.social, "accept"),
        ):
            response = client.post(f"/v1/proposals/{proposal['id']}/{path}")
            assert response.status_code == 200, response.text

    def tenancy_of(self, household: str) -> dict[str, Any]:
        items = self.coordinator.get("/v1/tenancies", params={"status": "active"}).json()["items"]
        [tenancy] = [t for t in items if t["household"] == household]
        found: dict[str, Any] = tenancy
        return found

    def quota_row(self) -> dict[str, Any]:
        response = self.coordinator.get("/v1/quota", params={"year": YEAR})
        assert response.status_code == 200, response.text
        [row] = [r for r in response.json()["rows"] if r["landlord"] == self.helsingborgshem]
        found: dict[str, Any] = row
        return found

    def worklist(self) -> set[str]:
        response = self.coordinator.get("/v1/households", params={"establishment_ending": "true"})
        assert response.status_code == 200, response.text
        return {h["id"] for h in response.json()["items"]}

    def told(self, subject: str) -> list[str]:
        items = self.coordinator.get("/v1/events", params={"limit": 200}).json()["items"]
        return [e["type"] for e in items if e["subject"]["id"] == subject]


@pytest.fixture
def town(api: Api) -> Helsingborg:
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    return Helsingborg(api)


def test_helsingborg_3_6_a_move_on_need_weighs_what_the_policy_says(town: Helsingborg) -> None:
    """3:6 "öka tilldelningen … till dessa hushåll": with the policy's `move_on_weight` the
    sitting tenant moving on ranks ahead of an otherwise equal household waiting for its
    first flat; without it the two weigh the same."""
    moving = town.sitting()
    waiting = town.household()
    town.flat("HH-1")

    plain = town.weights(town.run())
    assert plain[moving] == plain[waiting]
    withdrawn = town.coordinator.get("/v1/proposals", params={"status": "proposed"}).json()
    for proposal in withdrawn["items"]:
        response = town.coordinator.post(f"/v1/proposals/{proposal['id']}/withdraw")
        assert response.status_code == 200, response.text

    town.policy(move_on_weight=500)
    policy = town.coordinator.get(f"/v1/municipalities/{CODE}/policy").json()
    assert policy["move_on_weight"] == 500
    weighted = town.run()
    weights = town.weights(weighted)
    assert weights[moving] == weights[waiting] + 500
    assert [p["household"] for p in weighted["proposals"]] == [moving]


def test_helsingborg_delmal_3_a_move_on_place_outside_the_quota_is_counted_apart(
    api: Api,
) -> None:
    """Delmål 3: "med hyresgaranti utanför rådande kvot": Helsingborgshem grants one move-on
    place outside its quota of one. The sitting tenant's move takes it — the quota's
    `delivered` stays 0 and the place shows under `outside_quota_used` — so the quota place
    is still there for the next household, which takes it."""
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    town = Helsingborg(api, quota=1, move_on_outside_quota=1)
    agreement = town.coordinator.get(f"/v1/agreements/{CODE}/{town.helsingborgshem}/{YEAR}")
    assert agreement.json()["move_on_outside_quota"] == 1
    moving = town.sitting()
    town.flat("HH-1")
    [proposal] = town.run()["proposals"]
    assert proposal["household"] == moving
    town.contract(proposal)

    moved = town.tenancy_of(moving)
    assert moved["outside_quota"] is True
    assert moved["moved_from"] is not None
    row = town.quota_row()
    assert (row["delivered"], row["remaining"]) == (0, 1)
    assert (row["outside_quota"], row["outside_quota_used"]) == (1, 1)
    stats = town.coordinator.get("/v1/statistics", params={"year": YEAR})
    assert stats.status_code == 200, stats.text
    assert "outside_quota_places" in stats.json()["placements"]

    waiting = town.household()
    town.flat("HH-2")
    [second] = town.run()["proposals"]
    assert second["household"] == waiting
    town.contract(second)
    assert town.tenancy_of(waiting)["outside_quota"] is False
    row = town.quota_row()
    assert (row["delivered"], row["remaining"]) == (1, 0)
    assert (row["outside_quota"], row["outside_quota_used"]) == (1, 1)
    totals = town.coordinator.get("/v1/quota", params={"year": YEAR}).json()["totals"]["all"]
    assert totals["outside_quota_used"] == 1


def test_helsingborg_delmal_3_a_round_plans_with_the_places_outside_the_quota(api: Api) -> None:
    """Delmål 3: "med hyresgaranti utanför rådande kvot": Helsingborgshem's quota of one is
    used up, one move-on place outside it is left. The round proposes the flat to the
    household moving on, on the outside place — not to the household waiting for its first
    flat, for which no quota place is left. The live proposal holds the outside place, not a
    quota place: the quota view's numbers stay, the next round has no outside place left to
    plan with, and the contract takes it (`outside_quota_used`)."""
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    town = Helsingborg(api, quota=1, move_on_outside_quota=1)
    first = town.household()
    town.flat("HH-1")
    [proposal] = town.run()["proposals"]
    town.contract(proposal)
    assert town.quota_row()["remaining"] == 0

    moving = town.sitting()
    waiting = town.household()
    town.flat("HH-2")
    planned = town.run()
    assert [p["household"] for p in planned["proposals"]] == [moving]
    problem = town.coordinator.get(f"/v1/rounds/{planned['id']}/problem").json()
    [landlord] = [lo for lo in problem["landlords"] if lo["id"] == town.helsingborgshem]
    assert (landlord["quota"], landlord["move_on_outside_quota"]) == (0, 1)
    flags = {h["id"]: h.get("moving_on", False) for h in problem["households"]}
    assert (flags[moving], flags[waiting]) == (True, False)
    row = town.quota_row()
    assert (row["quota"], row["delivered"], row["remaining"]) == (1, 1, 0)

    town.flat("HH-3")
    after = town.run()
    assert after["proposals"] == []
    problem = town.coordinator.get(f"/v1/rounds/{after['id']}/problem").json()
    [landlord] = [lo for lo in problem["landlords"] if lo["id"] == town.helsingborgshem]
    assert landlord["quota"] == 0
    assert "move_on_outside_quota" not in landlord  # the live proposal holds it

    [live] = planned["proposals"]
    town.contract(live)
    assert town.tenancy_of(moving)["outside_quota"] is True
    assert first != moving
    row = town.quota_row()
    assert (row["quota"], row["delivered"], row["remaining"]) == (1, 1, 0)
    assert (row["outside_quota"], row["outside_quota_used"]) == (1, 1)


def test_helsingborg_3_9_the_notice_before_the_establishment_period_ends_is_the_policys(
    town: Helsingborg,
) -> None:
    """3:9: the worklist of the newly arrived whose two-year establishment period ends soon
    reads the policy's notice. Settled 20 months ago (four months left): on it with the
    default six months' notice, off it with three; settled 22 months ago (two left): on it
    with either."""
    earlier = town.household(target_groups=["newly_arrived"], settled_on=months_ago(22))
    later = town.household(target_groups=["newly_arrived"], settled_on=months_ago(20))
    assert town.worklist() == {earlier, later}
    town.policy(establishment_notice_months=3)
    assert town.worklist() == {earlier}
    town.policy(establishment_notice_months=6)
    assert town.worklist() == {earlier, later}
    refused = town.coordinator.put(
        f"/v1/municipalities/{CODE}/policy", json={"establishment_notice_months": 0}
    )
    assert refused.status_code == 422, refused.text


def test_helsingborg_3_9_a_household_in_no_tenancy_is_announced_too(town: Helsingborg) -> None:
    """3:9: a settled household that lives in no tenancy of the service is announced to
    the coordinators as `household.establishment_ending`, once; one whose period ends
    beyond the policy's notice is not — until the notice reaches it. The landlords hear
    nothing of it."""
    town.policy(establishment_notice_months=3)
    soon = town.household(target_groups=["newly_arrived"], settled_on=months_ago(22))
    later = town.household(target_groups=["newly_arrived"], settled_on=months_ago(20))
    announce_due(town.api.app.state.sessionmaker)
    announce_due(town.api.app.state.sessionmaker)  # once, however often it sweeps
    assert town.told(soon) == ["household.establishment_ending"]
    assert town.told(later) == []
    landlord_feed = town.landlords[town.city].get("/v1/events", params={"limit": 200}).json()
    assert [e for e in landlord_feed["items"] if e["subject"]["id"] in (soon, later)] == []

    town.policy(establishment_notice_months=6)
    announce_due(town.api.app.state.sessionmaker)
    assert town.told(later) == ["household.establishment_ending"]
    [event] = [
        e
        for e in town.coordinator.get("/v1/events", params={"limit": 200}).json()["items"]
        if e["subject"]["id"] == later
    ]
    assert event["subject"]["type"] == "household"
    view = HouseholdRead.model_validate(event["data"])  # as the webhooks section declares
    assert view.establishment_ends_on == add_months(local_today(), 4)
