"""Match rounds: start one (queued; app/flows/match_round.py runs it off the request path), read
it with its statistics, proposals and unmatched households, and download the exact problem
solved.

Only one round per municipality is queued or running at a time: the partial unique index
`uq_rounds_one_active_per_municipality` guarantees it even when two requests race, and the
loser gets 409. A round whose worker died (its process killed mid-solve) would block the
municipality forever; a round running far past its time limit is therefore marked `failed`
("interrupted") whenever rounds of its municipality are read or started, and by the sweep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import COORDINATOR, Principal, own_municipality
from app.core.db import local_year, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.core.pagination import Page, encode_cursor
from app.municipalities import repository as municipalities
from app.policies.service import current_policy, weights_of
from app.rounds import repository
from app.rounds.comparison import compare
from app.rounds.events import announce_finished
from app.rounds.models import Round
from app.rounds.outcome import timed_out
from app.rounds.schemas import RoundComparison, RoundCreate
from app.settlement.service import remaining_figure
from app.vocabulary import AuditAction, RoundStatus


def _municipality(session: Session, principal: Principal) -> str:
    own = own_municipality(principal, roles=COORDINATOR)
    if municipalities.get_for(session, principal, own) is None:
        raise NotFound("No such municipality.")
    return own


def fail_stale_rounds(session: Session, *, municipality: str | None = None) -> int:
    """Write the failure of every round whose time ran out (`timed_out`) and announce it;
    returns how many. Their proposals were never written (a round writes its result in one
    transaction), so nothing else changes. The sweep calls it, and a start (a stale round
    must not block the municipality); a read only shows it."""
    now = utcnow()
    count = 0
    for round_ in repository.active(session, municipality):
        out = timed_out(round_, now)
        if out is not None and repository.mark_failed(session, round_.id, out.reason, out.at):
            announce_finished(session, round_.id)
            count += 1
    if count:
        session.expire_all()
    return count


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
    return round_


def list_rounds(session: Session, *, principal: Principal, page: Page) -> list[Round]:
    municipality = _municipality(session, principal)
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


def compare_rounds(
    session: Session, *, principal: Principal, first_id: str, second_id: str, purpose: str | None
) -> RoundComparison:
    """Two of the municipality's rounds side by side (app/rounds/comparison.py)."""
    first = get_round(session, principal=principal, round_id=first_id)
    second = get_round(session, principal=principal, round_id=second_id)
    return compare(session, principal=principal, first=first, second=second, purpose=purpose)
