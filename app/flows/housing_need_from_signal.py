"""Social services open a housing need from a prevention case.

Nothing of a landlord's signal reaches the matching side unless social services decide so
(docs/prevention.md): when a tenant in arrears will lose the home, or has, they register
the household's need as for `POST /v1/households` — from what they learnt in the case, not
from the signal — and the case names the household. Nothing is copied from the signal: not
the tenant's name or identity number (the household's schema refuses a number in any
field anyway), not the flat. A household creation publishes no event, so neither does this;
the landlord that sent the signal hears nothing of it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth import Principal
from app.households import service as households
from app.households.models import Household
from app.households.schemas import HouseholdCreate
from app.prevention import service as prevention


def open_housing_need(
    session: Session,
    *,
    principal: Principal,
    case_id: str,
    data: HouseholdCreate,
    purpose: str | None,
) -> Household:
    """The household, created and audited as every household is, and the case linked to
    it (audited as a change of the case). A case of another municipality → `404`; a case
    already linked → `409`, and nothing is created."""
    case = prevention.case_for_social_services(session, principal=principal, case_id=case_id)
    prevention.check_no_household(case)
    household = households.create_household(
        session, principal=principal, data=data, purpose=purpose
    )
    prevention.link_household(
        session, principal=principal, case=case, household_id=household.id, purpose=purpose
    )
    return household
