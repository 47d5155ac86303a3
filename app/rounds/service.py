"""Match rounds: start one (queued; app/rounds/runner.py runs it off the request path), read
it with its statistics, proposals and unmatched households, and download the exact problem
solved.

Only one round per municipality is queued or running at a time: the partial unique index
`uq_rounds_one_active_per_municipality` guarantees it even when two requests race, and the
loser gets 409. A round whose worker died (its process killed mid-solve) would block the
municipality forever; a round running far past its time limit is therefore marked `failed`
("interrupted") whenever rounds of its municipality are read or started, and by the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import references
from app.audit import service as audit
from app.auth import Principal, Role
from app.core.db import local_year, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.core.pagination import Page, encode_cursor
from app.municipalities import repository as municipalities
from app.policies.service import current_policy, weights_of
from app.rounds import repository
from app.rounds.comparison import compare
from app.rounds.events import announce_finished
from app.rounds.models import Round
from app.rounds.schemas import (
    RoundComparison,
    RoundCreate,
    RoundProgress,
    RoundProposal,
    RoundRead,
    RoundStats,
    RoundSummary,
    UnmatchedHousehold,
)
from app.settlement.service import remaining_figure
from app.vocabulary import AuditAction, RoundStatus

STALE_GRACE = timedelta(minutes=2)
"""A running round is interrupted once it ran twice its time limit plus this grace: the
solver stops at its limit, and building and writing take seconds."""
INTERRUPTED = "interrupted: the worker stopped before the round finished; nothing was changed"


def _municipality(session: Session, principal: Principal) -> str:
    if principal.role is not Role.coordinator or principal.municipality is None:
        raise NotFound("No such municipality.")
    if municipalities.get_for(session, principal, principal.municipality) is None:
        raise NotFound("No such municipality.")
    return principal.municipality


QUEUE_TIMEOUT = timedelta(minutes=15)
"""A round still queued after this was never picked up (no worker runs): it is failed so
that the municipality is not blocked; the coordinator starts another when workers run."""
NOT_STARTED = "not started: no worker picked the round up in time; nothing was changed"


def is_stale(round_: Round, now: datetime) -> bool:
    """A running round far past its time limit (its worker died), or a queued round no
    worker picked up."""
    if round_.status == RoundStatus.queued:
        return round_.created_at + QUEUE_TIMEOUT < now
    if round_.status != RoundStatus.running or round_.started_at is None:
        return False
    limit = timedelta(seconds=2 * round_.time_limit_s) + STALE_GRACE
    return round_.started_at + limit < now


def fail_stale_rounds(session: Session, *, municipality: str | None = None) -> int:
    """Mark rounds whose worker died `failed`; returns how many. Their proposals were never
    written (a round writes its result in one transaction), so nothing else changes."""
    now = utcnow()
    count = 0
    for round_ in repository.active(session, municipality):
        reason = INTERRUPTED if round_.status == RoundStatus.running else NOT_STARTED
        if is_stale(round_, now) and repository.mark_failed(session, round_.id, reason, now):
            announce_finished(session, round_.id)
            count += 1
    if count:
        session.expire_all()
    return count


def request_of(round_: Round) -> dict[str, Any]:
    """The round's own parameters. Until the problem is built the `problem` column holds
    only `{"request": {...}}`; afterwards the problem document carries them."""
    doc = round_.problem or {}
    if "format" in doc:
        return {"newly_arrived_min": doc.get("newly_arrived_min", 0)}
    return dict(doc.get("request", {}))


def _newly_arrived_min(session: Session, municipality: str, data: RoundCreate, year: int) -> int:
    """The round's floor for newly arrived: the request's, else what remains of the
    municipality's settlement figure for the year (app/settlement/service.py)."""
    if data.newly_arrived_min is not None:
        return data.newly_arrived_min
    return remaining_figure(session, municipality, year)


def start_round(session: Session, *, principal: Principal, data: RoundCreate) -> Round:
    """Queue a round for the caller's municipality with the policy version in force now."""
    municipality = _municipality(session, principal)
    fail_stale_rounds(session, municipality=municipality)
    busy = (
        "A what-if round of this municipality is already queued or running."
        if data.dry_run
        else "A round of this municipality is already queued or running."
    )
    if repository.active(session, municipality, dry_run=data.dry_run):
        raise Conflict(busy)
    year = data.year if data.year is not None else local_year()
    policy = current_policy(session, municipality)
    floor = _newly_arrived_min(session, municipality, data, year)
    round_ = Round(
        municipality_code=municipality,
        status=RoundStatus.queued.value,
        year=year,
        policy_version=policy.version,
        time_limit_s=data.time_limit_s,
        dry_run=data.dry_run,
        what_if=_what_if(session, municipality, year, data) if data.dry_run else None,
        requested_by=principal.credential_id,
        problem={"request": {"newly_arrived_min": floor}},
    )
    try:
        with session.begin_nested():
            session.add(round_)
            session.flush()
    except IntegrityError as exc:
        # A concurrent request queued one between our check and our insert.
        raise Conflict(busy) from exc
    return round_


def _what_if(session: Session, municipality: str, year: int, data: RoundCreate) -> dict[str, Any]:
    """A what-if round's overrides as its request keeps them: the policy document to weigh
    by, and quotas per landlord — each a landlord with an agreement for the year."""
    overrides: dict[str, Any] = {}
    if data.policy is not None:
        overrides["policy"] = weights_of(data.policy)
    if data.agreements:
        unknown = sorted(
            set(data.agreements) - repository.agreed_landlords(session, municipality, year)
        )
        if unknown:
            raise UnprocessableEntity(
                f"agreements: no agreement for {year} with landlord {', '.join(unknown)}."
            )
        overrides["agreements"] = {
            landlord: quotas.model_dump(exclude_none=True)
            for landlord, quotas in sorted(data.agreements.items())
        }
    return overrides


def get_round(session: Session, *, principal: Principal, round_id: str) -> Round:
    _municipality(session, principal)
    round_ = repository.get_for(session, principal, round_id)
    if round_ is None:
        raise NotFound("No such round.")
    if is_stale(round_, utcnow()):
        fail_stale_rounds(session, municipality=round_.municipality_code)
        session.refresh(round_)
    return round_


def list_rounds(session: Session, *, principal: Principal, page: Page) -> list[Round]:
    municipality = _municipality(session, principal)
    fail_stale_rounds(session, municipality=municipality)
    after = None
    if page.after is not None:
        created, _, round_id = page.after.partition("|")
        try:
            after = (datetime.fromisoformat(created), round_id)
        except ValueError as exc:
            raise UnprocessableEntity("cursor: not a cursor this service issued") from exc
    return repository.list_page(session, municipality, after=after, limit=page.limit)


def cursor_after(rounds: list[Round], limit: int) -> str | None:
    if len(rounds) < limit or not rounds:
        return None
    last = rounds[-1]
    return encode_cursor(f"{last.created_at.isoformat()}|{last.id}")


def get_problem(
    session: Session, *, principal: Principal, round_id: str, purpose: str | None = None
) -> dict[str, Any]:
    """The exact `matching-problem/1` the round solved (404 until the worker built it).
    It carries every household's record as the solver saw it (economy, target groups,
    areas), so each household in it is audited as `export` (docs/privacy.md)."""
    round_ = get_round(session, principal=principal, round_id=round_id)
    if round_.problem is None or "format" not in round_.problem:
        raise NotFound("The round's problem is not built yet.")
    shown = [str(h["id"]) for h in round_.problem.get("households", []) if "id" in h]
    audit.record(session, principal, AuditAction.export, shown, purpose=purpose)
    return round_.problem


def households_shown(read: RoundRead) -> list[str]:
    """The households a round's explanation names (proposals and unmatched), once each."""
    ids = [p.household for p in read.proposals] + [u.household for u in read.unmatched]
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


def _progress(round_: Round) -> RoundProgress | None:
    """Shown while the round runs only: a finished round's solution says it all."""
    if round_.status != RoundStatus.running or not round_.progress:
        return None
    return RoundProgress.model_validate(round_.progress)


def to_read(session: Session, round_: Round) -> RoundRead:
    """The round with its proposals and unmatched households, each named by its human
    references too (case, vacancy reference, landlord, area), loaded for the whole round
    in three queries (app/references.py)."""
    solution = round_.solution or {}
    rows = (
        _what_if_proposals(round_)
        if round_.dry_run
        else repository.proposals_of(session, round_.id)
    )
    left_out = list(solution.get("unmatched", []))
    refs = references.load(
        session,
        households=[p.household_id for p in rows] + [str(u["household"]) for u in left_out],
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
                status=p.status,
            )
        )
    unmatched = [
        UnmatchedHousehold(**{**u, "case_ref": refs.case_ref(str(u["household"]))})
        for u in left_out
    ]
    return RoundRead(
        id=round_.id,
        municipality=round_.municipality_code,
        status=RoundStatus(round_.status),
        dry_run=round_.dry_run,
        year=round_.year,
        policy_version=round_.policy_version,
        newly_arrived_min=int(request_of(round_).get("newly_arrived_min", 0)),
        time_limit_s=round_.time_limit_s,
        created_at=round_.created_at,
        started_at=round_.started_at,
        finished_at=round_.finished_at,
        error=round_.error,
        progress=_progress(round_),
        stats=_stats(round_.solution),
        newly_arrived_shortfall=_shortfall(round_.solution),
        proposals=proposals,
        unmatched=unmatched,
    )


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
    return RoundSummary(
        id=round_.id,
        municipality=round_.municipality_code,
        status=RoundStatus(round_.status),
        dry_run=round_.dry_run,
        year=round_.year,
        policy_version=round_.policy_version,
        created_at=round_.created_at,
        finished_at=round_.finished_at,
        error=round_.error,
    )


def compare_rounds(
    session: Session, *, principal: Principal, first_id: str, second_id: str, purpose: str | None
) -> RoundComparison:
    """Two of the municipality's rounds side by side (app/rounds/comparison.py)."""
    first = get_round(session, principal=principal, round_id=first_id)
    second = get_round(session, principal=principal, round_id=second_id)
    return compare(session, principal=principal, first=first, second=second, purpose=purpose)
