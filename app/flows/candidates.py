"""Candidates for one household: the open vacancies it is eligible for now, ranked by fit.

What a social secretary asks between rounds ("what could this family get?"). The answer is
computed, never stored and never reserves anything: the household and the vacancies stay
free for the next round and for anyone else asking.

It is the solver's own judgement, not a second opinion: the problem is the round's problem
cut down to this household (`app/rounds/translate.build_household_problem`, built from the
same pieces as `build_problem`), every vacancy is judged by `matching.check_pair` (the
reference implementation of the eligibility rules, tested pair by pair against the
vectorised screening the solver runs) and ranked by `fit_points_of_pair` (the solver's
fit tier). See docs/households.md, "Candidates".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

import matching
from app import references
from app.audit import service as audit
from app.auth import Principal
from app.core.db import local_year, utcnow
from app.core.errors import Conflict, Forbidden, NotFound
from app.households import repository, service
from app.households.schemas import Candidate, CandidateList
from app.policies.service import current_policy
from app.rounds.translate import RoundInputs, build_household_problem
from app.vocabulary import AuditAction, HouseholdStatus

TIME_LIMIT_S = 1
"""Stored in the cut-down problem only because the format requires it; nothing is solved."""


@dataclass(frozen=True, slots=True)
class _Ranked:
    """One eligible vacancy with what ranks it."""

    vacancy: matching.Vacancy
    check: matching.PairCheck
    fit: int
    quota_exhausted: bool

    def key(self) -> tuple[bool, int, str]:
        """Places the solver could use this period first, then the best fit, then by id
        (a stable order, so `limit` always cuts the same list)."""
        return (self.quota_exhausted, -self.fit, self.vacancy.id)


def candidates(
    session: Session,
    *,
    principal: Principal,
    household_id: str,
    year: int | None,
    limit: int,
    purpose: str | None,
) -> CandidateList:
    """The household's candidates for the agreements of `year` (default: this year).

    Another municipality's household → 404 (as every household read); a protected-identity
    household asked for by social services → 403: which vacancies fit, and which are in a
    preferred area, tells where the household may end up (docs/domain.md §6: coordinators only);
    a closed case → 409. The read is audited as `read`: the answer is derived from the
    whole record.
    """
    household = repository.get_for(session, principal, household_id)
    if household is None:
        raise NotFound("No such household.")
    if service.restricted_for(principal, household):
        raise Forbidden("The candidates of a protected-identity case are for the coordinator.")
    if household.status != HouseholdStatus.open:
        raise Conflict("The case is closed; a closed case has no candidates.")
    # Judged at `now`: a proposal past its deadline already reads as expired (its vacancy
    # free, its pair forbidden), though only the sweep or a round writes that.
    now = utcnow()
    inputs = RoundInputs(
        municipality=household.municipality_code,
        year=year if year is not None else local_year(),
        policy=current_policy(session, household.municipality_code),
        newly_arrived_min=0,
        time_limit_s=TIME_LIMIT_S,
        now=now,
    )
    built = build_household_problem(session, household, inputs)
    audit.record(session, principal, AuditAction.read, [household.id], purpose=purpose)

    problem = built.problem
    [subject] = problem.households
    forbidden = frozenset(problem.forbidden)
    failed: Counter[str] = Counter()
    ranked: list[_Ranked] = []
    for vacancy in problem.vacancies:
        check = matching.check_pair(problem, subject, vacancy, forbidden=forbidden)
        if check.reason is not None:
            failed[check.reason] += 1
            continue
        ranked.append(
            _Ranked(
                vacancy=vacancy,
                check=check,
                fit=matching.fit_points_of_pair(problem, subject.id, vacancy.id),
                quota_exhausted=problem.landlord(vacancy.landlord).quota == 0,
            )
        )
    ranked.sort(key=_Ranked.key)
    shown = ranked[:limit]
    refs = references.load(session, vacancies=(r.vacancy.id for r in shown))
    return CandidateList(
        household=household.id,
        year=inputs.year,
        in_live_proposal=built.busy,
        open_vacancies=len(problem.vacancies),
        eligible=len(ranked),
        failed={rule: failed[rule] for rule in matching.RULES if failed[rule]},
        items=[_item(problem, subject, r, built.external_refs, refs) for r in shown],
    )


def _item(
    problem: matching.Problem,
    household: matching.Household,
    ranked: _Ranked,
    external_refs: dict[str, str],
    refs: references.References,
) -> Candidate:
    vacancy = ranked.vacancy
    landlord = problem.landlord(vacancy.landlord)
    score = matching.score_of(problem, household.id, vacancy.id)
    assert ranked.check.contract_form is not None  # eligible pairs always have one
    named = refs.vacancy(vacancy.id)
    return Candidate(
        vacancy=vacancy.id,
        external_ref=external_refs[vacancy.id],
        landlord=landlord.id,
        landlord_name=refs.landlord_name(landlord.id),
        landlord_kind=landlord.kind,
        area=vacancy.area,
        area_name=named.area_name if named else None,
        rooms=vacancy.rooms,
        rent=round(vacancy.rent),
        contract_form=ranked.check.contract_form,
        exception=ranked.check.exception,
        fit=ranked.fit,
        preferred_area=score.preferred_area,
        spare_rooms=score.spare_rooms,
        quota_exhausted=ranked.quota_exhausted,
    )
