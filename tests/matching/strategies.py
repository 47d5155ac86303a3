"""Hypothesis strategies: tiny problems where every round constraint can bind."""

from __future__ import annotations

from hypothesis import strategies as st

from matching.problem import Area, Household, Income, Landlord, Problem, Vacancy

FORMS = ("municipal_contract", "training_apartment", "support_agreement")
GROUPS = ("violence_exposed", "economic_only", "family_with_children")
KINDS = ("rent_guarantee", "municipal_surety")
LIFTS = ("income_multiple", "permanent_employment", "payment_remarks")


@st.composite
def guarantee_lifts(draw: st.DrawFn) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """None (a document before guarantee kinds) or, per accepted kind, what it lifts."""
    if draw(st.booleans()):
        return None
    kinds = draw(st.lists(st.sampled_from(KINDS), unique=True))
    return tuple(
        (kind, tuple(draw(st.lists(st.sampled_from(LIFTS), unique=True)))) for kind in kinds
    )


@st.composite
def tiny_problems(draw: st.DrawFn, max_households: int = 6, max_vacancies: int = 6) -> Problem:
    """1–2 landlords, 1–3 areas, up to 6 × 6, small quotas, caps and exception quotas;
    qualified-only exception places and flats outside the quota (move chains) drawn too."""
    n_areas = draw(st.integers(1, 3))
    areas = tuple(
        Area(
            id=f"A{i}",
            excluded=draw(st.booleans()) and i > 0,
            cap=draw(st.one_of(st.none(), st.integers(0, 3))),
        )
        for i in range(n_areas)
    )
    area_ids = [a.id for a in areas]
    landlords = tuple(
        Landlord(
            id=f"L{i}",
            kind=draw(st.sampled_from(["public", "private"])),
            quota=draw(st.integers(0, 4)),
            exception_quota=draw(st.integers(0, 2)),
            excluded_areas=tuple(
                draw(st.lists(st.sampled_from(area_ids), max_size=1, unique=True))
            ),
            income_multiple=draw(st.sampled_from([0.0, 1.0, 2.5, 3.0])),
            accepts_income_support=draw(st.booleans()),
            accepts_housing_allowance=draw(st.booleans()),
            requires_permanent_employment=draw(st.booleans()),
            accepts_payment_remarks=draw(st.booleans()),
            accepts_municipal_guarantee=draw(st.booleans()),
            requires_home_insurance=draw(st.booleans()),
            contract_forms=tuple(draw(st.lists(st.sampled_from(FORMS), min_size=1, unique=True))),
            exception_qualification=draw(st.booleans()),
            guarantee_lifts=draw(guarantee_lifts()),
            placement_refuses_income_support=draw(st.booleans()),
            target_groups=tuple(draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True))),
            move_on_outside_quota=draw(st.integers(0, 2)),
        )
        for i in range(draw(st.integers(1, 2)))
    )
    landlord_ids = [lo.id for lo in landlords]
    vacancies = tuple(
        Vacancy(
            id=f"V{i}",
            landlord=draw(st.sampled_from([lo.id for lo in landlords])),
            area=draw(st.sampled_from(area_ids)),
            rooms=draw(st.integers(1, 3)),
            rent=float(draw(st.sampled_from([3000, 5000, 7000]))),
            elevator=draw(st.booleans()),
            ground_floor=draw(st.booleans()),
            wheelchair=draw(st.booleans()),
            contract_forms=tuple(draw(st.lists(st.sampled_from(FORMS), min_size=1, unique=True))),
            quota_apartment=draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, max_vacancies)))
    )
    households = []
    for i in range(draw(st.integers(0, max_households))):
        rooms_min = draw(st.integers(1, 3))
        households.append(
            Household(
                id=f"H{i}",
                weight=draw(st.integers(1, 5000)),
                adults=1,
                children=draw(st.integers(0, 2)),
                target_groups=tuple(
                    draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True))
                ),
                income=Income(
                    salary=float(draw(st.sampled_from([0, 10000, 20000]))),
                    income_support=float(draw(st.sampled_from([0, 8000]))),
                    housing_allowance=float(draw(st.sampled_from([0, 2000]))),
                    other=0.0,
                ),
                employment=draw(st.sampled_from(["permanent", "temporary", "none"])),
                payment_remarks=draw(st.booleans()),
                municipal_guarantee=draw(st.booleans()),
                home_insurance=draw(st.booleans()),
                drug_free_months=draw(st.one_of(st.none(), st.integers(0, 12))),
                rooms_min=rooms_min,
                rooms_max=rooms_min + draw(st.integers(0, 1)),
                max_rent=float(draw(st.sampled_from([4000, 6000, 8000]))),
                needs_elevator=draw(st.booleans()),
                needs_ground_floor=False,
                needs_wheelchair=False,
                avoid_areas=tuple(
                    draw(st.lists(st.sampled_from(area_ids), max_size=1, unique=True))
                ),
                preferred_areas=tuple(
                    draw(st.lists(st.sampled_from(area_ids), max_size=1, unique=True))
                ),
                contract_forms=tuple(
                    draw(st.lists(st.sampled_from(FORMS), min_size=1, unique=True))
                ),
                newly_arrived=draw(st.booleans()),
                exception_qualified=tuple(
                    draw(st.lists(st.sampled_from(landlord_ids), max_size=2, unique=True))
                ),
                guarantee=draw(st.one_of(st.none(), st.sampled_from(KINDS))),
                moving_on=draw(st.booleans()),
            )
        )
    hids = [h.id for h in households]
    vids = [v.id for v in vacancies]
    pair = (
        st.tuples(st.sampled_from(hids), st.sampled_from(vids)) if hids and vids else st.nothing()
    )
    forbidden = tuple(draw(st.lists(pair, max_size=2, unique=True))) if hids and vids else ()
    pinned = tuple(draw(st.lists(pair, max_size=1, unique=True))) if hids and vids else ()
    return Problem(
        municipality="1980",
        areas=areas,
        landlords=landlords,
        vacancies=vacancies,
        households=tuple(households),
        forbidden=forbidden,
        pinned=pinned,
        newly_arrived_min=draw(st.integers(0, 2)),
        time_limit_s=30.0,
        # Lease holders as the service declares them, or none (a document before them).
        municipality_tenant_forms=draw(
            st.sampled_from([(), ("municipal_contract", "training_apartment")])
        ),
    )
