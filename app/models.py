"""Every ORM model imported once, so metadata is complete for Alembic and tests."""

from app.agreements.models import Agreement
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.credentials.models import Credential
from app.events import outbox as _outbox  # noqa: F401  (registers the outbox's session hooks)
from app.events.models import Event, EventStream, WebhookDelivery, WebhookEndpoint
from app.households.models import Household
from app.idempotency.models import IdempotencyRecord
from app.intermediaries.models import Intermediary, Mandate
from app.landlords.models import Landlord
from app.municipalities.models import Municipality
from app.policies.models import Policy
from app.proposals.models import ForbiddenPair, Pin, Proposal
from app.rounds.models import Round
from app.settlement.models import SettlementFigure
from app.tenancies.models import Tenancy, TenancyEvent
from app.vacancies.models import Vacancy

__all__ = [
    "Agreement",
    "Area",
    "AuditEvent",
    "Credential",
    "Event",
    "EventStream",
    "ForbiddenPair",
    "Household",
    "IdempotencyRecord",
    "Intermediary",
    "Landlord",
    "Mandate",
    "Municipality",
    "Pin",
    "Policy",
    "Proposal",
    "Round",
    "SettlementFigure",
    "Tenancy",
    "TenancyEvent",
    "Vacancy",
    "WebhookDelivery",
    "WebhookEndpoint",
]
