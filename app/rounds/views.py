"""The round as the API answers it and its events tell it: the full read with its proposals
and unmatched households (audited: every household it names is a read of its record), and
the summary a list and the `round.*` events show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app import references
from app.audit import service as audit
from app.auth import Principal
from app.core.db import utcnow
from app.rounds import repository
from app.rounds.models import Round, request_of
from app.rounds.outcome import Outcome, outcome_at
from app.rounds.schemas import (
    RoundProgress,
    RoundProposal,
    RoundRead,
    RoundStats,
    RoundSummary,
    RuleExplained,
    SatOutHousehold,
    UnmatchedHousehold,
)
from app.rounds.translate import SAT_OUT
from app.vocabulary import (
    ELIGIBILITY_RULE_TEXT,
    SAT_OUT_TEXT,
    AuditAction,
    RoundStatus,
    SatOutReason,
)


def households_shown(read: RoundRead) -> list[str]:
    """The households a round's explanation names (proposals, unmatched and those that sat
    out), once each."""
    ids = (
        [p.household for p in read.proposals]
        + [u.household for u in read.unmatched]
        + [s.household for s in read.sat_out]
    )
    return list(dict.fromkeys(ids))


def to_audited_read(
    session: Session, round_: Round, *, principal: Principal, purpose: str | None
) -> RoundRead:
    """The round as `to_read` gives it; every household it names is a read of that
    household's record (the reasons it was left out, its score): one `read` event each."""
    read = to_read(session, round_)
    audit.record(session, principal, AuditAction.read, households_shown(read), purpose=purpose)
    return read


def _shortfall(solution: dict[str, Any] | None) -> int | None:
    """The solver's `stats.newly_arrived_shortfall` (0 when it reports none)."""
    if not solution or "status" not in solution:
        return None
    return int((solution.get("stats") or {}).get("newly_arrived_shortfall", 0))


def _stats(solution: dict[str, Any] | None) -> RoundStats | None:
    if not solution:
        return None
    solver = dict(solution.get("stats") or {})
    return RoundStats(
        status=str(solution.get("status", "")),
        objective=int(solution.get("objective", 0)),
        bound=int(solution.get("bound", 0)),
        reason=solution.get("reason"),
        seconds=solver.get("seconds"),
        eligible_pairs=solver.get("eligible_pairs"),
        solver=solver,
    )


def _progress(round_: Round, outcome: Outcome) -> RoundProgress | None:
    """Shown while the round runs only: a finished round's solution says it all."""
    if outcome.status != RoundStatus.running or not round_.progress:
        return None
    return RoundProgress.model_validate(round_.progress)


def to_read(session: Session, round_: Round) -> RoundRead:
    """The round with its proposals and unmatched households, each named by its human
    references too (case, vacancy reference, landlord, area), loaded for the whole round
    in three queries (app/references.py). The round and each proposal read as they are
    now (`outcome_at`, `Proposal.status_at`), before the sweep writes it."""
    now = utcnow()
    outcome = outcome_at(round_, now)
    solution = round_.solution or {}
    rows = (
        _what_if_proposals(round_)
        if round_.dry_run
        else repository.proposals_of(session, round_.id)
    )
    left_out = list(solution.get("unmatched", []))
    aside = list(solution.get(SAT_OUT) or [])
    refs = references.load(
        session,
        households=[p.household_id for p in rows]
        + [str(u["household"]) for u in left_out]
        + [str(s["household"]) for s in aside],
        vacancies=(p.vacancy_id for p in rows),
        landlords=(p.landlord_id for p in rows),
    )
    proposals = []
    for p in rows:
        vacancy = refs.vacancy(p.vacancy_id)
        proposals.append(
            RoundProposal(
                id=p.id,
                round=round_.id,
                vacancy=p.vacancy_id,
                external_ref=vacancy.external_ref if vacancy else "",
                household=p.household_id,
                case_ref=refs.case_ref(p.household_id),
                landlord=p.landlord_id,
                landlord_name=refs.landlord_name(p.landlord_id),
                area=vacancy.area if vacancy else "",
                area_name=vacancy.area_name if vacancy else None,
                contract_form=p.contract_form,
                exception=p.exception,
                score=p.score,
                status=p.status_at(now),
            )
        )
    unmatched = [
        UnmatchedHousehold(
            **{
                **u,
                "case_ref": refs.case_ref(str(u["household"])),
                "explained": explain_rules(u.get("failing") or u.get("failed") or {}),
            }
        )
        for u in left_out
    ]
    return RoundRead(
        id=round_.id,
        municipality=round_.municipality_code,
        status=outcome.status,
        dry_run=round_.dry_run,
        year=round_.year,
        policy_version=round_.policy_version,
        newly_arrived_min=int(request_of(round_).get("newly_arrived_min", 0)),
        time_limit_s=round_.time_limit_s,
        created_at=round_.created_at,
        started_at=round_.started_at,
        finished_at=outcome.finished_at,
        error=outcome.error,
        progress=_progress(round_, outcome),
        stats=_stats(round_.solution),
        newly_arrived_shortfall=_shortfall(round_.solution),
        proposals=proposals,
        unmatched=unmatched,
        sat_out=[_sat_out(s, refs.case_ref(str(s["household"]))) for s in aside],
        sat_out_by_reason=_by_reason(round_.solution),
    )


def _sat_out(stored: dict[str, Any], case_ref: str | None) -> SatOutHousehold:
    reason = SatOutReason(stored["reason"])
    sv, en = SAT_OUT_TEXT[reason]
    return SatOutHousehold(
        household=str(stored["household"]),
        case_ref=case_ref,
        reason=reason,
        sv=sv,
        en=en,
        detail=stored.get("detail"),
    )


def _by_reason(solution: dict[str, Any] | None) -> dict[str, int] | None:
    """The households that sat out, counted per reason (null until the round is done, or
    for a round stored before they were recorded)."""
    if not solution or SAT_OUT not in solution:
        return None
    counts: dict[str, int] = {}
    for s in solution[SAT_OUT]:
        counts[str(s["reason"])] = counts.get(str(s["reason"]), 0) + 1
    return counts


def explain_rules(counts: dict[str, int]) -> list[RuleExplained]:
    """Each failing rule in words, most vacancies first (a round stored before every
    failing rule was counted explains its first-failing counts)."""
    return [
        RuleExplained(
            rule=rule,
            vacancies=n,
            sv=ELIGIBILITY_RULE_TEXT.get(rule, (rule, rule))[0],
            en=ELIGIBILITY_RULE_TEXT.get(rule, (rule, rule))[1],
        )
        for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


WHAT_IF = "what_if"
"""The status a what-if round's assignment shows: it was never proposed."""


@dataclass(frozen=True, slots=True)
class _WhatIfProposal:
    """A what-if round's assignment, shaped as the proposal it would have been."""

    id: None
    household_id: str
    vacancy_id: str
    landlord_id: str
    contract_form: str
    exception: bool
    score: dict[str, Any]
    status: str = WHAT_IF

    def status_at(self, now: datetime) -> str:
        """Always `what_if`: it was never proposed, so it never expires."""
        return self.status


def _what_if_proposals(round_: Round) -> list[_WhatIfProposal]:
    """The assignments of a what-if round's solution, with each vacancy's landlord from the
    snapshot it solved."""
    problem, solution = round_.problem or {}, round_.solution or {}
    landlord_of = {str(v["id"]): str(v["landlord"]) for v in problem.get("vacancies", [])}
    return [
        _WhatIfProposal(
            id=None,
            household_id=str(a["household"]),
            vacancy_id=str(a["vacancy"]),
            landlord_id=landlord_of.get(str(a["vacancy"]), ""),
            contract_form=str(a["contract_form"]),
            exception=bool(a.get("exception", False)),
            score=dict(a.get("score") or {}),
        )
        for a in solution.get("assignments", [])
    ]


def to_summary(round_: Round) -> RoundSummary:
    """The round in a list and in its events, as it reads now (`outcome_at`)."""
    outcome = outcome_at(round_, utcnow())
    return RoundSummary(
        id=round_.id,
        municipality=round_.municipality_code,
        status=outcome.status,
        dry_run=round_.dry_run,
        year=round_.year,
        policy_version=round_.policy_version,
        created_at=round_.created_at,
        finished_at=outcome.finished_at,
        error=outcome.error,
        **_counts(round_.solution),
        sat_out_by_reason=_by_reason(round_.solution),
    )


def _counts(solution: dict[str, Any] | None) -> dict[str, int | None]:
    """How many households a finished round proposed a flat to and left out (none yet
    while it runs)."""
    if not solution:
        return {"proposed": None, "unmatched": None}
    return {
        "proposed": len(solution.get("assignments") or []),
        "unmatched": len(solution.get("unmatched") or []),
    }
