"""The dashboard's panels as plain data: what the service gathers from the public API and
the template and the charts (charts.py) read, with the Swedish-time stamps they show. Apart
from the gathering, so the drawing can name these types without importing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.core.db import STOCKHOLM


@dataclass(frozen=True)
class QuotaBar:
    landlord: str
    name: str
    quota: int
    expected_to_date: int
    """The share due by today under the agreement's pacing (the whole quota without)."""
    delivered: int
    remaining: int


@dataclass(frozen=True)
class Awaiting:
    case_ref: str | None
    external_ref: str
    landlord_name: str | None
    whose_turn: str
    deadline_at: str | None


@dataclass(frozen=True)
class DueTenancy:
    case_ref: str | None
    external_ref: str
    landlord_name: str | None
    what: str
    due: str | None


@dataclass(frozen=True)
class RoundLine:
    id: str
    status: str
    dry_run: bool
    created_at: str
    finished_at: str | None
    progress_percent: int | None
    phase: str | None
    compare_with: str | None = None
    """The next older round with a result, to set this one beside."""


@dataclass(frozen=True)
class ProposalLine:
    """A proposal on a to-do list, named as people name it: case, flat, landlord."""

    id: str
    household: str
    vacancy: str
    case_ref: str | None
    external_ref: str
    landlord_name: str | None
    area_name: str | None
    status: str
    decline_reason: str | None = None
    decline_comment: str | None = None


@dataclass(frozen=True)
class RoundToRelease:
    """One round's proposals still waiting for the coordinator's release."""

    round: str | None
    created_at: str | None
    proposals: list[ProposalLine]


@dataclass(frozen=True)
class UnmatchedLine:
    """A household the last round left without a proposal, and why, in words."""

    case_ref: str | None
    reasons: list[tuple[str, int | None]]
    """Each reason's code (a rule, `taken`, or the round's own text) and how many vacancies
    it held back, most first."""


@dataclass(frozen=True)
class SatOutLine:
    """A household that took no part in the last round, and its coded reason."""

    case_ref: str | None
    household: str
    reason: str


@dataclass(frozen=True)
class LastRound:
    id: str
    created_at: str
    unmatched: list[UnmatchedLine]
    sat_out: list[SatOutLine] = field(default_factory=list)


@dataclass
class Dashboard:
    municipality: str
    year: int
    quota: list[QuotaBar]
    quota_chart: str
    waiting_total: int
    waiting: dict[str, dict[str, int]]
    """Urgency band → month bucket → households."""
    waiting_chart: str
    awaiting: list[Awaiting]
    due: list[DueTenancy]
    rounds: list[RoundLine]
    to_release: list[RoundToRelease] = field(default_factory=list)
    needs_round: list[ProposalLine] = field(default_factory=list)
    last_round: LastRound | None = None
    cut_short: list[str] = field(default_factory=list)
    """Lists longer than the dashboard reads: their panels count only the first ones."""
    shown_at_most: int = 0
    generated_at: str = field(default_factory=lambda: local_minute(datetime.now(UTC)) or "")


@dataclass(frozen=True)
class CaseLine:
    case_ref: str | None
    urgency: int
    registered: str | None


@dataclass(frozen=True)
class FlatOffer:
    """A proposal waiting for the household's answer, with the flat in full."""

    id: str
    case_ref: str | None
    external_ref: str
    landlord_name: str | None
    area_name: str | None
    rooms: int | None
    rent: int | None
    address: str | None
    postal_code: str | None
    floor: int | None
    elevator: bool | None
    living_area: int | None
    move_in_date: str | None
    deadline_at: str | None


@dataclass
class SocialPage:
    """The social secretary's page: their municipality's open cases and the proposals
    waiting for a household's answer."""

    municipality: str
    households: list[CaseLine]
    offers: list[FlatOffer]
    restricted: int = 0
    """Proposals of protected-identity households: counted, not shown."""
    cut_short: list[str] = field(default_factory=list)
    shown_at_most: int = 0
    generated_at: str = field(default_factory=lambda: local_minute(datetime.now(UTC)) or "")


def local_minute(moment: datetime | str | None) -> str | None:
    """A moment as the coordinator reads it: Swedish local time to the minute."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    # Coordinators read Swedish time; the zone's abbreviation (CET/CEST) says which.
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M %Z")
