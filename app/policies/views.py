"""A municipality's policy as the API answers it: the weights a round scores with and the
contract forms' conditions, in the version given."""

from __future__ import annotations

from app.policies.schemas import GuaranteeTerms, PolicyRead, TargetGroupWeights
from app.policies.weights import PolicyWeights
from app.vocabulary import ContractForm


def to_read(code: str, policy: PolicyWeights) -> PolicyRead:
    """The municipality's policy in the version given, as the API answers it."""
    return PolicyRead(
        municipality=code,
        version=policy.version,
        target_group_weights=TargetGroupWeights(**policy.target_group_weights),
        urgency_weight=list(policy.urgency_weight),
        waiting_weight_per_30_days=policy.waiting_weight_per_30_days,
        waiting_cap_days=policy.waiting_cap_days,
        base_weight=policy.base_weight,
        economic_only_requires_children=policy.economic_only_requires_children,
        min_drug_free_months=policy.min_drug_free_months,
        guarantee_terms=[
            GuaranteeTerms.model_validate(g.to_json()) for g in policy.guarantee_terms
        ],
        surety_required_for=[ContractForm(form) for form in policy.surety_required_for],
        only_without_own_income=[ContractForm(form) for form in policy.only_without_own_income],
        requires_assessment=policy.requires_assessment,
        vacancies_on_request=[ContractForm(form) for form in policy.vacancies_on_request],
        referred_weight=policy.referred_weight,
        move_on_weight=policy.move_on_weight,
        establishment_notice_months=policy.establishment_notice_months,
        created_at=policy.created_at,
    )
