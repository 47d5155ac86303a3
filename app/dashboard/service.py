"""What the coordinator's dashboard shows, gathered from the public API (`client.py`) into
plain panels the template draws. Labels are Swedish for the coordinator; the code is
English."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from app.core.db import local_date
from app.dashboard import charts, client, labels
from app.dashboard.client import ApiReader
from app.dashboard.labels import Lang
from app.dashboard.panels import (
    Awaiting,
    CaseLine,
    Dashboard,
    DueTenancy,
    FlatOffer,
    LastRound,
    ProposalLine,
    QuotaBar,
    RoundLine,
    RoundToRelease,
    SatOutLine,
    SocialPage,
    UnmatchedLine,
    local_minute,
)
from app.vocabulary import HouseholdStatus, ProposalStatus, RoundStatus

MONTH_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 1),
    ("1-3", 1, 3),
    ("3-6", 3, 6),
    ("6-12", 6, 12),
    ("12+", 12, None),
)
"""Months waiting, as the histogram's bars: [from, to), by code (app/dashboard/labels.py
puts each in words)."""
AWAITING: dict[str, str] = {
    ProposalStatus.released: "whose_turn_landlord",
    ProposalStatus.landlord_accepted: "whose_turn_household",
}
"""Who is to answer a proposal in each live status (a label's key)."""
ROUNDS_SHOWN = 5


def months_between(start: datetime, end: datetime) -> int:
    """Whole months from `start` to `end` (a month not yet complete does not count),
    counted on Swedish calendar days: registered at 00:30 on 1 March Swedish time is a
    March registration."""
    first, last = local_date(start), local_date(end)
    months = (last.year - first.year) * 12 + last.month - first.month
    return months - (last.day < first.day)


def month_bucket(months: int, lang: Lang = Lang.sv) -> str:
    for code, low, high in MONTH_BUCKETS:
        if months >= low and (high is None or months < high):
            return labels.month_bucket(code, lang)
    return labels.month_bucket(MONTH_BUCKETS[-1][0], lang)


def waiting_histogram(
    households: list[dict[str, Any]], now: datetime, lang: Lang = Lang.sv
) -> dict[str, dict[str, int]]:
    """Open cases by urgency band and months waiting since registration, in words."""
    histogram = {
        labels.urgency_band(urgency, lang): {
            labels.month_bucket(code, lang): 0 for code, *_ in MONTH_BUCKETS
        }
        for urgency in labels.URGENCY_BANDS
    }
    for household in households:
        band = labels.urgency_band(int(household["urgency"]), lang)
        registered = datetime.fromisoformat(household["registered_at"])
        histogram[band][month_bucket(max(months_between(registered, now), 0), lang)] += 1
    return histogram


def _round_line(summary: dict[str, Any], detail: dict[str, Any] | None) -> RoundLine:
    percent: int | None = None
    phase: str | None = None
    progress = (detail or {}).get("progress")
    if progress:
        phase = progress.get("phase")
        figures = progress.get("figures") or {}
        # matching.Progress: `bound` (best proven), `objective` (best found so far).
        bound, best = figures.get("bound"), figures.get("objective")
        if isinstance(bound, int | float) and isinstance(best, int | float) and bound > 0:
            percent = max(0, min(100, round(100 * best / bound)))
    return RoundLine(
        id=summary["id"],
        status=summary["status"],
        dry_run=bool(summary.get("dry_run", False)),
        created_at=local_minute(summary["created_at"]) or "",
        finished_at=local_minute(summary.get("finished_at")),
        progress_percent=percent,
        phase=phase,
    )


async def build(
    reader: ApiReader, *, municipality: str, year: int, lang: Lang = Lang.sv
) -> Dashboard:
    """Read the panels' data through the API, one call after the other: each is a request
    with its own database session, and a dashboard must never take a pool's connections
    away from the landlords' systems."""
    quota = await reader.get("/v1/quota", municipality=municipality, year=year)
    households = await reader.all_items(
        "/v1/households", labels.label("list_open_cases", lang), status=HouseholdStatus.open
    )
    released = await reader.all_items(
        "/v1/proposals", labels.label("list_released", lang), status=ProposalStatus.released
    )
    landlord_accepted = await reader.all_items(
        "/v1/proposals",
        labels.label("list_landlord_accepted", lang),
        status=ProposalStatus.landlord_accepted,
    )
    steps = await reader.all_items(
        "/v1/tenancies", labels.label("list_steps", lang), step_due="true"
    )
    responses = await reader.all_items(
        "/v1/tenancies", labels.label("list_responses", lang), response_overdue="true"
    )
    rounds = await reader.get("/v1/rounds", limit=ROUNDS_SHOWN)
    running = [r for r in rounds["items"] if r["status"] == RoundStatus.running]
    details = {
        r["id"]: await reader.get(f"/v1/rounds/{r['id']}") for r in running
    }  # only a running round's detail carries its progress
    to_release = await _to_release(reader, lang)
    needs_round = await _needs_round(reader, lang)
    last_round = await _last_round(reader, rounds["items"])
    bars = [
        QuotaBar(
            landlord=row["landlord"],
            name=row["name"],
            quota=row["quota"],
            expected_to_date=row.get("expected_to_date", row["quota"]),
            delivered=row["delivered"],
            remaining=row["remaining"],
        )
        for row in quota["rows"]
        if row["quota"] is not None  # a landlord letting on request has no quota to chart
    ]
    waiting = waiting_histogram(households, datetime.now(UTC), lang)
    awaiting = sorted(
        (
            Awaiting(
                case_ref=p.get("case_ref"),
                external_ref=p["external_ref"],
                landlord_name=p.get("landlord_name"),
                whose_turn=labels.label(AWAITING[p["status"]], lang),
                deadline_at=local_minute(p.get("deadline_at")),
            )
            for p in [*released, *landlord_accepted]
        ),
        key=lambda a: a.deadline_at or "",
    )
    due = [
        DueTenancy(
            case_ref=t.get("case_ref"),
            external_ref=t["external_ref"],
            landlord_name=t.get("landlord_name"),
            what=what,
            due=local_minute(t.get(when)) if when else None,
        )
        for what, when, rows in (
            (labels.label("due_step", lang), None, steps),
            (labels.label("due_response", lang), "response_due_at", responses),
        )
        for t in rows
    ]
    return Dashboard(
        municipality=municipality,
        year=year,
        quota=bars,
        quota_chart=charts.quota_bars(bars, lang),
        waiting_total=len(households),
        waiting=waiting,
        waiting_chart=charts.waiting_histogram(waiting, lang),
        awaiting=awaiting,
        due=due,
        rounds=_with_comparisons([_round_line(r, details.get(r["id"])) for r in rounds["items"]]),
        to_release=to_release,
        needs_round=needs_round,
        last_round=last_round,
        cut_short=list(reader.cut_short),
        shown_at_most=client.PAGE_LIMIT * client.MAX_PAGES,
    )


def _with_comparisons(lines: list[RoundLine]) -> list[RoundLine]:
    """Each round with a result gets the next older one with a result to compare with."""
    out = []
    for i, line in enumerate(lines):
        older = next((o.id for o in lines[i + 1 :] if o.status == RoundStatus.succeeded), None)
        out.append(
            replace(line, compare_with=older) if line.status == RoundStatus.succeeded else line
        )
    return out


async def comparison(reader: ApiReader, first: str, second: str) -> dict[str, Any]:
    """Two rounds side by side, as `GET /v1/rounds/{a}/compare/{b}` gives them."""
    result: dict[str, Any] = await reader.get(f"/v1/rounds/{first}/compare/{second}")
    return result


# --- The coordinator's to-do lists: each panel is one function reading the API ----------------

NEEDS_NEW_ROUND = (
    ProposalStatus.landlord_declined,
    ProposalStatus.household_declined,
    ProposalStatus.expired,
)
"""Proposals that ended without a tenancy: their households wait for the next round."""
TAKEN = "taken"
"""The reason code of a household that had suitable flats, all taken by others or quotas."""


def _line(p: dict[str, Any]) -> ProposalLine:
    return ProposalLine(
        id=p["id"],
        household=p["household"],
        vacancy=p["vacancy"],
        case_ref=p.get("case_ref"),
        external_ref=p.get("external_ref", ""),
        landlord_name=p.get("landlord_name"),
        area_name=p.get("area_name"),
        status=p["status"],
        decline_reason=p.get("decline_reason"),
        decline_comment=p.get("decline_comment"),
    )


async def _to_release(reader: ApiReader, lang: Lang) -> list[RoundToRelease]:
    """Proposals waiting for the coordinator's release, per round (newest round first)."""
    proposed = await reader.all_items(
        "/v1/proposals", labels.label("list_to_release", lang), status=ProposalStatus.proposed
    )
    by_round: dict[str | None, list[dict[str, Any]]] = {}
    for p in proposed:
        if p.get("view") == "municipality":
            by_round.setdefault(p.get("round"), []).append(p)
    groups = [
        RoundToRelease(
            round=round_id,
            created_at=local_minute(min(p["created_at"] for p in rows)),
            proposals=[_line(p) for p in rows],
        )
        for round_id, rows in by_round.items()
    ]
    return sorted(groups, key=lambda g: g.created_at or "", reverse=True)


async def _needs_round(reader: ApiReader, lang: Lang) -> list[ProposalLine]:
    """Declined and expired proposals: the households need a new round."""
    lines: list[ProposalLine] = []
    for status in NEEDS_NEW_ROUND:
        rows = await reader.all_items(
            "/v1/proposals",
            f"{labels.label('list_needs_round', lang)}: {labels.status(status, lang)}",
            status=status,
        )
        lines.extend(_line(p) for p in rows if p.get("view") == "municipality")
    return lines


def _reasons(unmatched: dict[str, Any]) -> list[tuple[str, int | None]]:
    """Why a household was left out, as codes the page puts in words: every rule its
    vacancies fail, or — it had suitable flats — that others or quotas took them, or the
    round's own text (a policy refusal, a broken pin)."""
    if unmatched.get("explained"):
        return [(e["rule"], int(e["vacancies"])) for e in unmatched["explained"]]
    if int(unmatched.get("eligible_vacancies") or 0) > 0:
        return [(TAKEN, int(unmatched["eligible_vacancies"]))]
    return [(str(unmatched.get("reason") or ""), None)]


async def _last_round(reader: ApiReader, rounds: list[dict[str, Any]]) -> LastRound | None:
    """The newest round that made proposals, with the households it left out."""
    last = next(
        (r for r in rounds if r["status"] == RoundStatus.succeeded and not r.get("dry_run")),
        None,
    )
    if last is None:
        return None
    detail = await reader.get(f"/v1/rounds/{last['id']}")
    return LastRound(
        id=last["id"],
        created_at=local_minute(last["created_at"]) or "",
        unmatched=[
            UnmatchedLine(case_ref=u.get("case_ref"), reasons=_reasons(u))
            for u in detail.get("unmatched", [])
        ],
        sat_out=[
            SatOutLine(case_ref=s.get("case_ref"), household=s["household"], reason=s["reason"])
            for s in detail.get("sat_out", [])
        ],
    )


# --- The social secretary's page -------------------------------------------------------------


async def build_social(reader: ApiReader, *, municipality: str, lang: Lang = Lang.sv) -> SocialPage:
    """The municipality's open cases and the proposals waiting for a household's answer,
    each with the flat in full, read through the API as the social secretary."""
    households = await reader.all_items(
        "/v1/households", labels.label("list_open_cases", lang), status=HouseholdStatus.open
    )
    waiting = await reader.all_items(
        "/v1/proposals",
        labels.label("list_with_household", lang),
        status=ProposalStatus.landlord_accepted,
    )
    offers = []
    for p in waiting:
        if p.get("view") != "municipality":
            continue
        flat = p.get("flat") or {}
        offers.append(
            FlatOffer(
                id=p["id"],
                case_ref=p.get("case_ref"),
                external_ref=p.get("external_ref", ""),
                landlord_name=p.get("landlord_name"),
                area_name=p.get("area_name"),
                rooms=flat.get("rooms"),
                rent=flat.get("rent"),
                address=flat.get("address"),
                postal_code=flat.get("postal_code"),
                floor=flat.get("floor"),
                elevator=flat.get("elevator"),
                living_area=flat.get("living_area"),
                move_in_date=flat.get("move_in_date"),
                deadline_at=local_minute(p.get("deadline_at")),
            )
        )
    return SocialPage(
        municipality=municipality,
        households=[
            CaseLine(
                case_ref=h.get("case_ref"),
                urgency=int(h.get("urgency") or 0),
                registered=(h.get("registered_at") or "")[:10] or None,
            )
            for h in households
            if h.get("case_ref")
        ],
        offers=sorted(offers, key=lambda o: o.deadline_at or ""),
        restricted=sum(1 for p in waiting if p.get("view") != "municipality"),
        cut_short=list(reader.cut_short),
        shown_at_most=client.PAGE_LIMIT * client.MAX_PAGES,
    )
