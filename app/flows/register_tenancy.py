"""A coordinator registers a contract that began before the service (issue 24): the running
second-hand contracts a municipality brings along when it starts (Södertälje "ungefär 400
kommunkontrakt", Uppsala "cirka 1 000 bostadssociala kontrakt", Västerås "60
träningslägenheter och 240 pågående boendestödsavtal"). Without them the lock-in watch,
the transfers and the after-care see only what the service itself placed.

A flow: the tenancy is made (app/tenancies/service.py: `register`) and the household's case,
if open, closes as `housed` — it lives there, and must not be matched again unless a
move-on need is posted for it. One by one, or a batch answered per row: each row in its own
savepoint, so one bad row changes nothing and the others stand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.auth import Principal
from app.core.errors import AppError, NotFound
from app.households import repository as households
from app.households import service as household_cases
from app.tenancies import service as tenancies
from app.tenancies.models import Tenancy
from app.tenancies.schemas import ImportResult, ImportRow, RegisterBody
from app.vocabulary import CloseReason, HouseholdStatus


def register(
    session: Session,
    *,
    principal: Principal,
    body: RegisterBody,
    today: date,
    purpose: str | None,
) -> Tenancy:
    """One running contract as a tenancy; the household's open case closes as housed.
    `404`: not the caller's household, or no such landlord."""
    household = households.get_for(session, principal, body.household, lock=True)
    if household is None or household.status == HouseholdStatus.erased:
        raise NotFound("No such household.")
    tenancy = tenancies.register(
        session, principal=principal, household=household, body=body, today=today
    )
    if household.status == HouseholdStatus.open:
        household_cases.close_household(
            session,
            principal=principal,
            household_id=household.id,
            reason=CloseReason.housed,
            if_match=None,
            purpose=purpose or f"registered running tenancy {tenancy.id}",
        )
    return tenancy


def register_many(
    session: Session,
    *,
    principal: Principal,
    rows: list[dict[str, Any]],
    today: date,
    purpose: str | None,
) -> ImportResult:
    """Each row registered on its own (a savepoint each): `201` with the tenancy, or the
    status and detail of the problem that row alone would have got."""
    results: list[ImportRow] = []
    for index, row in enumerate(rows):
        try:
            body = RegisterBody.model_validate(row)
        except ValidationError as invalid:
            detail = "; ".join(
                f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in invalid.errors()
            )
            results.append(ImportRow(index=index, status=422, detail=detail))
            continue
        try:
            with session.begin_nested():
                tenancy = register(
                    session, principal=principal, body=body, today=today, purpose=purpose
                )
        except AppError as refused:
            results.append(
                ImportRow(index=index, status=refused.status_code, detail=refused.detail)
            )
            continue
        results.append(ImportRow(index=index, status=201, tenancy=tenancy.id))
    created = sum(1 for r in results if r.status == 201)
    return ImportResult(created=created, failed=len(results) - created, results=results)
