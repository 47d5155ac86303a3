"""An agreement as the API answers it: every letting rule, the tenancy terms per contract form
and the 3:5 exception conditions, as stored."""

from __future__ import annotations

from app.agreements.models import Agreement
from app.agreements.schemas import AgreementRead, ExceptionConditions, QuotaShare, TenancyTerms
from app.vocabulary import (
    AgreementBasis,
    ContractForm,
    GuaranteeKind,
    LiftableRequirement,
    Pacing,
    RemarkEffect,
    TargetGroup,
    letting_rules_of,
)


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
        **letting_rules_of(agreement),
        contract_forms=[ContractForm(form) for form in agreement.contract_forms],
        trial_period_months=agreement.trial_period_months,
        answer_hours=agreement.answer_hours,
        response_hours=agreement.response_hours,
        tenancy_terms={
            ContractForm(form): TenancyTerms.model_validate(terms)
            for form, terms in (agreement.tenancy_terms or {}).items()
        },
        exception_conditions=(
            ExceptionConditions.model_validate(agreement.exception_conditions)
            if agreement.exception_conditions
            else None
        ),
        basis=AgreementBasis(agreement.basis),
        quota_share=(
            QuotaShare.model_validate(agreement.quota_share) if agreement.quota_share else None
        ),
        accepted_guarantees=(
            None
            if agreement.accepted_guarantees is None
            else [GuaranteeKind(k) for k in agreement.accepted_guarantees]
        ),
        guarantee_lifts={
            GuaranteeKind(kind): [LiftableRequirement(r) for r in lifts]
            for kind, lifts in (agreement.guarantee_lifts or {}).items()
        },
        placement_refuses_income_support=agreement.placement_refuses_income_support,
        accepted_target_groups=[TargetGroup(g) for g in agreement.accepted_target_groups or ()],
        transfer_needs_landlord_consent=agreement.transfer_needs_landlord_consent,
        transfer_latest_months=agreement.transfer_latest_months,
        remark_effect=RemarkEffect(agreement.remark_effect),
        remark_extend_months=agreement.remark_extend_months,
        aftercare_months=agreement.aftercare_months,
        tenure_waiver_months=agreement.tenure_waiver_months,
        move_on_outside_quota=agreement.move_on_outside_quota,
        version=agreement.version,
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
    )
