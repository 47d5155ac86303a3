"""HTTP for eviction prevention: landlords' signals, social services' worklist and cases,
outreach and outcomes, and the municipality's prevention policy (docs/prevention.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from app.audit.schemas import PurposeHeader
from app.auth import Principal, Role, require
from app.core.db import SessionDep, utcnow
from app.core.etag import set_etag
from app.core.params import id_path, id_query
from app.core.problems import AUTHENTICATED, problems
from app.core.types import MunicipalityCode
from app.flows import housing_need_from_signal
from app.households import views as household_views
from app.households.schemas import HouseholdCreate, HouseholdView
from app.idempotency.route import AuditedIdempotentRoute, IdempotentRoute
from app.prevention import events, service, views
from app.prevention.schemas import (
    ActionCreate,
    CasePage,
    CaseRead,
    OutcomeCreate,
    PreventionPolicyInput,
    PreventionPolicyRead,
    PriorityGroupsInput,
    SignalCreate,
    SignalPage,
    SignalRead,
)
from app.vocabulary import EventType

router = APIRouter(route_class=IdempotentRoute, tags=["prevention"])
LandlordSide = Annotated[Principal, Depends(require(Role.landlord, Role.intermediary))]
CaseWorker = Annotated[Principal, Depends(require(Role.social_services, Role.coordinator))]
SocialServices = Annotated[Principal, Depends(require(Role.social_services))]
Coordinator = Annotated[Principal, Depends(require(Role.coordinator))]
SignalId = Annotated[str, id_path("The signal's id")]
CaseId = Annotated[str, id_path("The case's id (the signal's id)")]
ActsFor = Annotated[
    str | None,
    id_query(
        "The landlord an intermediary acts for: required for an intermediary, refused "
        "(`422`) for anyone else. Outside its live mandates → `404`."
    ),
]
Code = Annotated[MunicipalityCode, Path(description="Kommunkod")]


@router.post(
    "/v1/prevention/signals",
    status_code=status.HTTP_201_CREATED,
    response_model=SignalRead,
    summary="Send social services a signal about a tenant at risk of eviction",
    description="The 12:44 message on a termination for late rent (`termination_notice`, "
    "`basis: statutory_notice`, `notified_on` the day the tenant was notified), an "
    "application to Kronofogden or an eviction's date, or an early warning the agreement "
    "allows with the tenant's consent (`basis: agreement_with_consent`, `consent_on`); an "
    "early warning without that basis → `422`. The tenant's identity number is accepted in "
    "this body only, sealed, and never shown back to the landlord side (its view has the "
    "initials).",
    responses={**problems(*AUTHENTICATED, 404)},
)
def post_signal(
    session: SessionDep,
    principal: LandlordSide,
    request: Request,
    body: SignalCreate,
    response: Response,
    landlord: ActsFor = None,
) -> SignalRead:
    case = service.create_signal(
        session,
        principal=principal,
        data=body,
        landlord=landlord,
        settings=request.app.state.settings,
    )
    events.publish(session, case, EventType.prevention_signal_received, now=utcnow())
    response.headers["Location"] = f"/v1/prevention/signals/{case.id}"
    return views.to_signal_view(case)


@router.get(
    "/v1/prevention/signals",
    response_model=SignalPage,
    summary="The landlord side's own signals and their status",
    responses=problems(*AUTHENTICATED),
)
def list_signals(session: SessionDep, principal: LandlordSide) -> SignalPage:
    return SignalPage(
        items=[
            views.to_signal_view(case)
            for case in service.list_signals(session, principal=principal)
        ]
    )


@router.get(
    "/v1/prevention/signals/{signal_id}",
    response_model=SignalRead,
    summary="One of the landlord side's signals: its status only",
    responses=problems(*AUTHENTICATED, 404),
)
def get_signal(session: SessionDep, principal: LandlordSide, signal_id: SignalId) -> SignalRead:
    return views.to_signal_view(
        service.get_signal(session, principal=principal, signal_id=signal_id)
    )


@router.delete(
    "/v1/prevention/signals/{signal_id}",
    response_model=SignalRead,
    summary="Withdraw a signal (the tenant paid)",
    description="The case closes as `withdrawn_by_landlord`; a closed one → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def withdraw_signal(
    session: SessionDep, principal: LandlordSide, signal_id: SignalId
) -> SignalRead:
    case = service.withdraw_signal(session, principal=principal, signal_id=signal_id)
    events.publish(session, case, EventType.prevention_closed, now=utcnow())
    return views.to_signal_view(case)


@router.get(
    "/v1/prevention/cases",
    response_model=CasePage,
    summary="The municipality's prevention worklist",
    description="Open cases by priority under the policy (0 first), then by deadline; "
    "`overdue=true` the cases past their deadline that nobody has contacted. Lines carry "
    "no identity; every case listed is audited.",
    responses=problems(*AUTHENTICATED),
)
def list_cases(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    due_before: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="Only cases due before this (Swedish) day begins, `YYYY-MM-DD`",
        ),
    ] = None,
    overdue: Annotated[bool, Query(description="Only cases past their deadline")] = False,
    priority: Annotated[
        int | None, Query(ge=0, le=10, description="Only cases of this rank or higher")
    ] = None,
    closed: Annotated[bool, Query(description="Closed cases too")] = False,
) -> CasePage:
    cases = service.list_cases(
        session,
        principal=principal,
        due_before=None if due_before is None else service.day_start(due_before),
        overdue=overdue,
        priority=priority,
        closed=closed,
        purpose=purpose,
    )
    now = utcnow()
    return CasePage(items=[views.to_summary(case, now) for case in cases])


@router.get(
    "/v1/prevention/cases/{case_id}",
    response_model=CaseRead,
    summary="One prevention case",
    description="Social services read the tenant's name and identity number and must say "
    "why (`X-Purpose`, else `422`); a coordinator reads the case without them. Audited. "
    "An identity no configured key opens (the sealing key dropped before `reseal`) → `503`.",
    responses=problems(*AUTHENTICATED, 404, 503),
)
def get_case(
    session: SessionDep, principal: CaseWorker, purpose: PurposeHeader, case_id: CaseId
) -> CaseRead:
    case, tenant = service.get_case(session, principal=principal, case_id=case_id, purpose=purpose)
    return views.case_read(session, case, tenant)


@router.post(
    "/v1/prevention/cases/{case_id}/actions",
    response_model=CaseRead,
    summary="Record an outreach step",
    description="A code, dated (`on`); the first step that reached the tenant marks the case "
    "contacted (`prevention.contacted`); a payment plan reaches the landlord only once "
    "`consent_to_contact_landlord` is recorded. A closed case → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def post_action(
    session: SessionDep,
    principal: SocialServices,
    purpose: PurposeHeader,
    case_id: CaseId,
    body: ActionCreate,
) -> CaseRead:
    case, change = service.record_action(
        session, principal=principal, case_id=case_id, data=body, purpose=purpose
    )
    now = utcnow()
    if change.contacted:
        events.publish(session, case, EventType.prevention_contacted, now=now)
    if change.payment_plan_told:
        events.publish(session, case, EventType.prevention_payment_plan, now=now)
    return views.case_read(session, case, None)


def open_housing_need(
    session: SessionDep,
    principal: SocialServices,
    purpose: PurposeHeader,
    case_id: CaseId,
    body: HouseholdCreate,
    response: Response,
) -> HouseholdView:
    household = housing_need_from_signal.open_housing_need(
        session, principal=principal, case_id=case_id, data=body, purpose=purpose
    )
    response.headers["Location"] = f"/v1/households/{household.id}"
    set_etag(response, household.version)
    return household_views.to_view(principal, household)


# The answer is a household record: a replayed creation hands it out again, so it is audited
# as a read, as `POST /v1/households` is (AuditedIdempotentRoute).
router.add_api_route(
    "/v1/prevention/cases/{case_id}/household",
    open_housing_need,
    methods=["POST"],
    status_code=status.HTTP_201_CREATED,
    response_model=HouseholdView,
    summary="Open a housing need from the case",
    description="Social services register the household's need as for `POST /v1/households` "
    "(the same body; nothing is copied from the signal, and no identity number is taken) and "
    "the case names the household (`household`). The only way anything of a signal reaches "
    "matching. A case already linked, or a `case_ref` already used → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
    route_class_override=AuditedIdempotentRoute,
)


@router.put(
    "/v1/prevention/cases/{case_id}/priority-groups",
    response_model=CaseRead,
    summary="Set the priority groups social services find the case in",
    description="Corrects the groups read off the signal or adds one no landlord could "
    "know (Södertälje: `suspected_mental_illness`); the case is ranked again under the "
    "policy version it was triaged under. A closed case → `409`.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def put_priority_groups(
    session: SessionDep,
    principal: SocialServices,
    purpose: PurposeHeader,
    case_id: CaseId,
    body: PriorityGroupsInput,
) -> CaseRead:
    case = service.set_groups(
        session, principal=principal, case_id=case_id, data=body, purpose=purpose
    )
    return views.case_read(session, case, None)


@router.post(
    "/v1/prevention/cases/{case_id}/outcome",
    response_model=CaseRead,
    summary="Record how the case ended",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def post_outcome(
    session: SessionDep,
    principal: SocialServices,
    purpose: PurposeHeader,
    case_id: CaseId,
    body: OutcomeCreate,
) -> CaseRead:
    case = service.record_outcome(
        session, principal=principal, case_id=case_id, data=body, purpose=purpose
    )
    events.publish(session, case, EventType.prevention_closed, now=utcnow())
    return views.case_read(session, case, None)


@router.get(
    "/v1/municipalities/{code}/prevention-policy",
    response_model=PreventionPolicyRead,
    summary="The municipality's prevention policy in force",
    responses=problems(*AUTHENTICATED, 404),
)
def get_prevention_policy(
    session: SessionDep, principal: Coordinator, request: Request, code: Code
) -> PreventionPolicyRead:
    return views.to_policy_view(
        code,
        service.get_policy(session, principal=principal, code=code),
        request.app.state.settings,
    )


@router.put(
    "/v1/municipalities/{code}/prevention-policy",
    response_model=PreventionPolicyRead,
    summary="Set the municipality's prevention policy (a new version)",
    description="Priority groups in order (Södertälje: families with children, under 25, "
    "over 65, suspected mental illness), the debt threshold in months of rent over which a "
    "tenant is always contacted, the kinds taken (empty: all), the återvinningsfrist "
    "(`recovery_days`, default 21) and a first-contact target in days. Cases already "
    "received keep the version they were triaged under.",
    responses=problems(*AUTHENTICATED, 404),
)
def put_prevention_policy(
    session: SessionDep,
    principal: Coordinator,
    request: Request,
    code: Code,
    body: PreventionPolicyInput,
) -> PreventionPolicyRead:
    policy = service.put_policy(session, principal=principal, code=code, data=body)
    return views.to_policy_view(code, policy, request.app.state.settings)
