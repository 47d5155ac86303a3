"""Priority policy of a municipality: read the version in force, store a new version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from app.auth import Principal, Role, require
from app.core.db import SessionDep
from app.core.etag import set_etag
from app.core.params import MunicipalityPath
from app.core.problems import AUTHENTICATED, problems
from app.policies import service, views
from app.policies.schemas import PolicyInput, PolicyRead

router = APIRouter(tags=["policies"])
POLICY_PATH = "/v1/municipalities/{code}/policy"


@router.get(
    POLICY_PATH,
    response_model=PolicyRead,
    summary="The priority policy in force (version 0: the defaults, nothing stored yet)",
    responses=problems(*AUTHENTICATED, 404),
)
def get_policy(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator, Role.social_services))],
    code: MunicipalityPath,
    response: Response,
) -> PolicyRead:
    policy = service.get_policy(session, principal=principal, code=code)
    set_etag(response, policy.version)
    return views.to_read(code, policy)


@router.put(
    POLICY_PATH,
    response_model=PolicyRead,
    summary="Store a new version of the priority policy",
    description="Every change is a new version (`201`); the old ones stay, so each round "
    "names the version it used. A body equal to the version in force changes nothing "
    "(`200`). Target groups left out weigh their defaults.",
    responses={
        200: {"description": "Unchanged: equal to the version in force"},
        201: {"description": "A new version was stored", "model": PolicyRead},
        **problems(*AUTHENTICATED, 404, 409),
    },
)
def put_policy(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.coordinator))],
    code: MunicipalityPath,
    body: PolicyInput,
    response: Response,
) -> PolicyRead:
    policy, created = service.put_policy(session, principal=principal, code=code, data=body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    set_etag(response, policy.version)
    return views.to_read(code, policy)
