"""Every enumerated vocabulary of the domain, declared once: the ground floor of the house.

Schemas, table columns, services, the round's translation to the solver, the scenario files,
the statistics and the dashboard all read their codes from here, so a code is added, renamed
or removed in one place (docs/domain.md names what each means). This module imports nothing
of `app`, so any room may import it. The solver (`matching/`) stays free of `app` and keeps
copies of a few of these; tests/test_vocabulary.py proves the copies equal, and walks the
OpenAPI document, the solver's format and the scenario files for any code not declared here.

The enums' class names and docstrings are part of the OpenAPI document (a schema's name and
description), so they stay as the API has always published them.
"""

from __future__ import annotations

import enum
from typing import Final, Literal, TypedDict, cast

# --------------------------------------------------------------------------- organisations


class LandlordKind(enum.StrEnum):
    """Public housing companies (allmännyttan) and private owners: Norrköping splits
    placements between the two by market share."""

    public = "public"
    private = "private"


class ActorRole(enum.StrEnum):
    landlord = "landlord"
    intermediary = "intermediary"


# --------------------------------------------------------------------------- agreements


class ContractForm(enum.StrEnum):
    """The rungs of the housing staircase (docs/domain.md §5)."""

    municipal_contract = "municipal_contract"
    training_apartment = "training_apartment"
    support_agreement = "support_agreement"
    housing_first = "housing_first"
    first_hand_with_guarantee = "first_hand_with_guarantee"
    short_term = "short_term"


class Pacing(enum.StrEnum):
    none = "none"
    even = "even"


class QuotaOverride(enum.StrEnum):
    """What a coordinator says happens to the places already taken when an agreement's quota
    or exception quota is lowered below them (docs/domain.md §3): without one the lowering
    is refused. `keep_live_proposals`: the live proposals stay, and each contract still
    needs a place left (the first accepts take the places, the rest are refused)."""

    keep_live_proposals = "keep_live_proposals"


class LettingRules(TypedDict):
    """The letting rules of a cooperation agreement (docs/domain.md §3), in the order the
    agreement, the solver's `landlords[]` and docs/matching-format.md list them. A landlord
    lets to a household whose counted income is at least `income_multiple` × rent and who
    passes each flag; the solver's `economy` rule (matching/eligibility.py) applies them."""

    income_multiple: float
    accepts_income_support: bool
    accepts_housing_allowance: bool
    requires_permanent_employment: bool
    accepts_payment_remarks: bool
    accepts_municipal_guarantee: bool
    requires_home_insurance: bool


LETTING_RULES: Final[tuple[str, ...]] = tuple(LettingRules.__annotations__)
"""The names of the letting rules, in order: the fields an agreement stores, publishes and
hands to the solver."""

PERMISSIVE_LETTING_RULES: Final[LettingRules] = {
    "income_multiple": 0.0,
    "accepts_income_support": True,
    "accepts_housing_allowance": True,
    "requires_permanent_employment": False,
    "accepts_payment_remarks": True,
    "accepts_municipal_guarantee": True,
    "requires_home_insurance": False,
}
"""What an agreement that states no letting rule lets through: everyone (the defaults of
the agreement body and of its table row)."""


def letting_rules_of(agreement: object) -> LettingRules:
    """The letting rules an agreement (its row or its schema) holds, read by name, so a
    new rule is added to `LettingRules` and not to every copy of the list."""
    rules = {name: getattr(agreement, name) for name in LETTING_RULES}
    rules["income_multiple"] = float(rules["income_multiple"])
    return cast(LettingRules, rules)


# --------------------------------------------------------------------------- households


class TargetGroup(enum.StrEnum):
    """The target groups of docs/domain.md §3; priority policy weighs them."""

    violence_exposed = "violence_exposed"
    protected_identity = "protected_identity"
    newly_arrived = "newly_arrived"
    substance_recovery = "substance_recovery"
    psychiatric_disability = "psychiatric_disability"
    family_with_children = "family_with_children"
    young_adult = "young_adult"
    elderly = "elderly"
    released_from_prison = "released_from_prison"
    economic_only = "economic_only"
    housing_first = "housing_first"


class Employment(enum.StrEnum):
    permanent = "permanent"
    temporary = "temporary"
    none = "none"


class HouseholdStatus(enum.StrEnum):
    """`open` cases take part in match rounds; `closed` ones are kept for audit and quota;
    `erased` ones were closed and their personal data removed (docs/privacy.md): only the
    id, municipality and dates remain, for quota accounting and the audit trail."""

    open = "open"
    closed = "closed"
    erased = "erased"


class CloseReason(enum.StrEnum):
    housed = "housed"
    withdrawn = "withdrawn"
    moved = "moved"
    other = "other"
    referred = "referred"
    """The household moved to another municipality of a network, which took over the case
    (app/referrals)."""


class SupportNeed(enum.StrEnum):
    """The support an assessment names, as codes — never free text, which could hold health
    details (Jönköping's kartläggning: "vilken typ av stöd som behövs")."""

    housing_support = "housing_support"
    home_visits = "home_visits"
    debt_counselling = "debt_counselling"
    addiction_care = "addiction_care"
    mental_health_support = "mental_health_support"
    employment_support = "employment_support"
    budget_advice = "budget_advice"


DerivedField = Literal["rooms_min", "rooms_max", "max_rent"]
"""The parts of a household's need the service derives when a case leaves them out (from
the household's size and income, app/households/service.py); a case lists those it got."""


# --------------------------------------------------------------------------- policies


class GuaranteeIncome(enum.StrEnum):
    """Whom a rent guarantee is for (Karlstad has one of each)."""

    income_support = "income_support"
    own_income = "own_income"


# --------------------------------------------------------------------------- vacancies


class VacancyStatus(enum.StrEnum):
    """`open` until proposed; `let` once contracted; `withdrawn` by the landlord."""

    open = "open"
    proposed = "proposed"
    let = "let"
    withdrawn = "withdrawn"


# --------------------------------------------------------------------------- rounds


class RoundStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


ELIGIBILITY_RULES: Final[tuple[str, ...]] = (
    "rooms",
    "accessibility",
    "area",
    "contract_form",
    "rent",
    "insurance",
    "placement_conditions",
    "economy",
    "exception_qualification",
    "declined",
)
"""The solver's eligibility rules in the order it checks them; the first a pair fails is
its reason code (docs/matching-format.md, the `failed` counts of an unmatched household)."""

NOT_ASSESSED: Final = "not_assessed"
"""The unmatched reason of a household the policy requires an assessment of."""

SOLUTION_STATUSES: Final[tuple[str, ...]] = ("optimal", "feasible", "infeasible")
"""How the solver ended (`matching-solution/1`'s `status`)."""


# --------------------------------------------------------------------------- proposals


class ProposalStatus(enum.StrEnum):
    """The lifecycle of docs/domain.md §3 (order and turns: docs/proposals.md)."""

    proposed = "proposed"
    released = "released"
    landlord_accepted = "landlord_accepted"
    landlord_declined = "landlord_declined"
    household_accepted = "household_accepted"
    household_declined = "household_declined"
    contracted = "contracted"
    expired = "expired"
    withdrawn = "withdrawn"


LIVE_PROPOSAL_STATUSES: Final[tuple[ProposalStatus, ...]] = (
    ProposalStatus.proposed,
    ProposalStatus.released,
    ProposalStatus.landlord_accepted,
    ProposalStatus.household_accepted,
)
"""A proposal that still holds its vacancy and its household (at most one each: the partial
unique indexes of app/proposals/models.py)."""

AWAITING_ANSWER: Final[tuple[ProposalStatus, ...]] = (
    ProposalStatus.released,
    ProposalStatus.landlord_accepted,
)
"""Released and waiting for one side's answer: the landlord's (`released`), then the
household's (`landlord_accepted`). The deadline runs in these, and only these expire."""


class LandlordDeclineReason(enum.StrEnum):
    """Why a landlord says no (the landlord keeps the right to choose its tenant, Nynäshamn)."""

    economic_requirements = "economic_requirements"
    references = "references"
    household_size = "household_size"
    unit_unavailable = "unit_unavailable"
    other = "other"


class HouseholdDeclineReason(enum.StrEnum):
    """Why social services decline on the household's behalf."""

    location = "location"
    size = "size"
    rent = "rent"
    accessibility = "accessibility"
    declined_offer = "declined_offer"
    other = "other"


class DeclineReason(enum.StrEnum):
    """Every decline code of either side; the service checks that the code belongs to the
    caller's side (a landlord cannot decline for `location`)."""

    economic_requirements = "economic_requirements"
    references = "references"
    household_size = "household_size"
    unit_unavailable = "unit_unavailable"
    location = "location"
    size = "size"
    rent = "rent"
    accessibility = "accessibility"
    declined_offer = "declined_offer"
    other = "other"


class ForbiddenReason(enum.StrEnum):
    """Why a pair is never proposed again (docs/domain.md §4 rule 6)."""

    coordinator = "coordinator"
    declined_by_landlord = "declined_by_landlord"
    declined_by_household = "declined_by_household"
    expired = "expired"


# --------------------------------------------------------------------------- tenancies


class TenancyStatus(enum.StrEnum):
    """`active` while the household lives there under the municipality's arrangement;
    `transferred` once it holds its own lease and the municipality's part is over (the last
    step of the staircase, överlåtelse); `ended` when the tenancy ended. All three count
    toward the agreement year's quota: the landlord delivered the apartment."""

    active = "active"
    transferred = "transferred"
    ended = "ended"


class Rung(enum.StrEnum):
    """Where a step leads: the next contract form, or `own_lease` — the household's own
    first-hand lease with no municipal arrangement left (the tenancy is then
    `transferred`)."""

    support_agreement = "support_agreement"
    own_lease = "own_lease"


class EventKind(enum.StrEnum):
    """What happened: a `step` up the staircase, a `remark` (restarts the trial period), an
    `incident` (a landlord's report of a problem that needs the municipality), the
    municipality's `response` to a landlord's remark or incident, a `renewal` of a fixed
    term (Norrköping's three months), the landlord's `consent` to the transfer where the
    agreement asks for it (Karlstad: "om parterna är överens") or its `refusal` (a coded
    reason), the coordinator's `delay` of an overdue transfer (a coded reason), the
    municipality's
    `vouching` statement for the tenant (Helsingborg 3:5: "går i god för"; never shown to
    the landlord), the `end`."""

    step = "step"
    remark = "remark"
    incident = "incident"
    response = "response"
    renewal = "renewal"
    consent = "consent"
    refusal = "refusal"
    delay = "delay"
    vouching = "vouching"
    end = "end"


class RemarkReason(enum.StrEnum):
    """What the landlord remarks on (the Tenancy Act's grounds; Västerås: 'störningar eller
    betalningsförsummelse'). A code, never a description of the household."""

    disturbance = "disturbance"
    late_payment = "late_payment"
    damage = "damage"
    other = "other"


class IncidentReason(enum.StrEnum):
    """What kind of problem the landlord needs the municipality for (Karlstad:
    "Socialtjänsten garanterar dessutom hyresvärden uttryckning inom 48 timmar plus åtgärd
    om det skulle uppstå problem"). A code, never a description of the household."""

    disturbance = "disturbance"
    damage = "damage"
    late_payment = "late_payment"
    safety = "safety"
    other = "other"


class ResponseAction(enum.StrEnum):
    """What the municipality did about a landlord's report: came out (`visited`,
    "uttryckning"), took a measure (`measure_taken`, "åtgärd"), found nothing to do
    (`no_action_needed`), `other`. A code, never a description of the household."""

    visited = "visited"
    measure_taken = "measure_taken"
    no_action_needed = "no_action_needed"
    other = "other"


class EndReason(enum.StrEnum):
    """Why a tenancy ended. `moved_on` is recorded by the service only, when the household
    moved on to the tenancy that follows it in a move chain (Helsingborg 3:6)."""

    moved_out = "moved_out"
    terminated_by_landlord = "terminated_by_landlord"
    terminated_by_municipality = "terminated_by_municipality"
    term_ended = "term_ended"
    moved_on = "moved_on"
    other = "other"


class VouchingStatement(enum.StrEnum):
    """The municipality's statement about its tenant (Helsingborg 3:5: "Fastighetsförvaltningen
    går i god för att detta är en välfungerande hyresgäst"), or its withdrawal. A code,
    never a description of the household; the latest statement stands."""

    well_functioning_tenant = "well_functioning_tenant"
    withdrawn = "withdrawn"


# --------------------------------------------------------------------------- audit and events


class AuditAction(enum.StrEnum):
    """What was done to a household record."""

    read = "read"
    list = "list"
    create = "create"
    update = "update"
    close = "close"
    export = "export"
    erase = "erase"
    quota_override = "quota_override"
    """A quota was lowered below the places taken while this household's live proposal
    held one, and the coordinator kept it (`QuotaOverride`)."""


# What each event means, and who hears it: app/events/catalogue.py.
class EventType(enum.StrEnum):
    vacancy_posted = "vacancy.posted"
    vacancy_updated = "vacancy.updated"
    vacancy_let = "vacancy.let"
    vacancy_withdrawn = "vacancy.withdrawn"
    vacancy_freed = "vacancy.freed"
    proposal_released = "proposal.released"
    proposal_landlord_accepted = "proposal.landlord_accepted"
    proposal_landlord_declined = "proposal.landlord_declined"
    proposal_household_accepted = "proposal.household_accepted"
    proposal_household_declined = "proposal.household_declined"
    proposal_contracted = "proposal.contracted"
    proposal_expired = "proposal.expired"
    proposal_withdrawn = "proposal.withdrawn"
    proposal_deadline_approaching = "proposal.deadline_approaching"
    round_succeeded = "round.succeeded"
    round_failed = "round.failed"
    tenancy_step_due = "tenancy.step_due"
    tenancy_stepped = "tenancy.stepped"
    tenancy_remark_added = "tenancy.remark_added"
    tenancy_incident_reported = "tenancy.incident_reported"
    tenancy_incident_answered = "tenancy.incident_answered"
    tenancy_renewed = "tenancy.renewed"
    tenancy_transfer_consented = "tenancy.transfer_consented"
    tenancy_transfer_refused = "tenancy.transfer_refused"
    tenancy_transfer_overdue = "tenancy.transfer_overdue"
    tenancy_establishment_ending = "tenancy.establishment_ending"
    household_establishment_ending = "household.establishment_ending"
    tenancy_ended = "tenancy.ended"
    prevention_signal_received = "prevention.signal_received"
    prevention_deadline_approaching = "prevention.deadline_approaching"
    prevention_overdue = "prevention.overdue"
    prevention_contacted = "prevention.contacted"
    prevention_payment_plan = "prevention.payment_plan"
    prevention_closed = "prevention.closed"
    webhook_disabled = "webhook.disabled"
    referral_offered = "referral.offered"
    referral_accepted = "referral.accepted"
    referral_declined = "referral.declined"
    referral_withdrawn = "referral.withdrawn"
    ping = "ping"


class SubjectType(enum.StrEnum):
    vacancy = "vacancy"
    proposal = "proposal"
    round = "round"
    tenancy = "tenancy"
    prevention = "prevention"
    webhook = "webhook"
    referral = "referral"
    household = "household"


class DeliveryStatus(enum.StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


# --- who holds the lease (issue 23) ---


class LeaseHolder(enum.StrEnum):
    """Who is the landlord's tenant under a contract form (docs/domain.md §5): the
    municipality, which sublets, or the household, on a lease of its own. The landlord's
    letting rules are the rules for its own tenant, so they follow the lease holder."""

    municipality = "municipality"
    household = "household"


LEASE_HOLDERS: Final[dict[ContractForm, LeaseHolder]] = {
    # Nynäshamn: "kommunen tecknar förstahandskontrakt på hyreslägenheter som sedan hyrs ut
    # i andra hand"; Helsingborg calls every second-hand form a municipal contract.
    ContractForm.municipal_contract: LeaseHolder.municipality,
    # Västerås: a training apartment the municipality rents and can end "inom 24 timmar".
    ContractForm.training_apartment: LeaseHolder.municipality,
    # Västerås: "ett eget kontrakt med kommunal borgen".
    ContractForm.support_agreement: LeaseHolder.household,
    # Karlstad, Helsingborg 3:10: Bostad först, a permanent lease of the household's own.
    ContractForm.housing_first: LeaseHolder.household,
    # Karlstad: the household's own lease, the municipality's rent guarantee behind it.
    ContractForm.first_hand_with_guarantee: LeaseHolder.household,
    # Norrköping: a three-month contract "mellan kommunen, klienten och hyresvärden" with the
    # municipal surety — the household is the tenant.
    ContractForm.short_term: LeaseHolder.household,
}
"""The lease holder of every contract form, declared once. An own lease after a transfer is
the household's too (app/tenancies)."""

MUNICIPALITY_TENANT_FORMS: Final[tuple[ContractForm, ...]] = tuple(
    form for form, holder in LEASE_HOLDERS.items() if holder == LeaseHolder.municipality
)
"""The forms in which the municipality holds the lease: the round's problem carries them
(`municipality_tenant_forms`), so the solver applies the letting rules through the others only."""


class GuaranteeKind(enum.StrEnum):
    """A household's guarantee: a rent guarantee (hyresgaranti — months of rent covered for a
    time; Karlstad: three months over a year) or a full municipal surety (kommunal borgen —
    Västerås' support agreements, Norrköping's short contracts)."""

    rent_guarantee = "rent_guarantee"
    municipal_surety = "municipal_surety"


class LiftableRequirement(enum.StrEnum):
    """The letting rules an accepted guarantee may lift. Whether income support counts as
    income is not one of them: it stays the landlord's own rule (Västerås)."""

    income_multiple = "income_multiple"
    permanent_employment = "permanent_employment"
    payment_remarks = "payment_remarks"


class AgreementBasis(enum.StrEnum):
    """What an agreement's commitment rests on: a cooperation agreement (samarbetsavtal), an
    owner directive (Uppsalahem, "ägardirektiv"), a development agreement (Jönköping,
    "exploateringsavtal": ten per cent of new production), a land allocation (Helsingborg
    3:1: "10 procent av volymen i erhållen markanvisning")."""

    cooperation_agreement = "cooperation_agreement"
    owner_directive = "owner_directive"
    development_agreement = "development_agreement"
    land_allocation = "land_allocation"


class QuotaShareOf(enum.StrEnum):
    """What a quota stated as a share is a share of: the landlord's stock in the
    municipality (Jönköping) or its reported turnover — vacancies let in the year
    (Karlstad: "cirka tio procent av de tillgängliga lägenheterna")."""

    stock = "stock"
    turnover = "turnover"


# --- From a municipal contract to a lease of one's own (issue 24) ---


class RemarkEffect(enum.StrEnum):
    """What a remark does to the trial period before a transfer, as the agreement says:
    `restart` it from the remark's day (Västerås: "efter ett år … förutsatt att det inte har
    varit några störningar"), `extend` it by the agreement's `remark_extend_months`, or
    `none` (the remark is recorded and reported, the trial runs on)."""

    restart = "restart"
    extend = "extend"
    none = "none"


class TransferAnswerReason(enum.StrEnum):
    """The landlord's coded answer to a transfer of the lease to its tenant: `agreed`
    (consent), or why it refuses — `remarks_during_trial` (Göteborg: the landlord may
    oppose the transfer only "om det … varit några problem under provotiden"),
    `late_payment`, `disturbance`, `damage`, `other`. A code, never a description of the
    household."""

    agreed = "agreed"
    remarks_during_trial = "remarks_during_trial"
    late_payment = "late_payment"
    disturbance = "disturbance"
    damage = "damage"
    other = "other"


class TransferDelayReason(enum.StrEnum):
    """Why a tenancy past its agreement's latest month is not yet transferred, as the
    coordinator records it (or `landlord_refused`, recorded by a landlord's refusal): the
    lock-in watch leaves a tenancy with a standing reason off its worklist."""

    landlord_refused = "landlord_refused"
    household_not_ready = "household_not_ready"
    support_continues = "support_continues"
    moving_on = "moving_on"
    other = "other"


class SeriousCause(enum.StrEnum):
    """The serious cause that lets the municipality end its subtenant's contract on the
    short notice the agreement gives for it (Västerås: "vid allvarliga problem kan den boende
    vräkas inom 24 timmar"). A code, never a description of the household."""

    violence_or_threats = "violence_or_threats"
    serious_disturbance = "serious_disturbance"
    criminal_activity = "criminal_activity"
    serious_damage = "serious_damage"
    breach_of_support_terms = "breach_of_support_terms"


ESTABLISHMENT_MONTHS: Final = 24
"""The establishment period of a newly arrived household settled under the Settlement Act
(bosättningslagen 2016:38): two years from the settlement (Helsingborg 3:9: "den tvååriga
etableringstiden")."""

ESTABLISHMENT_NOTICE_MONTHS: Final = 6
"""How many months before the establishment period ends a household appears on the
coordinator's worklist (`GET /v1/households?establishment_ending=true`) and is announced,
unless the municipality's policy sets `establishment_notice_months`."""
# --- Eviction prevention, kvarboende (issue 25) ---------------------------------------------


class SignalKind(enum.StrEnum):
    """What a landlord tells social services about a tenant at risk of losing the home: the
    message of 12 kap. 44 § jordabalken on a termination for late rent, an application to
    Kronofogden, an executed eviction's date, and the early warnings an agreement allows."""

    termination_notice = "termination_notice"
    eviction_application = "eviction_application"
    eviction_date = "eviction_date"
    late_payment = "late_payment"
    disturbance = "disturbance"
    other = "other"


STATUTORY_SIGNALS: Final = frozenset(
    {SignalKind.termination_notice, SignalKind.eviction_application, SignalKind.eviction_date}
)
"""The kinds a landlord sends by law (`statutory_notice`); the others are early warnings and
pass only with the tenant's recorded consent (`agreement_with_consent`)."""


class SignalBasis(enum.StrEnum):
    """The legal basis on which a signal reaches social services: never without one."""

    statutory_notice = "statutory_notice"
    agreement_with_consent = "agreement_with_consent"


class DisturbanceCode(enum.StrEnum):
    """What a disturbance warning is about, as a code: no free text about a person."""

    noise = "noise"
    threats = "threats"
    neglect_of_flat = "neglect_of_flat"
    other = "other"


class PreventionGroup(enum.StrEnum):
    """Priority groups of the prevention policy (Södertälje: "Barnfamiljer, unga under 25
    år och äldre över 65 år samt de fall där misstanke om psykisk ohälsa finns,
    prioriteras"). The first three are read off the signal (children in the household, the
    tenant's age from the identity number); the last only social services can set."""

    families_with_children = "families_with_children"
    under_25 = "under_25"
    over_65 = "over_65"
    suspected_mental_illness = "suspected_mental_illness"


class OutreachAction(enum.StrEnum):
    """What social services did in a prevention case, dated and by whom."""

    letter_sent = "letter_sent"
    phone_contact = "phone_contact"
    home_visit = "home_visit"
    meeting = "meeting"
    three_party_meeting = "three_party_meeting"
    consent_to_contact_landlord = "consent_to_contact_landlord"
    budget_and_debt_counselling = "budget_and_debt_counselling"
    payment_plan_agreed = "payment_plan_agreed"
    financial_assistance_applied = "financial_assistance_applied"
    financial_assistance_granted = "financial_assistance_granted"
    financial_assistance_refused = "financial_assistance_refused"


CONTACT_ACTIONS: Final = frozenset(
    {
        OutreachAction.phone_contact,
        OutreachAction.home_visit,
        OutreachAction.meeting,
        OutreachAction.three_party_meeting,
    }
)
"""Actions that reached the tenant: the first of them is the case's contact (a letter
alone is not contact)."""


class PreventionOutcome(enum.StrEnum):
    """How a prevention case ended."""

    lease_regained = "lease_regained"
    payment_plan = "payment_plan"
    moved_voluntarily = "moved_voluntarily"
    evicted = "evicted"
    no_contact = "no_contact"
    withdrawn_by_landlord = "withdrawn_by_landlord"


class SignalStatus(enum.StrEnum):
    """What the landlord hears back: the case received, the tenant contacted, a payment plan
    (only with the tenant's consent to tell the landlord), closed."""

    received = "received"
    contacted = "contacted"
    payment_plan = "payment_plan"
    closed = "closed"


# --- Referrals between municipalities (issue 26) ---
class ReferralStatus(enum.StrEnum):
    """A referral waits for the receiving side's answer (`pending`), which accepts or
    declines it; the sending side may withdraw it before it is accepted."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class ReferralSide(enum.StrEnum):
    """Which side of a referral the reader is on: each reads it in its own view."""

    sending = "sending"
    receiving = "receiving"


class ReferralDeclineReason(enum.StrEnum):
    """Why a receiving municipality declines a referral: codes, never free text."""

    no_suitable_housing = "no_suitable_housing"
    no_capacity = "no_capacity"
    not_safe_here = "not_safe_here"
    missing_information = "missing_information"
    other = "other"


REFERRABLE_GROUPS = frozenset({TargetGroup.violence_exposed, TargetGroup.protected_identity})
"""The target groups a household must belong to for a referral (Södertälje: Kompotten is
for "personer som utsätts för våld i nära relationer och därför måste flytta")."""

IN_THE_NETWORK = "network"
"""What one side is shown instead of the other municipality's code where it may not learn
it: the origin of a protected-identity household, or where it went before it is housed."""
# --- a working day for a coordinator and a social secretary (issue 27) ---


EVERY_EVENT: Final[tuple[str, ...]] = ("*",)
"""A webhook's `events: ["*"]`: every type its organisation may receive."""


class Language(enum.StrEnum):
    """The dashboard's languages: Swedish first, English as the reader's choice."""

    sv = "sv"
    en = "en"


ELIGIBILITY_RULE_TEXT: Final[dict[str, tuple[str, str]]] = {
    "rooms": (
        "Lägenheten har inte det antal rum hushållet behöver.",
        "The flat does not have the number of rooms the household needs.",
    ),
    "accessibility": (
        "Lägenheten saknar tillgänglighet som hushållet behöver (hiss, rullstol).",
        "The flat lacks the access the household needs (lift, wheelchair).",
    ),
    "area": (
        "Lägenheten ligger i ett område hushållet ska undvika eller som är stängt.",
        "The flat is in an area the household must avoid, or one that is closed.",
    ),
    "contract_form": (
        "Ingen kontraktsform passar både hushållet och hyresvärden.",
        "No contract form suits both the household and the landlord.",
    ),
    "rent": (
        "Hyran är högre än hushållet klarar.",
        "The rent is higher than the household can pay.",
    ),
    "insurance": (
        "Hyresvärden kräver hemförsäkring, som hushållet saknar.",
        "The landlord requires home insurance, which the household lacks.",
    ),
    "placement_conditions": (
        "Hushållet uppfyller inte avtalets villkor för kommunens andrahandsuthyrning.",
        "The household does not meet the agreement's conditions for the municipality's sublet.",
    ),
    "economy": (
        "Hushållets ekonomi uppfyller inte hyresvärdens krav.",
        "The household's income does not meet the landlord's requirement.",
    ),
    "exception_qualification": (
        "Hushållet uppfyller inte villkoren för en undantagsplats.",
        "The household does not meet the conditions for an exception place.",
    ),
    "declined": (
        "Paret är spärrat: tidigare nej eller samordnarens spärr.",
        "The pair is forbidden: declined before, or forbidden by the coordinator.",
    ),
}
"""One line in Swedish and in English per eligibility rule (`ELIGIBILITY_RULES`), for the
people who read a round's explanation."""


class SatOutReason(enum.StrEnum):
    """Why an open household took no part in a round: the round's translation left it out
    before the solver saw it (app/rounds/translate.py, `sat_out`)."""

    live_proposal = "live_proposal"
    active_tenancy = "active_tenancy"
    not_assessed = "not_assessed"
    policy_refused = "policy_refused"
    pin_broken = "pin_broken"


SAT_OUT_TEXT: Final[dict[str, tuple[str, str]]] = {
    SatOutReason.live_proposal: (
        "Hushållet har redan ett förslag som inte är avslutat.",
        "The household already holds a proposal that is still live.",
    ),
    SatOutReason.active_tenancy: (
        "Hushållet bor redan i en förmedlad lägenhet och har inget flyttbehov anmält.",
        "The household already lives in a placed flat and no move-on need was posted.",
    ),
    SatOutReason.not_assessed: (
        "Kartläggningen som kommunens policy kräver är inte gjord.",
        "The assessment the municipality's policy requires has not been recorded.",
    ),
    SatOutReason.policy_refused: (
        "Kommunens policy godtar inte behovet just nu (se detaljen).",
        "The municipality's policy does not accept the need for now (see the detail).",
    ),
    SatOutReason.pin_broken: (
        "Hushållets låsta par uppfyller inte längre villkoren; ta bort låsningen.",
        "The household's pinned pair no longer meets the rules; delete the pin.",
    ),
}
"""One line in Swedish and in English per `SatOutReason`."""


class OtherRound(enum.StrEnum):
    """What happened in the other round to a household one round of a comparison housed:
    it sat that round out (with a `SatOutReason`), the solver left it unmatched, or it was
    not in that round at all and the round recorded no reason (registered later, closed,
    or a round stored before `sat_out` was)."""

    sat_out = "sat_out"
    unmatched = "unmatched"
    not_in_round = "not_in_round"


# --- people signing in through OpenID Connect (issue 28) ---


class SigningAlgorithm(enum.StrEnum):
    """The JWS algorithms a trusted issuer's tokens may be signed with: asymmetric only,
    so the issuer's public key verifies and never signs (no `none`, no HMAC)."""

    RS256 = "RS256"
    RS384 = "RS384"
    RS512 = "RS512"
    PS256 = "PS256"
    PS384 = "PS384"
    PS512 = "PS512"
    ES256 = "ES256"
    ES384 = "ES384"
    ES512 = "ES512"
    EdDSA = "EdDSA"
