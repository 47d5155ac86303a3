"""Every ORM model imported once, so metadata is complete for Alembic and tests."""

from app.agreements.models import Agreement
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.credentials.models import Credential
from app.households.models import Household
from app.landlords.models import Landlord
from app.municipalities.models import Municipality
from app.vacancies.models import Vacancy

__all__ = [
    "Agreement",
    "Area",
    "AuditEvent",
    "Credential",
    "Household",
    "Landlord",
    "Municipality",
    "Vacancy",
]
