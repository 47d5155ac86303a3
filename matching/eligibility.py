"""Eligibility of a (household, vacancy) pair: one function per rule of docs/matching-format.md.

Two faces of the same rules:

* the scalar functions (`rooms_fit`, `accessibility`, `area_allowed`, `contract_form`,
  `rent_within`, `insurance`, `economy`, `exception_qualified`, `not_declined`) are the
  readable specification, used by `check_pair`, by explanations and by the tests;
* `eligible_pairs` evaluates the same rules with numpy over blocks of households × all
  vacancies, so that a 10 000 × 10 000 round is screened in seconds. The tests check that both
  agree pair by pair.

Rules are checked in the documented order; the first failing rule is the pair's reason code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from matching.problem import CONTRACT_FORMS, Area, Household, Landlord, Problem, Vacancy

#: Reason codes, in the order the rules are checked.
RULES: tuple[str, ...] = (
    "rooms",
    "accessibility",
    "area",
    "contract_form",
    "rent",
    "insurance",
    "economy",
    "exception_qualification",
    "declined",
)

TRAINING_APARTMENT = "training_apartment"
TRAINING_MIN_DRUG_FREE_MONTHS = 6

Economy = Literal["normal", "exception"]

# --------------------------------------------------------------------------- scalar rules


def rooms_fit(household: Household, vacancy: Vacancy) -> bool:
    """Rule 1, `rooms`: the vacancy has between rooms_min and rooms_max rooms."""
    return household.rooms_min <= vacancy.rooms <= household.rooms_max


def accessibility(household: Household, vacancy: Vacancy) -> bool:
    """Rule 2, `accessibility`: elevator (or ground floor), ground floor, wheelchair needs."""
    if household.needs_elevator and not (vacancy.elevator or vacancy.ground_floor):
        return False
    if household.needs_ground_floor and not vacancy.ground_floor:
        return False
    return not (household.needs_wheelchair and not vacancy.wheelchair)


def area_allowed(household: Household, vacancy: Vacancy, area: Area, landlord: Landlord) -> bool:
    """Rule 3, `area`: not an excluded area (Jönköping), not avoided by the household, not
    excluded by the landlord (Mimer, Västerås)."""
    return (
        not area.excluded
        and vacancy.area not in household.avoid_areas
        and vacancy.area not in landlord.excluded_areas
    )


def household_may_use_form(household: Household, form: str) -> bool:
    """A training apartment needs ≥ 6 drug-free months and never takes children (Västerås)."""
    if form != TRAINING_APARTMENT:
        return True
    return (
        household.children == 0
        and household.drug_free_months is not None
        and household.drug_free_months >= TRAINING_MIN_DRUG_FREE_MONTHS
    )


def contract_form(household: Household, vacancy: Vacancy, landlord: Landlord) -> str | None:
    """Rule 4, `contract_form`: the first form in the household's list that the vacancy offers,
    the agreement accepts and the household may use; None if there is none."""
    for form in household.contract_forms:
        if (
            form in vacancy.contract_forms
            and form in landlord.contract_forms
            and household_may_use_form(household, form)
        ):
            return form
    return None


def rent_within(household: Household, vacancy: Vacancy) -> bool:
    """Rule 5, `rent`: the rent is at most the household's max rent."""
    return vacancy.rent <= household.max_rent


def insurance(household: Household, landlord: Landlord) -> bool:
    """Rule 6, `insurance`: home insurance where the landlord requires it (Nynäshamn)."""
    return not landlord.requires_home_insurance or household.home_insurance


def counted_income(household: Household, landlord: Landlord) -> float:
    """Income the landlord counts: salary and other, plus income support and housing allowance
    where the agreement accepts them (Göteborg yes; Balder, Nynäshamnsbostäder no)."""
    income = household.income
    total = income.salary + income.other
    if landlord.accepts_income_support:
        total += income.income_support
    if landlord.accepts_housing_allowance:
        total += income.housing_allowance
    return total


def meets_letting_rules(household: Household, vacancy: Vacancy, landlord: Landlord) -> bool:
    """The landlord's own economic requirements: income ≥ multiple × rent (Balder: 3),
    permanent employment where required, no payment remarks unless accepted."""
    if counted_income(household, landlord) < landlord.income_multiple * vacancy.rent:
        return False
    if landlord.requires_permanent_employment and household.employment != "permanent":
        return False
    return not (household.payment_remarks and not landlord.accepts_payment_remarks)


def economy(household: Household, vacancy: Vacancy, landlord: Landlord) -> Economy | None:
    """Rule 7, `economy`: "normal" when the letting rules are met or a municipal guarantee the
    landlord accepts lifts them; else "exception" if the landlord has an exception quota
    (Helsingborg 3:5); else None (ineligible)."""
    if household.municipal_guarantee and landlord.accepts_municipal_guarantee:
        return "normal"
    if meets_letting_rules(household, vacancy, landlord):
        return "normal"
    if landlord.exception_quota > 0:
        return "exception"
    return None


def exception_qualified(household: Household, landlord: Landlord) -> bool:
    """Rule 8, `exception_qualification`: an exception place of a landlord whose agreement
    asks for the 3:5 conditions goes only to a household that meets them — Helsingborg:
    "Hyresgästen har skött sina nuvarande hyresbetalningar", "Inga störningar eller annan
    problematik föreligger", "Fastighetsförvaltningen går i god för att detta är en
    välfungerande hyresgäst". The service decides who meets them and says so as data
    (`landlord.exception_qualification`, `household.exception_qualified`); this is the one
    place the solver reads it (the vectorised `hl_exc_qualified` is built from the same
    fields). Only asked of a pair that needs an exception place."""
    return not landlord.exception_qualification or landlord.id in household.exception_qualified


def not_declined(
    forbidden: Iterable[tuple[str, str]], household: Household, vacancy: Vacancy
) -> bool:
    """Rule 9, `declined`: the pair was neither declined before nor forbidden."""
    return (household.id, vacancy.id) not in set(forbidden)


@dataclass(frozen=True, slots=True)
class PairCheck:
    """The verdict on one pair: `reason` is the first failing rule, or None if eligible."""

    reason: str | None
    exception: bool = False
    contract_form: str | None = None

    @property
    def eligible(self) -> bool:
        """True when every rule holds."""
        return self.reason is None


def check_pair(
    problem: Problem,
    household: Household,
    vacancy: Vacancy,
    *,
    forbidden: frozenset[tuple[str, str]] | None = None,
) -> PairCheck:
    """Apply every rule in order to one pair (the readable reference implementation)."""
    landlord = problem.landlord(vacancy.landlord)
    area = problem.area(vacancy.area)
    if not rooms_fit(household, vacancy):
        return PairCheck("rooms")
    if not accessibility(household, vacancy):
        return PairCheck("accessibility")
    if not area_allowed(household, vacancy, area, landlord):
        return PairCheck("area")
    form = contract_form(household, vacancy, landlord)
    if form is None:
        return PairCheck("contract_form")
    if not rent_within(household, vacancy):
        return PairCheck("rent")
    if not insurance(household, landlord):
        return PairCheck("insurance")
    kind = economy(household, vacancy, landlord)
    if kind is None:
        return PairCheck("economy")
    if kind == "exception" and not exception_qualified(household, landlord):
        return PairCheck("exception_qualification")
    declined = frozenset(problem.forbidden) if forbidden is None else forbidden
    if not not_declined(declined, household, vacancy):
        return PairCheck("declined")
    return PairCheck(None, exception=kind == "exception", contract_form=form)


# --------------------------------------------------------------------------- vectorised

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class EligiblePairs:
    """All eligible pairs of a problem, sorted by (household index, vacancy index)."""

    household: IntArray
    vacancy: IntArray
    exception: BoolArray
    #: Per household: the number of vacancies whose first failing rule is each of RULES
    #: (columns in RULES order), counted on the way (what `failure_counts` computes).
    failures: npt.NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return int(self.household.shape[0])


def _form_mask(forms: Iterable[str]) -> int:
    mask = 0
    for form in forms:
        mask |= 1 << CONTRACT_FORMS.index(form)
    return mask


def _class_table(
    columns: list[npt.NDArray[Any]], rule: Callable[[tuple[Any, ...]], BoolArray]
) -> tuple[IntArray, BoolArray]:
    """Each household's class (its distinct combination of `columns`) and the rule's
    pass/fail row over all vacancies per class: `table[klass[rows]]` is the rule's matrix."""
    n = len(columns[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=bool)
    keys, klass = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
    table = np.stack([np.asarray(rule(tuple(key.tolist())), dtype=bool) for key in keys])
    return klass.reshape(-1).astype(np.int64), table


class _Arrays:
    """Column arrays of a problem, shared by the vectorised rule evaluation."""

    def __init__(self, problem: Problem) -> None:
        p = problem
        area_index = {a.id: i for i, a in enumerate(p.areas)}
        land_index = {lo.id: i for i, lo in enumerate(p.landlords)}
        n_a, n_l = len(p.areas), len(p.landlords)
        vs, hs, ls = p.vacancies, p.households, p.landlords
        self.v_rooms = np.array([v.rooms for v in vs], dtype=np.int64)
        self.v_rent = np.array([v.rent for v in vs], dtype=np.float64)
        self.v_lift_ok = np.array([v.elevator or v.ground_floor for v in vs], dtype=bool)
        self.v_ground = np.array([v.ground_floor for v in vs], dtype=bool)
        self.v_wheel = np.array([v.wheelchair for v in vs], dtype=bool)
        self.v_land = np.array([land_index[v.landlord] for v in vs], dtype=np.int64)
        self.v_area = np.array([area_index[v.area] for v in vs], dtype=np.int64)
        area_excluded = np.array([a.excluded for a in p.areas], dtype=bool)
        land_excl = np.zeros((n_l, n_a), dtype=bool)
        for li, lo in enumerate(ls):
            for a in lo.excluded_areas:
                land_excl[li, area_index[a]] = True
        self.v_area_open = ~area_excluded[self.v_area] & ~land_excl[self.v_land, self.v_area]
        l_forms = np.array([_form_mask(lo.contract_forms) for lo in ls], dtype=np.int64)
        v_forms = np.array([_form_mask(v.contract_forms) for v in vs], dtype=np.int64)
        self.v_forms = v_forms & l_forms[self.v_land] if len(vs) else v_forms
        l_mult = np.array([lo.income_multiple for lo in ls], dtype=np.float64)
        self.v_threshold = l_mult[self.v_land] * self.v_rent if len(vs) else self.v_rent
        l_ins = np.array([lo.requires_home_insurance for lo in ls], dtype=bool)
        self.v_needs_ins = l_ins[self.v_land] if len(vs) else np.zeros(0, dtype=bool)
        l_excq = np.array([lo.exception_quota > 0 for lo in ls], dtype=bool)
        self.v_exc_ok = l_excq[self.v_land] if len(vs) else np.zeros(0, dtype=bool)
        # Rule 8 only matters when some landlord's exception places need qualification.
        self.any_qualification = any(lo.exception_qualification for lo in ls)

        h_rooms_min = np.array([h.rooms_min for h in hs], dtype=np.int64)
        h_rooms_max = np.array([h.rooms_max for h in hs], dtype=np.int64)
        self.h_max_rent = np.array([h.max_rent for h in hs], dtype=np.float64)
        h_elev = np.array([h.needs_elevator for h in hs], dtype=bool)
        h_ground = np.array([h.needs_ground_floor for h in hs], dtype=bool)
        h_wheel = np.array([h.needs_wheelchair for h in hs], dtype=bool)
        h_ins = np.array([h.home_insurance for h in hs], dtype=bool)
        self.h_avoid = np.zeros((len(hs), n_a), dtype=bool)
        for hi, h in enumerate(hs):
            for a in h.avoid_areas:
                self.h_avoid[hi, area_index[a]] = True
        h_forms = np.array(
            [_form_mask(f for f in h.contract_forms if household_may_use_form(h, f)) for h in hs],
            dtype=np.int64,
        )
        # Rules 1, 2, 4 and 6 depend on the household through a few attributes that take few
        # distinct values (room range, access needs, usable forms, insurance): each rule is
        # evaluated once per distinct value and read per household as a row copy, instead of
        # several full household × vacancy operations per block. Only the classes are kept
        # (`_Subset` restricts every `h_` array to its rows).
        self.h_rooms_class, self.rooms_table = _class_table(
            [h_rooms_min, h_rooms_max],
            lambda k: (self.v_rooms >= k[0]) & (self.v_rooms <= k[1]),
        )
        self.h_access_class, self.access_table = _class_table(
            [h_elev, h_ground, h_wheel],
            lambda k: (
                (self.v_lift_ok | (not k[0]))
                & (self.v_ground | (not k[1]))
                & (self.v_wheel | (not k[2]))
            ),
        )
        self.h_forms_class, self.forms_table = _class_table(
            [h_forms], lambda k: (self.v_forms & k[0]) != 0
        )
        self.h_ins_class, self.ins_table = _class_table(
            [h_ins], lambda k: ~self.v_needs_ins | bool(k[0])
        )
        # (household, landlord) economy tables, exactly as the scalar rule computes them.
        self.hl_income = np.zeros((len(hs), n_l), dtype=np.float64)
        self.hl_rules_ok = np.zeros((len(hs), n_l), dtype=bool)
        self.hl_guarantee = np.zeros((len(hs), n_l), dtype=bool)
        base = np.array([h.income.salary + h.income.other for h in hs], dtype=np.float64)
        support = np.array([h.income.income_support for h in hs], dtype=np.float64)
        allowance = np.array([h.income.housing_allowance for h in hs], dtype=np.float64)
        permanent = np.array([h.employment == "permanent" for h in hs], dtype=bool)
        remarks = np.array([h.payment_remarks for h in hs], dtype=bool)
        guarantee = np.array([h.municipal_guarantee for h in hs], dtype=bool)
        # (household, landlord): may take its exception places (`exception_qualified`).
        self.hl_exc_qualified = np.ones((len(hs), n_l), dtype=bool)
        if self.any_qualification:
            for li, lo in enumerate(ls):
                if lo.exception_qualification:
                    self.hl_exc_qualified[:, li] = [exception_qualified(h, lo) for h in hs]
        for li, lo in enumerate(ls):
            income = base.copy()
            if lo.accepts_income_support:
                income = income + support
            if lo.accepts_housing_allowance:
                income = income + allowance
            self.hl_income[:, li] = income
            ok = np.ones(len(hs), dtype=bool)
            if lo.requires_permanent_employment:
                ok &= permanent
            if not lo.accepts_payment_remarks:
                ok &= ~remarks
            self.hl_rules_ok[:, li] = ok
            self.hl_guarantee[:, li] = guarantee & lo.accepts_municipal_guarantee


def _rule_masks(a: _Arrays, rows: slice) -> list[BoolArray]:
    """The pass/fail matrix (households in `rows` × all vacancies) of rules 1–8, in order,
    plus the `normal` (non-exception) economy matrix as the last element."""
    rooms = a.rooms_table[a.h_rooms_class[rows]]
    access = a.access_table[a.h_access_class[rows]]
    area = a.v_area_open[None, :] & ~a.h_avoid[rows][:, a.v_area]
    forms = a.forms_table[a.h_forms_class[rows]]
    rent = a.v_rent[None, :] <= a.h_max_rent[rows, None]
    ins = a.ins_table[a.h_ins_class[rows]]
    normal = a.hl_guarantee[rows][:, a.v_land] | (
        a.hl_rules_ok[rows][:, a.v_land] & (a.hl_income[rows][:, a.v_land] >= a.v_threshold)
    )
    econ = normal | a.v_exc_ok[None, :]
    # Without any qualified-only exception places rule 8 passes wherever rule 7 does: the
    # same matrix, no extra work on the hot path.
    qualified = normal | a.hl_exc_qualified[rows][:, a.v_land] if a.any_qualification else econ
    return [rooms, access, area, forms, rent, ins, econ, qualified, normal]


def _block_size(n_vacancies: int) -> int:
    return max(1, min(4096, 2_000_000 // max(1, n_vacancies)))


def _forbidden_index(problem: Problem) -> dict[int, list[int]]:
    by_household: dict[int, list[int]] = {}
    for hid, vid in problem.forbidden:
        by_household.setdefault(problem.index_of("household", hid), []).append(
            problem.index_of("vacancy", vid)
        )
    return by_household


def eligible_pairs(problem: Problem) -> EligiblePairs:
    """Every eligible (household, vacancy) pair with its exception flag, vectorised."""
    a = _Arrays(problem)
    n_h, n_v = len(problem.households), len(problem.vacancies)
    forbidden = _forbidden_index(problem)
    hs: list[IntArray] = []
    vs: list[IntArray] = []
    es: list[BoolArray] = []
    # The first failing rule of each pair, counted per household as the rules are applied:
    # the vacancies still passing after rule k, subtracted from those passing before it.
    failures = np.zeros((n_h, len(RULES)), dtype=np.int64)
    count_type = np.uint16 if n_v < np.iinfo(np.uint16).max else np.int64
    declined = RULES.index("declined")
    step = _block_size(n_v)
    for start in range(0, n_h, step):
        rows = slice(start, min(n_h, start + step))
        masks = _rule_masks(a, rows)
        ok = masks[0]
        failed = failures[rows]
        passing = ok.view(np.uint8).sum(axis=1, dtype=count_type).astype(np.int64)
        failed[:, 0] = n_v - passing
        for k, m in enumerate(masks[1:8], start=1):
            if k == 7 and m is masks[6]:
                continue  # rule 8 is rule 7's matrix (no qualified-only exception places)
            ok &= m
            still = ok.view(np.uint8).sum(axis=1, dtype=count_type).astype(np.int64)
            failed[:, k] = passing - still
            passing = still
        for hi in range(rows.start, rows.stop):
            if hi in forbidden:
                failed[hi - start, declined] = int(np.count_nonzero(ok[hi - start, forbidden[hi]]))
                ok[hi - start, forbidden[hi]] = False
        r, c = np.nonzero(ok)
        hs.append((r + start).astype(np.int32))
        vs.append(c.astype(np.int32))
        es.append(~masks[8][r, c])
    if not hs:
        empty = np.zeros(0, dtype=np.int32)
        return EligiblePairs(empty, empty.copy(), np.zeros(0, dtype=bool), failures)
    return EligiblePairs(np.concatenate(hs), np.concatenate(vs), np.concatenate(es), failures)


def failure_counts(
    problem: Problem, households: Sequence[int], pairs: EligiblePairs | None = None
) -> npt.NDArray[np.int64]:
    """For each household index given: the number of vacancies whose first failing rule is
    each of RULES (columns in RULES order); read from `pairs` when they counted them."""
    if pairs is not None and pairs.failures is not None:
        return pairs.failures[np.asarray(households, dtype=np.int64)]
    a = _Arrays(problem)
    n_v = len(problem.vacancies)
    forbidden = _forbidden_index(problem)
    out = np.zeros((len(households), len(RULES)), dtype=np.int64)
    order = np.asarray(households, dtype=np.int64)
    step = _block_size(n_v)
    for start in range(0, len(order), step):
        chunk = order[start : start + step]
        sub = _Subset(a, chunk)
        masks = _rule_masks(sub.arrays, slice(0, len(chunk)))
        alive = np.ones((len(chunk), n_v), dtype=bool)
        for k, m in enumerate(masks[:8]):
            if k == 7 and m is masks[6]:
                continue  # rule 8 is rule 7's matrix: nothing more fails on it
            out[start : start + len(chunk), k] = np.count_nonzero(alive & ~m, axis=1)
            alive &= m
        declined = RULES.index("declined")
        for j, hi in enumerate(chunk):
            cols = forbidden.get(int(hi), [])
            if cols:
                out[start + j, declined] = int(np.count_nonzero(alive[j, cols]))
    return out


def every_failure_counts(problem: Problem, households: Sequence[int]) -> npt.NDArray[np.int64]:
    """For each household index given: per rule (columns in RULES order), the number of
    vacancies failing it, every failing rule of a vacancy counted, not only the first: a
    flat too small and without the lift a wheelchair needs counts under both `rooms` and
    `accessibility`. For explanations of the few unmatched, never on the solver's path."""
    a = _Arrays(problem)
    n_v = len(problem.vacancies)
    forbidden = _forbidden_index(problem)
    out = np.zeros((len(households), len(RULES)), dtype=np.int64)
    order = np.asarray(households, dtype=np.int64)
    declined = RULES.index("declined")
    step = _block_size(n_v)
    for start in range(0, len(order), step):
        chunk = order[start : start + step]
        masks = _rule_masks(_Subset(a, chunk).arrays, slice(0, len(chunk)))
        for k, m in enumerate(masks[:8]):
            if k == 7 and m is masks[6]:
                continue  # rule 8 is rule 7's matrix: the same refusal, counted once
            out[start : start + len(chunk), k] = np.count_nonzero(~m, axis=1)
        for j, hi in enumerate(chunk):
            out[start + j, declined] = len(forbidden.get(int(hi), []))
    return out


class _Subset:
    """A view of `_Arrays` restricted to some households (vacancy columns unchanged)."""

    def __init__(self, a: _Arrays, rows: npt.NDArray[np.int64]) -> None:
        sub = object.__new__(_Arrays)
        sub.__dict__.update(a.__dict__)
        for name, value in a.__dict__.items():
            if name.startswith(("h_", "hl_")):
                sub.__dict__[name] = value[rows]
        self.arrays = sub
