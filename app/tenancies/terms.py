"""The terms a tenancy is let on: a fixed term (renewable or not) and the notice period,
per contract form and agreement (docs/domain.md §5: "Terms differ by form and municipality").

Declared once: the tenancy takes them when it is created and when it steps to a new form
(`for_form`), shows them, and uses them when it ends or renews (`ends_on`, `renewal_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.agreements.models import Agreement
from app.vocabulary import ContractForm, EndReason


@dataclass(frozen=True, slots=True)
class Terms:
    """`term_months`: a fixed term; `notice_days`: from a termination to the end;
    `renewable`: the term can be renewed."""

    term_months: int | None = None
    notice_days: int | None = None
    renewable: bool = False
    serious_cause_notice_days: int | None = None


FORM_DEFAULTS: dict[str, Terms] = {
    # Norrköping: "För personer som saknar inkomst tecknas tremånaderskontrakt utan
    # besittningsskydd" — a three-month term, renewed term by term.
    ContractForm.short_term: Terms(term_months=3, renewable=True),
}
"""A contract form's own terms where an agreement states none for it."""


def for_form(agreement: Agreement | None, form: str) -> Terms:
    """The agreement's terms for the form, else the form's default, else none."""
    stated: dict[str, Any] = dict((agreement.tenancy_terms or {}) if agreement else {})
    if form in stated:
        given = stated[form]
        return Terms(
            term_months=given.get("term_months"),
            notice_days=given.get("notice_days"),
            renewable=bool(given.get("renewable", False)),
            serious_cause_notice_days=given.get("serious_cause_notice_days"),
        )
    return FORM_DEFAULTS.get(form, Terms())


TERMINATIONS = frozenset({"terminated_by_landlord", "terminated_by_municipality"})
"""End reasons that give notice: the tenancy ends `notice_days` after."""


SUBLET_FORMS = frozenset({ContractForm.municipal_contract, ContractForm.training_apartment})
"""The forms in which the municipality holds the lease and sublets to the household: only
there can the municipality end its subtenant's contract for a serious cause."""


def ends_on(
    *,
    reason: str,
    on: date,
    notice_days: int | None,
    term_end: date | None,
    serious_notice_days: int | None = None,
    serious: bool = False,
) -> date:
    """The tenancy's last day: at its term's end (`term_ended`), after the notice period
    for a termination (Nynäshamn: a week), after the serious cause's short notice when the
    municipality ends its subtenant's contract for one (Västerås: "vid allvarliga problem
    kan den boende vräkas inom 24 timmar"), else the day recorded."""
    if reason == EndReason.term_ended and term_end is not None:
        return term_end
    if serious and serious_notice_days is not None:
        return on + timedelta(days=serious_notice_days)
    if reason in TERMINATIONS and notice_days:
        return on + timedelta(days=notice_days)
    return on


def serious_cause_refusal(*, reason: str, form: str, serious: bool) -> str | None:
    """A serious cause is the municipality's ground for ending its own subtenant's contract:
    only with `terminated_by_municipality`, only in a form it sublets. The landlord's
    termination of the municipality's lease follows the ordinary notice."""
    if not serious:
        return None
    if reason != EndReason.terminated_by_municipality:
        return "serious_cause: only the municipality ends its subtenant's contract for one."
    if form not in SUBLET_FORMS:
        return f"serious_cause: the municipality sublets no {form}; the household holds the lease."
    return None


def end_refusal(*, reason: str, on: date, term_end: date | None) -> str | None:
    """Why the end cannot be recorded: a term's end before the term is over, or for a
    tenancy with no fixed term."""
    if reason != EndReason.term_ended:
        return None
    if term_end is None:
        return "The tenancy has no fixed term to end."
    if on < term_end:
        return f"The term runs until {term_end.isoformat()}; renew it or end it then."
    return None


def renewal_refusal(*, renewable: bool, term_end: date | None, on: date) -> str | None:
    """A renewal needs a renewable fixed term not yet over (Norrköping's three months)."""
    if term_end is None or not renewable:
        return "The tenancy's term is not renewable."
    if on > term_end:
        return f"The term ended on {term_end.isoformat()}; end the tenancy."
    return None
