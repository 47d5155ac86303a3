"""The event types and the audiences they go to: one declaration that the publishers, the
feed's `types` filter, webhook subscriptions and the OpenAPI `webhooks` section all read."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import Principal, Role, municipality_of
from app.vocabulary import EventType, SubjectType

SUBJECT_OF: dict[EventType, SubjectType] = {
    event_type: SubjectType(event_type.value.split(".", 1)[0])
    for event_type in EventType
    if event_type is not EventType.ping
}
SUBJECT_OF[EventType.ping] = SubjectType.webhook

RECEIVED_BY: dict[SubjectType, frozenset[Role]] = {
    SubjectType.vacancy: frozenset({Role.landlord, Role.coordinator}),
    SubjectType.proposal: frozenset({Role.landlord, Role.coordinator, Role.social_services}),
    SubjectType.round: frozenset({Role.coordinator}),
    SubjectType.tenancy: frozenset({Role.landlord, Role.coordinator}),
    SubjectType.webhook: frozenset({Role.landlord, Role.coordinator, Role.social_services}),
    SubjectType.household: frozenset({Role.coordinator}),
    SubjectType.prevention: frozenset({Role.landlord, Role.coordinator, Role.social_services}),
    SubjectType.referral: frozenset({Role.coordinator, Role.social_services}),
}
"""Which roles' streams each subject's events go to (the publishers in each domain's
`events.py` name the audiences; tests/test_webhooks_every_type.py holds this to them)."""


def types_for(role: Role) -> list[EventType]:
    """Every event type a stream of this role may receive and a webhook may subscribe to
    (`events: ["*"]`; `ping` is only ever sent by a test delivery)."""
    return [t for t in EventType if t is not EventType.ping and role in RECEIVED_BY[SUBJECT_OF[t]]]


DESCRIPTIONS: dict[EventType, str] = {
    EventType.vacancy_posted: "A landlord posted a vacancy in the municipality (new, or "
    "offered again after a withdrawal or an ended tenancy).",
    EventType.vacancy_updated: "A landlord changed a posted vacancy (rent, rooms, dates, …).",
    EventType.vacancy_let: "The vacancy was let: both sides accepted a proposal for it.",
    EventType.vacancy_withdrawn: "The landlord took the vacancy off the market.",
    EventType.vacancy_freed: "A move chain freed the flat: its tenant moved on to a tenancy "
    "elsewhere, and the vacancy is open again from the move-in day — not a quota apartment "
    "unless the landlord posts it again (Helsingborg 3:6).",
    EventType.proposal_released: "The coordinator released a proposal to the landlord; "
    "the landlord's answer is due by `deadline_at`.",
    EventType.proposal_landlord_accepted: "The landlord accepted; the household's side "
    "answers by the new `deadline_at`.",
    EventType.proposal_landlord_declined: "The landlord declined (reason code in the view).",
    EventType.proposal_household_accepted: "The household's side accepted.",
    EventType.proposal_household_declined: "The household's side declined.",
    EventType.proposal_contracted: "Both sides accepted: the tenancy exists, the vacancy is "
    "let and the household housed.",
    EventType.proposal_expired: "No answer came before the deadline; both sides are free.",
    EventType.proposal_withdrawn: "The coordinator (or the vacancy's withdrawal) took the "
    "proposal back.",
    EventType.proposal_deadline_approaching: "An awaited answer is due within 24 hours "
    "(sent once per deadline).",
    EventType.round_succeeded: "A match round finished with proposals for review.",
    EventType.round_failed: "A match round failed; nothing was changed.",
    EventType.tenancy_step_due: "The trial period is over and the tenancy's next step on the "
    "staircase can be taken (sent once per step).",
    EventType.tenancy_stepped: "The tenancy took a step: a new contract form, or the lease "
    "transferred to the tenant.",
    EventType.tenancy_remark_added: "The landlord or the coordinator recorded a remark "
    "(a landlord's remark carries the municipality's response deadline).",
    EventType.tenancy_incident_reported: "The landlord reported a problem that needs the "
    "municipality; its response is due by the event's `response_due_at`.",
    EventType.tenancy_incident_answered: "The coordinator recorded the municipality's "
    "response to a landlord's report (an incident or a remark).",
    EventType.tenancy_renewed: "The tenancy's fixed term was renewed by another term "
    "(`term_end` moved).",
    EventType.tenancy_transfer_consented: "The landlord consented to the transfer of the "
    "lease to the tenant, which its agreement makes wait for that consent.",
    EventType.tenancy_transfer_refused: "The landlord refused the transfer of the lease to "
    "the tenant, with its coded reason (where the agreement waives consent, only with a "
    "problem recorded in the trial); the transfer waits.",
    EventType.tenancy_transfer_overdue: "The tenancy is past its agreement's latest month "
    "of the trial without a transfer or a recorded reason (the lock-in watch; sent once per "
    "latest day).",
    EventType.tenancy_establishment_ending: "The household's two-year establishment period "
    "under the Settlement Act ends within the policy's `establishment_notice_months` (default "
    "six; `establishment_ends_on`; Helsingborg 3:9): time to plan its move on. Coordinators "
    "only (sent once per tenancy and settlement day).",
    EventType.household_establishment_ending: "As `tenancy.establishment_ending`, for a "
    "settled household that lives in no tenancy of the service: the case itself is the "
    "subject. Coordinators only (sent once per household and settlement day).",
    EventType.tenancy_ended: "The tenancy ended.",
    EventType.prevention_signal_received: "A landlord's signal about a tenant at risk of "
    "eviction (a 12:44 termination notice, an eviction application or date, an early "
    "warning) reached social services; the landlord hears `received`.",
    EventType.prevention_deadline_approaching: "A prevention case nobody has contacted the "
    "tenant in is due within 24 hours (once per deadline; the municipality only).",
    EventType.prevention_overdue: "A prevention case passed its deadline without contact "
    "(once per deadline; the municipality only).",
    EventType.prevention_contacted: "Social services reached the tenant; the landlord hears "
    "`contacted`, nothing of what was said.",
    EventType.prevention_payment_plan: "A payment plan was agreed and the tenant consented "
    "to the landlord being told.",
    EventType.prevention_closed: "The case closed: an outcome recorded, or the landlord "
    "withdrew its signal.",
    EventType.webhook_disabled: "One of the audience's webhook endpoints failed for three "
    "days and was disabled; nothing more is sent to it until it is enabled again.",
    EventType.referral_offered: "A municipality of the network referred a household to the "
    "coordinator's municipality, or offered it to the whole network; the answer is due by "
    "`answer_due_at`.",
    EventType.referral_accepted: "The receiving municipality accepted the referral: the "
    "household is its case now.",
    EventType.referral_declined: "The receiving municipality declined the referral (reason "
    "code in the view); the case stays with the sending municipality.",
    EventType.referral_withdrawn: "The sending municipality withdrew the referral.",
    EventType.ping: "A test delivery asked for with `POST /v1/webhooks/{id}/test`.",
}


MUNICIPAL_ONLY: frozenset[EventType] = frozenset(
    {EventType.tenancy_establishment_ending, EventType.household_establishment_ending}
)
"""Events about the household the landlord is never told (docs/domain.md §6): that its
tenant is newly arrived is the municipality's to know."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who reads a stream: an organisation in one role. A municipality has two audiences,
    its coordinators and its social services, because they see different views (social
    services see a protected-identity case restricted, docs/domain.md §6)."""

    role: Role
    organisation: str

    @property
    def key(self) -> str:
        return f"{self.role.value}:{self.organisation}"

    @classmethod
    def landlord(cls, landlord_id: str) -> Audience:
        return cls(Role.landlord, landlord_id)

    @classmethod
    def coordinators(cls, municipality: str) -> Audience:
        return cls(Role.coordinator, municipality)

    @classmethod
    def social_services(cls, municipality: str) -> Audience:
        return cls(Role.social_services, municipality)

    @classmethod
    def of(cls, principal: Principal) -> Audience | None:
        """The stream a caller reads and owns webhooks in; None for the admin."""
        if principal.role is Role.landlord and principal.landlord_id is not None:
            return cls.landlord(principal.landlord_id)
        municipality = municipality_of(principal)
        if municipality is not None:
            return cls(principal.role, municipality)
        return None

    def principal(self) -> Principal:
        """The audience as a caller, to build its own view of a resource with the code its
        API answers use (so an event never shows more than the API would)."""
        if self.role is Role.landlord:
            return Principal(credential_id="events", role=self.role, landlord_id=self.organisation)
        return Principal(credential_id="events", role=self.role, municipality=self.organisation)


EVENT_ROLES = (Role.landlord, Role.social_services, Role.coordinator)
"""Every role with a stream."""
