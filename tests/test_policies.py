"""Priority policy: per municipality, versioned, with defaults that follow the sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.households.models import Household
from app.policies.conditions import SOCIAL_CONTRACT_FORMS, policy_contract_forms
from app.policies.service import DEFAULT_POLICY, household_weight, needs_refusal
from app.policies.weights import Guarantee
from tests.conftest import Api

PROBLEM = "application/problem+json"
GROUPS = (
    "violence_exposed",
    "protected_identity",
    "newly_arrived",
    "substance_recovery",
    "psychiatric_disability",
    "family_with_children",
    "young_adult",
    "elderly",
    "released_from_prison",
    "economic_only",
    "housing_first",
)


@pytest.fixture
def coordinator(api: Api) -> TestClient:
    api.municipality("0181")
    return api.client("coordinator", municipality="0181")


def test_without_a_stored_policy_the_defaults_are_version_0(coordinator: TestClient) -> None:
    response = coordinator.get("/v1/municipalities/0181/policy")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == 0
    assert body["created_at"] is None
    assert set(body["target_group_weights"]) == set(GROUPS)
    assert body["base_weight"] >= 1
    assert len(body["urgency_weight"]) == 4


def test_defaults_put_womens_peace_and_childrens_cases_first(coordinator: TestClient) -> None:
    """Jönköping: "kvinnofrids- och barnärenden prioriteras". Södertälje's list (under 25,
    over 65, suspected mental illness) is the priority of its outreach on rent debts, not of
    allocation: no weight as such; the newly arrived none either (Helsingborg: "nyanlända
    omfattas av samma regler som övriga invånare som saknar bostad")."""
    weights = coordinator.get("/v1/municipalities/0181/policy").json()["target_group_weights"]
    top = max(weights.values())
    assert weights["violence_exposed"] == weights["family_with_children"] == top
    for group in ("young_adult", "elderly", "psychiatric_disability", "newly_arrived"):
        assert weights[group] == 0, group


def test_put_creates_a_new_version_each_change_and_the_newest_is_in_force(
    coordinator: TestClient,
) -> None:
    first = coordinator.put(
        "/v1/municipalities/0181/policy",
        json={"target_group_weights": {"elderly": 2000}, "base_weight": 10},
    )
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1
    assert first.json()["target_group_weights"]["elderly"] == 2000
    # Groups left out keep their defaults.
    assert (
        first.json()["target_group_weights"]["violence_exposed"]
        == DEFAULT_POLICY.target_group_weights["violence_exposed"]
    )
    same = coordinator.put(
        "/v1/municipalities/0181/policy",
        json={"target_group_weights": {"elderly": 2000}, "base_weight": 10},
    )
    assert same.status_code == 200
    assert same.json()["version"] == 1
    second = coordinator.put("/v1/municipalities/0181/policy", json={"base_weight": 20})
    assert second.status_code == 201
    assert second.json()["version"] == 2
    now = coordinator.get("/v1/municipalities/0181/policy")
    assert now.json()["version"] == 2
    assert now.json()["base_weight"] == 20
    assert now.headers["ETag"] == '"2"'


def test_social_services_read_but_cannot_change_the_policy(api: Api) -> None:
    api.municipality("0181")
    social = api.client("social_services", municipality="0181")
    assert social.get("/v1/municipalities/0181/policy").status_code == 200
    response = social.put("/v1/municipalities/0181/policy", json={})
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


def test_another_municipalitys_policy_is_404(api: Api, coordinator: TestClient) -> None:
    api.municipality("0680")
    for response in (
        coordinator.get("/v1/municipalities/0680/policy"),
        coordinator.put("/v1/municipalities/0680/policy", json={}),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
    landlord = api.client("landlord", landlord=api.landlord())
    assert landlord.get("/v1/municipalities/0181/policy").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"surprise": 1},
        {"target_group_weights": {"astronauts": 5}},
        {"target_group_weights": {"elderly": 10_001}},
        {"target_group_weights": {"elderly": -1}},
        {"target_group_weights": {"elderly": "5"}},
        {"target_group_weights": {"elderly": True}},
        {"urgency_weight": [0, 1, 2]},
        {"urgency_weight": [0, 1, 2, 3, 4]},
        {"base_weight": 0},
        {"waiting_cap_days": 10**30},
        {"waiting_weight_per_30_days": 1.5},
    ],
)
def test_invalid_policies_are_422_and_store_nothing(
    coordinator: TestClient, body: dict[str, Any]
) -> None:
    response = coordinator.put("/v1/municipalities/0181/policy", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert coordinator.get("/v1/municipalities/0181/policy").json()["version"] == 0


def _household(**fields: Any) -> Household:
    values: dict[str, Any] = {
        "target_groups": [],
        "urgency": 0,
        "registered_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return Household(**values)


def test_household_weight_adds_groups_urgency_and_capped_waiting() -> None:
    policy = DEFAULT_POLICY
    now = datetime(2026, 1, 1, tzinfo=UTC)
    plain = household_weight(policy, _household(), now)
    assert plain == policy.base_weight
    family = household_weight(
        policy, _household(target_groups=["violence_exposed", "family_with_children"]), now
    )
    assert family == policy.base_weight + 2 * policy.target_group_weights["violence_exposed"]
    acute = household_weight(policy, _household(urgency=3), now)
    assert acute == policy.base_weight + policy.urgency_weight[3]
    waited = household_weight(policy, _household(), now + timedelta(days=95))
    assert waited == policy.base_weight + 3 * policy.waiting_weight_per_30_days
    forever = household_weight(policy, _household(), now + timedelta(days=10_000))
    assert forever == policy.base_weight + policy.waiting_weight_per_30_days * (
        policy.waiting_cap_days // 30
    )
    # A registration in the future never lowers the weight below the base.
    assert household_weight(policy, _household(), now - timedelta(days=60)) == plain


KARLSTAD = replace(DEFAULT_POLICY, min_drug_free_months=6)
NYNASHAMN = replace(DEFAULT_POLICY, economic_only_requires_children=True)


def test_the_drug_free_minimum_never_applies_to_housing_first() -> None:
    """Karlstad: 'För att någon ska få ett socialt eller bostadssocialt kontrakt krävs minst
    sex månaders drogfrihet', while 'Bostad först' asks only weekly contact 'och att
    hyreslagen följs': with 0 drug-free months a household keeps Housing First and loses
    the social contracts; asking for Housing First alone, it is not refused at all."""
    assert "housing_first" not in SOCIAL_CONTRACT_FORMS
    both = _household(drug_free_months=0, contract_forms=["municipal_contract", "housing_first"])
    assert policy_contract_forms(KARLSTAD, both) == ("housing_first",)
    assert needs_refusal(KARLSTAD, both) is None
    only_hf = _household(drug_free_months=0, contract_forms=["housing_first"])
    assert policy_contract_forms(KARLSTAD, only_hf) == ("housing_first",)
    assert needs_refusal(KARLSTAD, only_hf) is None


def test_the_drug_free_minimum_refuses_a_household_asking_only_for_social_contracts() -> None:
    """Karlstad: a social contract waits for six drug-free months; a household asking for
    nothing else is reported with the policy's reason. Six months, or none known (null: not
    applicable), keep every form."""
    social = ["municipal_contract", "training_apartment"]
    early = _household(drug_free_months=3, contract_forms=social)
    assert policy_contract_forms(KARLSTAD, early) == ()
    assert needs_refusal(KARLSTAD, early) == "policy: fewer than 6 drug-free months"
    for months in (6, None):
        ready = _household(drug_free_months=months, contract_forms=social)
        assert policy_contract_forms(KARLSTAD, ready) == tuple(social)
        assert needs_refusal(KARLSTAD, ready) is None
    assert policy_contract_forms(DEFAULT_POLICY, early) == tuple(social)


def test_nynashamn_refuses_only_cases_whose_only_problem_is_economic() -> None:
    """Nynäshamn: 'De som enbart har ekonomiska problem och inte har barn får alltså
    avslag' — `economic_only` alone without children is refused; with any other target
    group (exposed to violence, say) the case is more than economic and is not."""
    forms = ["municipal_contract"]
    alone = _household(target_groups=["economic_only"], children=0, contract_forms=forms)
    assert needs_refusal(NYNASHAMN, alone) == "policy: economic-only case without children at risk"
    violence = _household(
        target_groups=["economic_only", "violence_exposed"], children=0, contract_forms=forms
    )
    assert needs_refusal(NYNASHAMN, violence) is None
    family = _household(
        target_groups=["economic_only", "family_with_children"], children=2, contract_forms=forms
    )
    # "måste det vara en barnfamilj, där barnen annars riskerar att fara illa": children
    # alone are not enough, social services' assessment that they are at risk is.
    assert needs_refusal(NYNASHAMN, family) == (
        "policy: economic-only case without children at risk"
    )
    at_risk = _household(
        target_groups=["economic_only", "family_with_children"],
        children=2,
        children_at_risk=True,
        contract_forms=forms,
    )
    assert needs_refusal(NYNASHAMN, at_risk) is None


KARLSTAD_GUARANTEES = replace(
    DEFAULT_POLICY,
    guarantee_terms=(
        Guarantee("income_support", max_debts=10_000, months_of_rent=3),
        Guarantee("own_income"),
    ),
)
GUARANTEED = ["first_hand_with_guarantee", "municipal_contract"]


def test_a_guaranteed_first_hand_lease_needs_a_granted_guarantee() -> None:
    """DOMAIN §5 / Karlstad's 'Hyresgarantier': `first_hand_with_guarantee` is an own lease
    with the municipality's rent guarantee — without one granted, the form is not offered,
    under any policy; the household keeps its other forms."""
    none = _household(municipal_guarantee=False, contract_forms=GUARANTEED)
    assert policy_contract_forms(DEFAULT_POLICY, none) == ("municipal_contract",)
    alone = _household(municipal_guarantee=False, contract_forms=["first_hand_with_guarantee"])
    assert needs_refusal(DEFAULT_POLICY, alone) == "policy: no rent guarantee granted"
    granted = _household(municipal_guarantee=True, contract_forms=GUARANTEED)
    assert policy_contract_forms(DEFAULT_POLICY, granted) == tuple(GUARANTEED)


def test_karlstad_guarantee_is_for_income_support_with_debts_up_to_10000() -> None:
    """Karlstad: 'Garantin omfattar klienter som får försörjningsstöd och som inte har
    skulder som uppgår till mer än 10 000 kronor' — a guaranteed household on income
    support with 10 000 SEK debts keeps the form, with 10 001 it does not; the municipal
    guarantee 'till personer som har egen inkomst' has no debt limit."""
    support = {"income_support": 8000}
    at_limit = _household(
        municipal_guarantee=True, income=support, debts=10_000, contract_forms=GUARANTEED
    )
    assert policy_contract_forms(KARLSTAD_GUARANTEES, at_limit) == tuple(GUARANTEED)
    over = _household(
        municipal_guarantee=True, income=support, debts=10_001, contract_forms=GUARANTEED
    )
    assert policy_contract_forms(KARLSTAD_GUARANTEES, over) == ("municipal_contract",)
    over_only = _household(
        municipal_guarantee=True,
        income=support,
        debts=25_000,
        contract_forms=["first_hand_with_guarantee"],
    )
    assert needs_refusal(KARLSTAD_GUARANTEES, over_only) == (
        "policy: debts above the rent guarantee's limit"
    )
    earner = _household(
        municipal_guarantee=True,
        income={"salary": 15_000},
        debts=40_000,
        payment_remarks=True,
        contract_forms=GUARANTEED,
    )
    assert policy_contract_forms(KARLSTAD_GUARANTEES, earner) == tuple(GUARANTEED)
    nothing = _household(municipal_guarantee=True, income={}, contract_forms=GUARANTEED)
    assert policy_contract_forms(KARLSTAD_GUARANTEES, nothing) == ("municipal_contract",)


def test_vasteras_support_agreement_only_with_the_municipal_surety() -> None:
    """Västerås: the support agreement is 'ett eget kontrakt med kommunal borgen' — where
    the policy says so, it is offered only with the surety granted."""
    vasteras = replace(DEFAULT_POLICY, surety_required_for=("support_agreement",))
    forms = ["training_apartment", "support_agreement"]
    without = _household(municipal_guarantee=False, contract_forms=forms)
    assert policy_contract_forms(vasteras, without) == ("training_apartment",)
    assert policy_contract_forms(DEFAULT_POLICY, without) == tuple(forms)
    with_surety = _household(municipal_guarantee=True, contract_forms=forms)
    assert policy_contract_forms(vasteras, with_surety) == tuple(forms)
    only = _household(municipal_guarantee=False, contract_forms=["support_agreement"])
    assert needs_refusal(vasteras, only) == "policy: support_agreement needs the municipal surety"


def test_norrkoping_short_term_is_for_households_without_income_with_surety() -> None:
    """Norrköping: 'För personer som saknar inkomst tecknas tremånaderskontrakt utan
    besittningsskydd, där kommunen går in med en form av kommunal borgen' — no own income
    (income support is not one) and the municipal surety granted."""
    norrkoping = replace(
        DEFAULT_POLICY,
        surety_required_for=("short_term",),
        only_without_own_income=("short_term",),
    )
    forms = ["short_term", "municipal_contract"]
    for income in ({}, {"income_support": 7000, "housing_allowance": 1000}):
        fits = _household(municipal_guarantee=True, income=income, contract_forms=forms)
        assert policy_contract_forms(norrkoping, fits) == tuple(forms)
    earner = _household(municipal_guarantee=True, income={"salary": 9000}, contract_forms=forms)
    assert policy_contract_forms(norrkoping, earner) == ("municipal_contract",)
    unsecured = _household(municipal_guarantee=False, income={}, contract_forms=forms)
    assert policy_contract_forms(norrkoping, unsecured) == ("municipal_contract",)
    only = _household(municipal_guarantee=False, income={}, contract_forms=["short_term"])
    assert needs_refusal(norrkoping, only) == "policy: short_term needs the municipal surety"


def test_contract_form_conditions_are_part_of_the_versioned_policy(api: Api) -> None:
    """Karlstad's guarantee terms, Västerås' surety and Norrköping's 'saknar inkomst' are
    stored in a new policy version and read back; junk is 422."""
    api.municipality("1780")
    coordinator = api.client("coordinator", municipality="1780")
    path = "/v1/municipalities/1780/policy"
    default = coordinator.get(path).json()
    assert default["guarantee_terms"] == []
    assert default["surety_required_for"] == default["only_without_own_income"] == []
    body = {
        "guarantee_terms": [
            {"income": "income_support", "max_debts": 10000, "months_of_rent": 3},
            {"income": "own_income"},
        ],
        "surety_required_for": ["support_agreement", "short_term"],
        "only_without_own_income": ["short_term"],
    }
    stored = coordinator.put(path, json=body)
    assert stored.status_code == 201, stored.text
    now = coordinator.get(path).json()
    assert now["guarantee_terms"] == [
        {"income": "income_support", "max_debts": 10000, "months_of_rent": 3},
        {"income": "own_income", "max_debts": None, "months_of_rent": None},
    ]
    assert now["surety_required_for"] == ["support_agreement", "short_term"]
    assert coordinator.put(path, json=body).status_code == 200
    for junk in (
        {"guarantee_terms": [{"income": "lottery"}]},
        {"surety_required_for": ["short_term", "short_term"]},
        {"only_without_own_income": ["castle"]},
    ):
        refused = coordinator.put(path, json=junk)
        assert refused.status_code == 422, junk
        assert refused.headers["content-type"] == PROBLEM
