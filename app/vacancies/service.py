"""Vacancies: a landlord posts, updates and withdraws its own under its own reference;
coordinators list the open ones in their municipality."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import COORDINATOR, Principal, Role, acting_for, municipality_of, own_municipality
from app.core.errors import Conflict, NotFound, PreconditionFailed, UnprocessableEntity
from app.core.etag import check_if_match
from app.vacancies import repository
from app.vacancies.events import publish
from app.vacancies.models import Vacancy
from app.vacancies.schemas import VacancyRead, VacancyUpsert
from app.vocabulary import EventType, TenancyStatus, VacancyStatus


def _on_request(data: VacancyUpsert, forms: tuple[str, ...]) -> dict[str, Any]:
    """A flat handed over on request by a landlord without an agreement (Södertälje's
    Graflunds: "Socialtjänsten kan vid förfrågan få tillgång till lägenheter i beståndet och
    står då som förstahandshyresgäst"): only in the forms the municipality takes so, and
    counted toward no quota."""
    refused = [form.value for form in data.contract_forms if form.value not in forms]
    if refused:
        raise UnprocessableEntity(
            f"contract_forms: without an agreement, municipality {data.municipality} takes "
            f"flats on request only as {', '.join(forms)}, not {', '.join(refused)}"
        )
    return {"quota_apartment": False}


def _landlord_of(principal: Principal, landlord: str | None = None) -> str:
    """Whose vacancy the caller means: a landlord its own (naming a landlord is `422`), an
    intermediary the landlord it names (required: it acts for several) — one that mandated
    it somewhere, else `404` as for any object out of the caller's reach. Where, is checked
    against the vacancy's municipality (`landlord_scope`, `Principal.may_act_for`)."""
    named = acting_for(principal, landlord)
    if named is not None:
        return named
    if principal.role is Role.intermediary:
        raise UnprocessableEntity(
            "landlord: required for an intermediary (the landlord it acts for)"
        )
    if principal.role is not Role.landlord or principal.landlord_id is None:
        raise NotFound("No such vacancy.")
    return principal.landlord_id


def _actor(principal: Principal) -> dict[str, str | None]:
    """Who acts on the landlord's side, as the vacancy records it (docs/domain.md §2)."""
    person = principal.person
    return {
        "changed_by_credential": principal.credential_id,
        "changed_by_intermediary": principal.intermediary_id,
        "changed_by_person": None if person is None else person.subject,
        "changed_by_person_name": None if person is None else person.name,
    }


def _columns(data: VacancyUpsert) -> dict[str, Any]:
    values = data.model_dump(exclude={"municipality"})
    values["municipality_code"] = data.municipality
    values["contract_forms"] = [form.value for form in data.contract_forms]
    # The landlord's own post hands the flat over as a quota apartment, also a flat a move
    # chain freed (Helsingborg 3:6: it counts once the landlord posts it as one).
    values["quota_apartment"] = True
    return values


class Upserted(NamedTuple):
    vacancy: Vacancy
    created: bool
    view: VacancyRead | None
    """The view the change's event carries (None when nothing changed): the answer is the
    same view, built once per request (benchmarks/README.md, "Events")."""


def upsert_vacancy(
    session: Session,
    *,
    principal: Principal,
    external_ref: str,
    data: VacancyUpsert,
    if_match: str | None,
    landlord: str | None = None,
) -> Upserted:
    """Create or replace the landlord's vacancy; returns it, whether it was created, and
    the view its event told when anything changed.

    A repost with the same reference updates the same row, never a duplicate (docs/domain.md
    §3); an identical repost changes nothing, not even the version. Reposting a withdrawn
    vacancy re-opens it; a let one cannot be changed while its tenancy is active, and is
    offered again by a repost once the tenancy is over (its identical repost changes nothing
    and answers the vacancy as it is). Of concurrent PUTs of a new
    reference one creates it and the others update (or leave) that row, never a 409.
    """
    landlord_id = _landlord_of(principal, landlord)
    if not principal.may_act_for(landlord_id, data.municipality):
        raise NotFound("No such vacancy.")  # an intermediary outside its mandates
    has_agreement, known_area = repository.where_it_may_go(
        session, data.municipality, landlord_id, data.area
    )
    on_request = () if has_agreement else repository.forms_on_request(session, data.municipality)
    if not has_agreement and not on_request:
        raise UnprocessableEntity(
            f"municipality: the landlord has no agreement with municipality {data.municipality}"
        )
    if not known_area:
        raise UnprocessableEntity(
            f"area: not areas of municipality {data.municipality}: {data.area}"
        )
    values = _columns(data)
    if not has_agreement:
        values.update(_on_request(data, on_request))
    vacancy = repository.get_own(session, landlord_id, external_ref, for_update=True)
    if vacancy is not None and not principal.may_act_for(landlord_id, vacancy.municipality_code):
        raise NotFound("No such vacancy.")  # the reference lives where the mandate does not
    if vacancy is None:
        if if_match is not None:
            raise PreconditionFailed("If-Match was given but the vacancy does not exist.")
        created = _insert(session, landlord_id, external_ref, {**values, **_actor(principal)})
        if created is not None:
            view = publish(session, created, EventType.vacancy_posted)
            return Upserted(created, True, view)
        # A concurrent PUT of the same reference created it first (FOR UPDATE cannot lock
        # a row that does not exist yet): this PUT is then an update of that row.
        vacancy = repository.get_own(session, landlord_id, external_ref, for_update=True)
        if vacancy is None:
            raise Conflict("A concurrent change conflicts; try again.")
    check_if_match(if_match, vacancy.version)
    if vacancy.status == VacancyStatus.let:
        if not any(getattr(vacancy, key) != value for key, value in values.items()):
            # A landlord's system resending its whole stock: what it says is what is
            # there, so the answer is the current vacancy, not an error.
            return Upserted(vacancy, False, None)
        if not _tenancy_over(session, vacancy):
            raise Conflict("The vacancy is let; it can no longer be changed.")
        values["status"] = VacancyStatus.open.value
    if vacancy.status == VacancyStatus.withdrawn:
        values["status"] = VacancyStatus.open.value
    if any(getattr(vacancy, key) != value for key, value in values.items()):
        reopened = (
            values.get("status") == VacancyStatus.open and vacancy.status != VacancyStatus.open
        )
        for key, value in {**values, **_actor(principal)}.items():
            setattr(vacancy, key, value)
        vacancy.version += 1
        session.flush()
        view = publish(
            session, vacancy, EventType.vacancy_posted if reopened else EventType.vacancy_updated
        )
        return Upserted(vacancy, False, view)
    return Upserted(vacancy, False, None)


def _insert(
    session: Session, landlord_id: str, external_ref: str, values: dict[str, Any]
) -> Vacancy | None:
    """Insert the landlord's new vacancy in a savepoint; None when the unique (landlord,
    reference) index refuses it because a concurrent request inserted it first (PostgreSQL
    raises only once that request committed, so the row is then visible)."""
    vacancy = Vacancy(
        landlord_id=landlord_id,
        external_ref=external_ref,
        status=VacancyStatus.open.value,
        **values,
    )
    try:
        with session.begin_nested():
            session.add(vacancy)
            session.flush()
    except IntegrityError:
        return None
    return vacancy


def _tenancy_over(session: Session, vacancy: Vacancy) -> bool:
    """Whether the let apartment's tenancy is over — ended, or transferred so that the
    municipality's part is done: the landlord's repost under the same reference then says
    the apartment is free again and offers it anew."""
    statuses = repository.tenancy_statuses(session, vacancy.id)
    return bool(statuses) and TenancyStatus.active.value not in statuses


def get_vacancy(
    session: Session, *, principal: Principal, external_ref: str, landlord: str | None = None
) -> Vacancy:
    vacancy = repository.get_for(
        session, principal, _landlord_of(principal, landlord), external_ref
    )
    if vacancy is None:
        raise NotFound("No such vacancy.")
    return vacancy


def locked_for_withdrawal(
    session: Session,
    *,
    principal: Principal,
    external_ref: str,
    if_match: str | None,
    landlord: str | None = None,
) -> Vacancy:
    """The caller's vacancy, locked, at the version it names; a let vacancy cannot be
    withdrawn (409). The withdrawal itself is app/flows/vacancy_withdrawal.py's: its live
    proposal goes with it."""
    vacancy = repository.get_for(
        session, principal, _landlord_of(principal, landlord), external_ref, for_update=True
    )
    if vacancy is None:
        raise NotFound("No such vacancy.")
    check_if_match(if_match, vacancy.version)
    if vacancy.status == VacancyStatus.let:
        raise Conflict("The vacancy is let; it cannot be withdrawn.")
    return vacancy


def mark_withdrawn(session: Session, *, principal: Principal, vacancy: Vacancy) -> None:
    """The vacancy stays (proposals and history refer to it) but is no longer offered."""
    vacancy.status = VacancyStatus.withdrawn.value
    for key, value in _actor(principal).items():
        setattr(vacancy, key, value)
    vacancy.version += 1
    session.flush()
    publish(session, vacancy, EventType.vacancy_withdrawn)


def free_after_move(session: Session, *, vacancy_id: str, available_from: date) -> None:
    """A flat its tenant moved on from (a move chain, app/flows/move_chain.py) is an open
    vacancy of its landlord again, available from the move-in day, and not a quota
    apartment unless the landlord posts it anew (Helsingborg 3:6): `vacancy.freed`."""
    flat = repository.lock(session, vacancy_id)
    if flat is not None and flat.status == VacancyStatus.let:
        flat.status = VacancyStatus.open.value
        flat.available_from = available_from
        flat.quota_apartment = False
        flat.version += 1
        session.flush()
        publish(session, flat, EventType.vacancy_freed)


def list_vacancies(
    session: Session,
    *,
    principal: Principal,
    municipality: str | None,
    status: VacancyStatus | None,
    after: str | None,
    limit: int,
    landlord: str | None = None,
    external_ref: str | None = None,
    external_ref_prefix: str | None = None,
) -> list[Vacancy]:
    """A landlord lists its own (any status unless filtered), an intermediary those of the
    landlords that mandated it where they did (`landlord`: one of them; another → 404); a
    coordinator the open vacancies of its own municipality (the default; naming another is
    404)."""
    named = None if landlord is None else _landlord_of(principal, landlord)
    if principal.landlord_side:
        return repository.list_page(
            session,
            scope=repository.landlord_side(principal),
            landlord_id=named,
            municipality=municipality,
            status=status.value if status else None,
            after=after,
            limit=limit,
            external_ref=external_ref,
            external_ref_prefix=external_ref_prefix,
        )
    if municipality_of(principal, COORDINATOR) is not None:
        return repository.list_page(
            session,
            municipality=own_municipality(principal, municipality, COORDINATOR),
            status=(status or VacancyStatus.open).value,
            after=after,
            limit=limit,
            external_ref=external_ref,
            external_ref_prefix=external_ref_prefix,
        )
    raise NotFound("No such vacancy.")
