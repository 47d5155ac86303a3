"""Move-on needs for a whole cohort in one request (Helsingborg 3:9: "anvisade individer med
uppehållstillstånd … För dessa individer börjar den tvååriga etableringstiden löpa ut"): the
newly arrived settled together reach the end of their establishment period together, and the
coordinator posts their move-on needs at once. Each household is answered on its own — the
same rules and answers as `POST /v1/households/{id}/move-on` (app/flows/move_chain.py), each
in its own savepoint, so one refusal changes nothing for the others."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import Principal
from app.core.errors import AppError
from app.flows.move_chain import post_move_on
from app.households.schemas import CohortMoveOnBody, CohortMoveOnResult, CohortMoveOnRow, MoveOnBody


def post_cohort_move_on(
    session: Session, *, principal: Principal, body: CohortMoveOnBody, purpose: str | None
) -> CohortMoveOnResult:
    """Each household's move-on need, or the problem it alone would have got."""
    rows: list[CohortMoveOnRow] = []
    each = MoveOnBody(contract_forms=body.contract_forms)
    for household_id in dict.fromkeys(body.households):
        try:
            with session.begin_nested():
                posted = post_move_on(
                    session,
                    principal=principal,
                    household_id=household_id,
                    body=each,
                    purpose=purpose,
                )
        except AppError as refused:
            rows.append(
                CohortMoveOnRow(
                    household=household_id, status=refused.status_code, detail=refused.detail
                )
            )
            continue
        rows.append(CohortMoveOnRow(household=household_id, status=200, move_on=posted))
    posted_count = sum(1 for r in rows if r.status == 200)
    return CohortMoveOnResult(posted=posted_count, failed=len(rows) - posted_count, results=rows)
