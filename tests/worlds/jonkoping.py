"""Jönköping, the world most API tests start from: a central area and an excluded vulnerable
one, a permissive public landlord and a private one with Balder's letting rules. Its rounds
run on either database through tests/worlds/jobs.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.db import local_year
from app.core.queue import ensure_queue_schema
from app.proposals.models import Proposal
from app.rounds.models import Round
from app.vacancies.models import Vacancy
from tests.conftest import Api
from tests.worlds.jobs import POSTGRES, run_jobs

PROBLEM = "application/problem+json"
YEAR = local_year()  # the service takes default years in Swedish time


class Jonkoping:
    """Jönköping with a central area and an excluded vulnerable one (Råslätt), a public
    landlord (Vätterhem, permissive) and a private one with Balder's letting rules
    (Nynäshamn: permanent employment, income ≥ 3 × rent, no income support, no remarks)."""

    CODE = "0680"

    def __init__(self, api: Api) -> None:
        self.api = api
        api.municipality(self.CODE)
        self.coordinator = api.client("coordinator", municipality=self.CODE)
        self.social = api.client("social_services", municipality=self.CODE)
        for code, name, excluded in (("CENTRUM", "Centrum", False), ("RASLATT", "Råslätt", True)):
            response = self.coordinator.put(
                f"/v1/municipalities/{self.CODE}/areas/{code}",
                json={"name": name, "excluded": excluded},
            )
            assert response.status_code == 201, response.text
        self.vatterhem = api.landlord("Vätterhem", "556036-0793", "public")
        self.balder = api.landlord("Balder", "556703-7485", "private")
        self.agreement(self.vatterhem, quota=10, contract_forms=["municipal_contract"])
        self.agreement(
            self.balder,
            quota=10,
            income_multiple=3,
            accepts_income_support=False,
            requires_permanent_employment=True,
            accepts_payment_remarks=False,
            contract_forms=["municipal_contract"],
        )
        self.landlords = {
            self.vatterhem: api.client("landlord", landlord=self.vatterhem),
            self.balder: api.client("landlord", landlord=self.balder),
        }
        self.vacancies: dict[str, str] = {}
        self.households: dict[str, str] = {}

    def agreement(self, landlord: str, **fields: Any) -> None:
        response = self.coordinator.put(
            f"/v1/agreements/{self.CODE}/{landlord}/{YEAR}", json=fields
        )
        assert response.status_code in (200, 201), response.text

    def vacancy(self, landlord: str, ref: str, **fields: Any) -> str:
        body: dict[str, Any] = {
            "municipality": self.CODE,
            "area": "CENTRUM",
            "rooms": 2,
            "rent": 7000,
            "contract_forms": ["municipal_contract"],
        }
        body.update(fields)
        response = self.landlords[landlord].put(f"/v1/vacancies/{ref}", json=body)
        assert response.status_code == 201, response.text
        self.vacancies[ref] = response.json()["id"]
        return self.vacancies[ref]

    def household(self, case_ref: str, **fields: Any) -> str:
        body: dict[str, Any] = {
            "case_ref": case_ref,
            "adults": 1,
            "contract_forms": ["municipal_contract"],
        }
        body.update(fields)
        response = self.social.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        self.households[case_ref] = response.json()["id"]
        return self.households[case_ref]

    def standard(self) -> None:
        """Three vacancies, three households, one known best answer."""
        self.vacancy(self.vatterhem, "VH-1", area="CENTRUM", rooms=2, rent=7000)
        self.vacancy(self.vatterhem, "VH-2", area="RASLATT", rooms=2, rent=6000)
        self.vacancy(self.balder, "BA-1", area="CENTRUM", rooms=1, rent=6000)
        # A violence-exposed mother with a child: 2–3 rooms, max rent 40 % of 18 000.
        self.household(
            "JKP-FAMILY",
            children=1,
            target_groups=["violence_exposed", "family_with_children"],
            income={"income_support": 15000, "housing_allowance": 3000},
        )
        # A single person in permanent work: meets Balder's rules for BA-1.
        self.household("JKP-WORKER", income={"salary": 25000}, employment="permanent")
        # A single person on 8 000 income support: max rent 3 200, nothing fits.
        self.household("JKP-LOW", income={"income_support": 8000})

    def start(self, **body: Any) -> dict[str, Any]:
        response = self.coordinator.post("/v1/rounds", json=body)
        assert response.status_code == 202, response.text
        assert response.headers["Location"] == f"/v1/rounds/{response.json()['id']}"
        result: dict[str, Any] = response.json()
        return result

    def run(self, **body: Any) -> dict[str, Any]:
        started = self.start(**body)
        run_jobs(self.api)
        response = self.coordinator.get(f"/v1/rounds/{started['id']}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def queued_round(self, **fields: Any) -> str:
        """A queued round written straight to the database, as a restart would leave it."""
        values: dict[str, Any] = {
            "municipality_code": self.CODE,
            "status": "queued",
            "year": YEAR,
            "policy_version": 0,
            "time_limit_s": 5,
            "requested_by": "test",
            "problem": {"request": {"newly_arrived_min": 0}},
        }
        values.update(fields)
        with self.api.app.state.sessionmaker.begin() as session:
            round_ = Round(**values)
            session.add(round_)
            session.flush()
            return str(round_.id)

    def pairs(self, round_body: dict[str, Any]) -> set[tuple[str, str]]:
        return {(p["household"], p["vacancy"]) for p in round_body["proposals"]}

    def vacancy_status(self, ref: str) -> str:
        with self.api.app.state.sessionmaker() as session:
            vacancy = session.get(Vacancy, self.vacancies[ref])
            assert vacancy is not None
            return str(vacancy.status)

    def proposal_count(self) -> int:
        with self.api.app.state.sessionmaker() as session:
            return len(session.scalars(select(Proposal.id)).all())


def jonkoping_world(api: Api) -> Jonkoping:
    """Jönköping built through the API, with the round queue's schema ready on PostgreSQL."""
    if POSTGRES:
        ensure_queue_schema(api.app.state.settings.database_url)
    return Jonkoping(api)


def standard_jonkoping(api: Api) -> Jonkoping:
    """Jönköping with the standard three vacancies and three households."""
    world = jonkoping_world(api)
    world.standard()
    return world
