"""Shared builders for the matching tests: small hand-made problems."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from matching.problem import Area, Household, Income, Landlord, Problem, Vacancy


def landlord(**kw: Any) -> Landlord:
    """A public landlord that accepts everything unless told otherwise."""
    base = Landlord(
        id="L01",
        kind="public",
        quota=10,
        exception_quota=0,
        excluded_areas=(),
        income_multiple=0.0,
        accepts_income_support=True,
        accepts_housing_allowance=True,
        requires_permanent_employment=False,
        accepts_payment_remarks=True,
        accepts_municipal_guarantee=True,
        requires_home_insurance=False,
        contract_forms=("municipal_contract", "training_apartment", "support_agreement"),
    )
    return replace(base, **kw)


def vacancy(**kw: Any) -> Vacancy:
    """A two-room vacancy in A01 of L01."""
    base = Vacancy(
        id="V1",
        landlord="L01",
        area="A01",
        rooms=2,
        rent=6000.0,
        elevator=True,
        ground_floor=False,
        wheelchair=False,
        contract_forms=("municipal_contract", "training_apartment", "support_agreement"),
    )
    return replace(base, **kw)


def household(**kw: Any) -> Household:
    """A single adult needing one or two rooms."""
    base = Household(
        id="H1",
        weight=100,
        adults=1,
        children=0,
        target_groups=("economic_only",),
        income=Income(salary=0.0, income_support=9000.0, housing_allowance=2000.0, other=0.0),
        employment="none",
        payment_remarks=False,
        municipal_guarantee=False,
        home_insurance=True,
        drug_free_months=None,
        rooms_min=1,
        rooms_max=2,
        max_rent=8000.0,
        needs_elevator=False,
        needs_ground_floor=False,
        needs_wheelchair=False,
        avoid_areas=(),
        preferred_areas=(),
        contract_forms=("municipal_contract",),
        newly_arrived=False,
    )
    return replace(base, **kw)


def problem(
    *,
    households: list[Household],
    vacancies: list[Vacancy],
    landlords: list[Landlord] | None = None,
    areas: list[Area] | None = None,
    **kw: Any,
) -> Problem:
    """A problem around the given entities (default: one landlord, areas A01–A03)."""
    return Problem(
        municipality="1980",
        areas=tuple(areas or [Area(f"A0{i}", False, None) for i in (1, 2, 3)]),
        landlords=tuple(landlords or [landlord()]),
        vacancies=tuple(vacancies),
        households=tuple(households),
        **kw,
    )
