"""The tenancy as the API answers it and its events tell it, per audience: a landlord's view
names no household and leaves out the municipality's statements about its tenant; the
municipality's carries the case, vacancy, landlord and area references."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from app import references
from app.agreements.exceptions import vouched_on
from app.auth import Principal
from app.core.db import local_today
from app.households.schemas import establishment_ends_on
from app.tenancies import repository, staircase
from app.tenancies.history import answered_at, happened
from app.tenancies.models import Tenancy, TenancyEvent
from app.tenancies.schemas import TenancyEventRead, TenancyLandlordView, TenancyRead
from app.vocabulary import EventKind, Rung, TenancyStatus


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
            "serious_cause": event.serious_cause,
        }
    )


DEFAULT_ANSWER_HOURS = 72
"""A proposal's answer time where a tenancy counts toward a year without an agreement."""

MUNICIPAL_EVENTS = frozenset({EventKind.vouching.value, EventKind.delay.value})
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
        vacancies=(t.vacancy_id for t in tenancies if t.vacancy_id is not None),
        landlords=() if landlord else (t.landlord_id for t in tenancies),
    )
    today = local_today()
    settled = {} if landlord else repository.settled_on_of(session, tenancies)
    agreements = repository.agreements_of(session, tenancies)
    events = repository.events_of(session, {t.id for t in tenancies})
    successors = {} if landlord else repository.successors_of(session, {t.id for t in tenancies})
    views: list[TenancyRead | TenancyLandlordView] = []
    for tenancy in tenancies:
        history = events.get(tenancy.id, [])
        # The landlord's history leaves out the municipality's statements about its tenant.
        shown = [e for e in history if not (landlord and e.kind in MUNICIPAL_EVENTS)]
        vacancy = refs.vacancy(tenancy.vacancy_id) if tenancy.vacancy_id is not None else None
        active = tenancy.status == TenancyStatus.active
        answer = staircase.transfer_answer(happened(history)) if active else None
        agreement = agreements.get(
            (tenancy.municipality_code, tenancy.landlord_id, tenancy.agreement_year)
        )
        transfer_next = active and staircase.next_rung(tenancy.contract_form) is Rung.own_lease
        due_at = staircase.answer_due_at(
            needs_consent=agreement is None or agreement.transfer_needs_landlord_consent,
            answer=answer,
            possible_on=(tenancy.trial_period_end or tenancy.start_date) if transfer_next else None,
            asked_at=tenancy.created_at,
            answer_hours=agreement.answer_hours if agreement else DEFAULT_ANSWER_HOURS,
        )
        common = {
            "id": tenancy.id,
            "proposal": tenancy.proposal_id,
            "municipality": tenancy.municipality_code,
            "vacancy": tenancy.vacancy_id,
            "external_ref": vacancy.external_ref if vacancy else (tenancy.external_ref or ""),
            "contract_form": tenancy.contract_form,
            "agreement_year": tenancy.agreement_year,
            "start_date": tenancy.start_date,
            "form_since": staircase.form_since(tenancy.start_date, happened(history)),
            "trial_period_end": tenancy.trial_period_end,
            "next_step": staircase.next_rung(tenancy.contract_form) if active else None,
            "status": tenancy.status,
            "ended_on": None if active else _ended_on(history),
            "term_months": tenancy.term_months,
            "term_end": tenancy.term_end,
            "renewable": tenancy.renewable,
            "notice_days": tenancy.notice_days,
            "serious_cause_notice_days": tenancy.serious_notice_days,
            "response_due_at": tenancy.response_due_at,
            "quota_apartment": tenancy.quota_apartment,
            "registered": tenancy.registered,
            "transfer_latest_on": tenancy.transfer_latest_on,
            "transfer_overdue": active
            and tenancy.transfer_latest_on is not None
            and tenancy.transfer_latest_on <= today
            and tenancy.transfer_delay is None,
            "transfer_answer": answer.reason if answer is not None else None,
            "transfer_answer_due_at": due_at,
            "aftercare_until": tenancy.aftercare_until,
            "tenure_waived_until": tenancy.tenure_waived_until,
            "events": [_event_view(e, answered_at(history)) for e in shown],
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
                        "outside_quota": tenancy.outside_quota,
                        "conditions": list(tenancy.conditions or []),
                        "moved_from": tenancy.moved_from_id,
                        "moved_to": successors.get(tenancy.id),
                        "move_on_since": tenancy.move_on_since,
                        "vouched_on": vouched_on(history),
                        "transfer_delay": tenancy.transfer_delay,
                        "establishment_ends_on": establishment_ends_on(
                            settled.get(tenancy.household_id or "")
                        ),
                    }
                )
            )
    return views


def to_view(
    session: Session, principal: Principal, tenancy: Tenancy
) -> TenancyRead | TenancyLandlordView:
    """One item of `to_views`: the same view for one object, so a single answer and a
    list never differ."""
    return to_views(session, principal, [tenancy])[0]
