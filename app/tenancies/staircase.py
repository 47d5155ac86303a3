"""The housing staircase (docs/domain.md §5): which contract form a tenancy steps to once its
trial period has passed without remarks. Pure rules, one function each, so every rule has
its own test and the service only applies them.

The ladder is a fact of the contract forms, the same in every municipality; what differs per
municipality — the trial period, which forms an agreement offers — is configuration on the
agreement (`trial_period_months`, `contract_forms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.vocabulary import ContractForm, EndReason, EventKind, Rung

STAIRCASE: dict[ContractForm, Rung] = {
    # Västerås: "Efter ett år kan träningslägenheten övergå i ett boendestödsavtal, förutsatt
    # att det inte har varit några störningar eller betalningsförsummelse."
    ContractForm.training_apartment: Rung.support_agreement,
    # Västerås: "Efter ytterligare ett år omprövas denna lösning. Om det inte har varit några
    # problem upphör kommunens ansvar" — the own lease remains, the municipality steps out.
    ContractForm.support_agreement: Rung.own_lease,
    # Göteborg (18 months, the landlord cannot refuse without problems), Karlstad (≥ 1 year),
    # Södertälje (2 years), Norrköping (≤ 2 years): the municipal contract is transferred.
    ContractForm.municipal_contract: Rung.own_lease,
    # Karlstad: the municipal rent guarantee lapses; the lease was the household's own.
    ContractForm.first_hand_with_guarantee: Rung.own_lease,
}
"""`housing_first` is a permanent own lease from the start and `short_term` (Norrköping's
three months without tenure protection) ends rather than climbs: neither has a next rung."""


@dataclass(frozen=True)
class Happened:
    """The parts of a recorded event the rules read."""

    kind: EventKind
    effective_on: date


def next_rung(form: str) -> Rung | None:
    """The rung a tenancy in `form` steps to, or None at the top of the staircase."""
    try:
        return STAIRCASE.get(ContractForm(form))
    except ValueError:
        return None


def form_since(start: date, events: Sequence[Happened]) -> date:
    """The day the current contract form began: the last step, else the move-in day."""
    steps = [e.effective_on for e in events if e.kind is EventKind.step]
    return max(steps, default=start)


def earliest_day(
    kind: EventKind, *, start: date, contracted: date, events: Sequence[Happened]
) -> date:
    """The first day an event of `kind` can take effect: the current form's first day. An
    end may come sooner — a household can back out between the contract and a move-in
    that lies ahead — so before any step it may fall on any day from the contract on."""
    since = form_since(start, events)
    if kind is EventKind.end and not any(e.kind is EventKind.step for e in events):
        return min(since, contracted)
    return since


def step_refusal(*, trial_period_end: date | None, effective_on: date) -> str | None:
    """Why a step on `effective_on` cannot be taken yet, or None: the trial period (restarted
    by any remark) must have run out. Without a trial period in the agreement a step is
    possible at once."""
    if trial_period_end is not None and effective_on < trial_period_end:
        return f"The trial period runs until {trial_period_end.isoformat()}."
    return None


def date_refusal(*, effective_on: date, since: date, today: date) -> str | None:
    """Events are recorded as they happen or afterwards, never ahead, and never before the
    current contract form began (it would rewrite the history before the last step)."""
    if effective_on > today:
        return f"effective_on {effective_on.isoformat()} is in the future."
    if effective_on < since:
        return f"effective_on is before the current contract form began ({since.isoformat()})."
    return None


def restarted_trial_end(
    *, trial_period_end: date | None, remark_on: date, restarted: date | None
) -> date | None:
    """A remark restarts the trial period ("after a year without remarks"): the next step
    waits for a whole trial period after the remark, and never less than it waited before.
    `restarted` is `remark_on` plus the agreement's trial period (None without one)."""
    if trial_period_end is None or restarted is None:
        return trial_period_end
    return max(trial_period_end, restarted)


END_REASONS_BY_ROLE: dict[str, frozenset[EndReason]] = {
    "coordinator": frozenset(EndReason) - {EndReason.terminated_by_landlord, EndReason.moved_on},
    "landlord": frozenset(EndReason) - {EndReason.terminated_by_municipality, EndReason.moved_on},
}
"""Each side ends a tenancy with its own reasons only; both can record a move-out. No one
records `moved_on`: the contract of the tenancy that follows in a move chain ends it
(app/flows/move_chain.py)."""


def end_refusal(*, role: str, reason: EndReason) -> str | None:
    if reason in END_REASONS_BY_ROLE.get(role, frozenset()):
        return None
    return f"A {role} cannot record the reason {reason.value}."
