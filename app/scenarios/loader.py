"""Load a municipal model (`scenarios/<name>.json`) into the database through the service
layer, so a scenario obeys exactly the rules the API enforces.

The file is validated with `app.scenarios.schema.Scenario` (unknown fields refused); then,
as the API would do it: the municipality, a coordinator and a social-services credential
(labelled `scenario:<name>`), the areas, the landlords with their agreements for the year,
the policy, each landlord's vacancies (posted with the landlord's own credential) and the
households (posted by social services); a landlord without an agreement posts its vacancies
only where the policy takes flats on request. `scale` multiplies every yearly volume —
vacancies, households, quotas (of a quota stated as a share, its base) and area caps — so the
tests run a tenth of a year while `make run` loads a whole one. Exception quotas are counts,
not volumes: they stay, but never above the scaled quota. Nothing is random: the same
scenario and scale always give the same data.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.lease import quota_from_share
from app.agreements.service import upsert_agreement
from app.areas.service import upsert_area
from app.auth import Principal, Role, load_principal
from app.core.config import Settings
from app.core.db import create_db_engine, local_date, local_today, local_year, utcnow
from app.core.errors import Conflict
from app.credentials.models import Credential
from app.credentials.schemas import CredentialCreate
from app.credentials.service import create_credential
from app.households.assessment import record_assessment
from app.households.schemas import AssessmentInput
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
from app.policies.service import put_policy
from app.prevention import events as prevention_events
from app.prevention import service as prevention
from app.scenarios.schema import Scenario, ScenarioLandlord, ScenarioSignal
from app.vacancies.schemas import VacancyUpsert
from app.vacancies.service import upsert_vacancy
from app.vocabulary import EventType

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(Exception):
    """A scenario that does not exist or does not validate; the message says which field."""


def available() -> list[str]:
    """The scenario names shipped in `scenarios/`."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


def read_scenario(name: str) -> Scenario:
    """Parse and validate `scenarios/<name>.json`."""
    if name not in available():
        raise ScenarioError(f"no scenario {name!r}; available: {', '.join(available())}")
    path = SCENARIO_DIR / f"{name}.json"
    try:
        return Scenario.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValidationError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path.name}: {exc}") from exc


def scaled(count: int, scale: float) -> int:
    """A yearly figure scaled; anything the source gives stays at least 1."""
    if count <= 0:
        return 0
    return max(1, round(count * scale))


@dataclass
class Loaded:
    """What a load made: ids by key, and the credentials it printed (secrets shown once)."""

    municipality: str
    year: int
    landlords: dict[str, str] = field(default_factory=dict)
    intermediaries: dict[str, str] = field(default_factory=dict)
    vacancies: int = 0
    households: int = 0
    signals: int = 0
    credentials: list[dict[str, str]] = field(default_factory=list)


def _credential(
    session: Session, settings: Settings, label: str, role: Role, **organisation: str
) -> tuple[Credential, str]:
    return create_credential(
        session, settings, CredentialCreate(role=role, label=label, **organisation)
    )


def _agreement_body(landlord: ScenarioLandlord, scale: float) -> Any:
    """The agreement at the scenario's scale. A quota stated as a share (Karlstad: "cirka
    tio procent av de tillgängliga lägenheterna") scales its base — the reported turnover or
    stock is a yearly volume — and the quota is computed from the scaled share as the API
    computes it, so the two never disagree."""
    agreement = landlord.agreement
    assert agreement is not None
    share = agreement.quota_share
    if share is not None:
        share = share.model_copy(update={"base": scaled(share.base, scale)})
        quota = quota_from_share(share.model_dump()) or 0
    else:
        quota = scaled(agreement.quota, scale)
    return agreement.model_copy(
        update={
            "quota": quota,
            "quota_share": share,
            "exception_quota": min(agreement.exception_quota, quota),
        }
    )


def _post_vacancies(
    session: Session,
    scenario: Scenario,
    landlord: ScenarioLandlord,
    principal: Principal,
    scale: float,
    acting_for: str | None = None,
) -> int:
    """Post the landlord's synthetic vacancies as `principal`: the landlord itself, or the
    intermediary holding its mandate, naming the landlord it posts for (`acting_for`)."""
    mix = landlord.vacancies
    if mix is None:
        return 0
    count = scaled(mix.per_year, scale)
    for i in range(count):
        # Areas in turn, rooms shifted each lap, so even a few vacancies cover both.
        area = mix.areas[i % len(mix.areas)]
        rooms = mix.rooms[(i + i // len(mix.areas)) % len(mix.rooms)]
        rent = mix.rent_base + mix.rent_per_room * (rooms - 1) + (i * 37) % 400
        upsert_vacancy(
            session,
            principal=principal,
            external_ref=f"{landlord.key.upper()}-{i + 1:04d}",
            data=VacancyUpsert(
                municipality=scenario.municipality,
                area=area,
                rooms=rooms,
                rent=rent,
                elevator=i % 2 == 0,
                ground_floor=i % 5 == 0,
                contract_forms=mix.contract_forms,
                address=f"Scenariogatan {i + 1}",
            ),
            if_match=None,
            landlord=acting_for,
        )
    return count


def _mandated(
    session: Session,
    coordinator: Principal,
    intermediary_id: str,
    credential_id: str,
    landlord_id: str,
    year: int,
) -> Principal:
    """The landlord's mandate to its intermediary, recorded by the coordinator from the
    agreement year's start (or today, if the year lies ahead) until ended — assumption: the
    sources give no period — and the intermediary as it authenticates with it."""
    start = min(date(year, 1, 1), local_today())
    create_mandate(
        session,
        principal=coordinator,
        data=MandateCreate(intermediary=intermediary_id, landlord=landlord_id, valid_from=start),
    )
    principal = load_principal(session, credential_id)
    assert principal is not None
    return principal


def demo_number(n: int) -> str:
    """The `n`th demo tenant's identity number: a valid check digit on a day in December
    2090, a day no one can have been born on, so no demo number is a person's."""
    born = date(2090, 12, 1) + timedelta(days=n % 31)
    short = f"{born:%y%m%d}{100 + n // 31 % 900:03d}"
    total = 0
    for index, char in enumerate(short):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return f"{born:%Y%m%d}-{short[6:]}{(10 - total % 10) % 10}"


def _post_signals(
    session: Session,
    settings: Settings,
    scenario: Scenario,
    loaded: Loaded,
    senders: dict[str, tuple[Principal, str | None]],
    label: str,
) -> int:
    """The scenario's demo signals, each sent as its landlord (or its intermediary) would,
    and announced as the API announces them."""
    if scenario.prevention is None:
        return 0
    sent = 0
    today = local_today()
    for demo in scenario.prevention.signals:
        principal, acting_for = _sender(session, settings, loaded.landlords, senders, demo, label)
        for i in range(demo.count):
            notified = (
                None
                if demo.notified_days_ago is None
                else (today - timedelta(days=demo.notified_days_ago + i)).isoformat()
            )
            case = prevention.create_signal(
                session,
                principal=principal,
                data=demo.body(scenario.municipality, demo_number(sent), notified),
                landlord=acting_for,
                settings=settings,
            )
            prevention_events.publish(
                session, case, EventType.prevention_signal_received, now=utcnow()
            )
            sent += 1
    return sent


def _sender(
    session: Session,
    settings: Settings,
    landlords: dict[str, str],
    senders: dict[str, tuple[Principal, str | None]],
    demo: ScenarioSignal,
    label: str,
) -> tuple[Principal, str | None]:
    """Who sends a landlord's signals: its credential of the load, or a new one for a
    landlord without an agreement (the 12:44 message needs none)."""
    if demo.landlord not in senders:
        if demo.landlord not in landlords:
            raise ScenarioError(f"prevention: no landlord {demo.landlord!r} in the scenario")
        credential = _credential(
            session, settings, label, Role.landlord, landlord=landlords[demo.landlord]
        )[0]
        senders[demo.landlord] = (Principal.of(credential), None)
    return senders[demo.landlord]


def load_into(
    session: Session,
    settings: Settings,
    scenario: Scenario,
    *,
    scale: float = 1.0,
    year: int | None = None,
) -> Loaded:
    """Load a validated scenario in the caller's transaction (it flushes, never commits).
    The municipality must not exist yet (409 otherwise: a scenario is a whole world)."""
    if not 0 < scale <= 10:
        raise ScenarioError("scale must be in (0, 10]")
    year = year if year is not None else local_year()
    label = f"scenario:{scenario.name}"
    code = scenario.municipality
    if session.get(Municipality, code) is not None:
        raise Conflict(f"Municipality {code} already exists; load a scenario into a fresh db.")
    create_municipality(session, MunicipalityCreate(code=code))
    coordinator = Principal.of(
        _credential(session, settings, label, Role.coordinator, municipality=code)[0]
    )
    social = Principal.of(
        _credential(session, settings, label, Role.social_services, municipality=code)[0]
    )
    for area in scenario.areas:
        caps = {
            name: scaled(value, scale)
            for name in ("cap", "period_cap")
            if (value := getattr(area.area, name)) is not None
        }
        upsert_area(session, coordinator, code, area.id, area.area.model_copy(update=caps))
    if scenario.policy is not None:
        put_policy(session, principal=coordinator, code=code, data=scenario.policy.policy)
    loaded = Loaded(municipality=code, year=year)
    # A mandated landlord's key → its intermediary and the credential that posts for it.
    mandated_to: dict[str, tuple[str, str]] = {}
    senders: dict[str, tuple[Principal, str | None]] = {}
    for intermediary in scenario.intermediaries:
        organisation = create_intermediary(
            session,
            IntermediaryCreate(name=intermediary.name, org_number=intermediary.org_number),
        )
        loaded.intermediaries[intermediary.key] = organisation.id
        credential = _credential(
            session, settings, label, Role.intermediary, intermediary=organisation.id
        )[0]
        mandated_to.update(dict.fromkeys(intermediary.mandates, (organisation.id, credential.id)))
    for landlord in scenario.landlords:
        row = create_landlord(
            session,
            LandlordCreate(name=landlord.name, org_number=landlord.org_number, kind=landlord.kind),
        )
        loaded.landlords[landlord.key] = row.id
        if landlord.agreement is None:
            # No agreement: its flats come on request, where the policy takes them
            # (`vacancies_on_request`; Södertälje's Graflunds), posted by itself.
            if landlord.vacancies is not None:
                own = Principal.of(
                    _credential(session, settings, label, Role.landlord, landlord=row.id)[0]
                )
                senders[landlord.key] = (own, None)
                loaded.vacancies += _post_vacancies(session, scenario, landlord, own, scale)
            continue
        upsert_agreement(
            session,
            principal=coordinator,
            municipality=code,
            landlord_id=row.id,
            year=year,
            data=_agreement_body(landlord, scale),
            if_match=None,
        )
        own = Principal.of(_credential(session, settings, label, Role.landlord, landlord=row.id)[0])
        acting_for = None
        if landlord.key in mandated_to:
            own = _mandated(session, coordinator, *mandated_to[landlord.key], row.id, year)
            acting_for = row.id
        senders[landlord.key] = (own, acting_for)
        loaded.vacancies += _post_vacancies(session, scenario, landlord, own, scale, acting_for)
    now = utcnow()
    prefix = scenario.name.upper()[:8]
    for profile in scenario.households:
        count = scaled(profile.per_year, scale)
        for i in range(count):
            registered = now - timedelta(days=(i * 41) % 700 + 1)
            household = create_household(
                session,
                principal=social,
                data=profile.body(
                    f"{prefix}-{profile.key.upper()}-{i + 1:04d}", registered.isoformat()
                ),
                purpose=f"scenario {scenario.name}",
            )
            assessment = profile.assessment
            if assessment is not None and i < round(assessment.share * count):
                record_assessment(
                    session,
                    principal=social,
                    household=household,
                    data=AssessmentInput(
                        assessed_on=local_date(registered),
                        unit=assessment.unit,
                        support=assessment.support,
                    ),
                    purpose=f"scenario {scenario.name}",
                )
            loaded.households += 1
    if scenario.prevention is not None:
        prevention.put_policy(
            session, principal=coordinator, code=code, data=scenario.prevention.policy
        )
        loaded.signals = _post_signals(session, settings, scenario, loaded, senders, label)
    return loaded


def rotate_credentials(
    session: Session, settings: Settings, scenario: Scenario
) -> list[dict[str, str]]:
    """Revoke the scenario's previous credentials and print one per role (and one per
    landlord with an agreement): a secret is shown only once, so every start prints fresh
    ones, as `make run`'s demo does."""
    label = f"scenario:{scenario.name}"
    now = utcnow()
    for old in session.scalars(select(Credential).where(Credential.label == label)):
        old.revoked_at = old.revoked_at or now
    printed = []
    admin, secret = _credential(session, settings, label, Role.admin)
    printed.append({"role": "admin", "client_id": admin.id, "client_secret": secret})
    code = scenario.municipality
    for role in (Role.coordinator, Role.social_services):
        credential, secret = _credential(session, settings, label, role, municipality=code)
        printed.append({"role": role.value, "client_id": credential.id, "client_secret": secret})
    org_numbers = [lo.org_number for lo in scenario.landlords if lo.agreement is not None]
    for landlord in session.scalars(
        select(Landlord).where(Landlord.org_number.in_(org_numbers)).order_by(Landlord.name)
    ):
        credential, secret = _credential(
            session, settings, label, Role.landlord, landlord=landlord.id
        )
        printed.append(
            {
                "role": "landlord",
                "landlord": landlord.name,
                "client_id": credential.id,
                "client_secret": secret,
            }
        )
    org_numbers = [i.org_number for i in scenario.intermediaries]
    for intermediary in session.scalars(
        select(Intermediary).where(Intermediary.org_number.in_(org_numbers))
    ):
        credential, secret = _credential(
            session, settings, label, Role.intermediary, intermediary=intermediary.id
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


def _was_loaded(session: Session, scenario: Scenario) -> bool:
    """The scenario's landlords are in the database (a restart), not another world's."""
    first = scenario.landlords[0].org_number
    return session.scalar(select(Landlord.id).where(Landlord.org_number == first)) is not None


def load_scenario(
    settings: Settings,
    name: str,
    *,
    scale: float = 1.0,
    year: int | None = None,
    credentials: bool = False,
    echo: bool = False,
) -> Loaded:
    """Load `scenarios/<name>.json` in one transaction (all or nothing). With `credentials`,
    also print fresh credentials for every role; if the municipality is already there (a
    restart of `make run`), only the credentials are renewed."""
    scenario = read_scenario(name)
    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session, session.begin():
            if credentials and session.get(Municipality, scenario.municipality) is not None:
                if not _was_loaded(session, scenario):
                    raise ScenarioError(
                        f"the database already holds municipality {scenario.municipality} "
                        f"without scenario {scenario.name}; use a fresh database "
                        f"(DATABASE_URL=sqlite:///./var/scenario-{scenario.name}.db)"
                    )
                loaded = Loaded(municipality=scenario.municipality, year=year or local_year())
            else:
                loaded = load_into(session, settings, scenario, scale=scale, year=year)
            if credentials:
                loaded.credentials = rotate_credentials(session, settings, scenario)
    finally:
        engine.dispose()
    if echo:
        out = sys.stderr
        out.write(
            f"Scenario {scenario.name}: {scenario.title} — kommun {loaded.municipality}, "
            f"{loaded.vacancies} vacancies and {loaded.households} households loaded.\n"
        )
        for line in loaded.credentials:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return loaded


__all__ = ["Loaded", "ScenarioError", "available", "load_into", "load_scenario", "read_scenario"]
