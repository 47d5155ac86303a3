"""The yearly follow-up (Helsingborg's plan is followed up every year by its steering group,
§6 "Ansvar och uppföljning"): what the year's placements, proposals and tenancies add up to,
for the coordinator of one municipality.

Small counts identify people in a small municipality — three violence-exposed households
housed by one private landlord in one area are three people a neighbour can name. So every
count below five is shown as `"<5"`, and within a breakdown whose total is shown, a single
hidden part is never left alone (it would be the total minus the others): the smallest
other part is hidden with it. Medians and percentiles over fewer than five households are
not shown at all. docs/statistics.md says the same for readers of the output."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from app.auth import COORDINATOR, Principal, own_municipality
from app.core.db import local_date, local_today, local_year_start
from app.core.figures import median_and_p90
from app.prevention.repository import CaseFact
from app.prevention.repository import facts as prevention_facts
from app.referrals import service as referrals
from app.settlement.service import settlement_status
from app.statistics import repository
from app.statistics.schemas import (
    SUPPRESSED,
    AreaPlacements,
    Breakdown,
    Count,
    LandlordPlacements,
    PlacementStatistics,
    PreventionStatistics,
    ProposalStatistics,
    ReferralStatistics,
    SettlementStatistics,
    SideAnswers,
    StaircaseStatistics,
    StatisticsRead,
    Waiting,
)
from app.vocabulary import (
    AWAITING_ANSWER,
    ContractForm,
    EndReason,
    EventKind,
    HouseholdDeclineReason,
    LandlordDeclineReason,
    LandlordKind,
    PreventionOutcome,
    ProposalStatus,
    Rung,
    SignalKind,
    TargetGroup,
)

SUPPRESS_BELOW = 5
HOUSEHOLD_ANSWERED = (
    ProposalStatus.household_accepted,
    ProposalStatus.household_declined,
    ProposalStatus.contracted,
)
LANDLORD_ACCEPTED = (ProposalStatus.landlord_accepted, *HOUSEHOLD_ANSWERED)
NO_GROUP = "none"
"""A household housed without a target group."""
ERASED = "erased"
"""A case erased since: it counts in the totals, no longer in a group."""


def count(n: int) -> Count:
    """One published count: the number, or `<5`."""
    return n if n >= SUPPRESS_BELOW else SUPPRESSED


def hidden_parts(parts: Mapping[str, int], *, overlapping: bool = False) -> set[str]:
    """The parts to hide: every one below five, and — when exactly one is hidden among
    disjoint parts whose total is published — the smallest other one too."""
    hidden = {key for key, n in parts.items() if n < SUPPRESS_BELOW}
    shown = [key for key in parts if key not in hidden]
    if not overlapping and len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda key: (parts[key], key)))
    return hidden


def breakdown(counts: Mapping[str, int], *, keys: Iterable[str] = ()) -> Breakdown:
    """Disjoint parts and their total, with every key of `keys` present (0 when nothing
    counted)."""
    parts = {key: counts.get(key, 0) for key in sorted(set(keys) | set(counts))}
    hidden = hidden_parts(parts)
    return Breakdown(
        total=count(sum(parts.values())),
        parts={key: SUPPRESSED if key in hidden else n for key, n in parts.items()},
    )


def _quarter(day_year: int, month: int) -> str:
    return f"{day_year}-Q{(month - 1) // 3 + 1}"


def _quarters(year: int) -> list[str]:
    return [f"{year}-Q{q}" for q in range(1, 5)]


def _groups_of(row: repository.Placement) -> tuple[str, ...]:
    if row.erased:
        return (ERASED,)
    return row.target_groups or (NO_GROUP,)


def _placements(rows: list[repository.Placement], year: int) -> PlacementStatistics:
    per_landlord: Counter[str] = Counter(row.landlord_id for row in rows)
    exceptions_per_landlord: Counter[str] = Counter(
        row.landlord_id for row in rows if row.exception
    )
    landlords = {row.landlord_id: row for row in rows}
    hidden_landlords = hidden_parts(per_landlord)
    hidden_exceptions = hidden_parts({lid: exceptions_per_landlord[lid] for lid in landlords})
    per_area: Counter[str] = Counter(row.area for row in rows)
    area_names = {row.area: row.area_name for row in rows}
    hidden_areas = hidden_parts(per_area)
    groups: Counter[str] = Counter(group for row in rows for group in _groups_of(row))
    return PlacementStatistics(
        total=count(len(rows)),
        exception_places=count(sum(exceptions_per_landlord.values())),
        outside_quota_places=count(sum(1 for row in rows if row.outside_quota)),
        by_target_group=_overlapping(groups, len(rows), keys=[*TargetGroup, NO_GROUP, ERASED]),
        by_landlord=[
            LandlordPlacements(
                landlord=lid,
                name=landlords[lid].landlord_name,
                kind=LandlordKind(landlords[lid].landlord_kind),
                placements=SUPPRESSED if lid in hidden_landlords else per_landlord[lid],
                exception_places=SUPPRESSED
                if lid in hidden_exceptions
                else exceptions_per_landlord[lid],
            )
            for lid in sorted(landlords, key=lambda lid: (landlords[lid].landlord_name, lid))
        ],
        by_landlord_kind=breakdown(
            Counter(row.landlord_kind for row in rows), keys=[*LandlordKind]
        ),
        by_area=[
            AreaPlacements(
                area=area,
                name=area_names[area],
                placements=SUPPRESSED if area in hidden_areas else per_area[area],
            )
            for area in sorted(per_area)
        ],
        by_contract_form=breakdown(
            Counter(row.contract_form for row in rows), keys=[*ContractForm]
        ),
        by_quarter=breakdown(
            Counter(_quarter(r.contracted_on.year, r.contracted_on.month) for r in rows),
            keys=_quarters(year),
        ),
    )


def _overlapping(counts: Mapping[str, int], total: int, *, keys: Iterable[str]) -> Breakdown:
    """Parts that overlap (a household in several target groups): the total is the number
    of households, and no part can be derived from the others."""
    parts = {key: counts.get(key, 0) for key in sorted(set(keys) | set(counts))}
    return Breakdown(
        total=count(total),
        parts={key: count(n) for key, n in parts.items()},
        overlapping=True,
    )


def _proposals(rows: list[repository.ProposalFact], year: int) -> ProposalStatistics:
    statuses = Counter(row.status for row in rows)

    def declined(status: str, reasons: Iterable[str]) -> Breakdown:
        return breakdown(
            Counter(row.decline_reason or "other" for row in rows if row.status == status),
            keys=reasons,
        )

    return ProposalStatistics(
        released=count(len(rows)),
        by_quarter=breakdown(
            Counter(_quarter(r.released_on.year, r.released_on.month) for r in rows),
            keys=_quarters(year),
        ),
        landlord=SideAnswers(
            accepted=count(sum(statuses[s] for s in LANDLORD_ACCEPTED)),
            declined=declined(ProposalStatus.landlord_declined, LandlordDeclineReason),
        ),
        household=SideAnswers(
            accepted=count(
                statuses[ProposalStatus.household_accepted] + statuses[ProposalStatus.contracted]
            ),
            declined=declined(ProposalStatus.household_declined, HouseholdDeclineReason),
        ),
        expired=count(statuses[ProposalStatus.expired]),
        withdrawn=count(statuses[ProposalStatus.withdrawn]),
        awaiting_answer=count(sum(statuses[s] for s in AWAITING_ANSWER)),
    )


def _waiting(rows: list[repository.Placement]) -> Waiting:
    days = [
        (row.contracted_on - local_date(row.registered_at)).days
        for row in rows
        if row.registered_at is not None and not row.erased
    ]
    figures = median_and_p90(days) if len(days) >= SUPPRESS_BELOW else None
    return Waiting(
        households=count(len(days)),
        median_days=figures[0] if figures else None,
        p90_days=figures[1] if figures else None,
    )


def _staircase(
    rows: list[repository.TenancyFact], overdue_landlords: list[str]
) -> StaircaseStatistics:
    steps: Counter[str] = Counter(
        row.to_form or "unknown" for row in rows if row.kind == EventKind.step
    )
    return StaircaseStatistics(
        steps=breakdown(steps, keys=[*Rung]),
        transfers_to_own_lease=count(steps[Rung.own_lease.value]),
        ended=breakdown(
            Counter(row.reason or "other" for row in rows if row.kind == EventKind.end),
            keys=EndReason,
        ),
        transfer_overdue=breakdown(Counter(overdue_landlords)),
    )


def _settlement(
    session: Session, municipality: str, year: int, placements: list[repository.Placement]
) -> SettlementStatistics:
    housed = sum(TargetGroup.newly_arrived.value in _groups_of(row) for row in placements)
    recorded = settlement_status(session, municipality, year)
    figure = recorded.figure if recorded is not None else None
    shown = count(housed)
    return SettlementStatistics(
        figure=figure,
        newly_arrived_housed=shown,
        fulfilment_percent=round(100 * housed / figure, 1)
        if figure and shown != SUPPRESSED
        else None,
    )


def _prevention(rows: list[CaseFact]) -> PreventionStatistics:
    """The year's prevention cases, every count suppressed below five as the rest."""
    contacted = [row for row in rows if row.contacted_at is not None]
    days = [(row.contacted_at - row.received_at).days for row in contacted if row.contacted_at]
    evicted = [row for row in rows if row.outcome == PreventionOutcome.evicted]
    return PreventionStatistics(
        signals=breakdown(Counter(row.kind for row in rows), keys=[k.value for k in SignalKind]),
        by_landlord=breakdown(Counter(row.landlord_id for row in rows)),
        contacted_within_deadline=count(
            sum(1 for row in contacted if row.contacted_at and row.contacted_at <= row.due_at)
        ),
        outcomes=breakdown(
            Counter(row.outcome for row in rows if row.outcome is not None),
            keys=[o.value for o in PreventionOutcome],
        ),
        evictions=count(len(evicted)),
        children_affected=count(sum(row.children_affected or 0 for row in evicted)),
        median_days_to_contact=(
            figures[0]
            if len(days) >= SUPPRESS_BELOW and (figures := median_and_p90(days))
            else None
        ),
    )


def _referrals(session: Session, municipality: str, year: int) -> ReferralStatistics:
    given, received = referrals.exchanged(session, municipality, year)
    return ReferralStatistics(given=count(given), received=count(received))


def yearly_statistics(
    session: Session, *, principal: Principal, municipality: str | None, year: int
) -> StatisticsRead:
    """The municipality's follow-up for one year; a coordinator reads its own municipality
    (naming another is `404`, as everywhere)."""
    own = own_municipality(principal, municipality, COORDINATOR)
    placements = repository.placements(session, own, year)
    return StatisticsRead(
        municipality=own,
        year=year,
        suppressed_below=SUPPRESS_BELOW,
        placements=_placements(placements, year),
        proposals=_proposals(repository.proposals_released(session, own, year), year),
        waiting=_waiting(placements),
        staircase=_staircase(
            repository.tenancy_events(session, own, year),
            repository.transfers_overdue(session, own, local_today()),
        ),
        settlement=_settlement(session, own, year, placements),
        prevention=_prevention(
            prevention_facts(session, own, local_year_start(year), local_year_start(year + 1))
        ),
        referrals=_referrals(session, own, year),
    )


def as_csv(report: StatisticsRead) -> str:
    """One row per published figure: `section,key,value` — the same figures as the JSON,
    suppression included, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["municipality", "year", "section", "key", "value"])
    for section, key, value in _figures(report.model_dump(mode="json")):
        writer.writerow([report.municipality, report.year, section, key, value])
    return out.getvalue()


def _figures(node: object, path: tuple[str, ...] = ()) -> Iterable[tuple[str, str, object]]:
    """Flatten the report: a breakdown's parts become keys; a list of rows becomes one
    figure per row and field, keyed by the row's id."""
    if isinstance(node, dict):
        if "parts" in node and "total" in node:
            yield ".".join(path), "total", node["total"]
            for key, value in node["parts"].items():
                yield ".".join(path), key, value
            return
        for key, value in node.items():
            if key in {"municipality", "year", "suppressed_below"} and not path:
                continue
            if isinstance(value, dict | list):
                yield from _figures(value, (*path, key))
            else:
                yield ".".join(path) or "report", key, "" if value is None else value
    elif isinstance(node, list):
        for row in node:
            ident = str(row.get("landlord") or row.get("area"))
            for key, value in row.items():
                if key not in {"landlord", "area"}:
                    yield ".".join(path), f"{ident}.{key}", "" if value is None else value
