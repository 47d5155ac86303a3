"""One version of a municipality's policy as the rules read it: the weights of the round's
first objective and the conditions on the household (app/policies/conditions.py). Its own
file, below both the conditions and the service that stores and loads versions, so each
of them reads it without importing the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.vocabulary import ESTABLISHMENT_NOTICE_MONTHS


@dataclass(frozen=True, slots=True)
class Guarantee:
    """One rent guarantee of the policy (`app.policies.schemas.GuaranteeTerms`)."""

    income: str
    max_debts: int | None = None
    months_of_rent: int | None = None

    def to_json(self) -> dict[str, str | int | None]:
        return {
            "income": self.income,
            "max_debts": self.max_debts,
            "months_of_rent": self.months_of_rent,
        }


@dataclass(frozen=True, slots=True)
class PolicyWeights:
    """One version of a policy as the weight computation uses it."""

    version: int
    target_group_weights: dict[str, int]
    urgency_weight: tuple[int, ...]
    waiting_weight_per_30_days: int
    waiting_cap_days: int
    base_weight: int
    created_at: datetime | None = None
    economic_only_requires_children: bool = False
    min_drug_free_months: int = 0
    guarantee_terms: tuple[Guarantee, ...] = ()
    surety_required_for: tuple[str, ...] = ()
    only_without_own_income: tuple[str, ...] = ()
    requires_assessment: bool = False
    vacancies_on_request: tuple[str, ...] = ()
    """The contract forms in which landlords without an agreement may hand over flats on
    request (issue 23); empty: none may."""
    referred_weight: int = 0
    """Added for a household a network member referred here (app/referrals)."""
    move_on_weight: int = 0
    """Added for a household with a move-on need (Helsingborg 3:6, app/flows/move_chain.py)."""
    establishment_notice_months: int = ESTABLISHMENT_NOTICE_MONTHS
    """How long before the establishment period ends its household is on the worklist and
    announced (Helsingborg 3:9)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "target_group_weights": dict(self.target_group_weights),
            "urgency_weight": list(self.urgency_weight),
            "waiting_weight_per_30_days": self.waiting_weight_per_30_days,
            "waiting_cap_days": self.waiting_cap_days,
            "base_weight": self.base_weight,
            "economic_only_requires_children": self.economic_only_requires_children,
            "min_drug_free_months": self.min_drug_free_months,
            "guarantee_terms": [g.to_json() for g in self.guarantee_terms],
            "surety_required_for": list(self.surety_required_for),
            "only_without_own_income": list(self.only_without_own_income),
            "requires_assessment": self.requires_assessment,
            "vacancies_on_request": list(self.vacancies_on_request),
            "referred_weight": self.referred_weight,
            "move_on_weight": self.move_on_weight,
            "establishment_notice_months": self.establishment_notice_months,
        }
