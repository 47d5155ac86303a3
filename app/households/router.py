"""HTTP for household needs (cases): create, read, list, partial update, close, and the
household's candidate vacancies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.audit.schemas import PurposeHeader
from app.auth import Principal, Role, require
from app.core.csv_export import CSV_RESPONSE, CsvWanted, csv_response
from app.core.db import SessionDep, local_today
from app.core.etag import IfMatchHeader, set_etag
from app.core.links import id_links
from app.core.pagination import MAX_LIMIT, SYNC_DESCRIPTION, SyncPageDep, sync_cursor
from app.core.params import CaseRefQuery, PrefixQuery, id_path
from app.core.problems import AUTHENTICATED, problems
from app.flows import candidates, cohort_move_on, erasure, move_chain
from app.households import service, views
from app.households.schemas import (
    AssessmentInput,
    CandidateList,
    CohortMoveOnBody,
    CohortMoveOnResult,
    HouseholdClose,
    HouseholdCreate,
    HouseholdPage,
    HouseholdUpdate,
    HouseholdView,
    MoveOnBody,
    MoveOnRead,
)
from app.idempotency.route import AuditedIdempotentRoute
from app.policies import service as policies
from app.vocabulary import ESTABLISHMENT_NOTICE_MONTHS, HouseholdStatus

router = APIRouter(route_class=AuditedIdempotentRoute, tags=["households"])

CaseWorker = Annotated[Principal, Depends(require(Role.social_services, Role.coordinator))]
Coordinator = Annotated[Principal, Depends(require(Role.coordinator))]
HouseholdId = Annotated[str, id_path("The household's id")]


@router.post(
    "/v1/households",
    status_code=status.HTTP_201_CREATED,
    response_model=HouseholdView,
    summary="Register a household's need in the caller's municipality",
    responses={
        **problems(*AUTHENTICATED, 409),
        201: id_links(
            "household_id",
            ReadHousehold="get_household",
            UpdateHousehold="update_household",
            CloseHousehold="close_household",
            EraseHousehold="erase_household",
            ListCandidates="list_candidates",
        ),
    },
)
def create_household(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    body: HouseholdCreate,
    response: Response,
) -> HouseholdView:
    """The household belongs to the caller's municipality. `rooms_min`, `rooms_max` and
    `max_rent` may be left out; the response shows the derived values and names them in
    `defaults_applied`. A `case_ref` already used in the municipality → 409."""
    household = service.create_household(session, principal=principal, data=body, purpose=purpose)
    response.headers["Location"] = f"/v1/households/{household.id}"
    set_etag(response, household.version)
    return views.to_view(principal, household)


@router.get(
    "/v1/households",
    response_model=HouseholdPage,
    summary="List the caller's municipality's households",
    description="Every household listed is audited as read. Protected-identity cases "
    "appear to social services in their restricted form. `Accept: text/csv` answers the "
    "page as CSV." + SYNC_DESCRIPTION,
    responses={**problems(*AUTHENTICATED), **CSV_RESPONSE},
)
def list_households(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    page: SyncPageDep,
    status_filter: Annotated[
        HouseholdStatus | None, Query(alias="status", description="Only cases in this state")
    ] = None,
    awaiting_assessment: Annotated[
        bool,
        Query(
            description="The worklist of open cases social services have not assessed yet "
            "(`PUT /v1/households/{id}/assessment`)"
        ),
    ] = False,
    establishment_ending: Annotated[
        bool,
        Query(
            description="The worklist of the newly arrived whose two-year establishment "
            "period (`settled_on` + 24 months, bosättningslagen 2016:38) ends within the "
            "policy's `establishment_notice_months` (default six) and has not ended "
            "(Helsingborg 3:9)"
        ),
    ] = False,
    case_ref: CaseRefQuery = None,
    q: PrefixQuery = None,
    csv: CsvWanted = False,
) -> HouseholdPage | Response:
    rows = service.list_households(
        session,
        principal=principal,
        status=status_filter,
        page=page,
        purpose=purpose,
        awaiting_assessment=awaiting_assessment,
        establishment_ending_on=local_today() if establishment_ending else None,
        establishment_notice_months=(
            policies.establishment_notice_of(session, principal)
            if establishment_ending
            else ESTABLISHMENT_NOTICE_MONTHS
        ),
        case_ref=case_ref,
        case_ref_prefix=q,
    )
    result = HouseholdPage(
        items=[views.to_view(principal, household) for household in rows],
        next_cursor=sync_cursor([(h.updated_at, h.id) for h in rows], page.limit),
    )
    return csv_response(result.items, result.next_cursor) if csv else result


@router.get(
    "/v1/households/{household_id}",
    response_model=HouseholdView,
    summary="Read a household's need",
    responses=problems(*AUTHENTICATED, 404),
)
def get_household(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    response: Response,
) -> HouseholdView:
    """The read is audited. Social services get only the restricted view of a
    protected-identity case."""
    household = service.get_household(
        session, principal=principal, household_id=household_id, purpose=purpose
    )
    set_etag(response, household.version)
    return views.to_view(principal, household)


@router.patch(
    "/v1/households/{household_id}",
    response_model=HouseholdView,
    summary="Change part of an open household's need",
    responses=problems(*AUTHENTICATED, 404, 409, 412),
)
def update_household(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    body: HouseholdUpdate,
    response: Response,
    if_match: IfMatchHeader = None,
) -> HouseholdView:
    """Only the fields sent change; `null` for `rooms_min`, `rooms_max` or `max_rent`
    returns it to the derived default. A stale `If-Match` → 412, a closed case → 409, a
    protected-identity case changed by social services → 403."""
    household = service.update_household(
        session,
        principal=principal,
        household_id=household_id,
        data=body,
        if_match=if_match,
        purpose=purpose,
    )
    set_etag(response, household.version)
    return views.to_view(principal, household)


@router.put(
    "/v1/households/{household_id}/assessment",
    response_model=HouseholdView,
    summary="Record social services' assessment of a case before any match",
    description="The day, the assessing unit and the support needed, as codes (Jönköping's "
    "kartläggning). Where the policy sets `requires_assessment`, only assessed cases are "
    "matched (the others are unmatched with `not_assessed`); the support becomes the "
    "tenancy's conditions. A closed case → 409, a day in the future → 422.",
    responses=problems(*AUTHENTICATED, 404, 409, 412),
)
def assess_household(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    body: AssessmentInput,
    response: Response,
    if_match: IfMatchHeader = None,
) -> HouseholdView:
    household = service.assess_household(
        session,
        principal=principal,
        household_id=household_id,
        data=body,
        if_match=if_match,
        purpose=purpose,
    )
    set_etag(response, household.version)
    return views.to_view(principal, household)


@router.post(
    "/v1/households/{household_id}/close",
    response_model=HouseholdView,
    summary="Close a household's case",
    responses=problems(*AUTHENTICATED, 404, 409, 412),
)
def close_household(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    body: HouseholdClose,
    response: Response,
    if_match: IfMatchHeader = None,
) -> HouseholdView:
    """The case leaves future match rounds. Closing a closed case → 409."""
    household = service.close_household(
        session,
        principal=principal,
        household_id=household_id,
        reason=body.reason,
        if_match=if_match,
        purpose=purpose,
    )
    set_etag(response, household.version)
    return views.to_view(principal, household)


@router.post(
    "/v1/households/move-on",
    response_model=CohortMoveOnResult,
    summary="Post move-on needs for a cohort of households in one request",
    description="Helsingborg 3:9: the newly arrived whose two-year establishment period "
    'ends together (`GET /v1/households?establishment_ending=true`). `{"households": '
    '[ids], "contract_forms"?}`; each household is answered on its own with the answer '
    "`POST /v1/households/{id}/move-on` would give it (`200` and its move-on need, or the "
    "`403`/`404`/`409`/`422` it alone would have got); refusals change nothing.",
    responses=problems(*AUTHENTICATED),
)
def post_cohort_move_on(
    session: SessionDep, principal: CaseWorker, purpose: PurposeHeader, body: CohortMoveOnBody
) -> CohortMoveOnResult:
    """Audited as an `update` of each household moved on."""
    return cohort_move_on.post_cohort_move_on(
        session, principal=principal, body=body, purpose=purpose
    )


@router.post(
    "/v1/households/{household_id}/move-on",
    response_model=MoveOnRead,
    summary="Post a move-on need for a household living in a second-hand tenancy",
    description="Helsingborg 3:6: 'Många av hushållen kan och behöver komma vidare till ett "
    "förstahandskontrakt'. The case of a household living in an active second-hand tenancy "
    "(`municipal_contract`, `training_apartment`) opens again, linked to that tenancy: the "
    "household keeps its home until the move and takes part in match rounds meanwhile "
    "(only this link lets a sitting tenant in). `contract_forms` replaces the forms it is "
    "matched for. When its proposal is contracted, the old tenancy ends `moved_on` on the "
    "move-in day and its flat is an open vacancy again. `409`: no active tenancy, or a "
    "move-on need is posted already; `422`: the tenancy is not second-hand; `403`: a "
    "protected-identity case, for social services.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def post_move_on(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    body: MoveOnBody,
) -> MoveOnRead:
    """Audited as an `update` of the household."""
    return move_chain.post_move_on(
        session, principal=principal, household_id=household_id, body=body, purpose=purpose
    )


@router.post(
    "/v1/households/{household_id}/erase",
    response_model=HouseholdView,
    summary="Erase a closed case's personal data",
    description="The coordinator of the household's municipality only. The case keeps its "
    "id, municipality, status `erased` and dates; every field describing the household is "
    "blanked, also in stored round problems, proposal scores and decline comments and "
    "stored idempotent answers. Tenancies and proposals keep what quota accounting needs; "
    "the audit trail stays (it holds ids, never values). An open case or one in a live "
    "proposal → `409`; erasing an erased case answers the same again.",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def erase_household(
    session: SessionDep,
    principal: Coordinator,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    response: Response,
) -> HouseholdView:
    """Audited as `erase`."""
    household = erasure.erase_household(
        session, principal=principal, household_id=household_id, purpose=purpose
    )
    set_etag(response, household.version)
    return views.to_view(principal, household)


@router.get(
    "/v1/households/{household_id}/candidates",
    response_model=CandidateList,
    summary="The open vacancies a household is eligible for now, ranked by fit",
    responses=problems(*AUTHENTICATED, 404, 409),
)
def list_candidates(
    session: SessionDep,
    principal: CaseWorker,
    purpose: PurposeHeader,
    household_id: HouseholdId,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many of the ranked list, at most 200")
    ] = 50,
    year: Annotated[
        int | None,
        Query(
            ge=2000, le=2100, description="The agreement year whose quotas apply; default this year"
        ),
    ] = None,
) -> CandidateList:
    """Judged by the solver's own eligibility rules against every vacancy a round would
    consider now, with the count of vacancies that failed each rule. Nothing is reserved.
    The read is audited. A protected-identity case is for the coordinator (social services
    → 403); a closed case → 409."""
    return candidates.candidates(
        session,
        principal=principal,
        household_id=household_id,
        year=year,
        limit=limit,
        purpose=purpose,
    )
