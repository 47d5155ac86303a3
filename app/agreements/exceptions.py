"""The 3:5 conditions on an agreement's exception places (Helsingborg 3:5).

"Hyresgästen har skött sina nuvarande hyresbetalningar", "Inga störningar eller annan
problematik föreligger", "Fastighetsförvaltningen går i god för att detta är en
välfungerande hyresgäst": an agreement may keep its exception places for tenants moving on
from the municipality's second-hand housing who meet them. They are decided here, from the
agreement's conditions and the history of the tenancy the household moves on from, and
handed to the solver as data (`exception_qualified`), so the solver, its explanations and
the candidates view judge alike. They live beside the agreements, below the rounds that read
them and the tenancies whose events they read (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.agreements.models import Agreement
from app.agreements.schemas import ExceptionConditions
from app.core.months import add_months
from app.tenancies.models import TenancyEvent
from app.vocabulary import EventKind, ResponseAction, VouchingStatement

RESOLVING_ACTIONS = frozenset({ResponseAction.measure_taken, ResponseAction.no_action_needed})
"""Where an agreement lets an answered report pass (`answered_reports_block: false`), a
report is resolved once the municipality answered it with a measure taken or found nothing
to do; a visit alone (`visited`) does not settle a late payment."""


def conditions_of(agreement: Agreement) -> ExceptionConditions | None:
    """The agreement's 3:5 conditions, or None when its exception places ask none."""
    stored: Mapping[str, Any] | None = agreement.exception_conditions
    return ExceptionConditions.model_validate(stored) if stored else None


def vouched_on(events: list[TenancyEvent]) -> date | None:
    """The day of the standing vouching statement, or None (none made, or withdrawn)."""
    for event in reversed(events):
        if event.kind == EventKind.vouching:
            if event.reason == VouchingStatement.well_functioning_tenant:
                return event.effective_on
            return None
    return None


def exception_refusal(
    conditions: ExceptionConditions, events: list[TenancyEvent], today: date
) -> str | None:
    """Why the tenant of a tenancy with these `events` does not qualify for exception
    places under `conditions` on `today`, or None when it does: a report — a landlord's
    remark or incident, or the coordinator's remark — within the last `no_remarks_months`
    ("Inga störningar eller annan problematik föreligger": any code unless the agreement
    names `blocking_reports`; answered or not unless `answered_reports_block` is false), or
    no standing vouching statement."""
    since = add_months(today, -conditions.no_remarks_months)
    blocking = (
        {reason.value for reason in conditions.blocking_reports}
        if conditions.blocking_reports is not None
        else None
    )
    resolved = (
        set()
        if conditions.answered_reports_block
        else {
            e.answers
            for e in events
            if e.kind == EventKind.response and e.answers and e.reason in RESOLVING_ACTIONS
        }
    )
    for event in events:
        if (
            event.kind in (EventKind.remark, EventKind.incident)
            and (blocking is None or event.reason in blocking)
            and event.effective_on >= since
            and (event.report_id is None or event.report_id not in resolved)
        ):
            return f"{event.kind} {event.reason} on {event.effective_on.isoformat()}"
    if conditions.requires_vouching and vouched_on(events) is None:
        return "the municipality has not vouched for the tenant"
    return None


def exception_qualified(
    agreements: list[Agreement], histories: Mapping[str, list[TenancyEvent]], today: date
) -> dict[str, tuple[str, ...]]:
    """Per household with a move-on need (`histories`: household id → the events of the
    tenancy it moves on from): the landlords (of `agreements`, those asking the 3:5
    conditions) whose exception places it qualifies for today — the data the round's
    problem carries (`households[].exception_qualified`)."""
    asking = [(a.landlord_id, c) for a in agreements if (c := conditions_of(a)) is not None]
    if not asking:
        return {}
    qualified: dict[str, tuple[str, ...]] = {}
    for household_id, history in histories.items():
        landlords = tuple(
            sorted(lid for lid, c in asking if exception_refusal(c, history, today) is None)
        )
        if landlords:
            qualified[household_id] = landlords
    return qualified
