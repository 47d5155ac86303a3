"""Kompotten, the network of municipalities Södertälje describes ("ett nätverk mellan ett
trettiotal kommuner kallat Kompotten … utbyte av personer som utsätts för våld i nära
relationer och därför måste flytta"): Södertälje sends a protected-identity household,
Norrköping receives it, Nynäshamn stands outside the network."""

from __future__ import annotations

from typing import Any

from app.core.db import local_year
from app.core.queue import ensure_queue_schema
from tests.conftest import Api, AuthedClient
from tests.worlds.jobs import POSTGRES, run_jobs

YEAR = local_year()
SODERTALJE, NORRKOPING, NYNASHAMN = "0181", "0581", "0192"
SECRET_CASE_REF = "SDT-SKYDD-0042"
AVOIDED = "HEMLIGTSDT"
PREFERRED = "NARAMAMMASDT"
ORIGIN_SECRETS = (f'"{SODERTALJE}"', "Södertälje", SECRET_CASE_REF, AVOIDED, PREFERRED)
"""What names the household's origin: nothing the receiving side may read shows any of it
(the code as a JSON value: four digits alone also occur inside ids and timestamps)."""


class Side:
    """One municipality: its coordinator and its social services."""

    def __init__(self, api: Api, code: str) -> None:
        api.municipality(code)
        self.code = code
        self.coordinator = api.client("coordinator", municipality=code)
        self.social = api.client("social_services", municipality=code)


class Kompotten:
    def __init__(self, api: Api) -> None:
        if POSTGRES:
            ensure_queue_schema(api.app.state.settings.database_url)
        self.api = api
        self.sodertalje = Side(api, SODERTALJE)
        self.norrkoping = Side(api, NORRKOPING)
        self.nynashamn = Side(api, NYNASHAMN)
        for code, name in ((AVOIDED, "Där han bor"), (PREFERRED, "Nära mamma")):
            response = self.sodertalje.coordinator.put(
                f"/v1/municipalities/{SODERTALJE}/areas/{code}", json={"name": name}
            )
            assert response.status_code == 201, response.text
        response = self.norrkoping.coordinator.put(
            f"/v1/municipalities/{NORRKOPING}/areas/CENTRUM", json={"name": "Centrum"}
        )
        assert response.status_code == 201, response.text
        self.landlord_id = api.landlord("Hyresbostäder i Norrköping", "556036-0793", "public")
        agreement = self.norrkoping.coordinator.put(
            f"/v1/agreements/{NORRKOPING}/{self.landlord_id}/{YEAR}",
            json={"quota": 5, "contract_forms": ["municipal_contract"]},
        )
        assert agreement.status_code == 201, agreement.text
        self.landlord = api.client("landlord", landlord=self.landlord_id)
        created = api.admin.post("/v1/networks", json={"name": "Kompotten"})
        assert created.status_code == 201, created.text
        self.network: str = created.json()["id"]
        for code in (SODERTALJE, NORRKOPING):
            member = api.admin.put(f"/v1/networks/{self.network}/members/{code}", json={})
            assert member.status_code == 201, member.text

    def household(self, case_ref: str = SECRET_CASE_REF, **fields: Any) -> str:
        """A violence-exposed mother with a child and protected identity, with areas of
        Södertälje's to avoid and to prefer."""
        body: dict[str, Any] = {
            "case_ref": case_ref,
            "adults": 1,
            "children": 1,
            "target_groups": ["protected_identity", "violence_exposed", "family_with_children"],
            "income": {"income_support": 15000, "housing_allowance": 4000},
            "avoid_areas": [AVOIDED],
            "preferred_areas": [PREFERRED],
            "contract_forms": ["municipal_contract"],
            "urgency": 3,
        }
        body.update(fields)
        response = self.sodertalje.coordinator.post("/v1/households", json=body)
        assert response.status_code == 201, response.text
        household: str = response.json()["id"]
        return household

    def refer(self, household: str, to: str | None = NORRKOPING, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"household": household, "network": self.network, **fields}
        if to is not None:
            body["to_municipality"] = to
        response = self.sodertalje.coordinator.post("/v1/referrals", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def vacancy(self, ref: str = "HBN-1", **fields: Any) -> str:
        body: dict[str, Any] = {
            "municipality": NORRKOPING,
            "area": "CENTRUM",
            "rooms": 2,
            "rent": 6500,
            "contract_forms": ["municipal_contract"],
            **fields,
        }
        response = self.landlord.put(f"/v1/vacancies/{ref}", json=body)
        assert response.status_code == 201, response.text
        vacancy: str = response.json()["id"]
        return vacancy

    def run_round(self, coordinator: AuthedClient) -> dict[str, Any]:
        started = coordinator.post("/v1/rounds", json={})
        assert started.status_code == 202, started.text
        run_jobs(self.api)
        response = coordinator.get(f"/v1/rounds/{started.json()['id']}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result
