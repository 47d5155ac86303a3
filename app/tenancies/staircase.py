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
from datetime import date, datetime, time, timedelta

from app.core.db import STOCKHOLM
from app.core.months import add_months
from app.vocabulary import ContractForm, EndReason, EventKind, RemarkEffect, Rung

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
    # Norrköping: the three-month contracts are used "för att slippa de kommunala kontrakten"
    # — renewed term by term until the household gets its own lease with the landlord.
    ContractForm.short_term: Rung.own_lease,
}
"""`housing_first` is a permanent own lease from the start: it has no next rung."""


@dataclass(frozen=True)
class Happened:
    """The parts of a recorded event the rules read."""

    kind: EventKind
    effective_on: date
    reason: str | None = None


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


def trial_end_after_remark(
    *,
    trial_period_end: date | None,
    remark_on: date,
    effect: RemarkEffect,
    trial_months: int | None,
    extend_months: int | None,
) -> date | None:
    """The trial's end after a remark, as the agreement's `remark_effect` says: `restart`
    (a whole trial from the remark, never shorter than before), `extend` (the end moved by
    `extend_months`; from the remark's day when no trial runs), `none` (unchanged)."""
    if effect is RemarkEffect.restart:
        restarted = add_months(remark_on, trial_months) if trial_months else None
        return restarted_trial_end(
            trial_period_end=trial_period_end, remark_on=remark_on, restarted=restarted
        )
    if effect is RemarkEffect.extend and extend_months:
        return add_months(trial_period_end or remark_on, extend_months)
    return trial_period_end


def _since_last_step(events: Sequence[Happened]) -> list[Happened]:
    """The events of the current contract form: those after the last step."""
    steps = [i for i, e in enumerate(events) if e.kind is EventKind.step]
    return list(events[steps[-1] + 1 :] if steps else events)


PROBLEMS = frozenset({EventKind.remark, EventKind.incident})
"""The events that record a problem in the trial (Göteborg: "problem under provotiden")."""


def transfer_answer(events: Sequence[Happened]) -> Happened | None:
    """The landlord's standing answer to the transfer in the current form: its latest
    `consent` or `refusal`, or None."""
    answers = [
        e for e in _since_last_step(events) if e.kind in (EventKind.consent, EventKind.refusal)
    ]
    return answers[-1] if answers else None


def answer_due_at(
    *,
    needs_consent: bool,
    answer: Happened | None,
    possible_on: date | None,
    asked_at: datetime,
    answer_hours: int,
) -> datetime | None:
    """When the landlord's answer to a transfer is due, like a proposal's answer: where the
    agreement needs its consent and it has not answered, `answer_hours` after the transfer
    became possible — the start of `possible_on` (the trial's end) in Swedish time, or
    `asked_at` (the tenancy's creation) when that is later. None when nothing is awaited
    or the transfer is not yet possible."""
    if not needs_consent or answer is not None or possible_on is None:
        return None
    opened = max(datetime.combine(possible_on, time.min, tzinfo=STOCKHOLM), asked_at)
    return opened + timedelta(hours=answer_hours)


def transfer_refusal(*, needs_consent: bool, answer: Happened | None) -> str | None:
    """Why the transfer to the own lease cannot be made, or None: a standing refusal by the
    landlord, or — where the agreement needs consent — no consent yet."""
    if answer is not None and answer.kind is EventKind.refusal:
        return (
            f"The landlord refused the transfer ({answer.reason}) on "
            f"{answer.effective_on.isoformat()}."
        )
    if needs_consent and answer is None:
        return (
            "The transfer needs the landlord's consent (the agreement says so): the landlord "
            "answers with POST /v1/tenancies/{id}/consent."
        )
    return None


def answer_refusal(*, consent: bool, needs_consent: bool, events: Sequence[Happened]) -> str | None:
    """Why the landlord's answer cannot be recorded, or None. A consent where none is
    needed has nothing to agree to; where consent is waived (Göteborg) a refusal needs a
    problem — a remark or an incident — recorded in the current form's trial."""
    if consent:
        return None if needs_consent else "The agreement needs no consent to the transfer."
    if needs_consent or any(e.kind in PROBLEMS for e in _since_last_step(events)):
        return None
    return (
        "The agreement waives the landlord's consent: it may refuse the transfer only with a "
        "problem recorded in the trial (a remark or an incident)."
    )


def registration_refusal(
    *, form: str, started_on: date, step: str | None, step_on: date | None, today: date
) -> str | None:
    """Why a running contract cannot be registered as given, or None: it began in the
    future; a step without its day (or a day without a step); a step that is not the
    form's next rung; a step's day before the start or in the future."""
    if started_on > today:
        return f"started_on {started_on.isoformat()} is in the future."
    if (step is None) != (step_on is None):
        return "step and step_on: give both or neither."
    if step is None or step_on is None:
        return None
    rung = next_rung(form)
    if rung is None or rung.value != step:
        return f"A {form} does not step to {step}."
    if not started_on <= step_on <= today:
        return "step_on: between started_on and today."
    return None


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
