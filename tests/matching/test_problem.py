"""The documented JSON formats: round trips and clear errors naming the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from matching import Problem, ProblemError, Solution, solve

FIXTURE = Path(__file__).parent / "fixtures" / "format_example.json"


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_the_documented_example_round_trips() -> None:
    p = Problem.from_json(example())
    again = Problem.from_json(json.loads(json.dumps(p.to_json())))
    assert again == p
    assert p.household("H0001").income.income_support == 9500


def test_the_move_chain_fields_are_optional_and_round_trip() -> None:
    """Helsingborg 3:5 and 3:6: a landlord's qualified-only exception places, the landlords
    a household qualifies at, a flat outside the quota. Absent, they take their defaults,
    and a problem that does not use them is written exactly as before."""
    data = example()
    p = Problem.from_json(data)
    assert not p.landlords[0].exception_qualification
    assert p.households[0].exception_qualified == ()
    assert p.vacancies[0].quota_apartment
    assert p.to_json() == Problem.from_json(json.loads(json.dumps(p.to_json()))).to_json()
    assert "exception_qualification" not in p.to_json()["landlords"][0]
    landlord = data["landlords"][0]["id"]
    data["landlords"][0]["exception_qualification"] = True
    data["households"][0]["exception_qualified"] = [landlord]
    data["vacancies"][0]["quota_apartment"] = False
    chained = Problem.from_json(data)
    assert chained.landlords[0].exception_qualification
    assert chained.households[0].exception_qualified == (landlord,)
    assert not chained.vacancies[0].quota_apartment
    assert Problem.from_json(json.loads(json.dumps(chained.to_json()))) == chained


def test_a_solution_round_trips() -> None:
    s = solve(Problem.from_json(example()))
    doc = s.to_json()
    assert doc["format"] == "matching-solution/1"
    assert Solution.from_json(json.loads(json.dumps(doc))).to_json() == doc


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.pop("households"), "households"),
        (lambda d: d["households"][0].pop("weight"), "households[0].weight"),
        (lambda d: d["households"][1].update(weight=0), "households[1].weight"),
        (
            lambda d: d["households"][0]["income"].update(salary="lots"),
            "households[0].income.salary",
        ),
        (lambda d: d["vacancies"][0].update(rooms=2.5), "vacancies[0].rooms"),
        (lambda d: d["vacancies"][0].update(elevator="yes"), "vacancies[0].elevator"),
        (lambda d: d["vacancies"][1].update(landlord="L99"), "vacancies[1].landlord"),
        (lambda d: d["vacancies"][1].update(id="V0001"), "vacancies[1].id"),
        (lambda d: d["landlords"][0].update(kind="cooperative"), "landlords[0].kind"),
        (lambda d: d["landlords"][0].update(colour="red"), "landlords[0].colour"),
        (
            lambda d: d["landlords"][0]["contract_forms"].append("castle"),
            "landlords[0].contract_forms[3]",
        ),
        (lambda d: d["areas"][0].update(cap=-1), "areas[0].cap"),
        (lambda d: d.update(format="matching-problem/2"), "format"),
        (lambda d: d.update(pinned=[["H0001"]]), "pinned[0]"),
        (lambda d: d.update(forbidden=[["H0009", "V0001"]]), "forbidden[0][0]"),
        (lambda d: d["households"][0].update(employment="sometimes"), "households[0].employment"),
        (lambda d: d["households"][0].update(avoid_areas=["A99"]), "households[0].avoid_areas[0]"),
        (
            lambda d: d["households"][0].update(exception_qualified=["L99"]),
            "households[0].exception_qualified[0]",
        ),
        (
            lambda d: d["landlords"][0].update(exception_qualification="yes"),
            "landlords[0].exception_qualification",
        ),
        (lambda d: d["vacancies"][0].update(quota_apartment=0), "vacancies[0].quota_apartment"),
    ],
)
def test_a_malformed_problem_is_rejected_naming_the_field(mutate: Any, path: str) -> None:
    data = copy.deepcopy(example())
    mutate(data)
    with pytest.raises(ProblemError) as info:
        Problem.from_json(data)
    assert str(info.value).startswith(path + ":"), str(info.value)
    assert info.value.path == path


def test_a_document_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ProblemError):
        Problem.from_json([1, 2, 3])
