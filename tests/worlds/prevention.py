"""Södertälje's eviction prevention (issue 25), the world the prevention tests start from:
Telge Bostäder (public, with an agreement that lets early warnings through within 48
hours) and a private landlord without one, the municipality's social services and
coordinator, and Jönköping beside it. Synthetic identity numbers only: made here at run
time from a birth day and a serial, never a literal number that could be a person's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.core.db import local_today, local_year
from tests.conftest import Api, AuthedClient

SODERTALJE = "0181"
JONKOPING = "0680"
IMPOSSIBLE_NUMBER = "20901231-1230"
"""A valid check digit on 31 December 2090: a day no one can have been born on."""


def _luhn(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def synthetic_number(born: date, serial: str = "998") -> str:
    """`YYYYMMDD-NNNC` for a birth day, with the check digit the library accepts."""
    short = born.strftime("%y%m%d") + serial
    return f"{born:%Y%m%d}-{serial}{_luhn(short)}"


def aged(years: int) -> str:
    """The number of someone `years` old today (born that long ago, a month before)."""
    today = local_today()
    born = date(today.year - years, today.month, 1) - timedelta(days=31)
    return synthetic_number(born)


def spellings(number: str) -> list[str]:
    """The long form `YYYYMMDD-NNNN`, its twelve digits, and the short forms."""
    digits = number.replace("-", "")
    return [number, digits, f"{digits[2:8]}-{digits[8:]}", digits[2:]]


def signal_body(**overrides: Any) -> dict[str, Any]:
    """A 12:44 termination notice for late rent, the tenant notified two days ago."""
    body: dict[str, Any] = {
        "municipality": SODERTALJE,
        "kind": "termination_notice",
        "basis": "statutory_notice",
        "tenant": {"name": "Testa Testsson", "personal_identity_number": aged(40)},
        "external_ref": "TB-1001",
        "address": "Storgatan 1",
        "postal_code": "151 72",
        "notified_on": (local_today() - timedelta(days=2)).isoformat(),
        "debt": 14000,
        "months_in_arrears": 2,
        "monthly_rent": 7000,
        "children_in_household": False,
    }
    body.update(overrides)
    return body


class World:
    """Södertälje with Telge Bostäder (agreement: early warnings answered within 48 hours)
    and a private landlord without an agreement; Jönköping's social services beside."""

    def __init__(self, api: Api) -> None:
        self.api = api
        api.municipality(SODERTALJE)
        api.municipality(JONKOPING)
        self.telge_id = api.landlord("Telge Bostäder", "556036-0793", "public")
        self.private_id = api.landlord("Privat AB", "556703-7485", "private")
        self.coordinator = api.client("coordinator", municipality=SODERTALJE)
        self.social = api.client("social_services", municipality=SODERTALJE)
        self.social.headers["X-Purpose"] = "vrakningsforebyggande arbete"
        self.other_social = api.client("social_services", municipality=JONKOPING)
        self.telge = api.client("landlord", landlord=self.telge_id)
        self.private = api.client("landlord", landlord=self.private_id)
        agreement = self.coordinator.put(
            f"/v1/agreements/{SODERTALJE}/{self.telge_id}/{local_year()}",
            json={"quota": 5, "contract_forms": ["municipal_contract"], "response_hours": 48},
        )
        assert agreement.status_code == 201, agreement.text

    def signal(self, client: AuthedClient | None = None, **overrides: Any) -> dict[str, Any]:
        response = (client or self.telge).post(
            "/v1/prevention/signals", json=signal_body(**overrides)
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def case(self, case_id: str, client: AuthedClient | None = None) -> dict[str, Any]:
        response = (client or self.social).get(f"/v1/prevention/cases/{case_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def act(self, case_id: str, code: str, **extra: Any) -> dict[str, Any]:
        body = {"code": code, "on": local_today().isoformat(), **extra}
        response = self.social.post(f"/v1/prevention/cases/{case_id}/actions", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def close(self, case_id: str, code: str, **extra: Any) -> dict[str, Any]:
        response = self.social.post(
            f"/v1/prevention/cases/{case_id}/outcome", json={"code": code, **extra}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())
