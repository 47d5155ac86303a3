"""The solver's input and output: frozen dataclasses and the documented JSON formats.

`matching-problem/1` and `matching-solution/1` are described in docs/matching-format.md. Parsing is
strict: every documented field is required (the service applies defaults before writing a
problem), unknown fields are refused, and every error is a `ProblemError` whose message names
the offending field by its path, e.g. ``households[3].income.salary: expected a number``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

PROBLEM_FORMAT = "matching-problem/1"
SOLUTION_FORMAT = "matching-solution/1"

#: Contract forms of docs/domain.md §5, in the order of the housing staircase.
CONTRACT_FORMS: tuple[str, ...] = (
    "municipal_contract",
    "training_apartment",
    "support_agreement",
    "housing_first",
    "first_hand_with_guarantee",
    "short_term",
)
LANDLORD_KINDS = ("public", "private")
EMPLOYMENTS = ("permanent", "temporary", "none")
TARGET_GROUPS = (
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
STATUSES = ("optimal", "feasible", "infeasible")
#: A household's guarantee (docs/domain.md §3): a rent guarantee (hyresgaranti, Karlstad) or a
#: full municipal surety (kommunal borgen, Västerås' support agreements).
GUARANTEE_KINDS = ("rent_guarantee", "municipal_surety")
#: The landlord's requirements a guarantee may lift (`landlords[].guarantee_lifts`); whether
#: income support counts as income is never one of them (Västerås).
LIFTABLE_REQUIREMENTS = ("income_multiple", "permanent_employment", "payment_remarks")


class ProblemError(ValueError):
    """A malformed problem or solution document; the message starts with the field path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.detail = message


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True, slots=True)
class Area:
    """A district; `excluded` areas get no social placements, `cap` limits them per round."""

    id: str
    excluded: bool
    cap: int | None


@dataclass(frozen=True, slots=True)
class Landlord:
    """A landlord with its cooperation agreement's quotas and letting rules."""

    id: str
    kind: str
    quota: int
    exception_quota: int
    excluded_areas: tuple[str, ...]
    income_multiple: float
    accepts_income_support: bool
    accepts_housing_allowance: bool
    requires_permanent_employment: bool
    accepts_payment_remarks: bool
    accepts_municipal_guarantee: bool
    requires_home_insurance: bool
    contract_forms: tuple[str, ...]
    exception_qualification: bool = False
    """Its exception places are only for the households that name it in their
    `exception_qualified` (Helsingborg 3:5: paid the rent, no disturbances, vouched for)."""
    guarantee_lifts: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    """Per guarantee kind it accepts, the requirements that kind lifts; None (a document
    written before guarantee kinds): `accepts_municipal_guarantee` decides, and an accepted
    guarantee lifts every letting rule, as it always did."""
    placement_refuses_income_support: bool = False
    """Its own condition for the municipality's subtenants: no household living on income
    support (Västerås: "Det är bara Mimer som tar emot hushåll med försörjningsstöd")."""
    target_groups: tuple[str, ...] = ()
    """The target groups its agreement takes as the municipality's subtenants (Göteborg);
    empty: all."""
    move_on_outside_quota: int = 0
    """Places beside its quota that only households moving on may take (Helsingborg
    Delmål 3: "med hyresgaranti utanför rådande kvot"); 0 in a document written before."""


@dataclass(frozen=True, slots=True)
class Vacancy:
    """An open vacancy posted by a landlord."""

    id: str
    landlord: str
    area: str
    rooms: int
    rent: float
    elevator: bool
    ground_floor: bool
    wheelchair: bool
    contract_forms: tuple[str, ...]
    quota_apartment: bool = True
    """Counts toward its landlord's quota; False for a flat a move chain freed (Helsingborg
    3:6), which the landlord did not hand over anew."""


@dataclass(frozen=True, slots=True)
class Income:
    """Monthly income by source, SEK."""

    salary: float
    income_support: float
    housing_allowance: float
    other: float


@dataclass(frozen=True, slots=True)
class Household:
    """An open household need with its priority `weight`."""

    id: str
    weight: int
    adults: int
    children: int
    target_groups: tuple[str, ...]
    income: Income
    employment: str
    payment_remarks: bool
    municipal_guarantee: bool
    home_insurance: bool
    drug_free_months: int | None
    rooms_min: int
    rooms_max: int
    max_rent: float
    needs_elevator: bool
    needs_ground_floor: bool
    needs_wheelchair: bool
    avoid_areas: tuple[str, ...]
    preferred_areas: tuple[str, ...]
    contract_forms: tuple[str, ...]
    newly_arrived: bool
    exception_qualified: tuple[str, ...] = ()
    """The landlords whose qualified-only exception places it may take (it meets their
    agreement's conditions, decided by the service)."""
    guarantee: str | None = None
    """The kind of its guarantee (`GUARANTEE_KINDS`); None in a document written before
    guarantee kinds, where `municipal_guarantee` true reads as a municipal surety."""
    moving_on: bool = False
    """It moves on from a municipal contract (Helsingborg 3:6): it may take a landlord's
    `move_on_outside_quota` places."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One match round: `matching-problem/1`."""

    municipality: str
    areas: tuple[Area, ...]
    landlords: tuple[Landlord, ...]
    vacancies: tuple[Vacancy, ...]
    households: tuple[Household, ...]
    forbidden: tuple[tuple[str, str], ...] = ()
    pinned: tuple[tuple[str, str], ...] = ()
    newly_arrived_min: int = 0
    time_limit_s: float | None = None
    municipality_tenant_forms: tuple[str, ...] = ()
    """The contract forms in which the municipality holds the lease and sublets: the
    landlord's letting rules do not apply through them (docs/domain.md §5). Empty in a
    document written before lease holders, where the letting rules apply to every form."""
    _index: dict[str, dict[str, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        _check_references(self)
        self._index["area"] = {a.id: i for i, a in enumerate(self.areas)}
        self._index["landlord"] = {lo.id: i for i, lo in enumerate(self.landlords)}
        self._index["vacancy"] = {v.id: i for i, v in enumerate(self.vacancies)}
        self._index["household"] = {h.id: i for i, h in enumerate(self.households)}

    def area(self, area_id: str) -> Area:
        """The area with this id."""
        return self.areas[self._index["area"][area_id]]

    def landlord(self, landlord_id: str) -> Landlord:
        """The landlord with this id."""
        return self.landlords[self._index["landlord"][landlord_id]]

    def vacancy(self, vacancy_id: str) -> Vacancy:
        """The vacancy with this id."""
        return self.vacancies[self._index["vacancy"][vacancy_id]]

    def household(self, household_id: str) -> Household:
        """The household with this id."""
        return self.households[self._index["household"][household_id]]

    def index_of(self, kind: str, item_id: str) -> int:
        """Position of an item (kind: area, landlord, vacancy, household) in its list."""
        return self._index[kind][item_id]

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        """Parse a `matching-problem/1` document; raise `ProblemError` naming the field."""
        return _parse_problem(data)

    def to_json(self) -> dict[str, Any]:
        """The `matching-problem/1` document for this problem."""
        return {
            "format": PROBLEM_FORMAT,
            "municipality": self.municipality,
            "areas": [{"id": a.id, "excluded": a.excluded, "cap": a.cap} for a in self.areas],
            "landlords": [_landlord_json(lo) for lo in self.landlords],
            "vacancies": [_vacancy_json(v) for v in self.vacancies],
            "households": [_household_json(h) for h in self.households],
            "forbidden": [list(p) for p in self.forbidden],
            "pinned": [list(p) for p in self.pinned],
            "newly_arrived_min": self.newly_arrived_min,
            "time_limit_s": self.time_limit_s,
            **(
                {"municipality_tenant_forms": list(self.municipality_tenant_forms)}
                if self.municipality_tenant_forms
                else {}
            ),
        }


@dataclass(frozen=True, slots=True)
class Score:
    """The score breakdown of one assignment."""

    weight: int
    preferred_area: bool
    spare_rooms: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """One proposed match."""

    household: str
    vacancy: str
    contract_form: str
    exception: bool
    score: Score


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A household left without a vacancy, and why."""

    household: str
    eligible_vacancies: int
    failed: dict[str, int]
    reason: str
    failing: dict[str, int] = field(default_factory=dict)
    """Per rule, the vacancies failing it, every failing rule of a vacancy counted (`failed`
    counts only the first); optional in the document."""


@dataclass(frozen=True, slots=True)
class Solution:
    """A solver result: `matching-solution/1`."""

    status: str
    objective: int
    bound: int
    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    stats: dict[str, Any]
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `matching-solution/1` document for this solution."""
        out: dict[str, Any] = {
            "format": SOLUTION_FORMAT,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
        }
        if self.reason is not None:
            out["reason"] = self.reason
        out["assignments"] = [
            {
                "household": a.household,
                "vacancy": a.vacancy,
                "contract_form": a.contract_form,
                "exception": a.exception,
                "score": {
                    "weight": a.score.weight,
                    "preferred_area": a.score.preferred_area,
                    "spare_rooms": a.score.spare_rooms,
                },
            }
            for a in self.assignments
        ]
        out["unmatched"] = [
            {
                "household": u.household,
                "eligible_vacancies": u.eligible_vacancies,
                "failed": dict(u.failed),
                "reason": u.reason,
                **({"failing": dict(u.failing)} if u.failing else {}),
            }
            for u in self.unmatched
        ]
        out["stats"] = self.stats
        return out

    @classmethod
    def from_json(cls, data: Any) -> Solution:
        """Parse a `matching-solution/1` document; raise `ProblemError` naming the field."""
        return _parse_solution(data)


# --------------------------------------------------------------------------- serialisation


def _landlord_json(lo: Landlord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": lo.id,
        "kind": lo.kind,
        "quota": lo.quota,
        "exception_quota": lo.exception_quota,
        "excluded_areas": list(lo.excluded_areas),
        "income_multiple": lo.income_multiple,
        "accepts_income_support": lo.accepts_income_support,
        "accepts_housing_allowance": lo.accepts_housing_allowance,
        "requires_permanent_employment": lo.requires_permanent_employment,
        "accepts_payment_remarks": lo.accepts_payment_remarks,
        "accepts_municipal_guarantee": lo.accepts_municipal_guarantee,
        "requires_home_insurance": lo.requires_home_insurance,
        "contract_forms": list(lo.contract_forms),
    }
    # Optional fields are written only when they differ from their default, so a problem
    # without move chains reads exactly as before.
    if lo.exception_qualification:
        out["exception_qualification"] = True
    if lo.guarantee_lifts is not None:
        out["guarantee_lifts"] = {kind: list(lifts) for kind, lifts in lo.guarantee_lifts}
    if lo.placement_refuses_income_support:
        out["placement_refuses_income_support"] = True
    if lo.target_groups:
        out["target_groups"] = list(lo.target_groups)
    if lo.move_on_outside_quota:
        out["move_on_outside_quota"] = lo.move_on_outside_quota
    return out


def _vacancy_json(v: Vacancy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": v.id,
        "landlord": v.landlord,
        "area": v.area,
        "rooms": v.rooms,
        "rent": v.rent,
        "elevator": v.elevator,
        "ground_floor": v.ground_floor,
        "wheelchair": v.wheelchair,
        "contract_forms": list(v.contract_forms),
    }
    if not v.quota_apartment:
        out["quota_apartment"] = False
    return out


def _household_json(h: Household) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": h.id,
        "weight": h.weight,
        "adults": h.adults,
        "children": h.children,
        "target_groups": list(h.target_groups),
        "income": {
            "salary": h.income.salary,
            "income_support": h.income.income_support,
            "housing_allowance": h.income.housing_allowance,
            "other": h.income.other,
        },
        "employment": h.employment,
        "payment_remarks": h.payment_remarks,
        "municipal_guarantee": h.municipal_guarantee,
        "home_insurance": h.home_insurance,
        "drug_free_months": h.drug_free_months,
        "rooms_min": h.rooms_min,
        "rooms_max": h.rooms_max,
        "max_rent": h.max_rent,
        "needs_elevator": h.needs_elevator,
        "needs_ground_floor": h.needs_ground_floor,
        "needs_wheelchair": h.needs_wheelchair,
        "avoid_areas": list(h.avoid_areas),
        "preferred_areas": list(h.preferred_areas),
        "contract_forms": list(h.contract_forms),
        "newly_arrived": h.newly_arrived,
    }
    if h.exception_qualified:
        out["exception_qualified"] = list(h.exception_qualified)
    if h.guarantee is not None:
        out["guarantee"] = h.guarantee
    if h.moving_on:
        out["moving_on"] = True
    return out


T = TypeVar("T")


class _Obj:
    """A JSON object being read: every key must be consumed exactly once."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ProblemError(path or "(document)", "expected an object")
        self.data = data
        self.path = path
        self.seen: set[str] = set()

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def raw(self, key: str, *, optional: bool = False) -> Any:
        if key not in self.data:
            if optional:
                return None
            raise ProblemError(self.sub(key), "required field is missing")
        self.seen.add(key)
        return self.data[key]

    def done(self) -> None:
        extra = sorted(str(k) for k in self.data if k not in self.seen)
        if extra:
            raise ProblemError(self.sub(extra[0]), "unknown field")

    def string(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value:
            raise ProblemError(self.sub(key), "expected a non-empty string")
        return value

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise ProblemError(self.sub(key), "expected true or false")
        return value

    def integer(self, key: str, *, minimum: int = 0, nullable: bool = False) -> int | None:
        value = self.raw(key)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProblemError(self.sub(key), "expected an integer" + (" or null" * nullable))
        if value < minimum:
            raise ProblemError(self.sub(key), f"must be ≥ {minimum}")
        return value

    def req_int(self, key: str, *, minimum: int = 0) -> int:
        value = self.integer(key, minimum=minimum)
        assert value is not None
        return value

    def number(self, key: str) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProblemError(self.sub(key), "expected a number")
        if not math.isfinite(value) or value < 0:
            raise ProblemError(self.sub(key), "must be a finite number ≥ 0")
        return float(value)

    def optional_boolean(self, key: str, default: bool) -> bool:
        """An optional flag: its default when the key is absent."""
        if key not in self.data:
            return default
        return self.boolean(key)

    def optional_strings(self, key: str) -> tuple[str, ...]:
        """An optional list of strings: empty when the key is absent."""
        if key not in self.data:
            return ()
        return self.strings(key)

    def choice(self, key: str, allowed: Sequence[str]) -> str:
        value = self.raw(key)
        if value not in allowed:
            raise ProblemError(self.sub(key), f"expected one of {', '.join(allowed)}")
        return str(value)

    def strings(self, key: str, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
        value = self.raw(key)
        path = self.sub(key)
        if not isinstance(value, list):
            raise ProblemError(path, "expected a list of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise ProblemError(f"{path}[{i}]", "expected a non-empty string")
            if allowed is not None and item not in allowed:
                raise ProblemError(f"{path}[{i}]", f"expected one of {', '.join(allowed)}")
        if len(set(value)) != len(value):
            raise ProblemError(path, "duplicate entries")
        return tuple(value)

    def objects(self, key: str, parse: Callable[[_Obj], T]) -> tuple[T, ...]:
        value = self.raw(key)
        path = self.sub(key)
        if not isinstance(value, list):
            raise ProblemError(path, "expected a list")
        out = []
        for i, item in enumerate(value):
            obj = _Obj(item, f"{path}[{i}]")
            out.append(parse(obj))
            obj.done()
        return tuple(out)

    def pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self.raw(key)
        path = self.sub(key)
        if not isinstance(value, list):
            raise ProblemError(path, "expected a list of [household, vacancy] pairs")
        out = []
        for i, item in enumerate(value):
            if (
                not isinstance(item, list)
                or len(item) != 2
                or not all(isinstance(x, str) and x for x in item)
            ):
                raise ProblemError(f"{path}[{i}]", "expected [household id, vacancy id]")
            out.append((item[0], item[1]))
        return tuple(out)


def _parse_area(o: _Obj) -> Area:
    return Area(
        id=o.string("id"), excluded=o.boolean("excluded"), cap=o.integer("cap", nullable=True)
    )


def _parse_landlord(o: _Obj) -> Landlord:
    return Landlord(
        id=o.string("id"),
        kind=o.choice("kind", LANDLORD_KINDS),
        quota=o.req_int("quota"),
        exception_quota=o.req_int("exception_quota"),
        excluded_areas=o.strings("excluded_areas"),
        income_multiple=o.number("income_multiple"),
        accepts_income_support=o.boolean("accepts_income_support"),
        accepts_housing_allowance=o.boolean("accepts_housing_allowance"),
        requires_permanent_employment=o.boolean("requires_permanent_employment"),
        accepts_payment_remarks=o.boolean("accepts_payment_remarks"),
        accepts_municipal_guarantee=o.boolean("accepts_municipal_guarantee"),
        requires_home_insurance=o.boolean("requires_home_insurance"),
        contract_forms=o.strings("contract_forms", CONTRACT_FORMS),
        exception_qualification=o.optional_boolean("exception_qualification", False),
        guarantee_lifts=_parse_lifts(o),
        placement_refuses_income_support=o.optional_boolean(
            "placement_refuses_income_support", False
        ),
        target_groups=(
            o.strings("target_groups", TARGET_GROUPS) if "target_groups" in o.data else ()
        ),
        move_on_outside_quota=(
            o.req_int("move_on_outside_quota") if "move_on_outside_quota" in o.data else 0
        ),
    )


def _parse_lifts(o: _Obj) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """`guarantee_lifts`: {kind: [requirement, …]}, optional (None when absent)."""
    if "guarantee_lifts" not in o.data:
        return None
    lifts = _Obj(o.raw("guarantee_lifts"), o.sub("guarantee_lifts"))
    out = []
    for kind in list(lifts.data):
        if kind not in GUARANTEE_KINDS:
            raise ProblemError(
                lifts.sub(str(kind)), f"expected one of {', '.join(GUARANTEE_KINDS)}"
            )
        out.append((kind, lifts.strings(kind, LIFTABLE_REQUIREMENTS)))
    lifts.done()
    return tuple(out)


def _parse_vacancy(o: _Obj) -> Vacancy:
    return Vacancy(
        id=o.string("id"),
        landlord=o.string("landlord"),
        area=o.string("area"),
        rooms=o.req_int("rooms"),
        rent=o.number("rent"),
        elevator=o.boolean("elevator"),
        ground_floor=o.boolean("ground_floor"),
        wheelchair=o.boolean("wheelchair"),
        contract_forms=o.strings("contract_forms", CONTRACT_FORMS),
        quota_apartment=o.optional_boolean("quota_apartment", True),
    )


def _parse_income(o: _Obj) -> Income:
    return Income(
        salary=o.number("salary"),
        income_support=o.number("income_support"),
        housing_allowance=o.number("housing_allowance"),
        other=o.number("other"),
    )


def _parse_household(o: _Obj) -> Household:
    income_obj = _Obj(o.raw("income"), o.sub("income"))
    income = _parse_income(income_obj)
    income_obj.done()
    return Household(
        id=o.string("id"),
        weight=o.req_int("weight", minimum=1),
        adults=o.req_int("adults"),
        children=o.req_int("children"),
        target_groups=o.strings("target_groups", TARGET_GROUPS),
        income=income,
        employment=o.choice("employment", EMPLOYMENTS),
        payment_remarks=o.boolean("payment_remarks"),
        municipal_guarantee=o.boolean("municipal_guarantee"),
        home_insurance=o.boolean("home_insurance"),
        drug_free_months=o.integer("drug_free_months", nullable=True),
        rooms_min=o.req_int("rooms_min"),
        rooms_max=o.req_int("rooms_max"),
        max_rent=o.number("max_rent"),
        needs_elevator=o.boolean("needs_elevator"),
        needs_ground_floor=o.boolean("needs_ground_floor"),
        needs_wheelchair=o.boolean("needs_wheelchair"),
        avoid_areas=o.strings("avoid_areas"),
        preferred_areas=o.strings("preferred_areas"),
        contract_forms=o.strings("contract_forms", CONTRACT_FORMS),
        newly_arrived=o.boolean("newly_arrived"),
        exception_qualified=o.optional_strings("exception_qualified"),
        guarantee=_optional_guarantee(o),
        moving_on=o.optional_boolean("moving_on", False),
    )


def _optional_guarantee(o: _Obj) -> str | None:
    """`guarantee`: a kind or null, optional."""
    if o.raw("guarantee", optional=True) is None:
        return None
    return o.choice("guarantee", GUARANTEE_KINDS)


def _parse_problem(data: Any) -> Problem:
    o = _Obj(data, "")
    if o.raw("format") != PROBLEM_FORMAT:
        raise ProblemError("format", f'expected "{PROBLEM_FORMAT}"')
    municipality = o.string("municipality")
    areas = o.objects("areas", _parse_area)
    landlords = o.objects("landlords", _parse_landlord)
    vacancies = o.objects("vacancies", _parse_vacancy)
    households = o.objects("households", _parse_household)
    forbidden = o.pairs("forbidden")
    pinned = o.pairs("pinned")
    newly_arrived_min = o.req_int("newly_arrived_min")
    tenant_forms = (
        o.strings("municipality_tenant_forms", CONTRACT_FORMS)
        if "municipality_tenant_forms" in o.data
        else ()
    )
    limit_raw = o.raw("time_limit_s")
    time_limit: float | None
    if limit_raw is None:
        time_limit = None
    else:
        time_limit = o.number("time_limit_s")
        if time_limit <= 0:
            raise ProblemError("time_limit_s", "must be > 0 or null")
    o.done()
    return Problem(
        municipality=municipality,
        areas=areas,
        landlords=landlords,
        vacancies=vacancies,
        households=households,
        forbidden=forbidden,
        pinned=pinned,
        newly_arrived_min=newly_arrived_min,
        time_limit_s=time_limit,
        municipality_tenant_forms=tenant_forms,
    )


def _unique_ids(items: Sequence[Any], path: str) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise ProblemError(f"{path}[{i}].id", f"duplicate id {item.id!r}")
        seen.add(item.id)
    return seen


def _check_references(p: Problem) -> None:
    """Every id a problem refers to must exist (raised as ProblemError with the path)."""
    area_ids = _unique_ids(p.areas, "areas")
    landlord_ids = _unique_ids(p.landlords, "landlords")
    vacancy_ids = _unique_ids(p.vacancies, "vacancies")
    household_ids = _unique_ids(p.households, "households")
    for i, lo in enumerate(p.landlords):
        for j, a in enumerate(lo.excluded_areas):
            if a not in area_ids:
                raise ProblemError(f"landlords[{i}].excluded_areas[{j}]", f"unknown area {a!r}")
    for i, v in enumerate(p.vacancies):
        if v.landlord not in landlord_ids:
            raise ProblemError(f"vacancies[{i}].landlord", f"unknown landlord {v.landlord!r}")
        if v.area not in area_ids:
            raise ProblemError(f"vacancies[{i}].area", f"unknown area {v.area!r}")
    for i, h in enumerate(p.households):
        for j, lid in enumerate(h.exception_qualified):
            if lid not in landlord_ids:
                raise ProblemError(
                    f"households[{i}].exception_qualified[{j}]", f"unknown landlord {lid!r}"
                )
        for key in ("avoid_areas", "preferred_areas"):
            for j, a in enumerate(getattr(h, key)):
                if a not in area_ids:
                    raise ProblemError(f"households[{i}].{key}[{j}]", f"unknown area {a!r}")
    for key in ("forbidden", "pinned"):
        for i, (hid, vid) in enumerate(getattr(p, key)):
            if hid not in household_ids:
                raise ProblemError(f"{key}[{i}][0]", f"unknown household {hid!r}")
            if vid not in vacancy_ids:
                raise ProblemError(f"{key}[{i}][1]", f"unknown vacancy {vid!r}")


def _parse_solution(data: Any) -> Solution:
    o = _Obj(data, "")
    if o.raw("format") != SOLUTION_FORMAT:
        raise ProblemError("format", f'expected "{SOLUTION_FORMAT}"')
    status = o.choice("status", STATUSES)
    objective = o.req_int("objective")
    bound = o.req_int("bound")
    reason_raw = o.raw("reason", optional=True)
    if reason_raw is not None and not isinstance(reason_raw, str):
        raise ProblemError("reason", "expected a string")

    def assignment(a: _Obj) -> Assignment:
        s = _Obj(a.raw("score"), a.sub("score"))
        score = Score(
            weight=s.req_int("weight"),
            preferred_area=s.boolean("preferred_area"),
            spare_rooms=s.req_int("spare_rooms"),
        )
        s.done()
        return Assignment(
            household=a.string("household"),
            vacancy=a.string("vacancy"),
            contract_form=a.choice("contract_form", CONTRACT_FORMS),
            exception=a.boolean("exception"),
            score=score,
        )

    def unmatched(u: _Obj) -> Unmatched:
        counts: dict[str, dict[str, int]] = {}
        for name in ("failed", "failing"):
            raw = u.raw(name, optional=name == "failing")
            raw = {} if raw is None else raw
            if not isinstance(raw, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                for k, v in raw.items()
            ):
                raise ProblemError(u.sub(name), "expected an object of rule → count")
            counts[name] = dict(raw)
        return Unmatched(
            household=u.string("household"),
            eligible_vacancies=u.req_int("eligible_vacancies"),
            failed=counts["failed"],
            reason=u.string("reason"),
            failing=counts["failing"],
        )

    assignments = o.objects("assignments", assignment)
    unmatched_list = o.objects("unmatched", unmatched)
    stats = o.raw("stats")
    if not isinstance(stats, dict):
        raise ProblemError("stats", "expected an object")
    o.done()
    return Solution(
        status=status,
        objective=objective,
        bound=bound,
        assignments=assignments,
        unmatched=unmatched_list,
        stats=dict(stats),
        reason=reason_raw,
    )
