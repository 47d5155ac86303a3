"""Two rounds side by side (`GET /v1/rounds/{a}/compare/{b}`): what a changed priority, an
extra landlord or another year's quotas would have done differently, in the figures a
steering group asks for — households housed, Σ weight, housed by target group and urgency,
waiting days, placements per landlord and area, exception places — and exactly which
households one round housed and the other did not.

Every figure is computed from the rounds' own snapshots (the problem solved and its
solution), so a comparison means the same tomorrow; only the household's case reference,
urgency and registration time are read from the case as it is now (an erased case has
none)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import Principal
from app.core.errors import Conflict
from app.core.figures import median_and_p90
from app.rounds import repository
from app.rounds.models import Round
from app.rounds.schemas import (
    ComparedHousehold,
    LandlordPlacementCount,
    RoundComparison,
    RoundOutcome,
    WaitingDays,
)
from app.rounds.translate import SAT_OUT
from app.vocabulary import AuditAction, OtherRound, SatOutReason


def _days(values: list[int]) -> WaitingDays:
    figures = median_and_p90(values)
    return WaitingDays(
        households=len(values),
        median=figures[0] if figures else None,
        p90=figures[1] if figures else None,
    )


def _housed(round_: Round) -> dict[str, dict[str, Any]]:
    """Household id → its assignment in the round's solution."""
    solution = round_.solution or {}
    return {str(a["household"]): a for a in solution.get("assignments", [])}


def _fates(round_: Round) -> dict[str, tuple[OtherRound, SatOutReason | None]]:
    """Household id → what the round did with it when it housed it not: sat it out (and
    why) or left it unmatched; a household in neither is `not_in_round`."""
    solution = round_.solution or {}
    fates: dict[str, tuple[OtherRound, SatOutReason | None]] = {
        str(u["household"]): (OtherRound.unmatched, None) for u in solution.get("unmatched", [])
    }
    # A policy refusal or a broken pin is in `unmatched` too: its sitting out says more.
    for s in solution.get(SAT_OUT) or []:
        fates[str(s["household"])] = (OtherRound.sat_out, SatOutReason(s["reason"]))
    return fates


def outcome(round_: Round, cases: dict[str, repository.CaseFacts]) -> RoundOutcome:
    """One round's figures from its snapshot."""
    problem = round_.problem or {}
    households = {str(h["id"]): h for h in problem.get("households", [])}
    vacancies = {str(v["id"]): v for v in problem.get("vacancies", [])}
    landlords = {str(lnd["id"]): lnd for lnd in problem.get("landlords", [])}
    housed = _housed(round_)
    started = round_.started_at or round_.created_at

    def waited(household_id: str) -> int | None:
        case = cases.get(household_id)
        if case is None or case.registered_at is None:
            return None
        return max((started - case.registered_at).days, 0)

    per_landlord: Counter[str] = Counter()
    per_area: Counter[str] = Counter()
    for assignment in housed.values():
        vacancy = vacancies.get(str(assignment["vacancy"]), {})
        per_landlord[str(vacancy.get("landlord", "?"))] += 1
        per_area[str(vacancy.get("area", "?"))] += 1
    groups: Counter[str] = Counter(
        group for hid in housed for group in households.get(hid, {}).get("target_groups", [])
    )
    urgency: Counter[str] = Counter(
        str(cases[hid].urgency) if hid in cases else "unknown" for hid in housed
    )
    waiting_housed = [d for hid in housed if (d := waited(hid)) is not None]
    waiting_left = [d for hid in households if hid not in housed and (d := waited(hid)) is not None]
    return RoundOutcome(
        round=round_.id,
        status=round_.status,
        created_at=round_.created_at,
        year=round_.year,
        households=len(households),
        households_housed=len(housed),
        total_weight=sum(int(households.get(h, {}).get("weight", 0)) for h in housed),
        housed_by_target_group=dict(sorted(groups.items())),
        housed_by_urgency=dict(sorted(urgency.items())),
        waiting_days_housed=_days(waiting_housed),
        waiting_days_still_waiting=_days(waiting_left),
        placements_by_landlord=[
            LandlordPlacementCount(
                landlord=lid,
                name=cases_name(landlords, lid),
                kind=str(landlords.get(lid, {}).get("kind", "unknown")),
                placements=n,
            )
            for lid, n in sorted(per_landlord.items())
        ],
        placements_by_kind=dict(
            sorted(
                Counter(
                    str(landlords.get(lid, {}).get("kind", "unknown"))
                    for lid in per_landlord.elements()
                ).items()
            )
        ),
        placements_by_area=dict(sorted(per_area.items())),
        exception_places=sum(bool(a.get("exception")) for a in housed.values()),
    )


def cases_name(landlords: dict[str, dict[str, Any]], landlord_id: str) -> str | None:
    name = landlords.get(landlord_id, {}).get("name")
    return str(name) if name is not None else None


def compare(
    session: Session, *, principal: Principal, first: Round, second: Round, purpose: str | None
) -> RoundComparison:
    """`first` against `second`, both of the caller's municipality and both with a result.
    The households named (housed by one and not the other) are reads of their records."""
    for round_ in (first, second):
        if round_.solution is None or "status" not in (round_.solution or {}):
            raise Conflict(f"Round {round_.id} has no result to compare (it is {round_.status}).")
    ids = {
        str(h["id"])
        for r in (first, second)
        for h in (r.problem or {}).get("households", [])
        if "id" in h
    }
    cases = repository.case_facts(session, ids)
    housed_first, housed_second = set(_housed(first)), set(_housed(second))

    def named(household_ids: set[str], other: Round) -> list[ComparedHousehold]:
        fates = _fates(other)
        return [
            ComparedHousehold(
                household=hid,
                case_ref=cases[hid].case_ref if hid in cases else None,
                in_other_round=fates.get(hid, (OtherRound.not_in_round, None))[0],
                sat_out_reason=fates.get(hid, (OtherRound.not_in_round, None))[1],
            )
            for hid in sorted(
                household_ids, key=lambda h: (cases[h].case_ref if h in cases else "", h)
            )
        ]

    only_first, only_second = housed_first - housed_second, housed_second - housed_first
    audit.record(
        session,
        principal,
        AuditAction.read,
        sorted(only_first | only_second),
        purpose=purpose,
    )
    return RoundComparison(
        first=outcome(first, cases),
        second=outcome(second, cases),
        housed_only_in_first=named(only_first, second),
        housed_only_in_second=named(only_second, first),
        housed_in_both=len(housed_first & housed_second),
    )
