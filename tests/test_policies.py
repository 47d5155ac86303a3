"""Priority policy: per municipality, versioned, with defaults that follow the sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.households.models import Household
from app.policies.service import (
    DEFAULT_POLICY,
    SOCIAL_CONTRACT_FORMS,
    household_weight,
    needs_refusal,
    policy_contract_forms,
)
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
    """Jönköping: "kvinnofrids- och barnärenden prioriteras"; then Södertälje's families
    with children, under 25, over 65 and suspected mental illness."""
    weights = coordinator.get("/v1/municipalities/0181/policy").json()["target_group_weights"]
    top = max(weights.values())
    assert weights["violence_exposed"] == weights["family_with_children"] == top
    others = {
        g: w for g, w in weights.items() if g not in ("violence_exposed", "family_with_children")
    }
    for group in ("young_adult", "elderly", "psychiatric_disability"):
        assert weights[group] < top
        assert weights[group] >= max(
            w for g, w in others.items() if g not in ("protected_identity",)
        )
    assert weights["economic_only"] == min(weights.values())


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
    assert needs_refusal(NYNASHAMN, alone) == "policy: economic-only case without children"
    violence = _household(
        target_groups=["economic_only", "violence_exposed"], children=0, contract_forms=forms
    )
    assert needs_refusal(NYNASHAMN, violence) is None
    family = _household(
        target_groups=["economic_only", "family_with_children"], children=2, contract_forms=forms
    )
    assert needs_refusal(NYNASHAMN, family) is None
