"""Tenancies: what a contracted proposal becomes, and the quota each one counts toward.

A tenancy keeps only what quota accounting needs (docs/domain.md §6): contract form, start,
trial-period end, the agreement year, whether it used an exception place. Its later events
(docs/domain.md §3: a step up the staircase, a transfer to the tenant, a landlord's remark, the
end) are appended as `TenancyEvent` rows; the rules they obey are in `staircase.py`.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import references
from app.agreements.models import Agreement
from app.agreements.pacing import quota_due
from app.auth import Principal, Role, acting_for
from app.core.db import local_today, new_id, utcnow
from app.core.errors import Conflict, NotFound, UnprocessableEntity
from app.core.pagination import Page
from app.households.assessment import conditions_of
from app.households.models import Household
from app.proposals.models import Proposal
from app.settlement.service import settlement_status
from app.tenancies import journal, repository, staircase, terms
from app.tenancies.chains import vouched_on
from app.tenancies.models import Tenancy, TenancyEvent
from app.tenancies.schemas import (
    ConsentBody,
    EndBody,
    IncidentBody,
    QuotaReport,
    QuotaRow,
    QuotaSplit,
    QuotaTotals,
    RemarkBody,
    RenewBody,
    ResponseBody,
    StepBody,
    TenancyEventRead,
    TenancyLandlordView,
    TenancyRead,
)
from app.vacancies.models import Vacancy
from app.vocabulary import EventKind, LandlordKind, Rung, TenancyStatus


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day
    (31 January + 1 month = 28/29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def trial_end(start: date, months: int | None) -> date | None:
    """The day a trial period of `months` begun on `start` ends; none without one."""
    return add_months(start, months) if months else None


def start_date_for(vacancy: Vacancy, today: date) -> date:
    """The move-in day: when the vacancy is available, never in the past."""
    if vacancy.available_from is not None and vacancy.available_from > today:
        return vacancy.available_from
    return today


def create_from_proposal(
    session: Session,
    *,
    proposal: Proposal,
    vacancy: Vacancy,
    round_year: int | None,
    today: date,
    principal: Principal | None = None,
) -> Tenancy:
    """The tenancy of a proposal both sides accepted.

    Starts when the vacancy is available, never in the past; counts toward the round's
    agreement year (the quota the round planned with), else the start's year; the trial
    period (Göteborg 18 months, Södertälje 24) is the agreement's. The partial unique
    indexes refuse a second active tenancy of the vacancy or the household (→ 409). A
    household with a move-on need moves on: in this transaction the tenancy it leaves
    ends `moved_on` on the move-in day and its flat is back in the pool (`principal`, who
    contracted, records that end; app/tenancies/chains.py).
    """
    from app.tenancies.chains import leave_for_move

    start = start_date_for(vacancy, today)
    moved_from = (
        leave_for_move(
            session, principal=principal, household_id=proposal.household_id, moving_in=start
        )
        if principal is not None
        else None
    )
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


def _take_terms(tenancy: Tenancy, given: terms.Terms, since: date) -> None:
    """The tenancy is let on these terms from `since` (its start, or a step's day)."""
    tenancy.term_months = given.term_months
    tenancy.term_end = add_months(since, given.term_months) if given.term_months else None
    tenancy.notice_days = given.notice_days
    tenancy.renewable = given.renewable


def list_tenancies(
    session: Session,
    *,
    principal: Principal,
    status: TenancyStatus | None,
    year: int | None,
    page: Page,
    step_due_on: date | None = None,
    response_overdue_at: datetime | None = None,
) -> list[Tenancy]:
    """A page of the caller's tenancies; with `step_due_on`, only those whose next step can
    be taken that day — the coordinator's worklist of transfers and staircase steps; with
    `response_overdue_at`, only those with a landlord's report still unanswered past its
    response deadline at that moment — the worklist of promises about to be broken."""
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
    )


def get_tenancy(session: Session, *, principal: Principal, tenancy_id: str) -> Tenancy:
    tenancy = repository.get_for(session, principal, tenancy_id)
    if tenancy is None:
        raise NotFound("No such tenancy.")
    return tenancy


def _ended_on(events: list[TenancyEvent]) -> date | None:
    """The day of the event that closed the tenancy: an end, or the step to the own lease."""
    for event in reversed(events):
        if event.kind == EventKind.end or event.to_form == Rung.own_lease:
            return event.effective_on
    return None


def _event_view(event: TenancyEvent, answered: dict[str, datetime]) -> TenancyEventRead:
    return TenancyEventRead.model_validate(
        {
            "kind": event.kind,
            "effective_on": event.effective_on,
            "from_form": event.from_form,
            "to": event.to_form,
            "reason": event.reason,
            "role": event.role,
            "recorded_at": event.recorded_at,
            "report_id": event.report_id,
            "response_due_at": event.response_due_at,
            "answered_at": answered.get(event.report_id) if event.report_id else None,
            "answers": event.answers,
        }
    )


def _answered(events: list[TenancyEvent]) -> dict[str, datetime]:
    """report id → when the municipality's response to it was recorded."""
    return {e.answers: e.recorded_at for e in events if e.kind == EventKind.response and e.answers}


MUNICIPAL_EVENTS = frozenset({EventKind.vouching.value})
"""Tenancy events only the municipality's view shows (docs/domain.md §6)."""


def to_views(
    session: Session, principal: Principal, tenancies: list[Tenancy]
) -> list[TenancyRead | TenancyLandlordView]:
    """Each tenancy in the caller's view: a landlord's names no household; the
    municipality's carries the case, vacancy, landlord and area references, loaded for the
    whole page at once (app/references.py)."""
    landlord = principal.landlord_side
    refs = references.load(
        session,
        households=() if landlord else (t.household_id for t in tenancies),
        vacancies=(t.vacancy_id for t in tenancies),
    )
    events = repository.events_of(session, {t.id for t in tenancies})
    successors = {} if landlord else repository.successors_of(session, {t.id for t in tenancies})
    views: list[TenancyRead | TenancyLandlordView] = []
    for tenancy in tenancies:
        history = events.get(tenancy.id, [])
        # The landlord's history leaves out the municipality's statements about its tenant.
        shown = [e for e in history if not (landlord and e.kind in MUNICIPAL_EVENTS)]
        vacancy = refs.vacancy(tenancy.vacancy_id)
        active = tenancy.status == TenancyStatus.active
        common = {
            "id": tenancy.id,
            "proposal": tenancy.proposal_id,
            "municipality": tenancy.municipality_code,
            "vacancy": tenancy.vacancy_id,
            "external_ref": vacancy.external_ref if vacancy else "",
            "contract_form": tenancy.contract_form,
            "agreement_year": tenancy.agreement_year,
            "start_date": tenancy.start_date,
            "form_since": staircase.form_since(tenancy.start_date, journal.happened(history)),
            "trial_period_end": tenancy.trial_period_end,
            "next_step": staircase.next_rung(tenancy.contract_form) if active else None,
            "status": tenancy.status,
            "ended_on": None if active else _ended_on(history),
            "term_months": tenancy.term_months,
            "term_end": tenancy.term_end,
            "renewable": tenancy.renewable,
            "notice_days": tenancy.notice_days,
            "response_due_at": tenancy.response_due_at,
            "quota_apartment": tenancy.quota_apartment,
            "events": [_event_view(e, _answered(history)) for e in shown],
            "created_at": tenancy.created_at,
        }
        if landlord:
            # The landlord learns only that support comes with the tenancy (a support plan
            # exists, docs/domain.md §6), never which.
            views.append(
                TenancyLandlordView.model_validate(
                    {**common, "support_plan": bool(tenancy.conditions)}
                )
            )
        else:
            views.append(
                TenancyRead.model_validate(
                    {
                        **common,
                        "landlord": tenancy.landlord_id,
                        "landlord_name": refs.landlord_name(tenancy.landlord_id),
                        "area": vacancy.area if vacancy else "",
                        "area_name": vacancy.area_name if vacancy else None,
                        "household": tenancy.household_id,
                        "case_ref": refs.case_ref(tenancy.household_id),
                        "exception": tenancy.exception,
                        "conditions": list(tenancy.conditions or []),
                        "moved_from": tenancy.moved_from_id,
                        "moved_to": successors.get(tenancy.id),
                        "move_on_since": tenancy.move_on_since,
                        "vouched_on": vouched_on(history),
                    }
                )
            )
    return views


def to_view(
    session: Session, principal: Principal, tenancy: Tenancy
) -> TenancyRead | TenancyLandlordView:
    return to_views(session, principal, [tenancy])[0]


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
        if agreement is not None and agreement.transfer_needs_landlord_consent:
            history = repository.events_of(session, {tenancy.id}).get(tenancy.id, [])
            if not any(e.kind == EventKind.consent for e in history):
                raise Conflict(
                    "The transfer needs the landlord's consent (the agreement says so): "
                    "the landlord records it with POST /v1/tenancies/{id}/consent."
                )
        tenancy.status = TenancyStatus.transferred.value
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
        session, principal, tenancy_id, EventKind.remark, body.effective_on, today
    )
    agreement = repository.agreement_of(session, tenancy)
    months = agreement.trial_period_months if agreement is not None else None
    tenancy.trial_period_end = staircase.restarted_trial_end(
        trial_period_end=tenancy.trial_period_end,
        remark_on=on,
        restarted=trial_end(on, months),
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
        session, principal, tenancy_id, EventKind.incident, None, today
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
    answered = _answered(history)
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
        ),
        purpose=purpose,
        reason=body.reason.value,
    )
    return tenancy


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
    """The landlord consents to the transfer of the lease to the tenant, where its
    agreement makes the transfer need it (Karlstad: "om parterna är överens"). Refused
    (409) where the agreement needs no consent (Göteborg: the landlord "kan … inte motsätta
    sig överlåtelsen") or the tenancy's next step is not the transfer."""
    tenancy, on = journal.active_for_event(
        session, principal, tenancy_id, EventKind.consent, body.effective_on, today
    )
    agreement = repository.agreement_of(session, tenancy)
    if agreement is None or not agreement.transfer_needs_landlord_consent:
        raise Conflict("The agreement needs no consent to the transfer.")
    if staircase.next_rung(tenancy.contract_form) is not Rung.own_lease:
        raise Conflict(f"A {tenancy.contract_form} tenancy is not transferred next.")
    journal.append_event(
        session, principal, tenancy, kind=EventKind.consent, on=on, purpose=purpose
    )
    return tenancy


def _totals(rows: list[QuotaRow]) -> QuotaTotals:
    return QuotaTotals(
        quota=sum(r.quota for r in rows),
        delivered=sum(r.delivered for r in rows),
        exception_quota=sum(r.exception_quota for r in rows),
        exceptions_used=sum(r.exceptions_used for r in rows),
        remaining=sum(r.remaining for r in rows),
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
    if principal.role is Role.coordinator and principal.municipality is not None:
        if municipality is None:
            municipality = principal.municipality
        if principal.municipality != municipality:
            raise NotFound("No such municipality.")
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
        key: value
        for landlord_id in landlord_ids
        for key, value in repository.delivered_per_landlord(
            session, municipality, year, landlord_id
        ).items()
    }
    landlords = repository.landlords_by_id(session, set(agreements) | set(delivered))
    rows = []
    for lid in sorted(landlords, key=lambda i: (landlords[i].name, i)):
        agreement = agreements.get(lid)
        quota = agreement.quota if agreement else 0
        count, exceptions = delivered.get(lid, (0, 0))
        rows.append(
            QuotaRow(
                landlord=lid,
                name=landlords[lid].name,
                kind=LandlordKind(landlords[lid].kind),
                quota=quota,
                delivered=count,
                exception_quota=agreement.exception_quota if agreement else 0,
                exceptions_used=exceptions,
                remaining=max(quota - count, 0),
                pacing=agreement.pacing if agreement else "none",
                expected_to_date=quota_due(
                    quota, agreement.pacing if agreement else "none", year=year, on=local_today()
                ),
            )
        )
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
