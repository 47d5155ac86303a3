"""Tenancies: what a contracted proposal becomes, and the quota each one counts toward.

A tenancy keeps only what quota accounting needs (docs/domain.md §6): contract form, start,
trial-period end, the agreement year, whether it used an exception place. Its later events
(docs/domain.md §3: a step up the staircase, a transfer to the tenant, a landlord's remark, the
end) are appended as `TenancyEvent` rows; the rules they obey are in `staircase.py`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.agreements.lease import quota_from_share
from app.agreements.models import Agreement
from app.agreements.pacing import quota_due
from app.agreements.quota import YearUse, left, use_of_year
from app.agreements.schemas import QuotaShare
from app.auth import COORDINATOR, Principal, acting_for, municipality_of, own_municipality
from app.core.db import local_today, new_id, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.core.months import add_months
from app.core.pagination import Page
from app.households.assessment import conditions_of
from app.households.models import Household
from app.proposals.models import Proposal
from app.settlement.service import settlement_status
from app.tenancies import journal, repository, staircase, terms
from app.tenancies.history import answered_at, happened
from app.tenancies.models import Tenancy
from app.tenancies.schemas import (
    ConsentBody,
    DelayBody,
    EndBody,
    IncidentBody,
    QuotaReport,
    QuotaRow,
    QuotaSplit,
    QuotaTotals,
    RegisterBody,
    RemarkBody,
    RenewBody,
    ResponseBody,
    StepBody,
    VouchingBody,
)
from app.vacancies.models import Vacancy
from app.vacancies.repository import forms_on_request
from app.vocabulary import (
    EndReason,
    EventKind,
    LandlordKind,
    RemarkEffect,
    Rung,
    TenancyStatus,
    TransferAnswerReason,
    TransferDelayReason,
)


def trial_end(start: date, months: int | None) -> date | None:
    """The day a trial period of `months` begun on `start` ends; none without one."""
    return add_months(start, months) if months else None


def create_from_proposal(
    session: Session,
    *,
    proposal: Proposal,
    vacancy: Vacancy,
    round_year: int | None,
    start: date,
    moved_from: Tenancy | None = None,
) -> Tenancy:
    """The tenancy of a proposal both sides accepted, from the move-in day `start`.

    Counts toward the round's agreement year (the quota the round planned with), else the
    start's year; the trial period (Göteborg 18 months, Södertälje 24) is the agreement's.
    The partial unique indexes refuse a second active tenancy of the vacancy or the
    household (→ 409). `moved_from`: the tenancy the household moved on from in the same
    transaction (a move chain, app/flows/move_chain.py), linked for the chain's history.
    """
    year = round_year or start.year
    agreement = session.scalar(
        select(Agreement).where(
            Agreement.municipality_code == proposal.municipality_code,
            Agreement.landlord_id == proposal.landlord_id,
            Agreement.year == year,
        )
    )
    trial_months = agreement.trial_period_months if agreement else None
    tenancy = Tenancy(
        transfer_latest_on=latest_on(start, agreement),
        proposal_id=proposal.id,
        municipality_code=proposal.municipality_code,
        landlord_id=proposal.landlord_id,
        vacancy_id=proposal.vacancy_id,
        household_id=proposal.household_id,
        contract_form=proposal.contract_form,
        exception=proposal.exception,
        agreement_year=year,
        start_date=start,
        trial_period_end=trial_end(start, trial_months),
        status=TenancyStatus.active.value,
        conditions=conditions_of(session.get(Household, proposal.household_id)),
        quota_apartment=vacancy.quota_apartment,
        moved_from_id=moved_from.id if moved_from is not None else None,
    )
    _take_terms(tenancy, terms.for_form(agreement, proposal.contract_form), start)
    session.add(tenancy)
    session.flush()
    return tenancy


def latest_on(start: date, agreement: Agreement | None) -> date | None:
    """The day the agreement's latest month of the trial is reached (Norrköping: "upp till
    två år"); none without a limit."""
    months = agreement.transfer_latest_months if agreement else None
    return add_months(start, months) if months else None


def register(
    session: Session,
    *,
    principal: Principal,
    household: Household,
    body: RegisterBody,
    today: date,
) -> Tenancy:
    """A contract that began before the service, as a tenancy from then on like any other
    (issue 24; Södertälje "ungefär 400 kommunkontrakt"): it counts toward the quota of the
    year it began — the landlord delivered the flat then — and takes that year's agreement's
    trial, latest month and terms from its start (or from `step_on`, the day it reached the
    form it is on now). The landlord's flat is linked when the landlord posted it under the
    same reference. `404`: another municipality's household or an unknown landlord; `409`:
    the household or the flat is in an active tenancy already; `422`: a day in the future,
    a step that is not the staircase's, or a step without its day."""
    municipality = household.municipality_code
    if repository.landlord(session, body.landlord) is None:
        raise NotFound("No such landlord.")
    refusal = staircase.registration_refusal(
        form=body.contract_form.value,
        started_on=body.started_on,
        step=body.step.value if body.step else None,
        step_on=body.step_on,
        today=today,
    )
    if refusal is not None:
        raise UnprocessableEntity(refusal)
    if repository.active_of_household(session, household.id) is not None:
        raise Conflict("The household lives in an active tenancy already.")
    vacancy = repository.vacancy_by_ref(session, body.landlord, municipality, body.external_ref)
    if vacancy is not None and repository.active_of_vacancy(session, vacancy.id) is not None:
        raise Conflict(f"The flat {body.external_ref} is in an active tenancy already.")
    year = body.started_on.year
    agreement = repository.agreement_for(session, municipality, body.landlord, year)
    form = body.step or body.contract_form
    since = body.step_on or body.started_on
    tenancy = Tenancy(
        municipality_code=municipality,
        landlord_id=body.landlord,
        vacancy_id=vacancy.id if vacancy is not None else None,
        external_ref=body.external_ref,
        household_id=household.id,
        contract_form=form.value,
        exception=body.exception,
        agreement_year=year,
        start_date=body.started_on,
        trial_period_end=trial_end(since, agreement.trial_period_months if agreement else None),
        transfer_latest_on=latest_on(body.started_on, agreement),
        status=TenancyStatus.active.value,
        conditions=conditions_of(household),
        registered=True,
    )
    _take_terms(tenancy, terms.for_form(agreement, form.value), since)
    session.add(tenancy)
    session.flush()
    if body.step is not None:
        journal.append_event(
            session,
            principal,
            tenancy,
            kind=EventKind.step,
            on=since,
            purpose=f"registered running tenancy {tenancy.id}",
            from_form=body.contract_form.value,
            to_form=body.step.value,
        )
    return tenancy


def _take_terms(tenancy: Tenancy, given: terms.Terms, since: date) -> None:
    """The tenancy is let on these terms from `since` (its start, or a step's day)."""
    tenancy.term_months = given.term_months
    tenancy.term_end = add_months(since, given.term_months) if given.term_months else None
    tenancy.notice_days = given.notice_days
    tenancy.renewable = given.renewable
    tenancy.serious_notice_days = given.serious_cause_notice_days


def list_tenancies(
    session: Session,
    *,
    principal: Principal,
    status: TenancyStatus | None,
    year: int | None,
    page: Page,
    step_due_on: date | None = None,
    response_overdue_at: datetime | None = None,
    transfer_overdue_on: date | None = None,
) -> list[Tenancy]:
    """A page of the caller's tenancies; with `step_due_on`, only those whose next step can
    be taken that day — the coordinator's worklist of transfers and staircase steps; with
    `response_overdue_at`, only those with a landlord's report still unanswered past its
    response deadline at that moment — the worklist of promises about to be broken; with
    `transfer_overdue_on`, only those past their latest month that day without a transfer
    or a standing reason — the lock-in watch."""
    return repository.list_page_for(
        session,
        principal,
        status=status.value if status else None,
        year=year,
        after=page.after,
        limit=page.limit,
        step_due_on=step_due_on,
        climbing_forms=[form.value for form in staircase.STAIRCASE],
        response_overdue_at=response_overdue_at,
        transfer_overdue_on=transfer_overdue_on,
    )


def get_tenancy(session: Session, *, principal: Principal, tenancy_id: str) -> Tenancy:
    tenancy = repository.get_for(session, principal, tenancy_id)
    if tenancy is None:
        raise NotFound("No such tenancy.")
    return tenancy


def step(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: StepBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """One step up the staircase after the trial period (docs/domain.md §5).

    To the next contract form (training apartment → support agreement): the form changes and
    a new trial period of the agreement's length starts. To `own_lease`: the tenancy is
    `transferred` — the household holds the lease, the municipality's part is over. Refused
    (409) while the trial period runs, at the top of the staircase, when `to` is not the
    next rung, or when the landlord's agreement does not offer the next form.
    """
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.step, body.effective_on, today
    )
    rung = staircase.next_rung(tenancy.contract_form)
    if rung is None:
        raise Conflict(f"A {tenancy.contract_form} tenancy has no next step.")
    if body.to is not rung:
        raise Conflict(
            f"A {tenancy.contract_form} tenancy steps to {rung.value}, not {body.to.value}.",
            next_step=rung.value,
        )
    refusal = staircase.step_refusal(trial_period_end=tenancy.trial_period_end, effective_on=on)
    if refusal is not None:
        raise Conflict(refusal, trial_period_end=str(tenancy.trial_period_end))
    left = tenancy.contract_form
    agreement = repository.agreement_of(session, tenancy)
    if rung is Rung.own_lease:
        history = repository.events_of(session, {tenancy.id}).get(tenancy.id, [])
        refused = staircase.transfer_refusal(
            needs_consent=agreement is None or agreement.transfer_needs_landlord_consent,
            answer=staircase.transfer_answer(happened(history)),
        )
        if refused is not None:
            raise Conflict(refused)
        tenancy.status = TenancyStatus.transferred.value
        tenancy.transfer_delay = None
        aftercare = agreement.aftercare_months if agreement else 0
        tenancy.aftercare_until = add_months(on, aftercare) if aftercare else None
        waiver = agreement.tenure_waiver_months if agreement else None
        tenancy.tenure_waived_until = add_months(on, waiver) if waiver else None
    else:
        if agreement is None or rung.value not in agreement.contract_forms:
            raise Conflict(
                f"The landlord's agreement for {tenancy.agreement_year} does not offer "
                f"{rung.value}."
            )
        tenancy.contract_form = rung.value
        tenancy.trial_period_end = trial_end(on, agreement.trial_period_months)
        _take_terms(tenancy, terms.for_form(agreement, rung.value), on)
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.step,
        on=on,
        purpose=purpose,
        from_form=left,
        to_form=rung.value,
    )
    return tenancy


def remark(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: RemarkBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """A problem during the tenancy, as a code. It restarts the trial period: the next step
    waits for a whole trial period without remarks (Västerås "efter ett år … förutsatt att
    det inte har varit några störningar"; Göteborg: the landlord can refuse the transfer
    only when there were problems — this is how it says so)."""
    tenancy, on = journal.active_for_event(
        session,
        principal,
        tenancy_id,
        EventKind.remark,
        body.effective_on,
        today,
        aftercare=principal.landlord_side,
    )
    agreement = repository.agreement_of(session, tenancy)
    if tenancy.status == TenancyStatus.active:
        tenancy.trial_period_end = staircase.trial_end_after_remark(
            trial_period_end=tenancy.trial_period_end,
            remark_on=on,
            effect=RemarkEffect(agreement.remark_effect if agreement else RemarkEffect.restart),
            trial_months=agreement.trial_period_months if agreement else None,
            extend_months=agreement.remark_extend_months if agreement else None,
        )
    # A landlord's remark is a report to the municipality: its response promise applies.
    # The coordinator's own remark needs no response from itself.
    report = _report(tenancy, agreement) if principal.landlord_side else {}
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.remark,
        on=on,
        purpose=purpose,
        reason=body.reason.value,
        **report,
    )
    return tenancy


def vouch(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: VouchingBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """The coordinator's dated statement that the municipality vouches for its tenant
    ("går i god för att detta är en välfungerande hyresgäst"), or withdraws it: a
    `vouching` event, codes only. The latest statement stands. `409`: not active."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.vouching, body.effective_on, today
    )
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.vouching,
        on=on,
        purpose=purpose,
        reason=body.statement.value,
    )
    return tenancy


def response_deadline(recorded_at: datetime, response_hours: int | None) -> datetime | None:
    """When the municipality's response to a landlord's report is due: the agreement's
    `response_hours` after the report (Karlstad: "Socialtjänsten garanterar dessutom
    hyresvärden uttryckning inom 48 timmar plus åtgärd om det skulle uppstå problem");
    none when the agreement promises no response time."""
    return recorded_at + timedelta(hours=response_hours) if response_hours else None


def _report(tenancy: Tenancy, agreement: Agreement | None) -> dict[str, str | datetime | None]:
    """A new report's id and deadline, and the tenancy's earliest open deadline moved up to
    it when it comes sooner."""
    due = response_deadline(utcnow(), agreement.response_hours if agreement else None)
    if due is not None and (tenancy.response_due_at is None or due < tenancy.response_due_at):
        tenancy.response_due_at = due
    return {"report_id": new_id(), "response_due_at": due}


def report_incident(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: IncidentBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """A landlord's report of a problem in its tenancy that needs the municipality (a
    code, no free text about the household). Unlike a remark it leaves the trial period
    alone; it gets a response deadline of the agreement's `response_hours`. `409`: the
    tenancy is not active."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.incident, None, today, aftercare=True
    )
    report = _report(tenancy, repository.agreement_of(session, tenancy))
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.incident,
        on=on,
        purpose=purpose,
        reason=body.reason.value,
        **report,
    )
    return tenancy


def respond(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    report_id: str,
    body: ResponseBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """The coordinator's response to a landlord's report (a remark or an incident) of the
    tenancy: a `response` event naming the report, and the tenancy's earliest open
    deadline recomputed, so the tenancy leaves the `response_overdue` worklist once every
    report is answered. Any status: a promise made while the tenancy was active is kept
    after it ended. `404`: no such tenancy or no such report on it; `409`: answered
    already."""
    tenancy = repository.get_for(session, principal, tenancy_id, lock=True)
    if tenancy is None:
        raise NotFound("No such tenancy.")
    history = repository.events_of(session, {tenancy.id}).get(tenancy.id, [])
    reports = {e.report_id: e for e in history if e.report_id is not None}
    if report_id not in reports:
        raise NotFound("No such report on this tenancy.")
    answered = answered_at(history)
    if report_id in answered:
        raise Conflict("The report is answered already.", answered_at=str(answered[report_id]))
    open_deadlines = [
        e.response_due_at
        for rid, e in reports.items()
        if rid != report_id and rid not in answered and e.response_due_at is not None
    ]
    tenancy.response_due_at = min(open_deadlines, default=None)
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.response,
        on=today,
        purpose=purpose,
        reason=body.action.value,
        answers=report_id,
    )
    return tenancy


def end(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: EndBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """The tenancy ended (a move-out, a termination). It still counts toward the year's
    quota; the apartment is the landlord's to post again."""
    refusal = staircase.end_refusal(role=principal.role.value, reason=body.reason)
    if refusal is not None:
        raise UnprocessableEntity(refusal)
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.end, body.effective_on, today
    )
    serious = body.serious_cause is not None
    refusal = terms.serious_cause_refusal(
        reason=body.reason.value, form=tenancy.contract_form, serious=serious
    )
    if refusal is not None:
        raise UnprocessableEntity(refusal)
    refused = terms.end_refusal(reason=body.reason.value, on=on, term_end=tenancy.term_end)
    if refused is not None:
        raise Conflict(refused, term_end=str(tenancy.term_end))
    tenancy.status = TenancyStatus.ended.value
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.end,
        # The tenancy's last day: after the notice period, or at the fixed term's end.
        on=terms.ends_on(
            reason=body.reason.value,
            on=on,
            notice_days=tenancy.notice_days,
            term_end=tenancy.term_end,
            serious_notice_days=tenancy.serious_notice_days,
            serious=serious,
        ),
        purpose=purpose,
        reason=body.reason.value,
        serious_cause=body.serious_cause.value if body.serious_cause else None,
    )
    return tenancy


def end_for_move(
    session: Session, *, principal: Principal, household_id: str, on: date
) -> Tenancy | None:
    """The household's active tenancy with a move-on need ends `moved_on` on `on`, the
    move-in day of the tenancy that follows (a move chain, app/flows/move_chain.py); None
    when it has none (an ordinary contract). No one records `moved_on` by hand
    (`staircase.END_REASONS_BY_ROLE`)."""
    old = repository.active_of_household(session, household_id, lock=True)
    if old is None or old.move_on_since is None:
        return None
    old.status = TenancyStatus.ended.value
    journal.append_event(
        session,
        principal,
        old,
        kind=EventKind.end,
        on=on,
        purpose=f"moved on from tenancy {old.id}",
        reason=EndReason.moved_on.value,
    )
    return old


def renew(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: RenewBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """Renew a fixed term by another term from the current term's end (Norrköping's
    three-month contracts, renewed term by term). Refused (409) for a tenancy without a
    renewable term or whose term is already over (it is then ended, `term_ended`)."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.renewal, body.effective_on, today
    )
    refused = terms.renewal_refusal(renewable=tenancy.renewable, term_end=tenancy.term_end, on=on)
    if refused is not None:
        raise Conflict(refused, term_end=str(tenancy.term_end))
    assert tenancy.term_end is not None
    assert tenancy.term_months is not None
    tenancy.term_end = add_months(tenancy.term_end, tenancy.term_months)
    journal.append_event(
        session, principal, tenancy, kind=EventKind.renewal, on=on, purpose=purpose
    )
    return tenancy


def consent(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: ConsentBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """The landlord's answer to the transfer of the lease to its tenant, as a code: a
    `consent` (where the agreement needs one — by default: "fastighetsägaren har rätt att
    välja sina hyresgäster"; Karlstad: "om parterna är överens") or a `refusal` with its
    reason. Where the agreement waives consent (Göteborg: the landlord "kan … inte motsätta
    sig överlåtelsen om det inte varit några problem under provotiden") a refusal needs a
    remark recorded in the current form's trial. A refusal stands as the reason an overdue
    transfer waits (`transfer_delay: landlord_refused`). `409`: no transfer is next, the
    agreement needs no consent, or a refusal without a remark in the trial."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.consent, body.effective_on, today
    )
    if staircase.next_rung(tenancy.contract_form) is not Rung.own_lease:
        raise Conflict(f"A {tenancy.contract_form} tenancy is not transferred next.")
    agreement = repository.agreement_of(session, tenancy)
    needs_consent = agreement is None or agreement.transfer_needs_landlord_consent
    history = happened(repository.events_of(session, {tenancy.id}).get(tenancy.id, []))
    refused = staircase.answer_refusal(
        consent=body.consent, needs_consent=needs_consent, events=history
    )
    if refused is not None:
        raise Conflict(refused)
    if body.consent:
        tenancy.transfer_delay = None
    else:
        tenancy.transfer_delay = TransferDelayReason.landlord_refused.value
    reason = body.reason or TransferAnswerReason.agreed
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.consent if body.consent else EventKind.refusal,
        on=on,
        purpose=purpose,
        reason=reason.value,
    )
    return tenancy


def delay(
    session: Session,
    *,
    principal: Principal,
    tenancy_id: str,
    body: DelayBody,
    today: date,
    purpose: str | None = None,
) -> Tenancy:
    """The coordinator's coded reason why the transfer waits: the tenancy leaves the lock-in
    watch while it stands (until the transfer, or the landlord's consent). `409`: not
    active, or no transfer is next."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.delay, None, today
    )
    if staircase.next_rung(tenancy.contract_form) is None:
        raise Conflict(f"A {tenancy.contract_form} tenancy has no transfer ahead.")
    tenancy.transfer_delay = body.reason.value
    journal.append_event(
        session,
        principal,
        tenancy,
        kind=EventKind.delay,
        on=on,
        purpose=purpose,
        reason=body.reason.value,
    )
    return tenancy


def _totals(rows: list[QuotaRow]) -> QuotaTotals:
    return QuotaTotals(
        quota=sum(r.quota or 0 for r in rows),
        delivered=sum(r.delivered for r in rows),
        exception_quota=sum(r.exception_quota for r in rows),
        exceptions_used=sum(r.exceptions_used for r in rows),
        remaining=sum(r.remaining or 0 for r in rows),
        outside_quota=sum(r.outside_quota for r in rows),
        outside_quota_used=sum(r.outside_quota_used for r in rows),
    )


def _quota_landlords(principal: Principal, municipality: str, landlord: str | None) -> list[str]:
    """The landlords whose rows the landlord side sees in the municipality: a landlord its
    own, an intermediary those that mandated it there (`landlord`: one of them; another, or
    no mandate there at all → 404)."""
    named = acting_for(principal, landlord, municipality)
    landlords = [named] if named is not None else principal.landlords(municipality)
    if not landlords:
        raise NotFound("No such municipality.")
    return landlords


def _share_or_request(agreement: Agreement | None, on_request: bool) -> dict[str, Any]:
    """What a row adds beside the committed count: the share an agreement states its quota
    as, and what it comes to (Karlstad); or, for a landlord without an agreement whose flats
    the municipality takes on request (Södertälje's Graflunds), that it has no quota at all
    — not a quota of 0 it falls short of."""
    if agreement is None:
        if not on_request:
            return {}
        return {"on_request": True, "quota": None, "remaining": None, "expected_to_date": None}
    if not agreement.quota_share:
        return {}
    return {
        "quota_share": QuotaShare.model_validate(agreement.quota_share),
        "quota_from_share": quota_from_share(agreement.quota_share),
    }


def quota_report(
    session: Session,
    *,
    principal: Principal,
    municipality: str | None,
    year: int,
    landlord: str | None = None,
) -> QuotaReport:
    """Committed versus delivered per landlord for the municipality's agreement year, with
    public and private totals. A coordinator sees its municipality's landlords; a landlord
    only its own row, an intermediary the rows of the landlords that mandated it there (the
    totals then cover only those rows). A landlord with tenancies counted toward a year
    without an agreement appears with quota 0."""
    landlord_ids: list[str | None] = [None]
    if municipality_of(principal, COORDINATOR) is not None:
        municipality = own_municipality(principal, municipality, COORDINATOR)
        acting_for(principal, landlord)
    elif principal.landlord_side:
        if municipality is None:
            raise UnprocessableEntity("municipality: required for a landlord or an intermediary")
        landlord_ids = list(_quota_landlords(principal, municipality, landlord))
    else:
        raise NotFound("No such municipality.")
    agreements = {
        a.landlord_id: a
        for landlord_id in landlord_ids
        for a in repository.agreements_of_year(session, municipality, year, landlord_id)
    }
    delivered = {
        landlord_id: use
        for landlord_id, use in use_of_year(session, municipality, year, utcnow()).items()
        if use.tenancies and (landlord_ids == [None] or landlord_id in landlord_ids)
    }
    landlords = repository.landlords_by_id(session, set(agreements) | set(delivered))
    rows = []
    for lid in sorted(landlords, key=lambda i: (landlords[i].name, i)):
        agreement = agreements.get(lid)
        quota = agreement.quota if agreement else 0
        use = delivered.get(lid, YearUse())
        rows.append(
            QuotaRow(
                landlord=lid,
                name=landlords[lid].name,
                kind=LandlordKind(landlords[lid].kind),
                quota=quota,
                delivered=use.delivered,
                exception_quota=agreement.exception_quota if agreement else 0,
                exceptions_used=use.exceptions_used,
                remaining=left(quota, use.delivered),
                outside_quota=agreement.move_on_outside_quota if agreement else 0,
                outside_quota_used=use.outside_used,
                pacing=agreement.pacing if agreement else "none",
                expected_to_date=quota_due(
                    quota, agreement.pacing if agreement else "none", year=year, on=local_today()
                ),
            )
        )
    on_request = bool(forms_on_request(session, municipality))
    rows = [
        row.model_copy(update=_share_or_request(agreements.get(row.landlord), on_request))
        for row in rows
    ]
    return QuotaReport(
        municipality=municipality,
        year=year,
        settlement=None
        if landlord_ids != [None]
        else settlement_status(session, municipality, year),
        rows=rows,
        totals=QuotaSplit(
            public=_totals([r for r in rows if r.kind is LandlordKind.public]),
            private=_totals([r for r in rows if r.kind is LandlordKind.private]),
            all=_totals(rows),
        ),
    )
