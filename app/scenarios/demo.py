"""Synthetic demo data for `make run`: Västerås with two landlords, an intermediary holding
the private landlord's mandate (as Bostad Västerås does), a few vacancies and households,
and a fresh credential per role printed at every start.

Everything goes through the service layer, so demo data obey the same rules as the API.
No person in it is real: case references are DEMO-nnn, addresses are invented.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.schemas import AgreementUpsert
from app.agreements.service import upsert_agreement
from app.areas.schemas import AreaUpsert
from app.areas.service import upsert_area
from app.auth import Principal, Role
from app.core.config import Settings
from app.core.db import create_db_engine, local_year, utcnow
from app.credentials.models import Credential
from app.credentials.schemas import CredentialCreate
from app.credentials.service import create_credential
from app.households.schemas import HouseholdCreate
from app.households.service import create_household
from app.intermediaries.models import Intermediary
from app.intermediaries.schemas import IntermediaryCreate, MandateCreate
from app.intermediaries.service import create_intermediary, create_mandate
from app.landlords.models import Landlord
from app.landlords.schemas import LandlordCreate
from app.landlords.service import create_landlord
from app.municipalities.models import Municipality
from app.municipalities.schemas import MunicipalityCreate
from app.municipalities.service import create_municipality
from app.vacancies.schemas import VacancyUpsert
from app.vacancies.service import upsert_vacancy

DEMO_MUNICIPALITY = "1980"
DEMO_LABEL = "demo"
YEAR = local_year()

AREAS: list[tuple[str, dict[str, Any]]] = [
    ("CENTRUM", {"name": "Centrum", "cap": 3}),
    ("BACKBY", {"name": "Bäckby", "excluded": True}),
    ("PETTERSBERG", {"name": "Pettersberg"}),
    ("VALLBY", {"name": "Vallby"}),
    ("SKULTUNA", {"name": "Skultuna"}),
]
LANDLORDS: list[tuple[dict[str, str], dict[str, Any]]] = [
    # A public company that accepts income support, except in designated areas (Västerås).
    (
        {"name": "Demobostäder (allmännyttan)", "org_number": "559900-0014", "kind": "public"},
        {
            "quota": 40,
            "exception_quota": 5,
            "excluded_areas": ["BACKBY"],
            "income_multiple": 2.5,
            "accepts_income_support": True,
            "accepts_payment_remarks": True,
            "contract_forms": ["municipal_contract", "training_apartment", "support_agreement"],
            "trial_period_months": 12,
        },
    ),
    # A private landlord with Balder-like rules (Nynäshamn): 3 × rent, no payment remarks.
    (
        {"name": "Demo Fastigheter AB", "org_number": "559900-0022", "kind": "private"},
        {
            "quota": 10,
            "exception_quota": 0,
            "income_multiple": 3,
            "accepts_income_support": False,
            "requires_permanent_employment": True,
            "accepts_payment_remarks": False,
            "contract_forms": ["municipal_contract", "first_hand_with_guarantee"],
            "trial_period_months": 18,
        },
    ),
]
INTERMEDIARY = {"name": "Demoförmedlingen AB", "org_number": "559900-0030"}
"""Acts for Demo Fastigheter AB in the demo municipality (Västerås: Bostad Västerås "tar in
lägenheter i enlighet med respektive fastighetsägares kvot")."""
VACANCIES: list[tuple[int, str, dict[str, Any]]] = [
    (0, "DB-1001", {"area": "CENTRUM", "rooms": 1, "rent": 5200, "elevator": True}),
    (0, "DB-1002", {"area": "PETTERSBERG", "rooms": 2, "rent": 6900}),
    (0, "DB-1003", {"area": "VALLBY", "rooms": 3, "rent": 8400, "ground_floor": True}),
    (0, "DB-1004", {"area": "SKULTUNA", "rooms": 4, "rent": 9800}),
    (1, "DF-77", {"area": "CENTRUM", "rooms": 2, "rent": 8100, "elevator": True}),
    (1, "DF-78", {"area": "VALLBY", "rooms": 1, "rent": 5900}),
]
# Each demo household has a vacancy it fits, so a round proposes something for every one
# (the case worker's `max_rent` where 40 % of the income would fit nothing), and none of
# them fits the README tour's vacancy (DB-2001: Pettersberg, 3 rooms, 7 100 SEK), which the
# tour's own family then gets (tests/test_readme.py runs the tour).
HOUSEHOLDS: list[dict[str, Any]] = [
    {
        "adults": 1,
        "children": 2,
        "target_groups": ["violence_exposed", "family_with_children"],
        "income": {"income_support": 9500, "housing_allowance": 2500},
        "max_rent": 8500,
        "avoid_areas": ["PETTERSBERG"],  # where the person she fled lives
        "urgency": 3,
        "contract_forms": ["municipal_contract", "support_agreement"],
    },
    {
        "adults": 1,
        "target_groups": ["substance_recovery"],
        "income": {"income_support": 7000},
        "max_rent": 5500,
        "drug_free_months": 8,
        "contract_forms": ["training_apartment", "municipal_contract"],
    },
    {
        "adults": 2,
        "children": 1,
        "target_groups": ["newly_arrived", "family_with_children"],
        "income": {"salary": 26000},
        "employment": "permanent",
        "contract_forms": ["municipal_contract", "first_hand_with_guarantee"],
    },
    {
        "adults": 1,
        "target_groups": ["young_adult", "economic_only"],
        "income": {"activity_compensation": 9000},
        "max_rent": 7000,
        "payment_remarks": True,
        "contract_forms": ["municipal_contract"],
    },
]


def _credential(
    session: Session, settings: Settings, role: Role, **organisation: str
) -> tuple[Credential, str]:
    return create_credential(
        session, settings, CredentialCreate(role=role, label=DEMO_LABEL, **organisation)
    )


def _load_world(session: Session, settings: Settings) -> None:
    create_municipality(session, MunicipalityCreate(code=DEMO_MUNICIPALITY))
    coordinator, _ = _credential(session, settings, Role.coordinator, municipality="1980")
    social, _ = _credential(session, settings, Role.social_services, municipality="1980")
    for code, area in AREAS:
        upsert_area(session, Principal.of(coordinator), DEMO_MUNICIPALITY, code, AreaUpsert(**area))
    landlord_principals = []
    landlord_ids = []
    for landlord_body, agreement in LANDLORDS:
        landlord = create_landlord(session, LandlordCreate(**landlord_body))
        upsert_agreement(
            session,
            principal=Principal.of(coordinator),
            municipality=DEMO_MUNICIPALITY,
            landlord_id=landlord.id,
            year=YEAR,
            data=AgreementUpsert(**agreement),
            if_match=None,
        )
        credential, _ = _credential(session, settings, Role.landlord, landlord=landlord.id)
        landlord_principals.append(Principal.of(credential))
        landlord_ids.append(landlord.id)
    intermediary = create_intermediary(session, IntermediaryCreate(**INTERMEDIARY))
    create_mandate(
        session,
        principal=Principal.of(coordinator),
        data=MandateCreate(
            intermediary=intermediary.id,
            landlord=landlord_ids[1],
            valid_from=datetime(YEAR, 1, 1, tzinfo=UTC).date(),
        ),
    )
    for owner, ref, vacancy in VACANCIES:
        forms = LANDLORDS[owner][1]["contract_forms"][:2]
        upsert_vacancy(
            session,
            principal=landlord_principals[owner],
            external_ref=ref,
            data=VacancyUpsert(municipality=DEMO_MUNICIPALITY, contract_forms=forms, **vacancy),
            if_match=None,
        )
    for number, household in enumerate(HOUSEHOLDS, start=1):
        create_household(
            session,
            principal=Principal.of(social),
            data=HouseholdCreate.model_validate(
                {
                    "case_ref": f"DEMO-{number:03d}",
                    "registered_at": (utcnow() - timedelta(days=30 * number)).isoformat(),
                    **household,
                }
            ),
            purpose="demo data",
        )


def _rotate_credentials(session: Session, settings: Settings) -> list[dict[str, str]]:
    """Revoke the previous demo credentials and make one per role: a secret is shown only
    once, so each start prints fresh ones."""
    now = utcnow()
    for old in session.scalars(select(Credential).where(Credential.label == DEMO_LABEL)):
        old.revoked_at = old.revoked_at or now
    printed = []
    admin, secret = _credential(session, settings, Role.admin)
    printed.append({"role": "admin", "client_id": admin.id, "client_secret": secret})
    for role in (Role.coordinator, Role.social_services):
        credential, secret = _credential(session, settings, role, municipality=DEMO_MUNICIPALITY)
        printed.append({"role": role.value, "client_id": credential.id, "client_secret": secret})
    for landlord in session.scalars(
        select(Landlord).where(Landlord.org_number.in_([lb["org_number"] for lb, _ in LANDLORDS]))
    ):
        credential, secret = _credential(session, settings, Role.landlord, landlord=landlord.id)
        printed.append(
            {
                "role": "landlord",
                "landlord": landlord.name,
                "client_id": credential.id,
                "client_secret": secret,
            }
        )
    for intermediary in session.scalars(
        select(Intermediary).where(Intermediary.org_number == INTERMEDIARY["org_number"])
    ):
        credential, secret = _credential(
            session, settings, Role.intermediary, intermediary=intermediary.id
        )
        printed.append(
            {
                "role": "intermediary",
                "intermediary": intermediary.name,
                "client_id": credential.id,
                "client_secret": secret,
            }
        )
    return printed


def load_demo(settings: Settings, *, echo: bool = False) -> list[dict[str, str]]:
    """Load the demo world into an empty database, then print a credential per role."""
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session, session.begin():
            empty = session.scalar(select(Municipality.code).limit(1)) is None
            if empty:
                _load_world(session, settings)
            demo_present = session.get(Municipality, DEMO_MUNICIPALITY) is not None
            printed = _rotate_credentials(session, settings) if demo_present else []
    finally:
        engine.dispose()
    if echo:
        out = sys.stderr
        if not printed:
            out.write("The database holds other data; no demo data or credentials loaded.\n")
        for line in printed:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return printed


__all__ = ["load_demo"]
