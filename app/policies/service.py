"""Priority policy per municipality: versioned rows, built-in defaults, household weights.

Why versions: every round records the version it used (`Round.policy_version`), so a
result can always be explained by the exact weights behind it, even after the coordinator
changed the policy. A PUT therefore inserts a new row and never edits one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.auth import Principal, municipality_of
from app.core.errors import NotFound
from app.households.assessment import is_assessed
from app.households.models import Household
from app.municipalities import repository as municipalities
from app.policies import repository
from app.policies.conditions import form_refusals, policy_contract_forms
from app.policies.models import Policy
from app.policies.schemas import PolicyInput
from app.policies.weights import Guarantee, PolicyWeights
from app.vocabulary import ESTABLISHMENT_NOTICE_MONTHS, NOT_ASSESSED, TargetGroup

DEFAULT_TARGET_GROUP_WEIGHTS: dict[str, int] = {
    # Jönköping: "kvinnofrids- och barnärenden prioriteras" — women's-peace (violence) and
    # children's cases go first.
    TargetGroup.violence_exposed: 1000,
    TargetGroup.family_with_children: 1000,
    # A protected identity is given where a threat is serious (mostly violence): close to
    # the top, so the household moves before the threat finds it.
    TargetGroup.protected_identity: 800,
    # No weight for being under 25, over 65 or for a psychiatric disability as such:
    # Södertälje's "Barnfamiljer, unga under 25 år och äldre över 65 år samt de fall där
    # misstanke om psykisk ohälsa finns, prioriteras" is the priority of its *outreach on rent
    # debts and disturbances*, not of allocating flats (docs/domain.md §3). A municipality
    # that weighs them sets it in its own policy.
    TargetGroup.young_adult: 0,
    TargetGroup.elderly: 0,
    TargetGroup.psychiatric_disability: 0,
    # Karlstad's roof-over-head guarantee and Housing First (Karlstad, Helsingborg 3:10).
    TargetGroup.housing_first: 500,
    TargetGroup.released_from_prison: 400,
    TargetGroup.substance_recovery: 400,
    # No extra weight for the newly arrived by default: Helsingborg's normaliseringsprincipen,
    # "nyanlända omfattas av samma regler som övriga invånare som saknar bostad". The
    # Settlement Act (2016:38) is a duty with its own figure, which the round's
    # `newly_arrived_min` keeps as a floor; a municipality may still set a weight.
    TargetGroup.newly_arrived: 0,
    # Nynäshamn: households with only economic problems are helped only with children
    # (and then `family_with_children` carries them).
    TargetGroup.economic_only: 100,
}
DEFAULT_URGENCY_WEIGHT: tuple[int, ...] = (0, 500, 1500, 3000)
"""Urgency 0 normal … 3 acute: an acute case outweighs any single target group."""
DEFAULT_WAITING_WEIGHT_PER_30_DAYS = 50
DEFAULT_WAITING_CAP_DAYS = 720
"""Two years: Södertälje's and Norrköping's longest trial periods; waiting beyond that adds
nothing, so a long queue cannot outweigh an acute case."""
DEFAULT_BASE_WEIGHT = 100
"""Every household weighs something: housing anyone beats housing no one."""


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
    return from_weights(row.weights, version=row.version, created_at=row.created_at)


def from_weights(
    weights: dict[str, Any], *, version: int, created_at: datetime | None = None
) -> PolicyWeights:
    """A policy from its stored document (a version's row, or a what-if round's request)."""
    groups = {**DEFAULT_TARGET_GROUP_WEIGHTS, **weights.get("target_group_weights", {})}
    return PolicyWeights(
        version=version,
        target_group_weights=groups,
        urgency_weight=tuple(weights.get("urgency_weight", DEFAULT_URGENCY_WEIGHT)),
        waiting_weight_per_30_days=int(
            weights.get("waiting_weight_per_30_days", DEFAULT_WAITING_WEIGHT_PER_30_DAYS)
        ),
        waiting_cap_days=int(weights.get("waiting_cap_days", DEFAULT_WAITING_CAP_DAYS)),
        base_weight=int(weights.get("base_weight", DEFAULT_BASE_WEIGHT)),
        created_at=created_at,
        economic_only_requires_children=bool(weights.get("economic_only_requires_children", False)),
        min_drug_free_months=int(weights.get("min_drug_free_months", 0)),
        guarantee_terms=tuple(
            Guarantee(
                income=str(g["income"]),
                max_debts=g.get("max_debts"),
                months_of_rent=g.get("months_of_rent"),
            )
            for g in weights.get("guarantee_terms", [])
        ),
        surety_required_for=tuple(weights.get("surety_required_for", [])),
        only_without_own_income=tuple(weights.get("only_without_own_income", [])),
        requires_assessment=bool(weights.get("requires_assessment", False)),
        vacancies_on_request=tuple(weights.get("vacancies_on_request", [])),
        referred_weight=int(weights.get("referred_weight", 0)),
        move_on_weight=int(weights.get("move_on_weight", 0)),
        establishment_notice_months=int(
            weights.get("establishment_notice_months", ESTABLISHMENT_NOTICE_MONTHS)
        ),
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


def household_weight(
    policy: PolicyWeights, household: Household, now: datetime, *, moving_on: bool = False
) -> int:
    """The household's priority weight (a positive integer) under this policy.

    base + Σ weights of its target groups (they add up: a violence-exposed family with
    children weighs both) + the weight of its urgency level + a weight per full 30 days
    waited since `registered_at`, up to the cap + the referred weight for a household a
    network member referred here (Södertälje: Kompotten) + the move-on weight for a household
    `moving_on` from a municipal contract (Helsingborg 3:6: "öka tilldelningen … till dessa
    hushåll").
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
        + (policy.referred_weight if household.referred_by is not None else 0)
        + (policy.move_on_weight if moving_on else 0)
    )
    return max(int(weight), 1)


POLICY_REFUSED = "policy: "

NOT_A_PROBLEM: frozenset[str] = frozenset({"family_with_children"})
"""Target groups that name no problem of their own: children are the rule's second
condition (`children`), not a second problem."""


def economic_only_case(household: Household) -> bool:
    """Nynäshamn's "enbart ekonomiska problem": `economic_only` is the household's only
    problem — any other target group (say `violence_exposed`) makes it more than an
    economic case."""
    groups = set(household.target_groups or ()) - NOT_A_PROBLEM
    return groups == {"economic_only"}


def needs_refusal(policy: PolicyWeights, household: Household) -> str | None:
    """Why the municipality's policy does not accept this household's need for matching
    now, or None. These are decisions about *which needs are accepted* (biståndsbeslut),
    not letting rules of a landlord, so they apply before any vacancy is looked at:

    - Nynäshamn: "De som enbart har ekonomiska problem och inte har barn får alltså
      avslag" — for them "måste det vara en barnfamilj, där barnen annars riskerar att fara
      illa": a case whose *only* problem is economic (`economic_only_case`) is refused unless
      social services assessed its children at risk (`children_at_risk`), not merely
      because it has children;
    - every contract-form condition (app/policies/conditions.py), per form: a household
      waits only when none of the forms it asks for is left — Karlstad's six drug-free
      months for a social contract (one that also asks for Housing First is matched to
      Housing First), its rent guarantee's terms, a surety or an own income where a form
      asks for it. The reason is each refused form's, once.
    - Jönköping: "Innan någon får en lägenhet genom socialtjänsten görs en kartläggning" —
      with `requires_assessment`, a case without a recorded assessment waits
      (`not_assessed`, app/households/assessment.py).
    """
    if policy.requires_assessment and not is_assessed(household):
        return NOT_ASSESSED
    if (
        policy.economic_only_requires_children
        and economic_only_case(household)
        and not (household.children > 0 and household.children_at_risk)
    ):
        return POLICY_REFUSED + "economic-only case without children at risk"
    if household.contract_forms and not policy_contract_forms(policy, household):
        reasons = dict.fromkeys(form_refusals(policy, household).values())
        return POLICY_REFUSED + "; ".join(reasons)
    return None


def forms_left(policy: PolicyWeights, household: Household) -> tuple[str, ...]:
    """The contract forms the policy lets the household take now, as every problem a round
    builds carries them: none while the policy refuses the household (`needs_refusal`),
    else those its conditions leave (`policy_contract_forms`). So the candidates view,
    judging the household's cut-down problem, fails every vacancy on `contract_form`
    exactly when the round leaves the household unmatched with the policy's reason."""
    if needs_refusal(policy, household) is not None:
        return ()
    return policy_contract_forms(policy, household)


def _own_municipality(session: Session, principal: Principal, code: str) -> None:
    if (
        municipality_of(principal) is None
        or municipalities.get_for(session, principal, code) is None
    ):
        raise NotFound("No such municipality.")


def establishment_notice_of(session: Session, principal: Principal) -> int:
    """The caller's municipality's notice before an establishment period ends (its
    policy's `establishment_notice_months`; the default without a municipality)."""
    code = municipality_of(principal)
    if code is None:
        return DEFAULT_POLICY.establishment_notice_months
    return current_policy(session, code).establishment_notice_months


def get_policy(session: Session, *, principal: Principal, code: str) -> PolicyWeights:
    """The policy in force in the caller's own municipality."""
    _own_municipality(session, principal, code)
    return current_policy(session, code)


def weights_of(data: PolicyInput) -> dict[str, Any]:
    """A policy body as the document a version stores (and a what-if round carries)."""
    given = data.target_group_weights.model_dump(exclude_none=True)
    return {
        "target_group_weights": {**DEFAULT_TARGET_GROUP_WEIGHTS, **given},
        "urgency_weight": list(data.urgency_weight),
        "waiting_weight_per_30_days": data.waiting_weight_per_30_days,
        "waiting_cap_days": data.waiting_cap_days,
        "base_weight": data.base_weight,
        "economic_only_requires_children": data.economic_only_requires_children,
        "min_drug_free_months": data.min_drug_free_months,
        "guarantee_terms": [
            Guarantee(g.income.value, g.max_debts, g.months_of_rent).to_json()
            for g in data.guarantee_terms
        ],
        "surety_required_for": [form.value for form in data.surety_required_for],
        "only_without_own_income": [form.value for form in data.only_without_own_income],
        "requires_assessment": data.requires_assessment,
        "vacancies_on_request": [form.value for form in data.vacancies_on_request],
        "referred_weight": data.referred_weight,
        "move_on_weight": data.move_on_weight,
        "establishment_notice_months": data.establishment_notice_months,
    }


def put_policy(
    session: Session, *, principal: Principal, code: str, data: PolicyInput
) -> tuple[PolicyWeights, bool]:
    """Store a new version unless it equals the one in force; returns it and whether a
    version was created. Two racing PUTs cannot both take the next version number: the
    unique (municipality, version) constraint turns the loser into a 409."""
    _own_municipality(session, principal, code)
    in_force = current_policy(session, code)
    weights = weights_of(data)
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
