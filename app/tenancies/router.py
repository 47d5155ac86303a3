"""HTTP for tenancies (read, staircase steps, remarks, incidents and the municipality's
responses, end) and quota fulfilment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.audit.schemas import PurposeHeader
from app.auth import Principal, Role, require
from app.core.csv_export import CSV_RESPONSE, CsvWanted, csv_response
from app.core.db import SessionDep, local_date, local_today, local_year, utcnow
from app.core.pagination import SYNC_DESCRIPTION, SyncPageDep, sync_cursor
from app.core.params import id_path, id_query
from app.core.problems import AUTHENTICATED, problems
from app.flows import register_tenancy as register_flow
from app.idempotency.route import IdempotentRoute
from app.tenancies import service, views
from app.tenancies.schemas import (
    ConsentBody,
    DelayBody,
    EndBody,
    ImportBody,
    ImportResult,
    IncidentBody,
    QuotaReport,
    RegisterBody,
    RemarkBody,
    RenewBody,
    ResponseBody,
    StepBody,
    TenancyPage,
    TenancyView,
    VouchingBody,
)
from app.vocabulary import TenancyStatus

router = APIRouter(route_class=IdempotentRoute, tags=["tenancies"])
Reader = Annotated[Principal, Depends(require(Role.coordinator, Role.landlord))]
Coordinator = Annotated[Principal, Depends(require(Role.coordinator))]
Landlord = Annotated[Principal, Depends(require(Role.landlord))]
TenancyId = Annotated[str, id_path("The tenancy's id")]
ReportId = Annotated[str, id_path("The report's id: a landlord's remark or incident")]


@router.get(
    "/v1/tenancies",
    response_model=TenancyPage,
    summary="List tenancies",
    description="A coordinator: its municipality's, with the household. A landlord: its own, "
    "without any household data. `Accept: text/csv` answers the page as CSV." + SYNC_DESCRIPTION,
    responses={**problems(*AUTHENTICATED), **CSV_RESPONSE},
)
def list_tenancies(
    session: SessionDep,
    principal: Reader,
    page: SyncPageDep,
    status_filter: Annotated[TenancyStatus | None, Query(alias="status")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Agreement year")] = None,
    step_due: Annotated[
        bool,
        Query(
            description="Only active tenancies whose next step can be taken today: a form "
            "with a next rung and the trial period over — the worklist of transfers and "
            "staircase steps."
        ),
    ] = False,
    response_overdue: Annotated[
        bool,
        Query(
            description="Only tenancies with a landlord's report (a remark or an incident) "
            "still unanswered past its response deadline (`response_due_at`, the "
            "agreement's `response_hours`) — the worklist of the municipality's promises "
            "to landlords."
        ),
    ] = False,
    transfer_overdue: Annotated[
        bool,
        Query(
            description="Only active tenancies past their agreement's latest month of the "
            "trial (`transfer_latest_on`) without a transfer or a standing reason (a "
            "landlord's refusal, the coordinator's `transfer-delay`) — the lock-in watch "
            "(Nynäshamn: 'en viss inlåsningsseffekt')."
        ),
    ] = False,
    csv: CsvWanted = False,
) -> TenancyPage | Response:
    now = utcnow()
    rows = service.list_tenancies(
        session,
        principal=principal,
        status=status_filter,
        year=year,
        page=page,
        step_due_on=local_date(now) if step_due else None,
        response_overdue_at=now if response_overdue else None,
        transfer_overdue_on=local_date(now) if transfer_overdue else None,
    )
    result = TenancyPage(
        items=views.to_views(session, principal, rows),
        next_cursor=sync_cursor([(t.updated_at, t.id) for t in rows], page.limit),
    )
    return csv_response(result.items, result.next_cursor) if csv else result


@router.post(
    "/v1/tenancies",
    status_code=status.HTTP_201_CREATED,
    response_model=TenancyView,
    summary="Register a contract that began before the service",
    description="A running second-hand contract (Södertälje 'ungefär 400 kommunkontrakt') "
    "as a tenancy: the household, the landlord and its own reference for the flat, the "
    "contract form, the day it began and, when it has climbed since, the form it is on now "
    "(`step`, `step_on`). It counts toward the quota of the year it began, takes that "
    "year's agreement's trial, latest month and terms, and from then on behaves as any "
    "tenancy; the household's open case closes as housed. `404`: another municipality's "
    "household, or no such landlord; `409`: the household or the flat is in an active "
    "tenancy; `422`: a day in the future, or a step that is not the staircase's.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def register_tenancy(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, body: RegisterBody
) -> TenancyView:
    tenancy = register_flow.register(
        session, principal=principal, body=body, today=local_today(), purpose=purpose
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/import",
    response_model=ImportResult,
    summary="Register many running contracts, answered per row",
    description='`{"tenancies": [...]}`, each row the body of `POST /v1/tenancies`; '
    "each is registered on its own and answered with its status (`201` and the tenancy, "
    "or the `404`/`409`/`422` that row alone would have got). Rows that fail change nothing.",
    responses=problems(*AUTHENTICATED),
)
def import_tenancies(
    session: SessionDep, principal: Coordinator, purpose: PurposeHeader, body: ImportBody
) -> ImportResult:
    return register_flow.register_many(
        session, principal=principal, rows=body.tenancies, today=local_today(), purpose=purpose
    )


@router.get(
    "/v1/tenancies/{tenancy_id}",
    response_model=TenancyView,
    summary="Read one tenancy with its history",
    description="A coordinator: its municipality's, with the household. A landlord: its own, "
    "without household data. Another organisation's → `404`.",
    responses=problems(*AUTHENTICATED, 404),
)
def get_tenancy(session: SessionDep, principal: Reader, tenancy_id: TenancyId) -> TenancyView:
    tenancy = service.get_tenancy(session, principal=principal, tenancy_id=tenancy_id)
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/step",
    response_model=TenancyView,
    summary="Step up the housing staircase after the trial period",
    description="Training apartment → `support_agreement` (a new trial period of the "
    "agreement's length starts); support agreement, municipal contract or first-hand lease "
    "with guarantee → `own_lease` (the tenancy becomes `transferred`: the household holds "
    "its own lease and the municipality's part is over). `to` must name the tenancy's "
    "`next_step`. `409`: the trial period has not run out (a remark restarts it), the "
    "tenancy is not active, it has no next step, or the agreement does not offer the next "
    "form. `422`: `effective_on` in the future or before the current form began.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def step_tenancy(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: StepBody,
) -> TenancyView:
    tenancy = service.step(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/remarks",
    status_code=status.HTTP_201_CREATED,
    response_model=TenancyView,
    summary="Record a problem during the tenancy (restarts the trial period)",
    description="The landlord (its own tenancies) or the coordinator records a coded remark "
    "— `disturbance`, `late_payment`, `damage`, `other`; no free text about the household. "
    "The trial period restarts from its day: the next step waits a whole trial period "
    "without remarks. A landlord's remark is also a report to the municipality: it gets a "
    "`report_id` and a `response_due_at` the agreement's `response_hours` away. Answers the "
    "tenancy with the remark appended. `409`: the tenancy is not active.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def remark_tenancy(
    session: SessionDep,
    principal: Reader,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: RemarkBody,
) -> TenancyView:
    tenancy = service.remark(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/incidents",
    status_code=status.HTTP_201_CREATED,
    response_model=TenancyView,
    summary="Report a problem that needs the municipality",
    description="The landlord (its own tenancies) reports a problem as a code — "
    "`disturbance`, `damage`, `late_payment`, `safety`, `other`; no free text about the "
    "household. The municipality's response is due within the agreement's "
    "`response_hours` (Karlstad: 48); the incident event carries its `report_id` and "
    "`response_due_at`, and the tenancy its earliest open `response_due_at`. Unlike a "
    "remark it leaves the trial period alone. `409`: the tenancy is not active.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def report_incident(
    session: SessionDep,
    principal: Landlord,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: IncidentBody,
) -> TenancyView:
    tenancy = service.report_incident(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/reports/{report_id}/response",
    status_code=status.HTTP_201_CREATED,
    response_model=TenancyView,
    summary="Record the municipality's response to a landlord's report",
    description="The coordinator records what the municipality did about a landlord's "
    "remark or incident (`report_id` from the tenancy's events) — `visited`, "
    "`measure_taken`, `no_action_needed`, `other`. The report shows `answered_at`; once "
    "every report is answered the tenancy leaves the `response_overdue` worklist. Any "
    "status. `404`: no such tenancy, or no such report on it; `409`: answered already.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def respond_to_report(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    report_id: ReportId,
    body: ResponseBody,
) -> TenancyView:
    tenancy = service.respond(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        report_id=report_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/end",
    response_model=TenancyView,
    summary="Record that the tenancy ended",
    description="The landlord (`moved_out`, `terminated_by_landlord`, `other`) or the "
    "coordinator (`moved_out`, `terminated_by_municipality`, `other`); the other side's "
    "reason → `422`. The tenancy becomes `ended` and still counts toward its year's quota; "
    "the landlord's repost of the vacancy under the same reference opens it again. A "
    "termination ends after the terms' ordinary `notice_days`; only the municipality "
    "ending its subtenant's contract (`terminated_by_municipality` in a form it sublets) "
    "may name a `serious_cause`, and it then ends after the terms' "
    "`serious_cause_notice_days` (Västerås: 'inom 24 timmar'); a serious cause from the "
    "landlord, with another reason or in a form the household holds → `422`. `409`: not "
    "active.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def end_tenancy(
    session: SessionDep,
    principal: Reader,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: EndBody,
) -> TenancyView:
    tenancy = service.end(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/renew",
    response_model=TenancyView,
    summary="Renew the tenancy's fixed term by another term",
    description="A fixed term that is renewable (Norrköping's three-month contracts, "
    "'tremånaderskontrakt'; the agreement's `tenancy_terms`) is renewed from its current "
    "`term_end` by another `term_months`; a `renewal` event is appended. `409`: no "
    "renewable term, the term is already over (end it with `term_ended`), or not active.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def renew_tenancy(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: RenewBody,
) -> TenancyView:
    tenancy = service.renew(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/consent",
    response_model=TenancyView,
    summary="The landlord's answer to the transfer of the lease to the tenant",
    description='`{"consent": true}` or `{"consent": false, "reason": code}`. Where '
    "the agreement needs consent (the default; Jönköping: social services only "
    "'rekommenderar … fastighetsägaren'), the step to `own_lease` waits for a `consent`; a "
    "`refusal` blocks it while it stands and is the recorded reason an overdue transfer "
    "waits. Where the agreement waives consent (Göteborg: 'kan … inte motsätta sig "
    "överlåtelsen om det inte varit några problem under provotiden') the landlord may only "
    "refuse, and only with a remark or an incident recorded in the trial. `409`: that "
    "refusal without a problem, a consent the agreement does not ask for, a tenancy whose "
    "next step is not the transfer, or not active; `422`: a refusal without a reason.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def consent_to_transfer(
    session: SessionDep,
    principal: Landlord,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: ConsentBody,
) -> TenancyView:
    tenancy = service.consent(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/transfer-delay",
    response_model=TenancyView,
    summary="Record why a transfer waits past the latest month",
    description="The coordinator's coded reason (`household_not_ready`, "
    "`support_continues`, `moving_on`, `other`) why an active tenancy is not yet "
    "transferred: it leaves the `transfer_overdue` worklist while the reason stands (until "
    "the transfer). Never shown or announced to the landlord. `409`: not active, or no "
    "transfer ahead.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def delay_transfer(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: DelayBody,
) -> TenancyView:
    tenancy = service.delay(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.post(
    "/v1/tenancies/{tenancy_id}/vouching",
    response_model=TenancyView,
    summary="The municipality vouches for its tenant (or withdraws it)",
    description="A dated statement by the coordinator, as a code (Helsingborg 3:5: "
    "'Fastighetsförvaltningen går i god för att detta är en välfungerande hyresgäst'): "
    "`well_functioning_tenant`, or `withdrawn`; the latest stands (`vouched_on`). An "
    "agreement whose `exception_conditions` ask for it gives its exception places only to "
    "a vouched-for tenant moving on. Never shown or announced to the landlord. `409`: the "
    "tenancy is not active; `422`: `effective_on` in the future or before the current form.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def vouch_for_tenant(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    tenancy_id: TenancyId,
    body: VouchingBody,
) -> TenancyView:
    tenancy = service.vouch(
        session,
        principal=principal,
        tenancy_id=tenancy_id,
        body=body,
        today=local_today(),
        purpose=purpose,
    )
    return views.to_view(session, principal, tenancy)


@router.get(
    "/v1/quota",
    response_model=QuotaReport,
    summary="Quota fulfilment per landlord for one municipality and agreement year",
    description="Committed (`quota`), due by today under the agreement's pacing "
    "(`expected_to_date`), delivered (tenancies, active, transferred or ended, counted "
    "toward the year), exception places, totals split public/private, and for coordinators "
    "the year's Settlement Act figure. A coordinator gets its own municipality when it names "
    "none (another → `404`), this year when no `year` is given; a landlord names the "
    "municipality and sees its own row; an intermediary names it and sees the rows of the "
    "landlords that mandated it there (`landlord`: one of them; another → `404`). "
    "`Accept: text/csv` answers the rows as CSV.",
    responses={**problems(*AUTHENTICATED, 404), **CSV_RESPONSE},
)
def get_quota(
    session: SessionDep,
    principal: Annotated[
        Principal, Depends(require(Role.coordinator, Role.landlord, Role.intermediary))
    ],
    municipality: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}$",
            description="Kommunkod; a coordinator's own by default, required for a landlord",
        ),
    ] = None,
    year: Annotated[
        int | None,
        Query(ge=2000, le=2100, description="The agreement year; the current year by default"),
    ] = None,
    landlord: Annotated[
        str | None,
        id_query("Only an intermediary: the row of this landlord it acts for"),
    ] = None,
    csv: CsvWanted = False,
) -> QuotaReport | Response:
    report = service.quota_report(
        session,
        principal=principal,
        landlord=landlord,
        municipality=municipality,
        year=year if year is not None else local_year(),
    )
    return csv_response(report.rows) if csv else report
