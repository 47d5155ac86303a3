"""One test per eligibility rule (docs/matching-format.md), named for what it proves."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.eligibility import RULES, check_pair, eligible_pairs, failure_counts
from matching.generate import generate
from matching.problem import Area, Income, Problem
from tests.matching.builders import household, landlord, problem, vacancy
from tests.matching.strategies import tiny_problems


def reason(p: Problem, hid: str = "H1", vid: str = "V1") -> str | None:
    return check_pair(p, p.household(hid), p.vacancy(vid)).reason


def test_a_pair_meeting_every_rule_is_eligible() -> None:
    p = problem(households=[household()], vacancies=[vacancy()])
    check = check_pair(p, p.household("H1"), p.vacancy("V1"))
    assert check.eligible
    assert check.contract_form == "municipal_contract"
    assert not check.exception


def test_rooms_outside_the_households_range_fail_on_rooms() -> None:
    p = problem(households=[household(rooms_min=3, rooms_max=4)], vacancies=[vacancy(rooms=2)])
    assert reason(p) == "rooms"
    p = problem(households=[household(rooms_min=1, rooms_max=1)], vacancies=[vacancy(rooms=2)])
    assert reason(p) == "rooms"


def test_elevator_need_is_met_by_a_ground_floor_apartment() -> None:
    h = household(needs_elevator=True)
    assert reason(problem(households=[h], vacancies=[vacancy(elevator=False)])) == "accessibility"
    ok = vacancy(elevator=False, ground_floor=True)
    assert reason(problem(households=[h], vacancies=[ok])) is None


def test_wheelchair_users_only_get_wheelchair_accessible_apartments() -> None:
    h = household(needs_wheelchair=True)
    assert reason(problem(households=[h], vacancies=[vacancy()])) == "accessibility"
    assert reason(problem(households=[h], vacancies=[vacancy(wheelchair=True)])) is None


def test_ground_floor_need_is_not_met_by_an_elevator() -> None:
    h = household(needs_ground_floor=True)
    assert reason(problem(households=[h], vacancies=[vacancy(elevator=True)])) == "accessibility"


def test_no_social_placement_in_a_vulnerable_area() -> None:
    """Jönköping: "except vulnerable areas, where one does not want more social contracts"."""
    areas = [Area("A01", True, None)]
    p = problem(households=[household()], vacancies=[vacancy()], areas=areas)
    assert reason(p) == "area"


def test_landlord_gives_no_social_apartments_in_its_excluded_areas() -> None:
    """Västerås: Mimer gives no apartments for social purposes in designated areas."""
    p = problem(
        households=[household()],
        vacancies=[vacancy()],
        landlords=[landlord(excluded_areas=("A01",))],
    )
    assert reason(p) == "area"


def test_a_household_is_never_offered_an_area_it_must_avoid() -> None:
    """A violence-exposed household avoids the area where the threat lives (DOMAIN §3)."""
    p = problem(households=[household(avoid_areas=("A01",))], vacancies=[vacancy()])
    assert reason(p) == "area"


def test_training_apartment_is_never_offered_to_families() -> None:
    """Västerås: the training apartment is never for families with children."""
    h = household(
        children=1, drug_free_months=12, contract_forms=("training_apartment",), rooms_max=3
    )
    v = vacancy(contract_forms=("training_apartment",))
    assert reason(problem(households=[h], vacancies=[v])) == "contract_form"


def test_training_apartment_needs_six_drug_free_months() -> None:
    """Västerås: a training apartment requires at least six months drug-free."""
    v = vacancy(contract_forms=("training_apartment",))
    for months, expected in ((5, "contract_form"), (6, None), (None, "contract_form")):
        h = household(drug_free_months=months, contract_forms=("training_apartment",))
        assert reason(problem(households=[h], vacancies=[v])) == expected


def test_a_contract_form_must_be_offered_accepted_and_usable() -> None:
    """The form must be in the vacancy's, the agreement's and the household's lists."""
    h = household(contract_forms=("housing_first",))
    assert reason(problem(households=[h], vacancies=[vacancy()])) == "contract_form"
    v = vacancy(contract_forms=("housing_first",))
    assert reason(problem(households=[h], vacancies=[v])) == "contract_form"  # landlord lacks it
    lo = landlord(contract_forms=("housing_first",))
    p = problem(households=[h], vacancies=[v], landlords=[lo])
    assert check_pair(p, h, v).contract_form == "housing_first"


def test_the_households_first_usable_form_is_proposed() -> None:
    h = household(contract_forms=("support_agreement", "municipal_contract"))
    p = problem(households=[h], vacancies=[vacancy()])
    assert check_pair(p, h, p.vacancy("V1")).contract_form == "support_agreement"


def test_rent_above_the_households_max_rent_fails_on_rent() -> None:
    p = problem(households=[household(max_rent=5999)], vacancies=[vacancy(rent=6000)])
    assert reason(p) == "rent"
    p = problem(households=[household(max_rent=6000)], vacancies=[vacancy(rent=6000)])
    assert reason(p) is None


def test_home_insurance_is_required_where_the_landlord_demands_it() -> None:
    """Nynäshamn: home insurance required."""
    lo = landlord(requires_home_insurance=True)
    p = problem(households=[household(home_insurance=False)], vacancies=[vacancy()], landlords=[lo])
    assert reason(p) == "insurance"


def test_income_support_counts_only_where_the_agreement_accepts_it() -> None:
    """Göteborg's agreement counts income support; Balder and Nynäshamnsbostäder do not."""
    h = household(
        income=Income(salary=0.0, income_support=12000.0, housing_allowance=0.0, other=0.0)
    )
    goteborg = landlord(income_multiple=2.0, accepts_income_support=True)
    balder = landlord(income_multiple=2.0, accepts_income_support=False)
    assert reason(problem(households=[h], vacancies=[vacancy()], landlords=[goteborg])) is None
    assert reason(problem(households=[h], vacancies=[vacancy()], landlords=[balder])) == "economy"


def test_private_landlord_requires_income_of_three_times_the_rent() -> None:
    """Balder (Nynäshamn): gross income ≥ 3 × rent."""
    lo = landlord(kind="private", income_multiple=3.0)
    rich = household(income=Income(18000.0, 0.0, 0.0, 0.0))
    poor = household(income=Income(17999.0, 0.0, 0.0, 0.0))
    assert reason(problem(households=[rich], vacancies=[vacancy()], landlords=[lo])) is None
    assert reason(problem(households=[poor], vacancies=[vacancy()], landlords=[lo])) == "economy"


def test_permanent_employment_is_required_where_the_landlord_demands_it() -> None:
    """Balder: permanent employment; Nynäshamnsbostäder accepts project employment."""
    lo = landlord(requires_permanent_employment=True)
    p = problem(
        households=[household(employment="temporary")], vacancies=[vacancy()], landlords=[lo]
    )
    assert reason(p) == "economy"


def test_payment_remarks_are_refused_where_the_landlord_refuses_them() -> None:
    """Balder: no payment remarks."""
    lo = landlord(accepts_payment_remarks=False)
    p = problem(households=[household(payment_remarks=True)], vacancies=[vacancy()], landlords=[lo])
    assert reason(p) == "economy"


def test_a_municipal_guarantee_lifts_the_economic_requirements() -> None:
    """A rent guarantee / municipal surety the landlord accepts (Karlstad)."""
    lo = landlord(income_multiple=3.0, accepts_payment_remarks=False)
    h = household(payment_remarks=True, municipal_guarantee=True, income=Income(0, 0, 0, 0))
    check = check_pair(problem(households=[h], vacancies=[vacancy()], landlords=[lo]), h, vacancy())
    assert check.eligible
    assert not check.exception
    lo = landlord(income_multiple=3.0, accepts_municipal_guarantee=False)
    assert reason(problem(households=[h], vacancies=[vacancy()], landlords=[lo])) == "economy"


def test_failing_the_letting_rules_uses_an_exception_place_when_the_landlord_has_any() -> None:
    """Helsingborg 3:5: five places for households that fail the economic requirements."""
    lo = landlord(income_multiple=3.0, exception_quota=5)
    h = household(income=Income(0.0, 0.0, 0.0, 0.0))
    p = problem(households=[h], vacancies=[vacancy()], landlords=[lo])
    check = check_pair(p, h, p.vacancy("V1"))
    assert check.eligible
    assert check.exception


def test_qualified_only_exception_places_go_to_the_households_that_qualify() -> None:
    """Helsingborg 3:5: Helsingborgshem's exception places only for a tenant who "har skött
    sina nuvarande hyresbetalningar", with "Inga störningar" and whom the city vouches for
    ("går i god för"). The service says who qualifies; the solver reads it as data."""
    lo = landlord(income_multiple=3.0, exception_quota=5, exception_qualification=True)
    poor = Income(0.0, 0.0, 0.0, 0.0)
    vouched = household(id="H1", income=poor, exception_qualified=("L01",))
    other = household(id="H2", income=poor)
    p = problem(households=[vouched, other], vacancies=[vacancy()], landlords=[lo])
    check = check_pair(p, vouched, p.vacancy("V1"))
    assert check.eligible
    assert check.exception
    assert reason(p, "H2") == "exception_qualification"
    # A household meeting the letting rules needs no exception place and no qualification.
    rich = household(id="H3", income=Income(30000.0, 0.0, 0.0, 0.0))
    p = problem(households=[rich], vacancies=[vacancy()], landlords=[lo])
    assert check_pair(p, rich, p.vacancy("V1")).reason is None
    # Qualified at another landlord only: not here.
    elsewhere = household(id="H4", income=poor, exception_qualified=("L02",))
    p = problem(
        households=[elsewhere],
        vacancies=[vacancy()],
        landlords=[lo, landlord(id="L02", exception_quota=1, exception_qualification=True)],
    )
    assert reason(p, "H4") == "exception_qualification"
    # Without exception places at all it is still the economy that fails first.
    p = problem(households=[other], vacancies=[vacancy()], landlords=[landlord(income_multiple=3)])
    assert reason(p, "H2") == "economy"
    _assert_fast_path_agrees(p)


def test_without_the_flag_any_household_may_take_an_exception_place() -> None:
    lo = landlord(income_multiple=3.0, exception_quota=5)
    h = household(income=Income(0.0, 0.0, 0.0, 0.0))
    p = problem(households=[h], vacancies=[vacancy()], landlords=[lo])
    assert check_pair(p, h, p.vacancy("V1")).exception


def test_the_vectorised_screen_reads_the_qualification_like_the_scalar_rule() -> None:
    lo = landlord(income_multiple=3.0, exception_quota=2, exception_qualification=True)
    poor = Income(0.0, 0.0, 0.0, 0.0)
    hs = [
        household(id="H1", income=poor, exception_qualified=("L01",)),
        household(id="H2", income=poor),
        household(id="H3", income=Income(30000.0, 0.0, 0.0, 0.0)),
    ]
    vs = [vacancy(id="V1"), vacancy(id="V2", rooms=5)]
    p = problem(households=hs, vacancies=vs, landlords=[lo])
    pairs = eligible_pairs(p)
    assert sorted(zip(pairs.household.tolist(), pairs.vacancy.tolist(), strict=True)) == [
        (0, 0),
        (2, 0),
    ]
    counts = failure_counts(p, [1])
    assert counts[0, RULES.index("exception_qualification")] == 1
    assert counts[0, RULES.index("rooms")] == 1
    _assert_fast_path_agrees(p)


def test_a_declined_or_forbidden_pair_is_never_proposed_again() -> None:
    p = problem(households=[household()], vacancies=[vacancy()], forbidden=(("H1", "V1"),))
    assert reason(p) == "declined"


def test_the_first_failing_rule_is_the_reason() -> None:
    h = household(rooms_min=4, rooms_max=4, max_rent=1.0)
    assert reason(problem(households=[h], vacancies=[vacancy()])) == "rooms"


def _assert_fast_path_agrees(p: Problem) -> None:
    pairs = eligible_pairs(p)
    fast = {
        (int(h), int(v)): bool(e)
        for h, v, e in zip(pairs.household, pairs.vacancy, pairs.exception, strict=True)
    }
    counts = failure_counts(p, list(range(len(p.households))))
    # Counted on the way by `eligible_pairs`, and by `failure_counts` on its own: the same.
    assert pairs.failures is not None
    assert np.array_equal(pairs.failures, counts)
    assert np.array_equal(failure_counts(p, list(range(len(p.households))), pairs), counts)
    for hi, h in enumerate(p.households):
        expected = np.zeros(len(RULES), dtype=np.int64)
        for vi, v in enumerate(p.vacancies):
            check = check_pair(p, h, v)
            if check.eligible:
                assert fast.get((hi, vi)) == check.exception, (h.id, v.id)
            else:
                assert (hi, vi) not in fast, (h.id, v.id, check.reason)
                expected[RULES.index(str(check.reason))] += 1
        assert counts[hi].tolist() == expected.tolist(), h.id


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    profile=st.sampled_from(["mid_size", "large_city", "tight"]),
    n_h=st.integers(0, 40),
    n_v=st.integers(0, 40),
)
def test_vectorised_eligibility_agrees_with_the_scalar_rules(
    seed: int, profile: str, n_h: int, n_v: int
) -> None:
    _assert_fast_path_agrees(generate(households=n_h, vacancies=n_v, seed=seed, profile=profile))


@settings(max_examples=40, deadline=None)
@given(tiny_problems())
def test_vectorised_eligibility_agrees_on_tiny_problems_with_move_chains(p: Problem) -> None:
    """Qualified-only exception places and flats outside the quota drawn at random."""
    _assert_fast_path_agrees(p)


def test_vectorised_eligibility_agrees_on_a_mid_size_round() -> None:
    p = generate(households=120, vacancies=150, seed=7, profile="mid_size")
    _assert_fast_path_agrees(p)
