"""A protected-identity household (docs/privacy.md) that nothing but its own record names,
what of it must never show where others can look, and the audit trail that records it."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from tests.conftest import Api
from tests.worlds.jonkoping import Jonkoping

SECRET_CASE_REF = "SKYDD-0680-7731"
AVOIDED = "HEMLIGT"
PREFERRED = "NARAMAMMA"


def audit_events(api: Api, **where: str) -> list[AuditEvent]:
    with api.app.state.sessionmaker() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEvent, column) == value)
        return list(session.scalars(query))


def protected_areas(world: Jonkoping) -> None:
    """Areas only the protected household names (creating an area is not about it)."""
    for code, name in ((AVOIDED, "Där han bor"), (PREFERRED, "Nära mamma")):
        response = world.coordinator.put(
            f"/v1/municipalities/{world.CODE}/areas/{code}", json={"name": name}
        )
        assert response.status_code == 201, response.text


def protected_household(world: Jonkoping, *, with_areas: bool = True) -> str:
    """A protected-identity household with areas of its own that nothing else names."""
    if with_areas:
        protected_areas(world)
    response = world.coordinator.post(
        "/v1/households",
        json={
            "case_ref": SECRET_CASE_REF,
            "adults": 1,
            "children": 1,
            "target_groups": ["protected_identity", "violence_exposed", "family_with_children"],
            "income": {"income_support": 15000, "housing_allowance": 4000},
            "avoid_areas": [AVOIDED],
            "preferred_areas": [PREFERRED],
            "contract_forms": ["municipal_contract"],
            "urgency": 3,
        },
    )
    assert response.status_code == 201, response.text
    household: str = response.json()["id"]
    world.households[SECRET_CASE_REF] = household
    return household


SECRETS = (
    SECRET_CASE_REF,
    AVOIDED,
    PREFERRED,
    "protected_identity",
    "violence_exposed",
    "family_with_children",
    "income_support",
    "target_groups",
    "avoid_areas",
    "preferred_areas",
)


VALUES = (SECRET_CASE_REF, AVOIDED, PREFERRED)
"""What only this household's record holds (field names may appear in an error)."""


def assert_hidden(text_: str, where: str, secrets: tuple[str, ...] = SECRETS) -> None:
    for secret in secrets:
        assert secret not in text_, f"{secret!r} leaked in {where}"
