"""An agreement as the API answers it: every letting rule, the tenancy terms per contract form
and the 3:5 exception conditions, as stored."""

from __future__ import annotations

from app.agreements.models import Agreement
from app.agreements.pacing import Pacing
from app.agreements.schemas import AgreementRead, ContractForm, ExceptionConditions, TenancyTerms


def to_read(agreement: Agreement) -> AgreementRead:
    """The agreement as stored: its JSON columns (terms, conditions) read back into their
    schemas, so a reader sees the same shapes the upsert accepted."""
    return AgreementRead(
        id=agreement.id,
        municipality=agreement.municipality_code,
        landlord=agreement.landlord_id,
        year=agreement.year,
        quota=agreement.quota,
        exception_quota=agreement.exception_quota,
        pacing=Pacing(agreement.pacing),
        excluded_areas=list(agreement.excluded_areas),
        income_multiple=agreement.income_multiple,
        accepts_income_support=agreement.accepts_income_support,
        accepts_housing_allowance=agreement.accepts_housing_allowance,
        requires_permanent_employment=agreement.requires_permanent_employment,
        accepts_payment_remarks=agreement.accepts_payment_remarks,
        accepts_municipal_guarantee=agreement.accepts_municipal_guarantee,
        requires_home_insurance=agreement.requires_home_insurance,
        contract_forms=[ContractForm(form) for form in agreement.contract_forms],
        trial_period_months=agreement.trial_period_months,
        answer_hours=agreement.answer_hours,
        response_hours=agreement.response_hours,
        transfer_needs_landlord_consent=agreement.transfer_needs_landlord_consent,
        tenancy_terms={
            ContractForm(form): TenancyTerms.model_validate(terms)
            for form, terms in (agreement.tenancy_terms or {}).items()
        },
        exception_conditions=(
            ExceptionConditions.model_validate(agreement.exception_conditions)
            if agreement.exception_conditions
            else None
        ),
        version=agreement.version,
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
    )
