from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, set_etag
from app.core.pagination import SYNC_DESCRIPTION, SyncPageDep, sync_cursor
from app.core.params import ExternalRefQuery, PrefixQuery, id_query
from app.core.problems import AUTHENTICATED, problems
from app.core.types import Identifier
from app.flows import vacancy_withdrawal
from app.vacancies import service, views
from app.vacancies.schemas import VacancyPage, VacancyRead, VacancyUpsert
from app.vocabulary import VacancyStatus

router = APIRouter(tags=["vacancies"])
Landlord = Annotated[Principal, Depends(require(Role.landlord, Role.intermediary))]
ActsFor = Annotated[
    str | None,
    id_query(
        "The landlord an intermediary acts for: required for an intermediary, refused "
        "(`422`) for anyone else. Outside its live mandates → `404`."
    ),
]
# A reference the landlord chooses, stored and sent in events: free text's guard (an
# identifier refuses a personnummer), not a bare pattern.
ExternalRef = Annotated[
    Identifier,
    Path(description="The landlord's own reference for the apartment", examples=["LGH-1001"]),
]


@router.put(
    "/v1/vacancies/{external_ref}",
    response_model=VacancyRead,
    summary="Post or update a vacancy under the landlord's own reference (idempotent)",
    description="`201` when created, `200` when updated; the same body again changes "
    "nothing (same `ETag`), also for a let vacancy. Reposting a withdrawn vacancy re-opens it; "
    "a changed let one is `409`. "
    "The landlord needs an agreement with the municipality, and `area` must be one of its "
    "areas (else `422`). An intermediary posts for the landlord it names in `landlord`, "
    "within a live mandate for that municipality (else `404`).",
    responses={
        200: {"description": "Updated (or unchanged)"},
        201: {"description": "Created", "model": VacancyRead},
        **problems(*AUTHENTICATED, 404, 409, 412),
    },
)
def put_vacancy(
    session: SessionDep,
    principal: Landlord,
    external_ref: ExternalRef,
    body: VacancyUpsert,
    response: Response,
    if_match: IfMatchHeader = None,
    landlord: ActsFor = None,
) -> VacancyRead:
    vacancy, created, view = service.upsert_vacancy(
        session,
        principal=principal,
        external_ref=external_ref,
        data=body,
        if_match=if_match,
        landlord=landlord,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    set_etag(response, vacancy.version)
    return view or views.to_read(session, vacancy)


@router.get(
    "/v1/vacancies",
    response_model=VacancyPage,
    summary="List vacancies",
    description="A landlord lists its own (any status unless `status` is given); an "
    "intermediary those of the landlords that mandated it, where they did (`landlord`: one "
    "of them, another → `404`). A coordinator gets its own municipality's (naming another "
    "→ `404`), `open` unless `status` says otherwise." + SYNC_DESCRIPTION,
    responses=problems(*AUTHENTICATED, 404),
)
def list_vacancies(
    session: SessionDep,
    principal: Annotated[
        Principal, Depends(require(Role.landlord, Role.intermediary, Role.coordinator))
    ],
    page: SyncPageDep,
    municipality: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}$",
            description="Kommunkod; a coordinator's own by default (another → `404`)",
        ),
    ] = None,
    vacancy_status: Annotated[VacancyStatus | None, Query(alias="status")] = None,
    landlord: ActsFor = None,
    external_ref: ExternalRefQuery = None,
    q: PrefixQuery = None,
) -> VacancyPage:
    rows = service.list_vacancies(
        session,
        principal=principal,
        municipality=municipality,
        status=vacancy_status,
        landlord=landlord,
        external_ref=external_ref,
        external_ref_prefix=q,
        after=page.after,
        limit=page.limit,
    )
    return VacancyPage(
        items=views.to_reads(session, rows),
        next_cursor=sync_cursor([(v.updated_at, v.id) for v in rows], page.limit),
    )


@router.get(
    "/v1/vacancies/{external_ref}",
    response_model=VacancyRead,
    summary="Read one of the landlord's vacancies",
    responses=problems(*AUTHENTICATED, 404),
)
def get_vacancy(
    session: SessionDep,
    principal: Landlord,
    external_ref: ExternalRef,
    response: Response,
    landlord: ActsFor = None,
) -> VacancyRead:
    vacancy = service.get_vacancy(
        session, principal=principal, external_ref=external_ref, landlord=landlord
    )
    set_etag(response, vacancy.version)
    return views.to_read(session, vacancy)


@router.delete(
    "/v1/vacancies/{external_ref}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw one of the landlord's vacancies (idempotent)",
    description="The vacancy is kept with status `withdrawn`; a repost re-opens it. "
    "A let vacancy cannot be withdrawn (`409`).",
    responses=problems(*AUTHENTICATED, 404, 409, 412),
)
def withdraw_vacancy(
    session: SessionDep,
    principal: Landlord,
    external_ref: ExternalRef,
    if_match: IfMatchHeader = None,
    landlord: ActsFor = None,
) -> Response:
    vacancy = vacancy_withdrawal.withdraw_vacancy(
        session,
        principal=principal,
        external_ref=external_ref,
        if_match=if_match,
        landlord=landlord,
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    set_etag(response, vacancy.version)
    return response
