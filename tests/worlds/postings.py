"""Västerås where landlords post vacancies: two areas, a public and a private landlord with
agreements, and a vacancy's body (tests/test_vacancies.py and its committing half)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from app.vacancies.models import Vacancy
from tests.conftest import Api


def vacancy(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality": "1980",
        "area": "BACKBY",
        "rooms": 2,
        "rent": 7400,
        "elevator": True,
        "ground_floor": False,
        "wheelchair": False,
        "contract_forms": ["municipal_contract", "support_agreement"],
        "address": "Bäckbygatan 12",
        "postal_code": "723 48",
        "living_area": 58,
        "floor": 2,
        "available_from": "2026-12-01",
    }
    body.update(overrides)
    return body


class World:
    """Västerås with two areas, two landlords with agreements, and their clients."""

    def __init__(self, api: Api) -> None:
        self.api = api
        api.municipality("1980")
        api.municipality("0680")
        self.coordinator = api.client("coordinator", municipality="1980")
        for code, name in (("BACKBY", "Bäckby"), ("CENTRUM", "Centrum")):
            area = self.coordinator.put(
                f"/v1/municipalities/1980/areas/{code}", json={"name": name}
            )
            assert area.status_code == 201
        self.mimer = api.landlord("Mimer", "556036-0793")
        self.balder = api.landlord("Balder", "556703-7485", "private")
        for landlord in (self.mimer, self.balder):
            response = self.coordinator.put(
                f"/v1/agreements/1980/{landlord}/2026",
                json={"quota": 10, "contract_forms": ["municipal_contract"]},
            )
            assert response.status_code == 201
        self.mimer_client = api.client("landlord", landlord=self.mimer)
        self.balder_client = api.client("landlord", landlord=self.balder)

    def rows(self, landlord: str | None = None, external_ref: str | None = None) -> int:
        query = select(func.count()).select_from(Vacancy)
        if landlord is not None:
            query = query.where(Vacancy.landlord_id == landlord)
        if external_ref is not None:
            query = query.where(Vacancy.external_ref == external_ref)
        with self.api.app.state.sessionmaker() as session:
            return int(session.scalar(query) or 0)

    def set_status(self, landlord: str, external_ref: str, status: str) -> None:
        with self.api.app.state.sessionmaker.begin() as session:
            session.execute(
                update(Vacancy)
                .where(Vacancy.landlord_id == landlord, Vacancy.external_ref == external_ref)
                .values(status=status)
            )
