"""Priority policy per municipality: versioned rows, built-in defaults, household weights.

Why versions: every round records the version it used (`Round.policy_version`), so a
result can always be explained by the exact weights behind it, even after the coordinator
changed the policy. A PUT therefore inserts a new row and never edits one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth import Principal, Role
from app.errors import NotFound
from app.households.models import Household
from app.municipalities import repository as municipalities
from app.policies import repository
from app.policies.models import Policy
from app.policies.schemas import PolicyInput, PolicyRead, TargetGroupWeights

DEFAULT_TARGET_GROUP_WEIGHTS: dict[str, int] = {
    # Jönköping: "kvinnofrids- och barnärenden prioriteras" — women's-peace (violence) and
    # children's cases go first.
    "violence_exposed": 1000,
    "family_with_children": 1000,
    # A protected identity is given where a threat is serious (mostly violence): close to
    # the top, so the household moves before the threat finds it.
    "protected_identity": 800,
    # Södertälje: priority to families with children, under 25, over 65, suspected mental
    # illness.
    "young_adult": 600,
    "elderly": 600,
    "psychiatric_disability": 600,
    # Karlstad's roof-over-head guarantee and Housing First (Karlstad, Helsingborg 3:10).
    "housing_first": 500,
    "released_from_prison": 400,
    "substance_recovery": 400,
    # The Settlement Act (2016:38) is a duty with its own figure: the round's
    # `newly_arrived_min` enforces it, so the weight need not.
    "newly_arrived": 300,
    # Nynäshamn: households with only economic problems are helped only with children
    # (and then `family_with_children` carries them).
    "economic_only": 100,
}
DEFAULT_URGENCY_WEIGHT: tuple[int, ...] = (0, 500, 1500, 3000)
"""Urgency 0 normal … 3 acute: an acute case outweighs any single target group."""
DEFAULT_WAITING_WEIGHT_PER_30_DAYS = 50
DEFAULT_WAITING_CAP_DAYS = 720
"""Two years: Södertälje's and Norrköping's longest trial periods; waiting beyond that adds
nothing, so a long queue cannot outweigh an acute case."""
DEFAULT_BASE_WEIGHT = 100
"""Every household weighs something: housing anyone beats housing no one."""


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

    def to_json(self) -> dict[str, Any]:
        return {
            "target_group_weights": dict(self.target_group_weights),
            "urgency_weight": list(self.urgency_weight),
            "waiting_weight_per_30_days": self.waiting_weight_per_30_days,
            "waiting_cap_days": self.waiting_cap_days,
            "base_weight": self.base_weight,
            "economic_only_requires_children": self.economic_only_requires_children,
            "min_drug_free_months": self.min_drug_free_months,
        }


DEFAULT_POLICY = PolicyWeights(
    version=0,
    target_group_weights=dict(DEFAULT_TARGET_GROUP_WEIGHTS),
    urgency_weight=DEFAULT_URGENCY_WEIGHT,
    waiting_weight_per_30_days=DEFAULT_WAITING_WEIGHT_PER_30_DAYS,
    waiting_cap_days=DEFAULT_WAITING_CAP_DAYS,
    base_weight=DEFAULT_BASE_WEIGHT,
)


def _from_row(row: Policy) -> PolicyWeights:
    """A stored version; a group missing from an old row weighs its default."""
    weights = row.weights
    groups = {**DEFAULT_TARGET_GROUP_WEIGHTS, **weights.get("target_group_weights", {})}
    return PolicyWeights(
        version=row.version,
        target_group_weights=groups,
        urgency_weight=tuple(weights.get("urgency_weight", DEFAULT_URGENCY_WEIGHT)),
        waiting_weight_per_30_days=int(
            weights.get("waiting_weight_per_30_days", DEFAULT_WAITING_WEIGHT_PER_30_DAYS)
        ),
        waiting_cap_days=int(weights.get("waiting_cap_days", DEFAULT_WAITING_CAP_DAYS)),
        base_weight=int(weights.get("base_weight", DEFAULT_BASE_WEIGHT)),
        created_at=row.created_at,
        economic_only_requires_children=bool(weights.get("economic_only_requires_children", False)),
        min_drug_free_months=int(weights.get("min_drug_free_months", 0)),
    )


def current_policy(session: Session, municipality: str) -> PolicyWeights:
    """The version in force: the newest stored, else the defaults as version 0."""
    row = repository.current(session, municipality)
    return DEFAULT_POLICY if row is None else _from_row(row)


def policy_version(session: Session, municipality: str, version: int) -> PolicyWeights:
    """A given version (0 = the defaults); a round uses the version recorded at its start."""
    if version == 0:
        return DEFAULT_POLICY
    row = repository.by_version(session, municipality, version)
    if row is None:
        raise LookupError(f"policy version {version} does not exist")
    return _from_row(row)


def household_weight(policy: PolicyWeights, household: Household, now: datetime) -> int:
    """The household's priority weight (a positive integer) under this policy.

    base + Σ weights of its target groups (they add up: a violence-exposed family with
    children weighs both) + the weight of its urgency level + a weight per full 30 days
    waited since `registered_at`, up to the cap.
    """
    groups = sum(policy.target_group_weights.get(group, 0) for group in household.target_groups)
    urgency_levels = policy.urgency_weight
    level = min(max(household.urgency, 0), len(urgency_levels) - 1)
    waited_days = max((now - household.registered_at).days, 0)
    months = min(waited_days, policy.waiting_cap_days) // 30
    weight = (
        policy.base_weight
        + groups
        + urgency_levels[level]
        + policy.waiting_weight_per_30_days * months
    )
    return max(int(weight), 1)


POLICY_REFUSED = "policy: "


def needs_refusal(policy: PolicyWeights, household: Household) -> str | None:
    """Why the municipality's policy does not accept this household's need for matching
    now, or None. These are decisions about *which needs are accepted* (biståndsbeslut),
    not letting rules of a landlord, so they apply before any vacancy is looked at:

    - Nynäshamn: "De som enbart har ekonomiska problem och inte har barn får alltså
      avslag" — an `economic_only` case without children is refused;
    - Karlstad: "För att någon ska få ett socialt eller bostadssocialt kontrakt krävs minst
      sex månaders drogfrihet" — a household whose `drug_free_months` is known and below
      the policy's minimum waits (null: not applicable, e.g. no substance history).
    """
    if (
        policy.economic_only_requires_children
        and "economic_only" in household.target_groups
        and household.children == 0
    ):
        return POLICY_REFUSED + "economic-only case without children"
    months = household.drug_free_months
    if months is not None and months < policy.min_drug_free_months:
        return POLICY_REFUSED + f"fewer than {policy.min_drug_free_months} drug-free months"
    return None


def _own_municipality(session: Session, principal: Principal, code: str) -> None:
    if principal.role not in (Role.coordinator, Role.social_services) or (
        municipalities.get_for(session, principal, code) is None
    ):
        raise NotFound("No such municipality.")


def get_policy(session: Session, *, principal: Principal, code: str) -> PolicyWeights:
    """The policy in force in the caller's own municipality."""
    _own_municipality(session, principal, code)
    return current_policy(session, code)


def put_policy(
    session: Session, *, principal: Principal, code: str, data: PolicyInput
) -> tuple[PolicyWeights, bool]:
    """Store a new version unless it equals the one in force; returns it and whether a
    version was created. Two racing PUTs cannot both take the next version number: the
    unique (municipality, version) constraint turns the loser into a 409."""
    _own_municipality(session, principal, code)
    in_force = current_policy(session, code)
    given = data.target_group_weights.model_dump(exclude_none=True)
    weights = {
        "target_group_weights": {**DEFAULT_TARGET_GROUP_WEIGHTS, **given},
        "urgency_weight": list(data.urgency_weight),
        "waiting_weight_per_30_days": data.waiting_weight_per_30_days,
        "waiting_cap_days": data.waiting_cap_days,
        "base_weight": data.base_weight,
        "economic_only_requires_children": data.economic_only_requires_children,
        "min_drug_free_months": data.min_drug_free_months,
    }
    if weights == in_force.to_json() and in_force.version > 0:
        return in_force, False
    row = Policy(
        municipality_code=code,
        version=in_force.version + 1,
        weights=weights,
        created_by=principal.credential_id,
    )
    session.add(row)
    session.flush()
    return _from_row(row), True


def to_read(code: str, policy: PolicyWeights) -> PolicyRead:
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
        created_at=policy.created_at,
    )
