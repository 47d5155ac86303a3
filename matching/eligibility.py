"""Eligibility of a (household, vacancy) pair: one function per rule of docs/matching-format.md.

Two faces of the same rules:

* the scalar functions (`rooms_fit`, `accessibility`, `area_allowed`, `contract_form`,
  `rent_within`, `insurance`, `placement_conditions`, `economy`, `exception_qualified`,
  `not_declined`) are the
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

from matching.problem import (
    CONTRACT_FORMS,
    GUARANTEE_KINDS,
    LIFTABLE_REQUIREMENTS,
    Area,
    Household,
    Income,
    Landlord,
    Problem,
    Vacancy,
)

#: Reason codes, in the order the rules are checked.
RULES: tuple[str, ...] = (
    "rooms",
    "accessibility",
    "area",
    "contract_form",
    "rent",
    "insurance",
    "placement_conditions",
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


def usable_forms(household: Household, vacancy: Vacancy, landlord: Landlord) -> tuple[str, ...]:
    """The forms, in the household's order, that the vacancy offers, the agreement accepts
    and the household may use."""
    return tuple(
        form
        for form in household.contract_forms
        if form in vacancy.contract_forms
        and form in landlord.contract_forms
        and household_may_use_form(household, form)
    )


def contract_form(household: Household, vacancy: Vacancy, landlord: Landlord) -> str | None:
    """Rule 4, `contract_form`: the first form in the household's list that the vacancy offers,
    the agreement accepts and the household may use; None if there is none."""
    forms = usable_forms(household, vacancy, landlord)
    return forms[0] if forms else None


def rent_within(household: Household, vacancy: Vacancy) -> bool:
    """Rule 5, `rent`: the rent is at most the household's max rent."""
    return vacancy.rent <= household.max_rent


def insurance(household: Household, landlord: Landlord) -> bool:
    """Rule 6, `insurance`: home insurance where the landlord requires it (Nynäshamn)."""
    return not landlord.requires_home_insurance or household.home_insurance


def lives_on_income_support(household: Household) -> bool:
    """Income support (with or without housing allowance) is all it lives on: no salary and
    no other income."""
    income = household.income
    return income.income_support > 0 and income.salary + income.other == 0


def placement_conditions(household: Household, landlord: Landlord) -> bool:
    """Rule 7, `placement_conditions`, asked only through a form in which the municipality
    holds the lease: the agreement's own conditions for the municipality's subtenants, in
    place of the landlord's letting rules (Nynäshamn: the municipality "tecknar
    förstahandskontrakt … som sedan hyrs ut i andra hand"). No household living on income
    support where the landlord says so (Västerås: "Det är bara Mimer som tar emot hushåll
    med försörjningsstöd"); one of the target groups the agreement takes, where it names
    any (Göteborg: the agreement "definierar vilka målgrupper som kan vara aktuella för
    kommunala kontrakt")."""
    if landlord.placement_refuses_income_support and lives_on_income_support(household):
        return False
    return not landlord.target_groups or any(
        group in landlord.target_groups for group in household.target_groups
    )


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


LEGACY_LIFTS: frozenset[str] = frozenset((*LIFTABLE_REQUIREMENTS, "income_support"))
"""What an accepted guarantee lifts in a document without `guarantee_lifts`: everything,
income support's counting included, as before guarantee kinds were told apart."""


def guarantee_kind(household: Household) -> str | None:
    """The household's guarantee kind; `municipal_guarantee` alone reads as a surety."""
    if household.guarantee is not None:
        return household.guarantee
    return "municipal_surety" if household.municipal_guarantee else None


def lifted_requirements(household: Household, landlord: Landlord) -> frozenset[str]:
    """The landlord's requirements the household's guarantee lifts: those the agreement
    lists for that kind (Karlstad's rent guarantee, Västerås' municipal surety)."""
    kind = guarantee_kind(household)
    if kind is None:
        return frozenset()
    if landlord.guarantee_lifts is None:
        return LEGACY_LIFTS if landlord.accepts_municipal_guarantee else frozenset()
    return frozenset(dict(landlord.guarantee_lifts).get(kind, ()))


def income_rule_lifted(household: Household, landlord: Landlord) -> bool:
    """The guarantee lifts the income multiple — unless the household lives on income
    support the landlord does not count: whether income support counts stays the landlord's
    own rule, surety or not (Västerås: only Mimer takes households on income support)."""
    lifted = lifted_requirements(household, landlord)
    if "income_multiple" not in lifted:
        return False
    return (
        landlord.accepts_income_support
        or "income_support" in lifted
        or not lives_on_income_support(household)
    )


def meets_letting_rules(household: Household, vacancy: Vacancy, landlord: Landlord) -> bool:
    """The landlord's own economic requirements, for its own tenant: income ≥ multiple ×
    rent (Balder: 3), permanent employment where required, no payment remarks unless
    accepted — each unless the household's guarantee lifts it."""
    lifted = lifted_requirements(household, landlord)
    if (
        not income_rule_lifted(household, landlord)
        and counted_income(household, landlord) < landlord.income_multiple * vacancy.rent
    ):
        return False
    if (
        landlord.requires_permanent_employment
        and household.employment != "permanent"
        and "permanent_employment" not in lifted
    ):
        return False
    return not (
        household.payment_remarks
        and not landlord.accepts_payment_remarks
        and "payment_remarks" not in lifted
    )


def economy(household: Household, vacancy: Vacancy, landlord: Landlord) -> Economy | None:
    """Rule 8, `economy`, asked only through a form in which the household holds the lease:
    "normal" when the letting rules are met (a guarantee may lift some); else "exception" if
    the landlord has exception places (Helsingborg 3:5 — an own lease: "utflytt"); else
    None (ineligible)."""
    if meets_letting_rules(household, vacancy, landlord):
        return "normal"
    if landlord.exception_quota > 0:
        return "exception"
    return None


def exception_qualified(household: Household, landlord: Landlord) -> bool:
    """Rule 9, `exception_qualification`: an exception place of a landlord whose agreement
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
    """Rule 10, `declined`: the pair was neither declined before nor forbidden."""
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
    forms = usable_forms(household, vacancy, landlord)
    if not forms:
        return PairCheck("contract_form")
    if not rent_within(household, vacancy):
        return PairCheck("rent")
    if not insurance(household, landlord):
        return PairCheck("insurance")
    # Who holds the lease decides which rules apply: the agreement's placement conditions
    # through a sublet, the landlord's letting rules through a lease of the household's own.
    sublet = problem.municipality_tenant_forms
    own = tuple(form for form in forms if form not in sublet)
    placed = len(own) < len(forms) and placement_conditions(household, landlord)
    if not own and not placed:
        return PairCheck("placement_conditions")
    rules_met = bool(own) and meets_letting_rules(household, vacancy, landlord)
    declined = frozenset(problem.forbidden) if forbidden is None else forbidden
    if placed or rules_met:
        form = next(f for f in forms if (f in sublet and placed) or (f not in sublet and rules_met))
        if not not_declined(declined, household, vacancy):
            return PairCheck("declined")
        return PairCheck(None, exception=False, contract_form=form)
    # Only an own lease can use an exception place (Helsingborg 3:5: "slussas ut").
    if landlord.exception_quota <= 0:
        return PairCheck("economy")
    if not exception_qualified(household, landlord):
        return PairCheck("exception_qualification")
    if not not_declined(declined, household, vacancy):
        return PairCheck("declined")
    return PairCheck(None, exception=True, contract_form=own[0])


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


def _guaranteed(kind: str) -> Household:
    """A household that stands for every household holding this guarantee kind (what a
    guarantee lifts depends on its kind and the landlord only)."""
    return Household(
        id="",
        weight=1,
        adults=1,
        children=0,
        target_groups=(),
        income=Income(0.0, 0.0, 0.0, 0.0),
        employment="none",
        payment_remarks=False,
        municipal_guarantee=True,
        home_insurance=False,
        drug_free_months=None,
        rooms_min=0,
        rooms_max=0,
        max_rent=0.0,
        needs_elevator=False,
        needs_ground_floor=False,
        needs_wheelchair=False,
        avoid_areas=(),
        preferred_areas=(),
        contract_forms=(),
        newly_arrived=False,
        guarantee=kind,
    )


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
        # Rule 4 split by lease holder: some usable form in which the municipality holds the
        # lease (`sublet_table`), some in which the household does (`own_table`); rule 4 is
        # their union. Without lease holders (an older document) every form is an own lease.
        sublet_mask = _form_mask(p.municipality_tenant_forms)
        self.any_sublet = sublet_mask != 0
        self.h_forms_class, self.own_table = _class_table(
            [h_forms], lambda k: (self.v_forms & k[0] & ~sublet_mask) != 0
        )
        self.sublet_table = (
            _class_table([h_forms], lambda k: (self.v_forms & k[0] & sublet_mask) != 0)[1]
            if self.any_sublet
            else self.own_table
        )
        self.h_ins_class, self.ins_table = _class_table(
            [h_ins], lambda k: ~self.v_needs_ins | bool(k[0])
        )
        # (household, landlord) economy tables, exactly as the scalar rules compute them: the
        # counted income (+inf where the guarantee lifts the income rule; -inf where another
        # letting rule fails after the guarantee's lifts, so one gather and one comparison
        # per block decide all of them), and the placement conditions of a sublet.
        self.hl_income = np.zeros((len(hs), n_l), dtype=np.float64)
        self.hl_placed = np.ones((len(hs), n_l), dtype=bool)
        self.any_placement_condition = self.any_sublet and any(
            lo.placement_refuses_income_support or lo.target_groups for lo in ls
        )
        base = np.array([h.income.salary + h.income.other for h in hs], dtype=np.float64)
        support = np.array([h.income.income_support for h in hs], dtype=np.float64)
        allowance = np.array([h.income.housing_allowance for h in hs], dtype=np.float64)
        permanent = np.array([h.employment == "permanent" for h in hs], dtype=bool)
        remarks = np.array([h.payment_remarks for h in hs], dtype=bool)
        on_support = np.array([lives_on_income_support(h) for h in hs], dtype=bool)
        # Each household's guarantee kind as an index: 0 none, 1 + its place in GUARANTEE_KINDS;
        # one sample household per kind stands for all of that kind.
        kinds = (None, *GUARANTEE_KINDS)
        kind = np.array([kinds.index(guarantee_kind(h)) for h in hs], dtype=np.int64)
        kind_samples = [_guaranteed(k) for k in GUARANTEE_KINDS]
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
            # What each household's guarantee lifts here, read per kind (`lifted_requirements`).
            lifts: list[frozenset[str]] = [frozenset()]
            lifts += [lifted_requirements(k, lo) for k in kind_samples]

            def lifted(requirement: str, lifts: list[frozenset[str]] = lifts) -> BoolArray:
                return np.array([requirement in x for x in lifts], dtype=bool)[kind]

            # `income_rule_lifted`: whether income support counts stays the landlord's rule.
            income_lifted = lifted("income_multiple")
            if not (lo.accepts_income_support or lo.guarantee_lifts is None):
                income_lifted &= ~on_support
            ok = np.ones(len(hs), dtype=bool)
            if lo.requires_permanent_employment:
                ok &= permanent | lifted("permanent_employment")
            if not lo.accepts_payment_remarks:
                ok &= ~remarks | lifted("payment_remarks")
            self.hl_income[:, li] = np.where(ok, np.where(income_lifted, np.inf, income), -np.inf)
            if self.any_placement_condition:
                placed = np.ones(len(hs), dtype=bool)
                if lo.placement_refuses_income_support:
                    placed &= ~on_support
                if lo.target_groups:
                    wanted = set(lo.target_groups)
                    placed &= np.array(
                        [not wanted.isdisjoint(h.target_groups) for h in hs], dtype=bool
                    )
                self.hl_placed[:, li] = placed


def _rule_masks(a: _Arrays, rows: slice) -> list[BoolArray]:
    """The pass/fail matrix (households in `rows` × all vacancies) of rules 1–9, in order,
    plus the `normal` (non-exception) matrix as the last element. Rules 7–9 read "some
    usable form still passes": a sublet passes the placement conditions, an own lease the
    letting rules or, failing them, an exception place."""
    rooms = a.rooms_table[a.h_rooms_class[rows]]
    access = a.access_table[a.h_access_class[rows]]
    area = a.v_area_open[None, :] & ~a.h_avoid[rows][:, a.v_area]
    own = a.own_table[a.h_forms_class[rows]]
    rent = a.v_rent[None, :] <= a.h_max_rent[rows, None]
    ins = a.ins_table[a.h_ins_class[rows]]
    rules_met = a.hl_income[rows][:, a.v_land] >= a.v_threshold
    if a.any_sublet:
        sublet = a.sublet_table[a.h_forms_class[rows]]
        forms = own | sublet
        if a.any_placement_condition:
            placed = sublet & a.hl_placed[rows][:, a.v_land]
            placement = own | placed
        else:
            placed, placement = sublet, forms
        normal = placed | (own & rules_met)
        econ = normal | (own & a.v_exc_ok[None, :])
    else:
        # Every form an own lease (no lease holders): the letting rules as before.
        forms = placement = own
        normal = rules_met
        econ = normal | a.v_exc_ok[None, :]
    # Without any qualified-only exception places rule 9 passes wherever rule 8 does: the
    # same matrix, no extra work on the hot path.
    if a.any_qualification:
        # Rule 8 is applied before, so the exception places are known to exist here.
        may_qualify = a.hl_exc_qualified[rows][:, a.v_land]
        qualified = normal | ((own & may_qualify) if a.any_sublet else may_qualify)
    else:
        qualified = econ
    return [rooms, access, area, forms, rent, ins, placement, econ, qualified, normal]


_LAST_RULE = len(RULES) - 1
"""The index of the `normal` matrix among `_rule_masks`: one past the rules before `declined`."""


def _applied_before(masks: list[BoolArray], k: int) -> bool:
    """Rule k's matrix is an earlier rule's (the same object): where that one passed, this
    one passes, so it needs no work (no lease holders, no placement conditions, no
    qualified-only exception places — the common case)."""
    return any(masks[k] is earlier for earlier in masks[:k])


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
        for k, m in enumerate(masks[1:_LAST_RULE], start=1):
            if _applied_before(masks, k):
                failed[:, k] = 0
                continue  # the same matrix as an earlier rule: nothing more fails on it
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
        es.append(~masks[_LAST_RULE][r, c])
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
        for k, m in enumerate(masks[:_LAST_RULE]):
            if _applied_before(masks, k):
                continue  # the same matrix as an earlier rule: nothing more fails on it
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
