"""The one bridge between the database and the solver, both ways.

`build_problem` reads a municipality's areas, agreements, vacancies, households, pins and
forbidden pairs and writes a `matching-problem/1` with every default applied (the solver
never guesses, docs/matching-format.md). `write_solution` turns a `matching-solution/1` into
proposal rows. `build_household_problem` is the same problem cut down to one household (the
household's candidates view, app/flows/candidates.py), built from the same pieces.
Nothing else imports both ORM rows and `matching`, so a change of either side
is a change here only. Ids in the problem are the database ids (vacancy, household and
landlord ids, area codes), so the downloaded problem names the same objects as the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import matching
from app.agreements.exceptions import exception_qualified
from app.agreements.lease import guarantee_lifts
from app.agreements.models import Agreement
from app.agreements.pacing import quota_due
from app.agreements.quota import (
    YearUse,
    left,
    moving_on_households,
    moving_on_where,
    placements_of_year,
    use_of_year,
)
from app.areas.models import Area
from app.core.db import local_date
from app.households.models import Household
from app.households.service import effective_needs, guarantee_kind_of, income_of
from app.landlords.models import Landlord
from app.policies.service import forms_left, household_weight, needs_refusal
from app.policies.weights import PolicyWeights
from app.proposals.models import ForbiddenPair, Pin, Proposal, live_at, overdue_at
from app.tenancies.models import Tenancy, TenancyEvent
from app.vacancies.models import Vacancy
from app.vocabulary import (
    MUNICIPALITY_TENANT_FORMS,
    NOT_ASSESSED,
    PERMISSIVE_LETTING_RULES,
    HouseholdStatus,
    ProposalStatus,
    SatOutReason,
    TargetGroup,
    TenancyStatus,
    VacancyStatus,
    letting_rules_of,
)

SUBLET_FORMS: tuple[str, ...] = tuple(form.value for form in MUNICIPALITY_TENANT_FORMS)
"""The forms in which the municipality holds the lease, as every problem carries them: the
solver applies the landlord's letting rules through the other forms only."""


class RoundConflict(Exception):
    """The database changed since the snapshot in a way that forbids writing the result
    (a vacancy or household taken or closed meanwhile). The message has no personal data."""


@dataclass(frozen=True, slots=True)
class RoundInputs:
    """What a round request adds to the database state."""

    municipality: str
    year: int
    policy: PolicyWeights
    newly_arrived_min: int
    time_limit_s: int
    now: datetime
    quota_overrides: Mapping[str, QuotaOverride] = field(default_factory=dict)
    """A what-if round's quotas per landlord, in place of its agreement's (docs/what-if.md)."""


@dataclass(frozen=True, slots=True)
class QuotaOverride:
    """A landlord's yearly quota and exception quota for a what-if round; None keeps the
    agreement's. What the year has already delivered still counts against it."""

    quota: int | None = None
    exception_quota: int | None = None


def _live_vacancies(session: Session, now: datetime) -> set[str]:
    """Vacancies a live proposal holds at `now` (one past its deadline holds nothing: it
    is expired, whether or not the sweep has written it, `live_at`)."""
    return set(session.scalars(select(Proposal.vacancy_id).where(live_at(now))))


def _live_proposal_households(session: Session, municipality: str, now: datetime) -> set[str]:
    """Households in a live proposal at `now` (`live_at`)."""
    live = session.scalars(
        select(Proposal.household_id).where(
            Proposal.municipality_code == municipality, live_at(now)
        )
    )
    return {h for h in live if h is not None}


def _housed_households(session: Session, municipality: str) -> set[str]:
    """Households living in an active tenancy with no move-on need posted for it."""
    housed = session.scalars(
        select(Tenancy.household_id).where(
            Tenancy.municipality_code == municipality,
            Tenancy.status == TenancyStatus.active,
            Tenancy.household_id.is_not(None),
            Tenancy.move_on_since.is_(None),
        )
    )
    return {h for h in housed if h is not None}


def _busy_households(session: Session, municipality: str, now: datetime) -> set[str]:
    """Households in a live proposal (at `now`, `live_at`) or an active tenancy: not up for
    matching — unless a move-on need was posted for the tenancy they live in (Helsingborg
    3:6, app/flows/move_chain.py): that link alone lets a sitting tenant in."""
    return _live_proposal_households(session, municipality, now) | _housed_households(
        session, municipality
    )


def _known(codes: Iterable[str], areas: set[str]) -> tuple[str, ...]:
    """Area codes the problem knows, in a stable order (a stale code is dropped, not fatal)."""
    return tuple(sorted({code for code in codes if code in areas}))


def area_cap(cap: int | None, period_cap: int | None, placed: int) -> int | None:
    """The cap a round gives the solver for an area: its per-round `cap` and what remains of
    its `period_cap` after the year's `placed` placements, whichever is lower (None: no
    cap). Jönköping: "lägenheterna är geografiskt spridda" — over the year, not only in one
    round."""
    remaining = None if period_cap is None else max(period_cap - placed, 0)
    caps = [c for c in (cap, remaining) if c is not None]
    return min(caps) if caps else None


def _areas(
    session: Session, municipality: str, year: int, now: datetime
) -> tuple[matching.Area, ...]:
    """Every area of the municipality, by code, with the cap left for this round."""
    rows = session.scalars(
        select(Area).where(Area.municipality_code == municipality).order_by(Area.code)
    ).all()
    placed: dict[str, int] = {}
    if any(a.period_cap is not None for a in rows):
        for place in placements_of_year(session, municipality, year, now):
            placed[place.area] = placed.get(place.area, 0) + 1
    return tuple(
        matching.Area(
            id=a.code,
            excluded=a.excluded,
            cap=area_cap(a.cap, a.period_cap, placed.get(a.code, 0)),
        )
        for a in rows
    )


def _landlords(
    session: Session,
    municipality: str,
    year: int,
    area_codes: set[str],
    overrides: Mapping[str, QuotaOverride] | None,
    now: datetime,
) -> tuple[matching.Landlord, ...]:
    """The landlords with an agreement for the year, with the quota still remaining: the
    share due by `now` under the agreement's pacing (app/agreements/pacing.py), less what
    the year delivered and its live proposals hold (app/agreements/quota.py, as the quota
    view counts it); a what-if round's `overrides` in place of the agreed quotas."""
    agreements = session.execute(
        select(Agreement, Landlord.kind)
        .join(Landlord, Landlord.id == Agreement.landlord_id)
        .where(Agreement.municipality_code == municipality, Agreement.year == year)
        .order_by(Agreement.landlord_id)
    ).all()
    used = use_of_year(session, municipality, year, now)
    landlords = []
    for agreement, kind in agreements:
        use = used.get(agreement.landlord_id, YearUse())
        override = (overrides or {}).get(agreement.landlord_id, QuotaOverride())
        quota = quota_due(
            agreement.quota if override.quota is None else override.quota,
            agreement.pacing,
            year=year,
            on=local_date(now),
        )
        exception_quota = (
            agreement.exception_quota
            if override.exception_quota is None
            else override.exception_quota
        )
        landlords.append(
            matching.Landlord(
                id=agreement.landlord_id,
                kind=kind,
                quota=left(quota, use.delivered, use.proposed),
                exception_quota=left(exception_quota, use.exceptions_used, use.exceptions_proposed),
                # Helsingborg Delmål 3: the move-on places outside the quota still left.
                move_on_outside_quota=left(
                    agreement.move_on_outside_quota, use.outside_used, use.outside_proposed
                ),
                excluded_areas=_known(agreement.excluded_areas, area_codes),
                **letting_rules_of(agreement),
                contract_forms=tuple(agreement.contract_forms),
                # Helsingborg 3:5: its exception places only for those who qualify; who
                # does is each household's `exception_qualified` (`_qualified`).
                exception_qualification=bool(agreement.exception_conditions),
                guarantee_lifts=guarantee_lifts(agreement),
                placement_refuses_income_support=agreement.placement_refuses_income_support,
                target_groups=tuple(agreement.accepted_target_groups or ()),
            )
        )
    return tuple(landlords)


def _vacancy_rows(
    session: Session,
    municipality: str,
    landlord_ids: set[str],
    area_codes: set[str],
    now: datetime,
) -> list[Vacancy]:
    """The vacancies up for matching at `now`: open (or still `proposed` by a proposal past
    its deadline: its expiry frees it), of a landlord with an agreement in force, not in a
    live proposal, in an area the municipality has."""
    live = _live_vacancies(session, now)
    freed = select(Proposal.vacancy_id).where(overdue_at(now))
    rows = session.scalars(
        select(Vacancy)
        .where(
            Vacancy.municipality_code == municipality,
            (Vacancy.status == VacancyStatus.open)
            | ((Vacancy.status == VacancyStatus.proposed) & Vacancy.id.in_(freed)),
        )
        .order_by(Vacancy.id)
    ).all()
    return [
        v
        for v in rows
        if v.landlord_id in landlord_ids and v.id not in live and v.area in area_codes
    ]


def _forbidden(
    session: Session, municipality: str, now: datetime, household_id: str | None = None
) -> set[tuple[str, str]]:
    """The `(household, vacancy)` pairs never to propose at `now` (of one household, if
    given): the forbidden pairs, and the pair of every proposal past its deadline — its
    expiry forbids it, whether or not the sweep has written it."""
    recorded = select(ForbiddenPair.household_id, ForbiddenPair.vacancy_id).where(
        ForbiddenPair.municipality_code == municipality
    )
    expiring = select(Proposal.household_id, Proposal.vacancy_id).where(
        Proposal.municipality_code == municipality, overdue_at(now)
    )
    if household_id is not None:
        recorded = recorded.where(ForbiddenPair.household_id == household_id)
        expiring = expiring.where(Proposal.household_id == household_id)
    return {(h, v) for h, v in (*session.execute(recorded), *session.execute(expiring))}


def _vacancy(v: Vacancy) -> matching.Vacancy:
    return matching.Vacancy(
        id=v.id,
        landlord=v.landlord_id,
        area=v.area,
        rooms=v.rooms,
        rent=float(v.rent),
        elevator=v.elevator,
        ground_floor=v.ground_floor,
        wheelchair=v.wheelchair,
        contract_forms=tuple(v.contract_forms),
        quota_apartment=v.quota_apartment,
    )


def build_problem(session: Session, inputs: RoundInputs) -> matching.Problem:
    """The municipality's round as the solver sees it, read in one transaction. A pin
    whose pair is no longer eligible is not in it, nor is its household (`broken_pins`)."""
    return _snapshot(session, inputs)[0]


def broken_pins(session: Session, inputs: RoundInputs) -> tuple[matching.Unmatched, ...]:
    """The pins whose pair became ineligible since they were made (the vacancy's rent
    raised, the household's needs changed): `build_problem` leaves each out with its
    household — pinned, the pair would make the whole round infeasible — and the round
    reports that household unmatched with a reason naming the pin, the vacancy and the
    failing eligibility rule, so the coordinator deletes the pin or fixes the pair."""
    if session.scalar(select(Pin.id).where(Pin.municipality_code == inputs.municipality)) is None:
        return ()
    return _snapshot(session, inputs)[1]


PIN_BROKEN = "pin: "
"""The prefix of an unmatched reason that a broken pin held the household back."""


def _areas_and_landlords(
    session: Session, municipality: str, inputs: RoundInputs
) -> tuple[tuple[matching.Area, ...], tuple[matching.Landlord, ...]]:
    """The areas and the landlords with their capacities left that a round of `inputs`
    works with — the round and the candidates view alike."""
    areas = _areas(session, municipality, inputs.year, inputs.now)
    landlords = _landlords(
        session,
        municipality,
        inputs.year,
        {a.id for a in areas},
        inputs.quota_overrides,
        inputs.now,
    )
    on_request = _landlords_on_request(session, municipality, inputs, {lo.id for lo in landlords})
    return areas, landlords + on_request


def _landlords_on_request(
    session: Session, municipality: str, inputs: RoundInputs, with_agreement: set[str]
) -> tuple[matching.Landlord, ...]:
    """The landlords without an agreement for the year whose flats the municipality takes on
    request (its policy's `vacancies_on_request`; Södertälje's Graflunds, Jönköping's "Bolag
    som bidrar utan avtal"): no quota — their flats count toward none (`quota_apartment`
    false) —, no exception places, no letting rules of an agreement, only the forms the
    municipality names."""
    forms = inputs.policy.vacancies_on_request
    if not forms:
        return ()
    rows = session.execute(
        select(Landlord.id, Landlord.kind)
        .join(Vacancy, Vacancy.landlord_id == Landlord.id)
        .where(Vacancy.municipality_code == municipality, Landlord.id.not_in(with_agreement))
        .distinct()
        .order_by(Landlord.id)
    ).all()
    return tuple(
        matching.Landlord(
            id=landlord_id,
            kind=kind,
            quota=0,
            exception_quota=0,
            excluded_areas=(),
            **PERMISSIVE_LETTING_RULES,
            contract_forms=tuple(forms),
            guarantee_lifts=(),
        )
        for landlord_id, kind in rows
    )


def _snapshot(
    session: Session, inputs: RoundInputs
) -> tuple[matching.Problem, tuple[matching.Unmatched, ...]]:
    """The round's problem and the households its broken pins left out."""
    municipality = inputs.municipality
    areas, landlords = _areas_and_landlords(session, municipality, inputs)
    area_codes = {a.id for a in areas}
    landlord_ids = {lo.id for lo in landlords}
    vacancies = tuple(
        _vacancy(v)
        for v in _vacancy_rows(session, municipality, landlord_ids, area_codes, inputs.now)
    )

    busy = _busy_households(session, municipality, inputs.now)
    household_rows = session.scalars(
        select(Household)
        .where(
            Household.municipality_code == municipality, Household.status == HouseholdStatus.open
        )
        .order_by(Household.id)
    ).all()
    qualified = _qualified(session, inputs)
    moving_on = moving_on_households(session, municipality)
    households = tuple(
        _household(h, inputs, area_codes, qualified.get(h.id, ()), h.id in moving_on)
        for h in household_rows
        if h.id not in busy and needs_refusal(inputs.policy, h) is None
    )

    vacancy_ids = {v.id for v in vacancies}
    household_ids = {h.id for h in households}
    forbidden = sorted(
        (household_id, vacancy_id)
        for household_id, vacancy_id in _forbidden(session, municipality, inputs.now)
        if household_id in household_ids and vacancy_id in vacancy_ids
    )
    pins = sorted(
        (p.household_id, p.vacancy_id, p.id)
        for p in session.scalars(select(Pin).where(Pin.municipality_code == municipality))
        if p.household_id in household_ids and p.vacancy_id in vacancy_ids
    )
    problem = matching.Problem(
        municipality=municipality,
        areas=areas,
        landlords=landlords,
        vacancies=vacancies,
        households=households,
        forbidden=tuple(forbidden),
        newly_arrived_min=inputs.newly_arrived_min,
        time_limit_s=float(inputs.time_limit_s),
        municipality_tenant_forms=SUBLET_FORMS,
    )
    # Each pin re-checked by the solver's own rules, as when it was made (`pair_failure`).
    declined = frozenset(forbidden)
    broken: list[matching.Unmatched] = []
    for household_id, vacancy_id, pin_id in pins:
        check = matching.check_pair(
            problem,
            problem.household(household_id),
            problem.vacancy(vacancy_id),
            forbidden=declined,
        )
        if check.reason is not None:
            broken.append(_broken_pin(household_id, vacancy_id, pin_id, check.reason))
    left_out = {b.household for b in broken}
    return (
        matching.Problem(
            municipality=municipality,
            areas=areas,
            landlords=landlords,
            vacancies=vacancies,
            households=tuple(h for h in households if h.id not in left_out),
            forbidden=tuple(pair for pair in forbidden if pair[0] not in left_out),
            pinned=tuple((h, v) for h, v, _ in pins if h not in left_out),
            newly_arrived_min=inputs.newly_arrived_min,
            time_limit_s=float(inputs.time_limit_s),
            municipality_tenant_forms=SUBLET_FORMS,
        ),
        tuple(broken),
    )


def _broken_pin(household_id: str, vacancy_id: str, pin_id: str, rule: str) -> matching.Unmatched:
    """A household its broken pin held back: no vacancy counted (it was not matched at
    all), the failing rule under `failed`, ids only in the reason."""
    return matching.Unmatched(
        household=household_id,
        eligible_vacancies=0,
        failed={rule: 1},
        reason=f"{PIN_BROKEN}pin {pin_id} to vacancy {vacancy_id} fails the eligibility rule "
        f"`{rule}`; delete the pin (or fix the pair) for the household to be matched",
    )


def refused_by_policy(session: Session, inputs: RoundInputs) -> tuple[matching.Unmatched, ...]:
    """The open households the round leaves out because the municipality's policy does not
    accept their need (`app.policies.service.needs_refusal`: Nynäshamn's economic-only
    cases without children; a household none of whose contract forms the policy's
    conditions leave, app/policies/conditions.py), each with the policy's reason
    and no vacancy counted, so a round's `unmatched` explains them like any other."""
    busy = _busy_households(session, inputs.municipality, inputs.now)
    rows = session.scalars(
        select(Household)
        .where(
            Household.municipality_code == inputs.municipality,
            Household.status == HouseholdStatus.open,
        )
        .order_by(Household.id)
    ).all()
    refused = []
    for h in rows:
        reason = None if h.id in busy else needs_refusal(inputs.policy, h)
        if reason is not None:
            refused.append(
                matching.Unmatched(household=h.id, eligible_vacancies=0, failed={}, reason=reason)
            )
    return tuple(refused)


SAT_OUT = "sat_out"
"""The key of the round's stored result that lists the households that sat out."""


@dataclass(frozen=True, slots=True)
class SatOut:
    """An open household the round's translation left out before solving, with its coded
    reason and, for a policy refusal or a broken pin, the round's own text (ids only)."""

    household: str
    reason: SatOutReason
    detail: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"household": self.household, "reason": self.reason, "detail": self.detail}


def sat_out(
    session: Session, inputs: RoundInputs, broken: Iterable[matching.Unmatched] = ()
) -> tuple[SatOut, ...]:
    """Every open household of the municipality that takes no part in the round, and why:
    each exclusion `_snapshot` makes — a live proposal or an active tenancy (`_busy_households`),
    the policy's refusal (`needs_refusal`: Jönköping's assessment first, the other
    conditions), a broken pin (`broken_pins`, passed in as `broken`)."""
    municipality = inputs.municipality
    live = _live_proposal_households(session, municipality, inputs.now)
    housed = _housed_households(session, municipality)
    rows = session.scalars(
        select(Household)
        .where(
            Household.municipality_code == municipality,
            Household.status == HouseholdStatus.open,
        )
        .order_by(Household.id)
    ).all()
    out: list[SatOut] = []
    for h in rows:
        if h.id in live:
            out.append(SatOut(h.id, SatOutReason.live_proposal))
        elif h.id in housed:
            out.append(SatOut(h.id, SatOutReason.active_tenancy))
        elif (refusal := needs_refusal(inputs.policy, h)) == NOT_ASSESSED:
            out.append(SatOut(h.id, SatOutReason.not_assessed))
        elif refusal is not None:
            out.append(SatOut(h.id, SatOutReason.policy_refused, refusal))
    out.extend(SatOut(b.household, SatOutReason.pin_broken, b.reason) for b in broken)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class HouseholdProblem:
    """One household against every vacancy a round would consider now (the candidates
    view): `problem` has that household only, all those vacancies, the household's
    forbidden pairs and no pins; `external_refs` names each vacancy by the landlord's
    reference; `busy` says the household is in a live proposal or an active tenancy (the
    next round leaves it out)."""

    problem: matching.Problem
    external_refs: dict[str, str]
    busy: bool


def build_household_problem(
    session: Session, household: Household, inputs: RoundInputs
) -> HouseholdProblem:
    """The round's problem cut down to one household, built from the same pieces as
    `build_problem`, so a candidate here is a pair the solver would see as eligible."""
    municipality = household.municipality_code
    areas, landlords = _areas_and_landlords(session, municipality, inputs)
    area_codes = {a.id for a in areas}
    rows = _vacancy_rows(session, municipality, {lo.id for lo in landlords}, area_codes, inputs.now)
    vacancy_ids = {v.id for v in rows}
    forbidden = sorted(
        pair
        for pair in _forbidden(session, municipality, inputs.now, household.id)
        if pair[1] in vacancy_ids
    )
    problem = matching.Problem(
        municipality=municipality,
        areas=areas,
        landlords=landlords,
        vacancies=tuple(_vacancy(v) for v in rows),
        households=(
            _household(
                household,
                inputs,
                area_codes,
                _qualified(session, inputs).get(household.id, ()),
                household.id in moving_on_households(session, municipality),
            ),
        ),
        forbidden=tuple(forbidden),
        newly_arrived_min=0,
        time_limit_s=float(inputs.time_limit_s),
        municipality_tenant_forms=SUBLET_FORMS,
    )
    return HouseholdProblem(
        problem=problem,
        external_refs={v.id: v.external_ref for v in rows},
        busy=household.id in _busy_households(session, municipality, inputs.now),
    )


def pair_failure(
    session: Session, household: Household, vacancy: Vacancy, inputs: RoundInputs
) -> str | None:
    """The first eligibility rule (`matching.eligibility.RULES`) this pair fails now, judged
    as the round and the candidates view judge it: the household's cut-down problem and
    `matching.check_pair`. None when it is eligible, or when no round would see the vacancy
    now (its landlord has no agreement for the year, its area is gone): then nothing is
    judged, and `build_problem` leaves a pin of it out."""
    problem = build_household_problem(session, household, inputs).problem
    known_landlords = {lo.id for lo in problem.landlords}
    known_areas = {a.id for a in problem.areas}
    if vacancy.landlord_id not in known_landlords or vacancy.area not in known_areas:
        return None
    [subject] = problem.households
    return matching.check_pair(problem, subject, _vacancy(vacancy)).reason


def _qualified(session: Session, inputs: RoundInputs) -> dict[str, tuple[str, ...]]:
    """Per household: the landlords whose qualified-only exception places it may take now
    (Helsingborg 3:5, decided by `app.agreements.exceptions.exception_qualified`): data in
    the problem, so the solver and the candidates view judge alike."""
    # Filtered in Python: a JSON column may hold JSON `null` where SQL would see a value.
    agreements = [
        a
        for a in session.scalars(
            select(Agreement).where(
                Agreement.municipality_code == inputs.municipality, Agreement.year == inputs.year
            )
        )
        if a.exception_conditions
    ]
    if not agreements:
        return {}
    return exception_qualified(
        agreements, _moving_on(session, inputs.municipality), local_date(inputs.now)
    )


def _moving_on(session: Session, municipality: str) -> dict[str, list[TenancyEvent]]:
    """Household id → the events, in the order recorded, of the active tenancy it moves on
    from (a move-on need posted, app/flows/move_chain.py): what the 3:5 conditions read."""
    moving_on = moving_on_where(municipality)
    histories: dict[str, list[TenancyEvent]] = {
        household_id: []
        for household_id in session.scalars(
            select(Tenancy.household_id).where(*moving_on).order_by(Tenancy.id)
        )
        if household_id is not None
    }
    events = session.execute(
        select(Tenancy.household_id, TenancyEvent)
        .join(Tenancy, Tenancy.id == TenancyEvent.tenancy_id)
        .where(*moving_on)
        .order_by(TenancyEvent.id)
    )
    for household_id, event in events:
        if household_id is not None:
            histories[household_id].append(event)
    return histories


def _household(
    h: Household,
    inputs: RoundInputs,
    areas: set[str],
    qualified: tuple[str, ...] = (),
    moving_on: bool = False,
) -> matching.Household:
    """A household with its derived needs and weight; the solver's four income sources
    (activity compensation and pension count as `other`, docs/matching-format.md);
    `qualified`: the landlords whose qualified-only exception places it may take;
    `moving_on`: it has a move-on need (the policy's `move_on_weight`; it may take a
    landlord's move-on places outside the quota, Helsingborg Delmål 3)."""
    needs = effective_needs(h)
    income = income_of(h)
    guarantee = guarantee_kind_of(h)
    return matching.Household(
        id=h.id,
        weight=household_weight(inputs.policy, h, inputs.now, moving_on=moving_on),
        adults=h.adults,
        children=h.children,
        target_groups=tuple(h.target_groups),
        income=matching.Income(
            salary=float(income.salary),
            income_support=float(income.income_support),
            housing_allowance=float(income.housing_allowance),
            other=float(income.activity_compensation + income.pension + income.other),
        ),
        employment=h.employment,
        payment_remarks=h.payment_remarks,
        municipal_guarantee=guarantee is not None,
        home_insurance=h.home_insurance,
        drug_free_months=h.drug_free_months,
        rooms_min=needs.rooms_min,
        rooms_max=needs.rooms_max,
        max_rent=float(needs.max_rent),
        needs_elevator=h.needs_elevator,
        needs_ground_floor=h.needs_ground_floor,
        needs_wheelchair=h.needs_wheelchair,
        avoid_areas=_known(h.avoid_areas, areas),
        preferred_areas=_known(h.preferred_areas, areas),
        # The forms the policy lets it take now (Karlstad's drug-free minimum applies to
        # social contracts, never to Housing First; none while the policy refuses the
        # household): data in the problem, read by every part of the solver and by the
        # candidates view alike.
        contract_forms=forms_left(inputs.policy, h),
        newly_arrived=TargetGroup.newly_arrived in h.target_groups,
        exception_qualified=qualified,
        guarantee=guarantee,
        moving_on=moving_on,
    )


def write_solution(
    session: Session,
    *,
    round_id: str,
    problem: matching.Problem,
    solution: matching.Solution,
) -> list[Proposal]:
    """Insert one `proposed` proposal per assignment and mark its vacancy `proposed`.

    The snapshot may be stale by now: a vacancy no longer open, a household closed, or a
    live proposal made meanwhile (the partial unique indexes refuse it). Any of these
    raises `RoundConflict`; the caller's transaction is then rolled back whole, so a round
    writes all its proposals or none.
    """
    if not solution.assignments:
        return []
    vacancy_ids = [a.vacancy for a in solution.assignments]
    household_ids = [a.household for a in solution.assignments]
    open_households = set(
        session.scalars(
            select(Household.id)
            .where(Household.id.in_(household_ids), Household.status == HouseholdStatus.open)
            .with_for_update()
        )
    )
    if len(open_households) != len(set(household_ids)):
        raise RoundConflict("a household was closed after the round's snapshot")
    marked = session.execute(
        update(Vacancy)
        .where(Vacancy.id.in_(vacancy_ids), Vacancy.status == VacancyStatus.open)
        .values(status=VacancyStatus.proposed, version=Vacancy.version + 1)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != len(set(vacancy_ids)):  # type: ignore[attr-defined]
        raise RoundConflict("a vacancy changed status after the round's snapshot")
    proposals = [
        Proposal(
            round_id=round_id,
            municipality_code=problem.municipality,
            landlord_id=problem.vacancy(a.vacancy).landlord,
            vacancy_id=a.vacancy,
            household_id=a.household,
            contract_form=a.contract_form,
            exception=a.exception,
            score={
                "weight": a.score.weight,
                "preferred_area": a.score.preferred_area,
                "spare_rooms": a.score.spare_rooms,
            },
            status=ProposalStatus.proposed,
        )
        for a in solution.assignments
    ]
    session.add_all(proposals)
    try:
        session.flush()
    except IntegrityError as exc:
        raise RoundConflict(
            "a vacancy or household got a live proposal after the round's snapshot"
        ) from exc
    _consume_pins(session, problem, solution)
    return proposals


def _consume_pins(session: Session, problem: matching.Problem, solution: matching.Solution) -> None:
    """A pin says "this household gets this vacancy next round": once a round proposed the
    pair, the pin is spent. Kept, it would contradict the forbidden pair a decline adds and
    make every later round infeasible."""
    assigned = {(a.household, a.vacancy) for a in solution.assignments}
    for household_id, vacancy_id in problem.pinned:
        if (household_id, vacancy_id) in assigned:
            session.execute(
                delete(Pin).where(Pin.household_id == household_id, Pin.vacancy_id == vacancy_id)
            )
