"""Every enumerated code the service publishes or reads is one of app/vocabulary.py: the
OpenAPI document's enums, the solver's format (its docs, its example, what its generator
writes, the copies `matching/` keeps so that it needs nothing of `app`), and the scenario
schema and files. Each walk is also shown to catch a stray value in a synthetic document."""

from __future__ import annotations

import ast
import dataclasses
import enum
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, get_args

import pytest

import matching
from app import vocabulary
from app.agreements.models import Agreement
from app.agreements.schemas import AgreementRead, AgreementUpsert
from app.auth import Role
from app.dashboard import labels as dashboard_labels
from app.dashboard import service as dashboard
from app.households.schemas import HouseholdRead
from app.policies.schemas import TargetGroupWeights, TargetGroupWeightsInput
from app.policies.service import DEFAULT_TARGET_GROUP_WEIGHTS
from app.scenarios.schema import Scenario
from app.vocabulary import (
    AWAITING_ANSWER,
    ELIGIBILITY_RULES,
    LETTING_RULES,
    SOLUTION_STATUSES,
    AgreementBasis,
    ContractForm,
    DeclineReason,
    DisturbanceCode,
    Employment,
    GuaranteeIncome,
    GuaranteeKind,
    HouseholdDeclineReason,
    IncidentReason,
    LandlordDeclineReason,
    LandlordKind,
    LiftableRequirement,
    Pacing,
    PreventionGroup,
    QuotaShareOf,
    RemarkEffect,
    SignalBasis,
    SignalKind,
    SupportNeed,
    TargetGroup,
)
from matching import eligibility, generate, problem
from matching.generate import TARGET_WEIGHTS
from matching.problem import CONTRACT_FORMS, EMPLOYMENTS, LANDLORD_KINDS, STATUSES, TARGET_GROUPS

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "openapi" / "openapi.json"
FORMAT_DOC = ROOT / "docs" / "matching-format.md"
FORMAT_EXAMPLE = ROOT / "tests" / "matching" / "fixtures" / "format_example.json"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.json"))

Codes = frozenset[str]


def _is_vocabulary(value: object) -> bool:
    """An enum of codes, or a tuple of code strings (the letting rules, the solver's rules)."""
    if isinstance(value, type):
        return issubclass(value, enum.StrEnum) and value is not enum.StrEnum
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, str) for v in value)


def _vocabularies() -> dict[str, Codes]:
    """Every vocabulary by name: the enums and code tuples of app/vocabulary.py, and the
    roles, which app/auth.py declares beside the principal that carries them."""
    found: dict[str, Codes] = {"Role": frozenset(Role)}
    for name, value in vars(vocabulary).items():
        if _is_vocabulary(value):
            found[name] = frozenset(value)
    found["DerivedField"] = frozenset(get_args(vocabulary.DerivedField))
    return found


VOCABULARIES = _vocabularies()


# --------------------------------------------------------------------------- schemas' enums


def stray_enums(schema: Any, path: str = "") -> list[str]:
    """Every `enum` of a JSON schema (or an OpenAPI document) that is not a subset of one
    vocabulary, by its path. HTTP headers' values (`no-store`) are the protocol's, not the
    domain's, and are left out."""
    stray: list[str] = []
    if isinstance(schema, Mapping):
        values = schema.get("enum")
        if isinstance(values, list) and not any(
            set(values) <= codes for codes in VOCABULARIES.values()
        ):
            stray.append(f"{path}: {values}")
        for key, child in schema.items():
            if key != "headers":
                stray += stray_enums(child, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, child in enumerate(schema):
            stray += stray_enums(child, f"{path}/{i}")
    return stray


def test_every_enum_of_the_openapi_document_is_a_vocabulary() -> None:
    assert stray_enums(json.loads(OPENAPI.read_text(encoding="utf-8"))) == []


def test_every_enum_of_the_scenario_schema_is_a_vocabulary() -> None:
    assert stray_enums(Scenario.model_json_schema()) == []


def test_an_enum_with_a_value_outside_the_vocabulary_is_caught() -> None:
    document = {
        "components": {
            "schemas": {
                "VacancyStatus": {"enum": ["open", "proposed", "let", "ajar"]},
                "TargetGroup": {"enum": [*TargetGroup]},
            }
        }
    }
    assert stray_enums(document) == [
        "/components/schemas/VacancyStatus: ['open', 'proposed', 'let', 'ajar']"
    ]


# --------------------------------------------------------------------------- coded documents

CODED: dict[str, Codes] = {
    # A landlord's kind, a household's guarantee's (`need.guarantee.kind`), or a prevention
    # signal's (issue 25); an agreement's basis or a signal's legal basis.
    "kind": frozenset(LandlordKind) | frozenset(GuaranteeKind) | frozenset(SignalKind),
    "guarantee": frozenset(GuaranteeKind),
    "accepted_guarantees": frozenset(GuaranteeKind),
    "rent_guarantee": frozenset(LiftableRequirement),
    "municipal_surety": frozenset(LiftableRequirement),
    "municipality_tenant_forms": frozenset(ContractForm),
    "basis": frozenset(AgreementBasis) | frozenset(SignalBasis),
    "of": frozenset(QuotaShareOf),
    "vacancies_on_request": frozenset(ContractForm),
    "accepted_target_groups": frozenset(TargetGroup),
    # A prevention signal's kinds and basis (issue 25).
    "kinds": frozenset(SignalKind),
    "disturbance": frozenset(DisturbanceCode),
    "priority_groups": frozenset(PreventionGroup),
    "contract_forms": frozenset(ContractForm),
    "contract_form": frozenset(ContractForm),
    "surety_required_for": frozenset(ContractForm),
    "only_without_own_income": frozenset(ContractForm),
    "target_groups": frozenset(TargetGroup),
    "employment": frozenset(Employment),
    "support": frozenset(SupportNeed),
    "pacing": frozenset(Pacing),
    "income": frozenset(GuaranteeIncome),
    "remark_effect": frozenset(RemarkEffect),
    "blocking_reports": frozenset(IncidentReason),
}
"""Keys whose string values (or list of them) are codes of one vocabulary."""
CODED_KEYS: dict[str, Codes] = {
    "target_group_weights": frozenset(TargetGroup),
    "tenancy_terms": frozenset(ContractForm),
    "failed": frozenset(ELIGIBILITY_RULES),
    "guarantee_lifts": frozenset(GuaranteeKind),
}
"""Keys whose value is an object keyed by the codes of one vocabulary."""
FREE = frozenset(
    {
        # identifiers and references to them
        "id", "key", "municipality", "landlord", "vacancy", "household", "area", "areas",
        "excluded_areas", "avoid_areas", "preferred_areas", "mandates", "exception_qualified",
        "forbidden", "pinned", "unit", "org_number", "case_ref", "registered_at",
        # words for people, and where a figure comes from
        "name", "title", "exercises", "source", "sources", "reason", "format",
        # a prevention signal's flat and the day of the tenant's consent
        "external_ref", "address", "consent_on",
    }
)  # fmt: skip
"""Keys whose strings are not codes: ids, names, sources, free text."""


def stray_codes(document: Any, path: str = "", key: str | None = None) -> Iterator[str]:
    """Every string of a scenario or solver document that is not a code of the vocabulary
    its key names, and every string under a key that is neither coded nor free (a new coded
    field must be declared in the vocabulary before a document may use it)."""
    if isinstance(document, Mapping):
        codes = CODED_KEYS.get(key or "")
        for child_key, child in document.items():
            if codes is not None and child_key not in codes:
                yield f"{path}: {child_key}"
            yield from stray_codes(child, f"{path}.{child_key}", child_key)
    elif isinstance(document, list):
        for i, child in enumerate(document):
            yield from stray_codes(child, f"{path}[{i}]", key)
    elif isinstance(document, str):
        if key in CODED:
            if document not in CODED[key]:
                yield f"{path}: {document}"
        elif key not in FREE:
            yield f"{path}: {document} (key {key!r} is neither coded nor free)"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_code_of_a_scenario_file_is_in_the_vocabulary(path: Path) -> None:
    assert list(stray_codes(json.loads(path.read_text(encoding="utf-8")))) == []


def test_a_stray_code_in_a_scenario_is_caught() -> None:
    scenario = {
        "landlords": [{"key": "mimer", "kind": "cooperative", "agreement": {"pacing": "even"}}],
        "policy": {"policy": {"target_group_weights": {"elderly": 5, "students": 9}}},
        "households": [{"need": {"target_groups": ["elderly"], "tenure": "lodger"}}],
    }
    assert list(stray_codes(scenario)) == [
        ".landlords[0].kind: cooperative",
        ".policy.policy.target_group_weights: students",
        ".households[0].need.tenure: lodger (key 'tenure' is neither coded nor free)",
    ]


# --------------------------------------------------------------------------- the solver's format


def _json_blocks(markdown: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", markdown, re.S)]


def _codes_in(text: str) -> list[str]:
    return re.findall(r"`([a-z_]+)`", text)


def stray_problem_codes(document: Mapping[str, Any]) -> list[str]:
    """Stray codes of a `matching-problem/1` or `matching-solution/1` document; a
    solution's `status` is the solver's own vocabulary."""
    if document.get("format") != problem.SOLUTION_FORMAT:
        return list(stray_codes(document))
    status = document["status"]
    rest = {key: value for key, value in document.items() if key not in {"status", "stats"}}
    stray = [] if status in SOLUTION_STATUSES else [f"status: {status}"]
    return stray + list(stray_codes(rest))


def test_the_format_docs_examples_use_only_vocabulary_codes() -> None:
    problem_doc, solution_doc = _json_blocks(FORMAT_DOC.read_text(encoding="utf-8"))
    assert stray_problem_codes(problem_doc) == []
    assert stray_problem_codes(solution_doc) == []
    assert list(problem_doc["landlords"][0])[5:12] == list(LETTING_RULES)


def test_the_format_docs_list_the_vocabularies_in_full_and_in_order() -> None:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    forms = text.split("Contract forms, in the order of the staircase:")[1].split("Target")[0]
    groups = text.split("Target\ngroups:")[1].split("\n\n")[0]
    rules = text.split("| code | the pair fails when |")[1].split("\n\n")[0]
    rows = {
        match[0]: _codes_in(match[1])
        for match in re.findall(r"^\| `([^`]+)`[^|]* \| (.*) \|$", text, re.M)
    }
    assert _codes_in(forms) == list(ContractForm)
    assert _codes_in(groups) == list(TargetGroup)
    assert [line.split("`")[1] for line in rules.strip().splitlines()[1:]] == list(
        ELIGIBILITY_RULES
    )
    assert rows["landlords[].kind"] == list(LandlordKind)
    assert rows["households[].employment"] == list(Employment)
    assert set(SOLUTION_STATUSES) <= set(rows["status"])


def test_the_format_example_and_a_generated_problem_use_only_vocabulary_codes() -> None:
    example = json.loads(FORMAT_EXAMPLE.read_text(encoding="utf-8"))
    generated = generate.generate(households=60, vacancies=30, seed=7).to_json()
    assert stray_problem_codes(example) == []
    assert stray_problem_codes(generated) == []


def test_a_stray_code_in_a_solver_document_is_caught() -> None:
    problem_doc, solution_doc = _json_blocks(FORMAT_DOC.read_text(encoding="utf-8"))
    problem_doc["households"][0]["target_groups"] = ["family_with_children", "students"]
    solution_doc["status"] = "good_enough"
    solution_doc["unmatched"][0]["failed"] = {"rooms": 4, "parking": 1}
    assert stray_problem_codes(problem_doc) == [".households[0].target_groups[1]: students"]
    assert stray_problem_codes(solution_doc) == [
        "status: good_enough",
        ".unmatched[0].failed: parking",
    ]


def test_the_solvers_copies_equal_the_vocabulary() -> None:
    """`matching/` imports nothing of `app`: its own tuples must stay the vocabulary's."""
    assert list(CONTRACT_FORMS) == list(ContractForm)
    assert list(TARGET_GROUPS) == list(TargetGroup)
    assert list(LANDLORD_KINDS) == list(LandlordKind)
    assert list(EMPLOYMENTS) == list(Employment)
    assert STATUSES == SOLUTION_STATUSES
    assert matching.RULES == ELIGIBILITY_RULES
    assert ContractForm.training_apartment == eligibility.TRAINING_APARTMENT
    fields = [f.name for f in dataclasses.fields(matching.Landlord)]
    start = fields.index(LETTING_RULES[0])
    assert fields[start : start + len(LETTING_RULES)] == list(LETTING_RULES)
    assert set(TARGET_WEIGHTS) == set(TargetGroup)
    assert set(generate.FORMS_PUBLIC) | set(generate.FORMS_PRIVATE) <= set(ContractForm)


# --------------------------------------------------------------------------- readers


def test_the_letting_rules_are_the_agreements_fields_in_order() -> None:
    for fields in (
        list(AgreementUpsert.model_fields),
        list(AgreementRead.model_fields),
        [column.key for column in Agreement.__table__.columns],
    ):
        start = fields.index(LETTING_RULES[0])
        assert fields[start : start + len(LETTING_RULES)] == list(LETTING_RULES)
    defaults = AgreementUpsert.model_fields
    assert {rule: defaults[rule].default for rule in LETTING_RULES} == (
        vocabulary.PERMISSIVE_LETTING_RULES
    )


def test_every_target_group_has_a_weight_and_a_label() -> None:
    groups = list(TargetGroup)
    assert list(TargetGroupWeights.model_fields) == groups
    assert list(TargetGroupWeightsInput.model_fields) == groups
    assert set(DEFAULT_TARGET_GROUP_WEIGHTS) == set(groups)
    assert set(dashboard_labels.TARGET_GROUPS) == set(groups)
    assert set(dashboard.AWAITING) == set(AWAITING_ANSWER)


def test_a_decline_reason_is_one_of_either_side() -> None:
    either_side: set[str] = {*LandlordDeclineReason, *HouseholdDeclineReason}
    assert set(DeclineReason) == either_side


def test_the_derived_fields_are_the_households() -> None:
    schema = HouseholdRead.model_json_schema()
    derived = schema["properties"]["defaults_applied"]["items"]["enum"]
    assert derived == list(get_args(vocabulary.DerivedField))


def test_the_vocabulary_imports_nothing_of_the_service() -> None:
    """The ground floor: any room may read it, so it may read no room."""
    tree = ast.parse((ROOT / "app" / "vocabulary.py").read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert [name for name in imported if name and name.split(".")[0] in {"app", "matching"}] == []
