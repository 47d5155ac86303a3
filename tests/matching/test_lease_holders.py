"""Who holds the lease, in the solver: the round (the vectorised screen over the whole
problem) and the household's candidates view (`check_pair` over the problem cut down to
that household, app/flows/candidates.py) give every pair the same eligibility, the same
exception flag and the same reason — over random contract forms, lease holders, guarantee
kinds with what each lifts, and placement conditions (Nynäshamn, Västerås, Helsingborg 3:5)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings

from matching.eligibility import (
    RULES,
    check_pair,
    eligible_pairs,
    lives_on_income_support,
    meets_letting_rules,
)
from matching.problem import Problem
from tests.matching.strategies import tiny_problems


def cut_down(problem: Problem, household_id: str) -> Problem:
    """The problem as the candidates view builds it: one household, every vacancy, its own
    forbidden pairs, no pins."""
    return replace(
        problem,
        households=(problem.household(household_id),),
        forbidden=tuple(pair for pair in problem.forbidden if pair[0] == household_id),
        pinned=(),
        newly_arrived_min=0,
    )


@settings(max_examples=150, deadline=None)
@given(tiny_problems())
def test_the_round_and_the_candidates_view_agree_on_every_pair(p: Problem) -> None:
    pairs = eligible_pairs(p)
    round_view = {
        (int(h), int(v)): bool(e)
        for h, v, e in zip(pairs.household, pairs.vacancy, pairs.exception, strict=True)
    }
    assert pairs.failures is not None
    for hi, h in enumerate(p.households):
        alone = cut_down(p, h.id)
        reasons = np.zeros(len(RULES), dtype=np.int64)
        for vi, v in enumerate(p.vacancies):
            check = check_pair(alone, h, v)
            if check.eligible:
                assert round_view.get((hi, vi)) == check.exception, (h.id, v.id)
                form = check.contract_form
                assert form is not None
                sublet = form in p.municipality_tenant_forms
                # Exception places are own leases (Helsingborg 3:5: "slussas ut").
                assert not (check.exception and sublet)
                # Through an own lease the letting rules hold, or an exception place is used.
                if not sublet and not check.exception:
                    assert meets_letting_rules(h, v, p.landlord(v.landlord))
            else:
                assert (hi, vi) not in round_view, (h.id, v.id, check.reason)
                reasons[RULES.index(str(check.reason))] += 1
        assert pairs.failures[hi].tolist() == reasons.tolist(), h.id


@settings(max_examples=100, deadline=None)
@given(tiny_problems())
def test_a_landlord_refusing_income_support_never_gets_a_household_living_on_it(
    p: Problem,
) -> None:
    """Västerås: "Det är bara Mimer som tar emot hushåll med försörjningsstöd" — a landlord
    that neither counts income support nor takes it in its sublets has no household living
    on income support alone among its eligible pairs but on an exception place, surety or
    not."""
    pairs = eligible_pairs(p)
    if not p.municipality_tenant_forms:
        return
    for h, v, e in zip(pairs.household, pairs.vacancy, pairs.exception, strict=True):
        household, vacancy = p.households[int(h)], p.vacancies[int(v)]
        landlord = p.landlord(vacancy.landlord)
        if (
            landlord.guarantee_lifts is not None
            and not landlord.accepts_income_support
            and landlord.placement_refuses_income_support
            and landlord.income_multiple > 0
            and lives_on_income_support(household)
            and household.income.housing_allowance == 0
        ):
            assert e, (household.id, vacancy.id)
