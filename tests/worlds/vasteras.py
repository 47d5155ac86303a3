"""Västerås, the world the proposal and tenancy tests start from: two areas, Mimer (public)
and Balder (private) with agreements for the current year, Jönköping beside it; the request
bodies it is made of and the contract (proposal → tenancy) built on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.core.db import local_year
from app.households.models import Household
from app.proposals.models import ForbiddenPair, Proposal
from app.rounds.models import Round
from app.vacancies.models import Vacancy
from tests.conftest import Api, AuthedClient

PROBLEM = "application/problem+json"
YEAR = local_year()  # the service takes default years in Swedish time
MOVE_IN = f"{YEAR}-12-31"
"""A move-in day that is not in the past (a fixed date would become the past one day)."""


def vacancy_body(area: str = "BACKBY", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality": "1980",
        "area": area,
        "rooms": 2,
        "rent": 7400,
        "contract_forms": ["municipal_contract"],
        "address": "Bäckbygatan 12",
        "available_from": MOVE_IN,
    }
    body.update(overrides)
    return body


def household_body(case_ref: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_ref": case_ref,
        "adults": 1,
        "children": 2,
        "target_groups": ["violence_exposed", "family_with_children"],
        "income": {"salary": 21000, "income_support": 4000},
        "municipal_guarantee": True,
        "support_plan": False,
        "avoid_areas": ["CENTRUM"],
        "contract_forms": ["municipal_contract"],
    }
    body.update(overrides)
    return body


class World:
    """Västerås with two areas, Mimer (public) and Balder (private) with agreements for the
    current year, a coordinator, social services, and both landlords' clients; Jönköping
    as the other municipality."""

    def __init__(self, api: Api) -> None:
        self.api = api
        api.municipality("1980")
        api.municipality("0680")
        self.coordinator = api.client("coordinator", municipality="1980")
        self.social = api.client("social_services", municipality="1980")
        self.other_coordinator = api.client("coordinator", municipality="0680")
        self.other_social = api.client("social_services", municipality="0680")
        for code, name in (("BACKBY", "Bäckby"), ("CENTRUM", "Centrum")):
            area = self.coordinator.put(
                f"/v1/municipalities/1980/areas/{code}", json={"name": name}
            )
            assert area.status_code == 201, area.text
        self.mimer = api.landlord("Mimer", "556036-0793", "public")
        self.balder = api.landlord("Balder", "556703-7485", "private")
        for landlord, quota in ((self.mimer, 10), (self.balder, 4)):
            response = self.coordinator.put(
                f"/v1/agreements/1980/{landlord}/{YEAR}",
                json={
                    "quota": quota,
                    "exception_quota": 2,
                    "contract_forms": ["municipal_contract"],
                    "trial_period_months": 18,
                    "answer_hours": 48,
                    "response_hours": 48,
                    # "Om det inte har varit några problem upphör kommunens ansvar": the
                    # transfer waits for no consent (refused only with a remark, issue 24).
                    "transfer_needs_landlord_consent": False,
                },
            )
            assert response.status_code == 201, response.text
        self.mimer_client = api.client("landlord", landlord=self.mimer)
        self.balder_client = api.client("landlord", landlord=self.balder)
        self._cases = 0

    def vacancy(self, ref: str, *, landlord: str = "mimer", **overrides: Any) -> str:
        client = self.mimer_client if landlord == "mimer" else self.balder_client
        response = client.put(f"/v1/vacancies/{ref}", json=vacancy_body(**overrides))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def household(self, **overrides: Any) -> str:
        self._cases += 1
        response = self.social.post(
            "/v1/households", json=household_body(f"VAS-{self._cases:04d}", **overrides)
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def propose(
        self, household: str, vacancy: str, *, exception: bool = False, released: bool = False
    ) -> str:
        """Insert a proposal as a round would: `proposed`, and the vacancy `proposed`."""
        with self.api.app.state.sessionmaker.begin() as session:
            row = session.get(Vacancy, vacancy)
            assert row is not None
            proposal = Proposal(
                municipality_code="1980",
                landlord_id=row.landlord_id,
                vacancy_id=vacancy,
                household_id=household,
                contract_form="municipal_contract",
                exception=exception,
                score={"total": 17, "priority": 12, "fit": 5},
                status="proposed",
            )
            session.add(proposal)
            row.status = "proposed"
            session.flush()
            proposal_id = proposal.id
        if released:
            response = self.coordinator.post(f"/v1/proposals/{proposal_id}/release")
            assert response.status_code == 200, response.text
        return proposal_id

    def pair(self, *, landlord: str = "mimer", released: bool = True) -> tuple[str, str, str]:
        """A fresh household and vacancy and a proposal between them."""
        vacancy = self.vacancy(f"LGH-{self._cases + 1:04d}", landlord=landlord)
        household = self.household()
        return household, vacancy, self.propose(household, vacancy, released=released)

    def landlord_of(self, landlord: str) -> AuthedClient:
        return self.mimer_client if landlord == "mimer" else self.balder_client

    def vacancy_status(self, vacancy: str) -> str:
        with self.api.app.state.sessionmaker() as session:
            return str(session.scalar(select(Vacancy.status).where(Vacancy.id == vacancy)))

    def household_row(self, household: str) -> tuple[str, str | None]:
        with self.api.app.state.sessionmaker() as session:
            row = session.get(Household, household)
            assert row is not None
            return row.status, row.close_reason

    def forbidden(self, household: str, vacancy: str) -> str | None:
        with self.api.app.state.sessionmaker() as session:
            reason: str | None = session.scalar(
                select(ForbiddenPair.reason).where(
                    ForbiddenPair.household_id == household, ForbiddenPair.vacancy_id == vacancy
                )
            )
            return reason

    def set_deadline(self, proposal: str, deadline: datetime) -> None:
        with self.api.app.state.sessionmaker.begin() as session:
            session.execute(
                update(Proposal).where(Proposal.id == proposal).values(deadline_at=deadline)
            )

    def proposal_status(self, proposal: str) -> str:
        with self.api.app.state.sessionmaker() as session:
            return str(session.scalar(select(Proposal.status).where(Proposal.id == proposal)))


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


DECLINE_LANDLORD = {"reason": "unit_unavailable", "comment": "Water damage found."}
DECLINE_HOUSEHOLD = {"reason": "location", "comment": None}


def contract(
    world: World,
    *,
    landlord: str = "mimer",
    exception: bool = False,
    available_from: str | None = MOVE_IN,
    round_year: int | None = None,
) -> dict[str, Any]:
    """A vacancy and a household, proposed, released and accepted by both sides."""
    ref = f"LGH-T{world._cases + 1:03d}"
    vacancy = world.vacancy(ref, landlord=landlord, available_from=available_from)
    household = world.household()
    proposal = world.propose(household, vacancy, exception=exception)
    if round_year is not None:
        with world.api.app.state.sessionmaker.begin() as session:
            round_ = Round(
                municipality_code="1980",
                status="succeeded",
                year=round_year,
                policy_version=1,
                requested_by="test",
            )
            session.add(round_)
            session.flush()
            session.execute(
                update(Proposal).where(Proposal.id == proposal).values(round_id=round_.id)
            )
    assert world.coordinator.post(f"/v1/proposals/{proposal}/release").status_code == 200
    assert world.landlord_of(landlord).post(f"/v1/proposals/{proposal}/accept").status_code == 200
    accepted = world.social.post(f"/v1/proposals/{proposal}/accept")
    assert accepted.status_code == 200, accepted.text
    return {"proposal": proposal, "vacancy": vacancy, "household": household, "ref": ref}


def quota(world: World, client: Any = None, year: int = YEAR) -> dict[str, Any]:
    response = (client or world.coordinator).get(
        "/v1/quota", params={"municipality": "1980", "year": year}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def row_of(report: dict[str, Any], landlord: str) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in report["rows"] if r["landlord"] == landlord)
    return row


def tenancy_of(world: World, made: dict[str, Any]) -> dict[str, Any]:
    items = world.coordinator.get("/v1/tenancies").json()["items"]
    found: dict[str, Any] = next(t for t in items if t["proposal"] == made["proposal"])
    return found
